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

- the subscriber's member ID (box 1a), group number (11) and, when the insured is not the
  patient, the insured's name (4) on the claim's policy, and the patient's name and birth
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

Each field a correction changes is checked first, with the checks claim creation runs
(``domain.scrub``'s checks of one field, ``domain.codes``, ``domain.money``): a wrong value
refuses the whole correction, nothing written, with an ``InputError`` whose ``fields`` name each
wrong field (``fix_problems``). A field left as it was is not checked here; the scrubber still
holds the claim for it.

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
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from claimbridge.domain import codes
from claimbridge.domain.models import ServiceLine
from claimbridge.domain.money import to_money
from claimbridge.domain.scrub import (
    birth_date_problem,
    diagnosis_problems,
    line_problems,
    text_problem,
)
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
from claimbridge.store.corrections import PATIENTS, POLICIES, remember_edits
from claimbridge.store.repositories import ClaimRepository
from claimbridge.store.sync import assign

CORRECTABLE = frozenset(
    {ClaimStatus.DRAFT, ClaimStatus.HELD, ClaimStatus.READY} | REJECTED_BEFORE_ADJUDICATION
)
FIXED_EVENT = "corrected"
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
    group_number: str = ""  # box 11 (SBR03); empty: the policy has none
    insured_first_name: str = ""  # box 4, when the insured is not the patient
    insured_last_name: str = ""
    insured_is_patient: bool = True  # relationship self: box 4 is box 2 (not corrected here)


@dataclass(frozen=True, slots=True)
class Problem:
    """A field a correction refuses: its name (``rendering_npi``, ``diagnoses.3``,
    ``lines.2.charge``, ``added.1.code``; ``lines.2`` for the line as a whole), the box as a
    person sees it, and why."""

    field: str
    box: str
    message: str


TEXTS = (  # the text fields of a correction: name, box, most characters (the 837P's NM1)
    ("member_id", "1a Insured's ID", 80),
    ("patient_first_name", "2 Patient's first name", 35),
    ("patient_last_name", "2 Patient's last name", 60),
    ("insured_first_name", "4 Insured's first name", 35),
    ("insured_last_name", "4 Insured's last name", 60),
)
GROUP_NUMBER_MOST = 50  # characters of SBR03 the policy keeps
LINE_FIELDS = {  # a line's fields, and how a box names them
    "code": "procedure",
    "modifiers": "modifiers",
    "units": "units",
    "charge": "charge",
    "diagnosis_pointers": "pointers",
}


def refusal(problems: Sequence[Problem]) -> InputError:
    """One ``InputError`` naming every problem and its box; ``fields`` maps field → reason."""
    described = tuple(f"{p.box}: {p.message}" for p in problems)
    fields: dict[str, str] = {}
    for p in problems:  # two problems of one field (two wrong modifiers) are both said
        fields[p.field] = f"{fields[p.field]}; {p.message}" if p.field in fields else p.message
    if len(problems) == 1:
        return InputError(problems[0].message, path=problems[0].box, problems=described,
                          fields=fields)  # fmt: skip
    return InputError(
        f"nothing was saved; {len(problems)} problems: " + "; ".join(described),
        problems=described,
        fields=fields,
    )


def fix_problems(before: ClaimFix, fix: ClaimFix, service_date: date, today: date) -> list[Problem]:
    """Every problem of the fields ``fix`` changes from ``before`` (the claim's fields as they
    are), checked as claim creation checks them; the claim's service date and today are what a
    birth date is compared with."""
    found = [
        Problem(name, box, problem)
        for name, box, most in TEXTS
        if (value := getattr(fix, name)).strip() != getattr(before, name)
        and (problem := _insured_problem(before, name) or text_problem(value, most))
    ]
    group = fix.group_number.strip()  # may be empty: the policy then has none
    if group and group != before.group_number and (why := text_problem(group, GROUP_NUMBER_MOST)):
        found.append(Problem("group_number", "11 Insured's group number", why))
    dob = birth_date_problem(fix.patient_dob, service_date, today)
    if fix.patient_dob != before.patient_dob and dob:
        found.append(Problem("patient_dob", "3 Patient's birth date", dob))
    for name, box, check in (
        ("rendering_npi", "24J Rendering NPI", codes.npi_problem),
        ("place_of_service", "24B Place of service", codes.place_of_service_problem),
    ):
        value = getattr(fix, name).strip()
        if value != getattr(before, name) and (problem := check(value)):
            found.append(Problem(name, box, problem))
    found += _diagnosis_problems(before, fix)
    found += _line_problems(before, fix)
    return found


def _insured_problem(before: ClaimFix, name: str) -> str | None:
    """Why box 4 may not be changed: the insured is the patient, named in box 2."""
    if name.startswith("insured_") and before.insured_is_patient:
        return "the insured is the patient (relationship self): correct the patient's name (2)"
    return None


def _diagnosis_problems(before: ClaimFix, fix: ClaimFix) -> Iterator[Problem]:
    """The diagnoses' problems when they changed, each by its place in ``fix.diagnoses``."""
    places = [place for place, code in enumerate(fix.diagnoses, start=1) if code.strip()]
    if diagnosis_codes(fix.diagnoses) == before.diagnoses:
        return
    for number, problem in diagnosis_problems([fix.diagnoses[p - 1].strip() for p in places]):
        if number == 0:
            yield Problem("diagnoses", "21 Diagnoses", problem)
        else:
            place = places[number - 1]
            yield Problem(f"diagnoses.{place}", f"21 Diagnosis {place}", problem)


def _line_problems(before: ClaimFix, fix: ClaimFix) -> Iterator[Problem]:
    """The problems of each line's changed fields (every field of a line to add); a line's
    pointers are checked again when the diagnoses changed."""
    diagnoses = diagnosis_codes(fix.diagnoses)
    pointers_again = diagnoses != before.diagnoses
    old = {line.number: line for line in before.lines}
    added = 0
    for line in fix.lines:
        if line.remove or (line.number is not None and line.number not in old):
            continue  # removed, or no line of the claim: refused when the lines are written
        if line.number is None:
            added += 1
        key, box = line_names(line.number, added)
        cleaned, previous = _cleaned(line), old.get(line.number)
        for name, problem in line_problems(_service_line(cleaned), len(diagnoses)):
            if (
                previous is None
                or getattr(cleaned, name) != getattr(previous, name)
                or (name == "diagnosis_pointers" and pointers_again)
            ):
                yield Problem(f"{key}.{name}", f"{box} {LINE_FIELDS[name]}", problem)


def line_names(number: int | None, added: int) -> tuple[str, str]:
    """A line's field name prefix and box: ``lines.2``, 24 Line 2; ``added.1``, 24 New line 1."""
    if number is None:
        return f"added.{added}", f"24 New line {added}"
    return f"lines.{number}", f"24 Line {number}"


def diagnosis_codes(diagnoses: Sequence[str]) -> tuple[str, ...]:
    """The diagnosis codes as the claim keeps them: blanks dropped, upper case, the dot after
    the third character (j209 → J20.9), as a practice file's are."""
    return tuple(codes.normalize_icd10cm(code) for code in diagnoses if code.strip())


def _service_line(line: LineFix) -> ServiceLine:
    return ServiceLine(
        code=line.code,
        units=line.units,
        charge=line.charge,
        diagnosis_pointers=line.diagnosis_pointers,
        modifiers=line.modifiers,
    )


class ClaimAction(StrEnum):
    """What a person may do to a claim in a given status."""

    CORRECT = "correct"  # change fields in place, then scrub (and send again if rejected)
    RESUBMIT = "resubmit"  # send a rejected claim again as it is
    REPLACE = "replace"  # a frequency-7 copy that replaces what the payer has
    VOID = "void"  # a frequency-8 copy that cancels it
    OFF_EDI = "off_edi"  # cancel a claim not yet sent, or mark it billed on paper


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
        return (ClaimAction.CORRECT, ClaimAction.OFF_EDI)
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
        **_insured_fields(policy),
    )


def _insured_fields(policy: t.PolicyRow | None) -> dict[str, Any]:
    """Boxes 4 and 11 from the claim's policy (box 4 only when the insured is someone else)."""
    if policy is None:
        return {}
    someone_else = policy.relationship != "self"
    return {
        "group_number": policy.group_number or "",
        "insured_first_name": (policy.subscriber_first_name or "") if someone_else else "",
        "insured_last_name": (policy.subscriber_last_name or "") if someone_else else "",
        "insured_is_patient": not someone_else,
    }


def fix_claim(
    session: Session,
    reference: str,
    fix: ClaimFix,
    actor: str,
    today: date,
    unread: Sequence[Problem] = (),
) -> Checked:
    """Apply ``fix`` to the claim ``reference`` and scrub it again; a rejected claim is sent
    again as an original. ``InvalidTransition`` when the payer already has it; ``InputError``
    naming every wrong field, ``unread`` among them (the values a form or a request could not
    read as a date or a number), and nothing written."""
    claim = find_claim(session, reference)
    status = ClaimStatus(claim.status)
    if not may_correct(status):
        raise InvalidTransition(
            f"claim {claim.clm01} is {status.value}: the payer has it, so correct it with a "
            "replacement claim (or void it), never in place"
        )
    problems = list(unread)
    problems += [
        problem
        for problem in fix_problems(current_fix(session, reference), fix, claim.service_date, today)
        if problem.field not in {p.field for p in unread}
    ]
    if problems:
        raise refusal(problems)
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
    if policy is not None:
        yield from _apply_policy(session, policy, fix, actor)
    if patient is not None:
        yield from _apply_patient(session, patient, fix, actor)
    if claim.rendering_npi != fix.rendering_npi.strip():
        claim.rendering_npi = fix.rendering_npi.strip()
        yield "rendering NPI (24J)"
    if claim.place_of_service != fix.place_of_service.strip():
        claim.place_of_service = fix.place_of_service.strip()
        yield "place of service (24B)"
    yield from _apply_diagnoses(session, claim, fix.diagnoses)
    yield from _apply_lines(session, claim, fix.lines)


def _apply_policy(
    session: Session, policy: t.PolicyRow, fix: ClaimFix, actor: str
) -> Iterator[str]:
    """Write the insured's ID, name (when not the patient) and group number, remembering each
    field a person corrected."""
    values: dict[str, str | None] = {
        "member_id": fix.member_id.strip(),
        "group_number": fix.group_number.strip() or None,
    }
    if policy.relationship != "self":
        values["subscriber_first_name"] = fix.insured_first_name.strip()
        values["subscriber_last_name"] = fix.insured_last_name.strip()
    corrected = _correct(session, POLICIES, policy, values, actor)
    if "member_id" in corrected:
        yield "insured's ID (1a)"
    if {"subscriber_first_name", "subscriber_last_name"} & corrected:
        yield "insured's name (4)"
    if "group_number" in corrected:
        yield "insured's group number (11)"


def _apply_patient(
    session: Session, patient: t.PatientRow, fix: ClaimFix, actor: str
) -> Iterator[str]:
    """Write the patient's name and birth date, remembering each field a person corrected."""
    values = {
        "first_name": fix.patient_first_name.strip(),
        "last_name": fix.patient_last_name.strip(),
        "dob": fix.patient_dob,
    }
    corrected = _correct(session, PATIENTS, patient, values, actor)
    if {"first_name", "last_name"} & corrected:
        yield "patient's name (2)"
    if "dob" in corrected:
        yield "patient's birth date (3)"


def _correct(
    session: Session,
    entity: str,
    row: t.PatientRow | t.PolicyRow,
    values: dict[str, Any],
    actor: str,
) -> set[str]:
    """Write ``values`` on ``row``, remembering each field a person corrected; their names."""
    corrected = {name for name, value in values.items() if getattr(row, name) != value}
    remember_edits(session, entity, row, values, actor)
    assign(row, values)
    return corrected


def _apply_diagnoses(
    session: Session, claim: t.ClaimRow, diagnoses: Sequence[str]
) -> Iterator[str]:
    found = diagnosis_codes(diagnoses)
    before = tuple(row.code for row in _diagnosis_rows(session, claim.appointment_id))
    if found == before:
        return
    if claim.appointment_id is None:
        no_visit = "this claim bills no appointment, so it has no diagnoses to change"
        raise _refused("diagnoses", "21 Diagnoses", no_visit)
    table = t.AppointmentDiagnosisRow
    session.execute(delete(table).where(table.appointment_id == claim.appointment_id))
    rows = [{"appointment_id": claim.appointment_id, "position": position, "code": code}
            for position, code in enumerate(found, start=1)]  # fmt: skip
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
            raise _refused(f"lines.{fix.number}", "24 Lines",
                           f"claim {claim.clm01} has no line {fix.number}")  # fmt: skip
        if fix.remove:
            continue
        cleaned = _cleaned(fix)
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
    for fix in adding:
        cleaned = _cleaned(fix)
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
        raise _refused(
            f"lines.{number}",
            f"24 Line {number}",
            f"a claim keeps at least one service line: line {number} is its last "
            "(add the right line with it, or instead)",
        )
    if kept + adding > MAX_LINES:
        position = max(MAX_LINES - kept + 1, 1)
        raise _refused(
            f"added.{position}",
            f"24 New line {position}",
            f"a claim carries at most {MAX_LINES} service lines (837P); this would be line "
            f"{kept + position}",
        )


def _refuse_if_paid(session: Session, row: t.ClaimLineRow) -> None:
    """A line with payments (and their adjustments) posted to it stays on the claim."""
    posted = select(t.PaymentRow.id).where(t.PaymentRow.claim_line_id == row.id).limit(1)
    if session.scalars(posted).first() is not None:
        raise _refused(
            f"lines.{row.line_number}",
            f"24 Line {row.line_number}",
            f"line {row.line_number} has payments or adjustments posted to it, so it stays on "
            "the claim",
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


def _cleaned(fix: LineFix) -> LineFix:
    """The line with its codes upper case, as the claim keeps them."""
    return LineFix(
        number=fix.number,
        code=fix.code.strip().upper(),
        modifiers=tuple(m.strip().upper() for m in fix.modifiers if m.strip()),
        units=fix.units,
        charge=fix.charge,
        diagnosis_pointers=fix.diagnosis_pointers,
    )


def _write_line(row: t.ClaimLineRow, fix: LineFix) -> None:
    row.code = fix.code
    row.modifiers = ":".join(fix.modifiers)
    row.units = fix.units
    row.charge = to_money(fix.charge)  # two decimals at most (checked), never rounded
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


def _refused(field: str, box: str, message: str) -> InputError:
    return refusal([Problem(field, box, message)])


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
