"""Correct a claim's fields before it goes (again): what a biller does after a rejection.

::

    with store.transaction() as session:
        fix = current_fix(session, "CB17")
        fix = replace(fix, member_id="U8823410201")
        checked = fix_claim(session, "CB17", fix, actor="dana", today=date.today())
        # a rejected claim is now ready (or held with the scrubber's reasons) to go again

A claim may be corrected while it has not reached the payer or was rejected before
adjudication: draft, held, ready, rejected by Office Ally or by the payer. A claim the payer
accepted is corrected with a replacement claim (``services.claims.resubmit``), whose copy is
ready and may be corrected here before it goes.

What a correction touches, and where it is kept:

- the subscriber's member ID (box 1a) on the claim's policy, and the patient's name and birth
  date (boxes 2 and 3): these are the practice's records, so every claim made from them later
  sends the corrected value. Each field a person corrects is remembered
  (``store.corrections``): a later ``claimbridge load`` of a file that still has another value
  keeps the correction and says so, until the EHR's export has the corrected value too;
- the rendering NPI (24J) and place of service (24B) on the claim;
- the diagnoses (21) on the appointment the claim bills;
- each service line's procedure, modifiers, units, charge and diagnosis pointers (24D–24G);
- which lines the claim has: a line may be removed (one that has payments posted to it never
  is) and a line added, keeping one to ``MAX_LINES``. A new line has the claim's service date,
  the next line number, never one a removed line had, and a line control number (REF*6R)
  ``<CLM01>-<line>`` like the lines made from the appointment.

Every correction writes one claim event naming the fields that changed (not their values) and
the lines removed or added by number and code, then the claim is scrubbed again: a rejected
claim goes back to ready exactly as ``resubmit`` sends it, or to held with the scrubber's
reasons in words. The claim's total charge is the sum of its lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError, InvalidTransition
from claimbridge.services.claim_facts import split_codes, split_numbers
from claimbridge.services.claims import (
    ACCEPTED_BY_PAYER,
    REJECTED_BEFORE_ADJUDICATION,
    Checked,
    Resubmission,
    check_claims,
    find_claim,
    line_control_number,
    resubmit,
)
from claimbridge.store import tables as t
from claimbridge.store.corrections import PATIENTS, POLICIES, remember
from claimbridge.store.repositories import ClaimRepository

CORRECTABLE = frozenset(
    {ClaimStatus.DRAFT, ClaimStatus.HELD, ClaimStatus.READY} | REJECTED_BEFORE_ADJUDICATION
)
FIXED_EVENT = "corrected"
MAX_CODE = 5  # a CPT or HCPCS code (24D)
MAX_LINES = 50  # an 837P claim carries at most 50 service lines (loop 2400)
REMOVED = "removed line {number} ({code})"  # how the event names a removed line
ADDED = "added line {number} ({code})"
_REMOVED_NUMBER = re.compile(r"removed line (\d+) \(")  # read back from REMOVED


@dataclass(frozen=True, slots=True)
class LineFix:
    """Box 24 of one service line, as a person corrects it: a line without a number is one to
    add, and ``remove`` takes the numbered line off the claim."""

    number: int | None
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal
    diagnosis_pointers: tuple[int, ...]
    remove: bool = False


@dataclass(frozen=True, slots=True)
class ClaimFix:
    """The fields of a claim a person may correct (see the module docstring)."""

    member_id: str
    patient_first_name: str
    patient_last_name: str
    patient_dob: date
    rendering_npi: str
    place_of_service: str
    diagnoses: tuple[str, ...]
    lines: tuple[LineFix, ...]


class ClaimAction(StrEnum):
    """What a person may do to a claim in a given status."""

    CORRECT = "correct"  # change fields in place, then scrub (and send again if rejected)
    RESUBMIT = "resubmit"  # send a rejected claim again as it is
    REPLACE = "replace"  # a frequency-7 copy that replaces what the payer has
    VOID = "void"  # a frequency-8 copy that cancels it


RESENT_AS = {
    ClaimAction.RESUBMIT: Resubmission.ORIGINAL,
    ClaimAction.REPLACE: Resubmission.REPLACEMENT,
    ClaimAction.VOID: Resubmission.VOID,
}  # the actions that send a claim again, and the frequency each sends it with


def may_correct(status: ClaimStatus) -> bool:
    """True when a claim in ``status`` may be corrected in place."""
    return status in CORRECTABLE


def actions_for(status: ClaimStatus) -> tuple[ClaimAction, ...]:
    """The actions a claim in ``status`` offers, in the order a page shows them."""
    if status in REJECTED_BEFORE_ADJUDICATION:
        return (ClaimAction.CORRECT, ClaimAction.RESUBMIT)
    if status in ACCEPTED_BY_PAYER:
        return (ClaimAction.REPLACE, ClaimAction.VOID)
    if may_correct(status):
        return (ClaimAction.CORRECT,)
    return ()


def current_fix(session: Session, reference: str) -> ClaimFix:
    """The claim's correctable fields as they are now (what a correction form starts from)."""
    claim = find_claim(session, reference)
    policy, patient = _policy_and_patient(session, claim)
    return ClaimFix(
        member_id=policy.member_id if policy else "",
        patient_first_name=patient.first_name if patient else "",
        patient_last_name=patient.last_name if patient else "",
        patient_dob=patient.dob if patient else claim.service_date,
        rendering_npi=claim.rendering_npi,
        place_of_service=claim.place_of_service,
        diagnoses=tuple(row.code for row in _diagnosis_rows(session, claim.appointment_id)),
        lines=tuple(_line_fix(row) for row in _line_rows(session, claim.id)),
    )


def fix_claim(session: Session, reference: str, fix: ClaimFix, actor: str, today: date) -> Checked:
    """Apply ``fix`` to the claim ``reference`` and scrub it again; a rejected claim is sent
    again as an original. ``InvalidTransition`` when the payer already has it."""
    claim = find_claim(session, reference)
    status = ClaimStatus(claim.status)
    if not may_correct(status):
        raise InvalidTransition(
            f"claim {claim.clm01} is {status.value}: the payer has it, so correct it with a "
            "replacement claim (or void it), never in place"
        )
    changed = list(_apply(session, claim, fix, actor))
    reshaped = list(_reshape_lines(session, claim, fix.lines))
    claim.total_charge = sum((row.charge for row in _line_rows(session, claim.id)), Decimal(0))
    said = (["changed " + ", ".join(changed)] if changed else []) + reshaped
    if said:
        ClaimRepository(session).note(claim.clm01, FIXED_EVENT, "; ".join(said), actor)
    if status in REJECTED_BEFORE_ADJUDICATION:
        return resubmit(session, claim.clm01, Resubmission.ORIGINAL, actor, today)
    return check_claims(session, [claim.id], actor, today)[0]


def rejected_alongside(session: Session, reference: str) -> tuple[str, ...]:
    """The other rejected claims billed to the same policy: a correction of the insured's ID
    or the patient reaches them too, but each is resubmitted on its own."""
    claim = find_claim(session, reference)
    if claim.policy_id is None:
        return ()
    query = (
        select(t.ClaimRow.clm01)
        .where(t.ClaimRow.policy_id == claim.policy_id, t.ClaimRow.id != claim.id)
        .where(t.ClaimRow.status.in_([s.value for s in REJECTED_BEFORE_ADJUDICATION]))
        .order_by(t.ClaimRow.id)
    )
    return tuple(session.scalars(query))


def _apply(session: Session, claim: t.ClaimRow, fix: ClaimFix, actor: str) -> Iterator[str]:
    """Write the fix; yields the name of each field that changed."""
    policy, patient = _policy_and_patient(session, claim)
    if policy is not None and policy.member_id != fix.member_id.strip():
        policy.member_id = _required(fix.member_id, "1a Insured's ID")
        remember(session, POLICIES, policy.id, "member_id", actor)
        yield "insured's ID (1a)"
    if patient is not None:
        yield from _apply_patient(session, patient, fix, actor)
    if claim.rendering_npi != fix.rendering_npi.strip():
        claim.rendering_npi = _required(fix.rendering_npi, "24J Rendering NPI")
        yield "rendering NPI (24J)"
    if claim.place_of_service != fix.place_of_service.strip():
        claim.place_of_service = _required(fix.place_of_service, "24B Place of service")
        yield "place of service (24B)"
    yield from _apply_diagnoses(session, claim, fix.diagnoses)
    yield from _apply_lines(session, claim, fix.lines)


def _apply_patient(
    session: Session, patient: t.PatientRow, fix: ClaimFix, actor: str
) -> Iterator[str]:
    """Write the patient's name and birth date, remembering each field a person corrected."""
    values = {
        "first_name": _required(fix.patient_first_name, "2 Patient's first name"),
        "last_name": _required(fix.patient_last_name, "2 Patient's last name"),
        "dob": fix.patient_dob,
    }
    corrected = [name for name, value in values.items() if getattr(patient, name) != value]
    for name in corrected:
        setattr(patient, name, values[name])
        remember(session, PATIENTS, patient.id, name, actor)
    if {"first_name", "last_name"} & set(corrected):
        yield "patient's name (2)"
    if "dob" in corrected:
        yield "patient's birth date (3)"


def _apply_diagnoses(
    session: Session, claim: t.ClaimRow, diagnoses: Sequence[str]
) -> Iterator[str]:
    codes = tuple(code.strip().upper() for code in diagnoses if code.strip())
    before = tuple(row.code for row in _diagnosis_rows(session, claim.appointment_id))
    if codes == before:
        return
    if claim.appointment_id is None:
        raise InputError("this claim bills no appointment, so it has no diagnoses to change",
                         path="21 Diagnoses")  # fmt: skip
    table = t.AppointmentDiagnosisRow
    session.execute(delete(table).where(table.appointment_id == claim.appointment_id))
    rows = [{"appointment_id": claim.appointment_id, "position": position, "code": code}
            for position, code in enumerate(codes, start=1)]  # fmt: skip
    if rows:
        session.execute(insert(table), rows)
    yield "diagnoses (21)"


def _apply_lines(session: Session, claim: t.ClaimRow, fixes: Sequence[LineFix]) -> Iterator[str]:
    """Write the changes of the lines kept; yields ``line N (24)`` for each that changed."""
    rows = {row.line_number: row for row in _line_rows(session, claim.id)}
    for fix in fixes:
        if fix.number is None:
            continue
        row = rows.get(fix.number)
        if row is None:
            raise InputError(f"claim {claim.clm01} has no line {fix.number}", path="24 Lines")
        if fix.remove:
            continue
        cleaned = _cleaned(fix, f"24 Line {fix.number}")
        if _line_fix(row) != cleaned:
            _write_line(row, cleaned)
            yield f"line {fix.number} (24)"


def _reshape_lines(session: Session, claim: t.ClaimRow, fixes: Sequence[LineFix]) -> Iterator[str]:
    """Remove the lines marked so and add the new ones; yields what the event says of each."""
    rows = {row.line_number: row for row in _line_rows(session, claim.id)}
    marked = {fix.number for fix in fixes if fix.remove}
    removing = [row for number, row in rows.items() if number in marked]
    adding = [fix for fix in fixes if fix.number is None]
    _check_line_count(len(rows), removing, len(adding))
    last = _last_line_number(session, claim, rows)
    for row in removing:
        _refuse_if_paid(session, row)
        session.delete(row)
        yield REMOVED.format(number=row.line_number, code=row.code)
    for position, fix in enumerate(adding, start=1):
        cleaned = _cleaned(fix, f"24 New line {position}")
        last = _free_line_number(session, claim, last)
        row = t.ClaimLineRow(
            claim_id=claim.id,
            line_number=last,
            service_date=claim.service_date,
            line_control_number=line_control_number(claim.clm01, last),
        )
        _write_line(row, cleaned)
        session.add(row)
        yield ADDED.format(number=last, code=cleaned.code)


def _check_line_count(count: int, removing: Sequence[t.ClaimLineRow], adding: int) -> None:
    """``InputError`` naming the line when the claim would keep none, or more than 50."""
    kept = count - len(removing)
    if kept + adding < 1:
        number = removing[-1].line_number
        raise InputError(
            f"a claim keeps at least one service line: line {number} is its last "
            "(add the right line with it, or instead)",
            path=f"24 Line {number}",
        )
    if kept + adding > MAX_LINES:
        position = max(MAX_LINES - kept + 1, 1)
        raise InputError(
            f"a claim carries at most {MAX_LINES} service lines (837P); this would be line "
            f"{kept + position}",
            path=f"24 New line {position}",
        )


def _refuse_if_paid(session: Session, row: t.ClaimLineRow) -> None:
    """A line with payments (and their adjustments) posted to it stays on the claim."""
    posted = select(t.PaymentRow.id).where(t.PaymentRow.claim_line_id == row.id).limit(1)
    if session.scalars(posted).first() is not None:
        raise InputError(
            f"line {row.line_number} has payments or adjustments posted to it, so it stays on "
            "the claim",
            path=f"24 Line {row.line_number}",
        )


def _last_line_number(session: Session, claim: t.ClaimRow, rows: dict[int, t.ClaimLineRow]) -> int:
    """The highest line number the claim has had: its lines', and those its events say were
    removed (so a new line never takes a removed line's number or line control number)."""
    event = t.ClaimEventRow
    query = select(event.why).where(event.claim_id == claim.id, event.what == FIXED_EVENT)
    removed = [int(n) for why in session.scalars(query) for n in _REMOVED_NUMBER.findall(why or "")]
    return max([0, *rows, *removed])


def _free_line_number(session: Session, claim: t.ClaimRow, after: int) -> int:
    """The first line number after ``after`` whose line control number no line holds."""
    number = after + 1
    while _control_number_taken(session, line_control_number(claim.clm01, number)):
        number += 1
    return number


def _control_number_taken(session: Session, control_number: str) -> bool:
    query = select(t.ClaimLineRow.id).where(t.ClaimLineRow.line_control_number == control_number)
    return session.scalars(query).first() is not None


def _cleaned(fix: LineFix, where: str) -> LineFix:
    if fix.units <= 0:
        raise InputError(f"units must be more than 0, not {fix.units}", path=where)
    if fix.charge < 0:
        raise InputError(f"the charge may not be negative ({fix.charge})", path=where)
    if len(fix.code.strip()) > MAX_CODE:
        raise InputError(f"a procedure code has at most {MAX_CODE} characters", path=where)
    return LineFix(
        number=fix.number,
        code=_required(fix.code, where).upper(),
        modifiers=tuple(m.strip().upper() for m in fix.modifiers if m.strip()),
        units=fix.units,
        charge=fix.charge.quantize(Decimal("0.01")),
        diagnosis_pointers=fix.diagnosis_pointers,
    )


def _write_line(row: t.ClaimLineRow, fix: LineFix) -> None:
    row.code = fix.code
    row.modifiers = ":".join(fix.modifiers)
    row.units = fix.units
    row.charge = fix.charge
    row.diagnosis_pointers = ":".join(str(p) for p in fix.diagnosis_pointers)


def _line_fix(row: t.ClaimLineRow) -> LineFix:
    return LineFix(
        number=row.line_number,
        code=row.code,
        modifiers=split_codes(row.modifiers),
        units=row.units,
        charge=row.charge,
        diagnosis_pointers=split_numbers(row.diagnosis_pointers),
    )


def _required(text: str, where: str) -> str:
    value = text.strip()
    if not value:
        raise InputError("may not be empty", path=where)
    return value


def _policy_and_patient(
    session: Session, claim: t.ClaimRow
) -> tuple[t.PolicyRow | None, t.PatientRow | None]:
    policy = session.get(t.PolicyRow, claim.policy_id) if claim.policy_id else None
    patient_id = policy.patient_id if policy else None
    if patient_id is None and claim.appointment_id is not None:
        patient_id = session.get_one(t.AppointmentRow, claim.appointment_id).patient_id
    patient = session.get(t.PatientRow, patient_id) if patient_id is not None else None
    return policy, patient


def _diagnosis_rows(
    session: Session, appointment_id: int | None
) -> Sequence[t.AppointmentDiagnosisRow]:
    if appointment_id is None:
        return ()
    table = t.AppointmentDiagnosisRow
    query = select(table).where(table.appointment_id == appointment_id).order_by(table.position)
    return session.scalars(query).all()


def _line_rows(session: Session, claim_id: int) -> Sequence[t.ClaimLineRow]:
    table = t.ClaimLineRow
    query = select(table).where(table.claim_id == claim_id).order_by(table.line_number)
    return session.scalars(query).all()
