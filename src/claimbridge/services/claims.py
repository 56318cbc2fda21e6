"""Make claims from appointments, check them, and resubmit them when a person asks.

::

    with store.transaction() as session:
        created = create_claims(session, actor="dana", today=date.today())
        # every new claim is scrubbed at once: held (with the reasons in words) or ready

``create_claims`` bills each appointment that has no claim to the patient's primary policy (the
first of primary, secondary, tertiary the patient has). Its patient control number (CLM01) is
``CB`` and the appointment's id, at most 14 characters (Office Ally's File Summary shows 14);
each line's REF*6R is ``<CLM01>-<line>``, unique. ``check_claims`` runs the scrubber
(``domain.scrub``) and moves each claim to ``held`` or ``ready`` with the reason as an event;
it runs again over held claims whenever claims are created, and over ready claims before a
submission. ``resubmit`` is the only way a claim goes out again: a claim rejected before
adjudication as an original, a claim the payer accepted as a replacement (frequency 7) or void
(frequency 8) that carries the payer's claim number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from claimbridge.domain.scrub import ScrubResult, scrub
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound, InvalidTransition
from claimbridge.services.claim_facts import read_facts, read_practice, split_codes, split_numbers
from claimbridge.store import tables as t
from claimbridge.store.repositories import ClaimRepository, NewClaim, NewClaimLine

CLM01_PREFIX = "CB"
PRIORITY_ORDER = ("primary", "secondary", "tertiary")
REJECTED_BEFORE_ADJUDICATION = frozenset(
    {ClaimStatus.CLEARINGHOUSE_REJECTED, ClaimStatus.PAYER_REJECTED}
)
ACCEPTED_BY_PAYER = frozenset({ClaimStatus.PAYER_ACCEPTED, ClaimStatus.PAID, ClaimStatus.DENIED})
RESUBMIT_EVENT = "resubmit"


@dataclass(frozen=True, slots=True)
class Checked:
    """One claim after the scrubber: its CLM01, its status and the scrubber's result."""

    claim_id: int
    patient_control_number: str
    status: ClaimStatus
    result: ScrubResult


@dataclass(frozen=True, slots=True)
class CreateResult:
    """What ``create_claims`` did: claims made (and checked), appointments it could not bill."""

    created: tuple[Checked, ...]
    rechecked: tuple[Checked, ...]
    skipped: tuple[str, ...]


def create_claims(session: Session, actor: str, today: date) -> CreateResult:
    """A claim for every appointment without one, each checked; held claims are checked again."""
    practice = read_practice(session)
    held_before = _ids_in(session, (ClaimStatus.HELD, ClaimStatus.DRAFT))
    made, skipped = [], []
    for appointment in _unbilled(session):
        claim_id, reason = _make_claim(session, appointment, practice.tax_id, practice.npi, actor)
        if claim_id is None:
            skipped.append(reason)
        else:
            made.append(claim_id)
    created = check_claims(session, made, actor, today)
    rechecked = check_claims(session, held_before, actor, today)
    return CreateResult(tuple(created), tuple(rechecked), tuple(skipped))


def check_claims(
    session: Session, claim_ids: Sequence[int], actor: str, today: date
) -> list[Checked]:
    """Scrub each claim and move it to ``held`` or ``ready`` (an event says why)."""
    facts = read_facts(session, claim_ids, today)
    rows = {row.id: row for row in _rows(session, claim_ids)}
    return [_apply(session, rows[claim_id], scrub(facts[claim_id]), actor) for claim_id in facts]


def _apply(session: Session, row: t.ClaimRow, result: ScrubResult, actor: str) -> Checked:
    current = ClaimStatus(row.status)
    repository = ClaimRepository(session)
    row.era_expected = result.era_expected
    if current is not result.status:
        repository.transition(row.clm01, result.status, result.reason, actor)
    elif row.status_reason != result.reason:
        row.status_reason = result.reason
        repository.note(row.clm01, "checked", result.reason, actor)
    return Checked(row.id, row.clm01, result.status, result)


class Resubmission(StrEnum):
    """How a person sends a claim again (CLM05-3 frequency)."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


def resubmit(
    session: Session, reference: str, how: Resubmission, actor: str, today: date
) -> Checked:
    """Send the claim ``reference`` (id or CLM01) again, as a person asked; returns the claim
    that will go (the same one, or a new replacement or void claim), scrubbed."""
    row = find_claim(session, reference)
    status = ClaimStatus(row.status)
    if how is Resubmission.ORIGINAL:
        return _resubmit_original(session, row, status, actor, today)
    if status not in ACCEPTED_BY_PAYER:
        raise InvalidTransition(
            f"claim {row.clm01} is {status.value}: only a claim the payer accepted is replaced "
            "or voided; a rejected claim is resubmitted as an original"
        )
    return _correct(session, row, how, actor, today)


def _resubmit_original(
    session: Session, row: t.ClaimRow, status: ClaimStatus, actor: str, today: date
) -> Checked:
    if status in ACCEPTED_BY_PAYER:
        raise InvalidTransition(
            f"claim {row.clm01} is {status.value}: the payer already has it, so send a "
            "replacement (--replace) or a void (--void), never the original again"
        )
    if status not in REJECTED_BEFORE_ADJUDICATION:
        raise InvalidTransition(
            f"claim {row.clm01} is {status.value}: only a rejected claim is resubmitted"
        )
    repository = ClaimRepository(session)
    repository.transition(row.clm01, ClaimStatus.READY, f"resubmission asked by {actor}", actor)
    repository.note(row.clm01, RESUBMIT_EVENT, "may be sent again as an original", actor)
    return check_claims(session, [row.id], actor, today)[0]


def _correct(
    session: Session, original: t.ClaimRow, how: Resubmission, actor: str, today: date
) -> Checked:
    payer_number = original.payer_claim_control_number or _payer_claim_number(session, original)
    if not payer_number:
        raise InvalidTransition(
            f"claim {original.clm01} has no payer claim number yet (from a 277CA or an ERA); "
            "a replacement or void must name it"
        )
    clm01 = _correction_clm01(session, original.clm01, how)
    claim_id = _copy_claim(session, original, clm01, actor, how)
    row = session.get_one(t.ClaimRow, claim_id)
    row.frequency_code, row.payer_claim_control_number = how.value, payer_number
    row.replaces_claim_id = original.id
    kind = "replacement" if how is Resubmission.REPLACEMENT else "void"
    ClaimRepository(session).note(original.clm01, kind, f"{kind} claim {clm01} made", actor)
    return check_claims(session, [claim_id], actor, today)[0]


def line_control_number(clm01: str, number: int) -> str:
    """A service line's control number (REF*6R, echoed in the 835): ``<CLM01>-<line>``."""
    return f"{clm01}-{number}"


def _copy_claim(
    session: Session, original: t.ClaimRow, clm01: str, actor: str, how: Resubmission
) -> int:
    lines = tuple(
        NewClaimLine(
            code=line.code,
            charge=line.charge,
            units=line.units,
            modifiers=split_codes(line.modifiers),
            diagnosis_pointers=split_numbers(line.diagnosis_pointers),
            appointment_line_id=line.appointment_line_id,
            line_control_number=line_control_number(clm01, number),
        )  # numbered 1, 2, … as the copy's lines are, though a correction left gaps
        for number, line in enumerate(
            session.scalars(
                select(t.ClaimLineRow)
                .where(t.ClaimLineRow.claim_id == original.id)
                .order_by(t.ClaimLineRow.line_number)
            ),
            start=1,
        )
    )
    payer_id = session.get_one(t.PayerRow, original.payer_id).payer_id
    claim = _new_claim(original, clm01, payer_id, lines)
    why = f"{how.name.lower()} of claim {original.clm01}, asked by {actor}"
    return ClaimRepository(session).add(claim, actor, why)


def _new_claim(
    original: t.ClaimRow, clm01: str, payer_id: str, lines: tuple[NewClaimLine, ...]
) -> NewClaim:
    return NewClaim(
        clm01=clm01,
        payer_id=payer_id,
        billing_tax_id=original.billing_tax_id,
        billing_npi=original.billing_npi,
        rendering_npi=original.rendering_npi,
        service_date=original.service_date,
        lines=lines,
        place_of_service=original.place_of_service,
        appointment_id=original.appointment_id,
        policy_id=original.policy_id,
        provider_id=original.provider_id,
    )


def _correction_clm01(session: Session, clm01: str, how: Resubmission) -> str:
    """``CB17`` → ``CB17R1`` (replacement) or ``CB17V1`` (void), the next free number."""
    base = clm01.split("R")[0].split("V")[0] if clm01.startswith(CLM01_PREFIX) else clm01
    letter = "R" if how is Resubmission.REPLACEMENT else "V"
    number = 1
    while _clm01_taken(session, f"{base}{letter}{number}"):
        number += 1
    return f"{base}{letter}{number}"


def _payer_claim_number(session: Session, claim: t.ClaimRow) -> str | None:
    query = (
        select(t.PaymentRow.payer_claim_control_number)
        .where(t.PaymentRow.claim_id == claim.id)
        .where(t.PaymentRow.payer_claim_control_number.is_not(None))
        .order_by(t.PaymentRow.id.desc())
    )
    return session.scalars(query).first()


def may_send(session: Session, claim_id: int) -> bool:
    """True when the claim was never sent, or a person asked to resubmit it since it was."""
    last_sent = session.scalars(
        select(t.ClaimSubmissionRow.batch_id)
        .where(t.ClaimSubmissionRow.claim_id == claim_id)
        .order_by(t.ClaimSubmissionRow.id.desc())
    ).first()
    if last_sent is None:
        return True
    sent_at = session.get_one(t.BatchRow, last_sent).created_at
    asked = select(t.ClaimEventRow.id).where(
        t.ClaimEventRow.claim_id == claim_id,
        t.ClaimEventRow.what == RESUBMIT_EVENT,
        t.ClaimEventRow.at >= sent_at,
    )
    return session.scalars(asked).first() is not None


def find_claim(session: Session, reference: str) -> t.ClaimRow:
    """The claim whose id or patient control number (CLM01) is ``reference``."""
    query = select(t.ClaimRow).where(t.ClaimRow.clm01 == reference)
    if reference.isdigit():
        query = select(t.ClaimRow).where(
            (t.ClaimRow.id == int(reference)) | (t.ClaimRow.clm01 == reference)
        )
    row = session.scalars(query.order_by(t.ClaimRow.id)).first()
    if row is None:
        raise ClaimNotFound(f"no claim {reference!r} (give its id or CLM01)", claim_id=reference)
    return row


def _make_claim(
    session: Session, appointment: t.AppointmentRow, tax_id: str, npi: str, actor: str
) -> tuple[int | None, str]:
    policy = _primary_policy(session, appointment.patient_id)
    if policy is None:
        return None, f"appointment {appointment.key}: the patient has no insurance policy"
    provider = session.get_one(t.ProviderRow, appointment.provider_id)
    clm01 = f"{CLM01_PREFIX}{appointment.id:06d}"
    lines = tuple(
        NewClaimLine(
            code=line.code,
            charge=line.charge,
            units=line.units,
            modifiers=split_codes(line.modifiers),
            diagnosis_pointers=split_numbers(line.diagnosis_pointers),
            appointment_line_id=line.id,
            line_control_number=line_control_number(clm01, line.line_number),
        )
        for line in _appointment_lines(session, appointment.id)
    )
    claim = NewClaim(
        clm01=clm01,
        payer_id=session.get_one(t.PayerRow, policy.payer_id).payer_id,
        billing_tax_id=tax_id,
        billing_npi=npi,
        rendering_npi=provider.npi,
        service_date=appointment.service_date,
        lines=lines,
        place_of_service=appointment.place_of_service,
        appointment_id=appointment.id,
        policy_id=policy.id,
        provider_id=provider.id,
    )
    why = f"made from appointment {appointment.key} ({policy.priority} policy)"
    return ClaimRepository(session).add(claim, actor, why), ""


def _unbilled(session: Session) -> list[t.AppointmentRow]:
    billed = exists().where(t.ClaimRow.appointment_id == t.AppointmentRow.id)
    query = select(t.AppointmentRow).where(~billed).order_by(t.AppointmentRow.id)
    return list(session.scalars(query))


def _primary_policy(session: Session, patient_id: int) -> t.PolicyRow | None:
    policies = session.scalars(select(t.PolicyRow).where(t.PolicyRow.patient_id == patient_id))
    ranked = sorted(policies, key=lambda policy: PRIORITY_ORDER.index(policy.priority))
    return ranked[0] if ranked else None


def _appointment_lines(session: Session, appointment_id: int) -> list[t.AppointmentLineRow]:
    query = (
        select(t.AppointmentLineRow)
        .where(t.AppointmentLineRow.appointment_id == appointment_id)
        .order_by(t.AppointmentLineRow.line_number)
    )
    return list(session.scalars(query))


def _ids_in(session: Session, statuses: tuple[ClaimStatus, ...]) -> list[int]:
    query = select(t.ClaimRow.id).where(t.ClaimRow.status.in_([s.value for s in statuses]))
    return list(session.scalars(query.order_by(t.ClaimRow.id)))


def ready_claim_ids(session: Session) -> list[int]:
    """The ids of every ``ready`` claim, oldest first."""
    return _ids_in(session, (ClaimStatus.READY,))


def _rows(session: Session, claim_ids: Sequence[int]) -> list[t.ClaimRow]:
    return list(session.scalars(select(t.ClaimRow).where(t.ClaimRow.id.in_(list(claim_ids)))))


def _clm01_taken(session: Session, clm01: str) -> bool:
    query = select(t.ClaimRow.id).where(t.ClaimRow.clm01 == clm01)
    return session.scalars(query).first() is not None
