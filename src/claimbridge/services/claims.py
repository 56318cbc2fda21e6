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
(frequency 8) that carries the payer's claim number. ``take_off_edi`` is a claim's way out
before it is sent: cancelled (never billed; a replacement no longer wanted) or billed on paper
(a visit before the go-live date, a payer that takes no EDI), with the reason a person gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from claimbridge.domain.frequency import ClaimFrequency
from claimbridge.domain.scrub import ScrubResult, scrub
from claimbridge.domain.status import NOT_YET_SUBMITTED, ClaimStatus
from claimbridge.errors import ClaimNotFound, InputError, InvalidTransition
from claimbridge.services.claim_facts import (
    read_facts,
    read_practice,
    rows_by_id,
    split_codes,
    split_numbers,
)
from claimbridge.store import tables as t
from claimbridge.store.bulk import among, chunks
from claimbridge.store.repositories import ClaimRepository, Move, NewClaim, NewClaimLine

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
    """A claim for every appointment without one, each checked; held claims are checked again.

    Reads what the claims need a table at a time and writes them in bulk, so thousands of
    appointments take a handful of statements, not a few per appointment.
    """
    practice = read_practice(session)
    appointments = _unbilled(session)
    sources = _ClaimSources(session, appointments)
    new_claims, skipped = [], []
    for appointment in appointments:
        made = sources.claim(appointment, practice.tax_id, practice.npi)
        if isinstance(made, str):
            skipped.append(made)
        else:
            new_claims.append(made)
    rechecked = recheck_held(session, actor, today)  # before the new ones are made
    made_ids = ClaimRepository(session).add_many(new_claims, actor)
    created = check_claims(session, made_ids, actor, today)
    return CreateResult(tuple(created), tuple(rechecked), tuple(skipped))


def recheck_held(session: Session, actor: str, today: date) -> list[Checked]:
    """Check held (and draft) claims again, after something they wait for changed: an
    enrollment approved, the go-live date set. Claims whose reasons are gone become ready."""
    waiting = select(t.ClaimRow.id).where(
        t.ClaimRow.status.in_([ClaimStatus.HELD.value, ClaimStatus.DRAFT.value]),
        t.ClaimRow.appointment_id.is_not(None),  # only a claim made from a visit is checked
    )
    claim_ids = list(session.scalars(waiting.order_by(t.ClaimRow.id)))
    return check_claims(session, claim_ids, actor, today)


def check_claims(
    session: Session, claim_ids: Sequence[int], actor: str, today: date
) -> list[Checked]:
    """Scrub each claim and move it to ``held`` or ``ready`` (an event says why), in bulk."""
    if not claim_ids:
        return []
    facts = read_facts(session, claim_ids, today)
    states = _check_states(session, list(facts))
    checked, moves, notes, era_changes = [], [], [], []
    for claim_id, claim_facts in facts.items():
        state, result = states[claim_id], scrub(claim_facts)
        if state.era_expected != result.era_expected:
            era_changes.append((claim_id, result.era_expected))
        if state.status is not result.status:
            moves.append(Move(claim_id, state.status, result.status, result.reason))
        elif state.reason != result.reason:
            notes.append((claim_id, result.reason))
        checked.append(Checked(claim_id, state.clm01, result.status, result))
    repository = ClaimRepository(session)
    repository.set_many("era_expected", era_changes)
    repository.set_many("status_reason", notes)
    repository.note_many(notes, "checked", actor)
    repository.move_many(moves, actor)
    return checked


Resubmission = ClaimFrequency  # how a person sends a claim again: as its CLM05-3 says


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


OFF_EDI = {  # how a claim leaves the electronic path, as its event says it
    ClaimStatus.CANCELLED: "cancelled",
    ClaimStatus.BILLED_ON_PAPER: "billed on paper",
}


def take_off_edi(
    session: Session, reference: str, target: ClaimStatus, reason: str, actor: str
) -> None:
    """Cancel the claim ``reference`` or mark it billed on paper (``target``), for ``reason``:
    only a claim not yet sent (draft, held, ready) may leave the electronic path, and it is
    never checked or sent again. A cancelled replacement or void is said on the claim it
    corrects too. ``InputError`` without a reason; ``InvalidTransition`` once it was sent."""
    if target not in OFF_EDI:
        raise InputError("say whether the claim is cancelled or billed on paper", path="status")
    if not reason.strip():
        raise InputError(f"say why the claim is {OFF_EDI[target]}", path="reason")
    row = find_claim(session, reference)
    status = ClaimStatus(row.status)
    if status not in NOT_YET_SUBMITTED:
        raise InvalidTransition(
            f"claim {row.clm01} is {status.value}: only a claim not yet sent (draft, held, "
            f"ready) is {OFF_EDI[target]}; one the payer has is voided instead"
        )
    why = f"{OFF_EDI[target]} by {actor}: {reason.strip()}"
    repository = ClaimRepository(session)
    repository.transition(row.clm01, target, why, actor)
    if row.replaces_claim_id is not None:
        original = session.get_one(t.ClaimRow, row.replaces_claim_id)
        kind = "replacement" if row.frequency_code == Resubmission.REPLACEMENT else "void"
        repository.note(original.clm01, kind, f"{kind} claim {row.clm01} {why}", actor)


def line_control_number(clm01: str, number: int) -> str:
    """A service line's control number (REF*6R, echoed in the 835): ``<CLM01>-<line>``."""
    return f"{clm01}-{number}"


def _copy_claim(
    session: Session, original: t.ClaimRow, clm01: str, actor: str, how: Resubmission
) -> int:
    lines = tuple(
        # numbered 1, 2, … as the copy's lines are, though a correction left gaps
        _claim_line(line, line.appointment_line_id, line_control_number(clm01, number))
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


def _claim_line(
    source: t.AppointmentLineRow | t.ClaimLineRow,
    appointment_line_id: int | None,
    control_number: str,
) -> NewClaimLine:
    """A new claim's line, from the appointment's line or from the line of the claim copied."""
    return NewClaimLine(
        code=source.code,
        charge=source.charge,
        units=source.units,
        modifiers=split_codes(source.modifiers),
        diagnosis_pointers=split_numbers(source.diagnosis_pointers),
        appointment_line_id=appointment_line_id,
        line_control_number=control_number,
    )


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
        payer_sequence=original.payer_sequence,
        follows_claim_id=original.follows_claim_id,
    )


def next_payer_claim(
    session: Session, prior: t.ClaimRow, policy: t.PolicyRow, actor: str, today: date
) -> Checked:
    """Make and check the claim of ``prior``'s visit to the next payer, ``policy`` (secondary
    after primary, tertiary after secondary): the same lines, its own CLM01 (``CB17S``,
    ``CB17T``; ``CB17S2`` when that is taken) and REF*6R, following ``prior``, whose posted
    adjudication it carries in 2320/2430 (``services.claim_facts``)."""
    base = f"{CLM01_PREFIX}{prior.appointment_id:06d}" if prior.appointment_id else prior.clm01
    clm01 = _free_clm01(session, f"{base}{policy.priority[0].upper()}")
    lines = tuple(
        _claim_line(line, line.appointment_line_id, line_control_number(clm01, number))
        for number, line in enumerate(_lines_of(session, prior.id), start=1)
    )
    payer_id = session.get_one(t.PayerRow, policy.payer_id).payer_id
    claim = replace(
        _new_claim(prior, clm01, payer_id, lines),
        policy_id=policy.id,
        payer_sequence=policy.priority,
        follows_claim_id=prior.id,
    )
    why = f"{policy.priority} claim after claim {prior.clm01}'s adjudication"
    claim_id = ClaimRepository(session).add(claim, actor, why)
    return check_claims(session, [claim_id], actor, today)[0]


def _free_clm01(session: Session, wanted: str) -> str:
    """``wanted``, or ``wanted`` with the first free number from 2 (``CB17S2``)."""
    clm01, number = wanted, 1
    while _clm01_taken(session, clm01):
        number += 1
        clm01 = f"{wanted}{number}"
    return clm01


def _lines_of(session: Session, claim_id: int) -> list[t.ClaimLineRow]:
    query = select(t.ClaimLineRow).where(t.ClaimLineRow.claim_id == claim_id)
    return list(session.scalars(query.order_by(t.ClaimLineRow.line_number)))


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
    return claim_id in sendable(session, [claim_id])


def sendable(session: Session, claim_ids: Sequence[int]) -> set[int]:
    """Those of ``claim_ids`` never sent, or that a person asked to resubmit since they were."""
    last_sent: dict[int, datetime] = {}
    for chunk in chunks(claim_ids):
        sent = (
            select(t.ClaimSubmissionRow.claim_id, func.max(t.BatchRow.created_at))
            .join(t.BatchRow, t.BatchRow.id == t.ClaimSubmissionRow.batch_id)
            .where(among(t.ClaimSubmissionRow.claim_id, chunk))
            .group_by(t.ClaimSubmissionRow.claim_id)
        )
        last_sent |= dict(session.execute(sent).all())
    asked: set[int] = set()
    for chunk in chunks(sorted(last_sent)):
        resubmits = select(t.ClaimEventRow.claim_id, t.ClaimEventRow.at).where(
            among(t.ClaimEventRow.claim_id, chunk), t.ClaimEventRow.what == RESUBMIT_EVENT
        )
        asked |= {
            claim_id for claim_id, at in session.execute(resubmits) if at >= last_sent[claim_id]
        }
    return {claim_id for claim_id in claim_ids if claim_id not in last_sent or claim_id in asked}


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


class _ClaimSources:
    """What the claims of a list of appointments are made from, read a table at a time."""

    def __init__(self, session: Session, appointments: Sequence[t.AppointmentRow]) -> None:
        patient_ids = {appointment.patient_id for appointment in appointments}
        appointment_ids = [appointment.id for appointment in appointments]
        self.policies = _primary_policies(session, patient_ids)
        self.lines = _appointment_lines(session, appointment_ids)
        providers = {appointment.provider_id for appointment in appointments}
        self.providers = rows_by_id(session, t.ProviderRow, t.ProviderRow.id, providers)
        payers = {policy.payer_id for policy in self.policies.values()}
        self.payers = rows_by_id(session, t.PayerRow, t.PayerRow.id, payers)

    def claim(
        self, appointment: t.AppointmentRow, tax_id: str, npi: str
    ) -> tuple[NewClaim, str] | str:
        """The appointment's claim and why it was made, or why none can be."""
        policy = self.policies.get(appointment.patient_id)
        if policy is None:
            return f"appointment {appointment.key}: the patient has no insurance policy"
        provider = self.providers[appointment.provider_id]
        clm01 = f"{CLM01_PREFIX}{appointment.id:06d}"
        lines = tuple(
            _claim_line(line, line.id, line_control_number(clm01, line.line_number))
            for line in self.lines.get(appointment.id, [])
        )
        claim = NewClaim(
            clm01=clm01,
            payer_id=self.payers[policy.payer_id].payer_id,
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
        return claim, f"made from appointment {appointment.key} ({policy.priority} policy)"


def _unbilled(session: Session) -> list[t.AppointmentRow]:
    billed = exists().where(t.ClaimRow.appointment_id == t.AppointmentRow.id)
    query = select(t.AppointmentRow).where(~billed).order_by(t.AppointmentRow.id)
    return list(session.scalars(query))


def _primary_policies(session: Session, patient_ids: set[int]) -> dict[int, t.PolicyRow]:
    """Each patient's first policy of primary, secondary, tertiary, by patient id."""
    found: dict[int, t.PolicyRow] = {}
    for chunk in chunks(sorted(patient_ids)):
        query = select(t.PolicyRow).where(among(t.PolicyRow.patient_id, chunk))
        for policy in session.scalars(query):
            best = found.get(policy.patient_id)
            if best is None or _rank(policy) < _rank(best):
                found[policy.patient_id] = policy
    return found


def _rank(policy: t.PolicyRow) -> int:
    return PRIORITY_ORDER.index(policy.priority)


def _appointment_lines(
    session: Session, appointment_ids: Sequence[int]
) -> dict[int, list[t.AppointmentLineRow]]:
    """Each appointment's lines in line order, by appointment id."""
    found: dict[int, list[t.AppointmentLineRow]] = {}
    for chunk in chunks(appointment_ids):
        query = (
            select(t.AppointmentLineRow)
            .where(among(t.AppointmentLineRow.appointment_id, chunk))
            .order_by(t.AppointmentLineRow.appointment_id, t.AppointmentLineRow.line_number)
        )
        for line in session.scalars(query):
            found.setdefault(line.appointment_id, []).append(line)
    return found


def _ids_in(session: Session, statuses: tuple[ClaimStatus, ...]) -> list[int]:
    query = select(t.ClaimRow.id).where(t.ClaimRow.status.in_([s.value for s in statuses]))
    return list(session.scalars(query.order_by(t.ClaimRow.id)))


def ready_claim_ids(session: Session) -> list[int]:
    """The ids of every ``ready`` claim, oldest first."""
    return _ids_in(session, (ClaimStatus.READY,))


@dataclass(frozen=True, slots=True)
class _CheckState:
    clm01: str
    status: ClaimStatus
    reason: str | None
    era_expected: bool


def _check_states(session: Session, claim_ids: Sequence[int]) -> dict[int, _CheckState]:
    """What a check compares with, per claim: status, reason and ERA note as stored now."""
    found: dict[int, _CheckState] = {}
    columns = (t.ClaimRow.id, t.ClaimRow.clm01, t.ClaimRow.status, t.ClaimRow.status_reason)
    for chunk in chunks(claim_ids):
        query = select(*columns, t.ClaimRow.era_expected).where(among(t.ClaimRow.id, chunk))
        for claim_id, clm01, status, reason, era in session.execute(query):
            found[claim_id] = _CheckState(clm01, ClaimStatus(status), reason, era)
    return found


def _clm01_taken(session: Session, clm01: str) -> bool:
    query = select(t.ClaimRow.id).where(t.ClaimRow.clm01 == clm01)
    return session.scalars(query).first() is not None
