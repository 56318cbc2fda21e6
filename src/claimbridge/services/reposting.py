"""A person's say over posted ERAs: undo a posting, post it again, post a held 835 anyway or
dismiss it.

::

    undo_posting(session, remittance_id, "biller", "posted to the wrong practice")
    post_again(session, remittance_id, "biller")
    post_held(session, inbound_file_id, "biller", "payer confirmed the total by phone")
    dismiss_held(session, inbound_file_id, "biller", "payer sent a corrected 835")
    # a paper EOB (``services.paper``) is undone and posted again the same way
    mark_balance_reviewed(session, "CB17", "biller", "matches the paper EOB")

Undoing removes the remittance's payments, their adjustments and its PLB rows, marks it undone
(``undone_at``/``undone_by``), takes every claim it touched back to where it would stand
without it and notes on each who undid it and why; its unmatched claims leave the queue, those
a person already settled stay settled. Nothing is lost: the 835 stays in ``inbound_files`` and
``post_again`` reads it back, posting the same transaction set into the same remittance row
with the same rules as ingest (``services.post``).

Where a claim goes back to: with postings of other ERAs left, where those put it
(``domain.posting.status_after``); with none, the status it had before this ERA's first move.
A claim that moved on since (e.g. a denial corrected to ``ready``) stays, with a note. A claim
to the next payer that carries an undone adjudication is taken back, replaced or voided, and a
claim with no posting of its own payer left is no longer crossed over (``crossed_over_to``
cleared, with an event) (``services.claim_chain.after_undo``); posting again makes the next
claim, or the crossover, anew.

A claim posted from an ERA whose amounts for it do not add up stays on the dashboard until a
person compares it with the payer's EOB and marks it reviewed (``mark_balance_reviewed``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from claimbridge.domain import posting
from claimbridge.domain.status import ClaimStatus, can_move, can_undo
from claimbridge.errors import ClaimNotFound, InputError, RecordNotFound, StoreError
from claimbridge.services.changes import Changes, ClaimIndex, ClaimRef
from claimbridge.services.claim_chain import after_undo
from claimbridge.services.era_match import payer_identifier
from claimbridge.services.paper import kept_paper, statuses_before
from claimbridge.services.post import (
    BALANCE_REVIEWED_EVENT,
    Posted,
    post_claims,
    post_remittance,
    unbalanced_claim_ids,
)
from claimbridge.store import tables as t
from claimbridge.store.repositories import ClaimRepository, Move, utcnow
from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx835_005010X221A1 import Remittance

ZERO = Decimal("0.00")
_POSTED_BY_ERA = frozenset({ClaimStatus.PAID, ClaimStatus.DENIED})


@dataclass(frozen=True, slots=True)
class Undone:
    """What undoing a posting did."""

    remittance_id: int
    trace_number: str
    claims: int
    moved: int
    unqueued: int

    def __str__(self) -> str:
        return (
            f"ERA {self.trace_number}: posting undone on {self.claims} claims "
            f"({self.moved} moved back), {self.unqueued} unmatched claims left the queue"
        )


@dataclass(frozen=True, slots=True)
class HeldFile:
    """A returned file held whole for a person: an 835 whose totals do not balance."""

    id: int
    name: str
    received_at: datetime
    detail: str


def remittance_row(session: Session, remittance_id: int) -> t.RemittanceRow:
    """Remittance ``remittance_id``, locked until the transaction ends (two people undoing the
    same ERA at once wait for each other); ``StoreError`` naming where to find the right one."""
    row = session.get(t.RemittanceRow, remittance_id, with_for_update=True)
    if row is None:
        raise RecordNotFound(f"no remittance {remittance_id} (the ERAs page lists them)")
    return row


def kept_remittances(session: Session, inbound_file_id: int) -> list[Remittance]:
    """Every 835 transaction set in the bytes kept of file ``inbound_file_id``."""
    content = session.scalars(
        select(t.InboundFileRow.content).where(t.InboundFileRow.id == inbound_file_id)
    ).first()
    if content is None:
        raise StoreError(f"the bytes of returned file {inbound_file_id} are not kept")
    parsed = parse_text(content.decode("utf-8", errors="replace"))
    return [item.value for item in parsed if item.kind == "835"]


def kept_remittance(session: Session, row: t.RemittanceRow) -> Remittance:
    """The 835 transaction set remittance ``row`` was posted from (same trace and amount)."""
    for remittance in kept_remittances(session, row.inbound_file_id or 0):
        if remittance.trn.trace_number == row.trace_number and remittance.bpr.amount == row.amount:
            return remittance
    raise StoreError(
        f"remittance {row.id} (trace {row.trace_number}) is not in the 835 it was posted from"
    )


def undo_posting(session: Session, remittance_id: int, actor: str, reason: str) -> Undone:
    """Undo the posting of remittance ``remittance_id`` (see the module docstring)."""
    reason = _required(reason, "a reason for undoing the posting")
    row = remittance_row(session, remittance_id)
    if row.undone_at is not None:
        raise StoreError(
            f"the posting of ERA {row.trace_number} was already undone by {row.undone_by}"
        )
    claim_ids = _claims_of(session, remittance_id)
    _remove_postings(session, remittance_id)
    unqueued = _unqueue(session, remittance_id)
    row.undone_at, row.undone_by = utcnow(), actor
    kind = "ERA" if row.inbound_file_id is not None else "paper EOB"
    why = f"posting of {kind} {row.trace_number} ({row.amount}) undone by {actor}: {reason}"
    before = statuses_before(session, row.id) if row.inbound_file_id is None else None
    moved = _move_back(session, claim_ids, row.inbound_file_id, actor, why, before)
    after_undo(session, claim_ids, why, actor)
    session.flush()
    return Undone(remittance_id, row.trace_number, len(claim_ids), moved, unqueued)


def post_again(session: Session, remittance_id: int, actor: str) -> Posted:
    """Post an undone remittance again from its kept 835, into the same remittance row."""
    row = remittance_row(session, remittance_id)
    if row.undone_at is None:
        raise StoreError(f"ERA {row.trace_number} is posted; undo its posting first")
    file_id = row.inbound_file_id
    settled: Mapping[int, ClaimRef | None]
    if file_id is None:  # a paper EOB: posted again onto the claims it names
        remittance, settled = kept_paper(session, row.id)
    else:
        remittance, settled = kept_remittance(session, row), _settled(session, row.id)
    row.undone_at, row.undone_by = None, None
    changes = Changes(file_id, actor=actor)
    posted = post_claims(session, remittance, row.id, file_id, changes, settled)
    changes.write(session)
    session.flush()
    return posted


def post_held(session: Session, inbound_file_id: int, actor: str, reason: str) -> list[Posted]:
    """Post the held 835 transaction sets of file ``inbound_file_id``: a person overrode the hold.

    Each transaction set not yet posted is posted as it is; the file's outcome becomes
    ``applied`` and its detail says who overrode the hold and why.
    """
    reason = _required(reason, "a reason for posting an unbalanced ERA")
    file_row = session.get(t.InboundFileRow, inbound_file_id, with_for_update=True)
    if file_row is None:
        raise RecordNotFound(f"no returned file {inbound_file_id} (the ERAs page lists held files)")
    waiting = [r for r in kept_remittances(session, inbound_file_id) if not _recorded(session, r)]
    if not waiting:
        raise StoreError(f"file {file_row.name} holds no ERA waiting to be posted")
    changes = Changes(inbound_file_id, actor=actor)
    posted = [
        post_remittance(session, r, inbound_file_id, changes, hold_unbalanced=False)
        for r in waiting
    ]
    changes.write(session)
    done = "; ".join(str(p) for p in posted)
    file_row.outcome = "applied"
    file_row.outcome_detail = f"held, posted anyway by {actor}: {reason}; {done}"
    session.flush()
    return posted


def dismiss_held(session: Session, inbound_file_id: int, actor: str, reason: str) -> None:
    """Set a held 835 aside without posting what is held of it (a corrected one is coming, it
    is none of ours): the file's outcome becomes ``dismissed`` with who and why; what of it
    balanced and was posted stays posted."""
    reason = _required(reason, "a reason for dismissing a held ERA")
    file_row = session.get(t.InboundFileRow, inbound_file_id, with_for_update=True)
    if file_row is None or file_row.outcome != "held":
        raise RecordNotFound(f"no held file {inbound_file_id} (the ERAs page lists held files)")
    file_row.outcome = "dismissed"
    file_row.outcome_detail = f"held, dismissed by {actor}: {reason}; {file_row.outcome_detail}"
    session.flush()


def held_files(session: Session) -> list[HeldFile]:
    """Files held for a person (an 835 any of whose transaction sets does not balance), oldest
    first, until someone posts or dismisses them."""
    file = t.InboundFileRow
    query = select(file.id, file.name, file.received_at, file.outcome_detail).where(
        file.outcome == "held"
    )
    return [
        HeldFile(file_id, name, received_at, detail or "")
        for file_id, name, received_at, detail in session.execute(query.order_by(file.id))
    ]


def needs_balance_review(session: Session, clm01: str) -> bool:
    """True when claim ``clm01``'s latest posting did not balance and nobody marked it
    reviewed since."""
    claim_id = session.scalar(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == clm01))
    if claim_id is None:
        raise ClaimNotFound(f"no claim {clm01!r}", claim_id=clm01)
    return session.scalars(unbalanced_claim_ids(claim_id)).first() is not None


def mark_balance_reviewed(session: Session, clm01: str, actor: str, reason: str) -> None:
    """Record that ``actor`` compared the claim's unbalanced posting with the payer's EOB."""
    reason = _required(reason, "what the review found")
    if not needs_balance_review(session, clm01):
        raise StoreError(f"claim {clm01} has no posting that does not balance left to review")
    why = f"amounts that do not add up reviewed by {actor}: {reason}"
    ClaimRepository(session).note(clm01, BALANCE_REVIEWED_EVENT, why, actor)
    session.flush()


def _required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InputError(f"{what} is required; say why, so the claim's history explains it")
    return text


def _recorded(session: Session, remittance: Remittance) -> bool:
    query = select(t.RemittanceRow.id).where(
        t.RemittanceRow.payer_identifier == payer_identifier(remittance)[:80],
        t.RemittanceRow.trace_number == remittance.trn.trace_number,
        t.RemittanceRow.amount == remittance.bpr.amount,
    )
    return session.scalars(query).first() is not None


def _claims_of(session: Session, remittance_id: int) -> list[int]:
    query = select(t.PaymentRow.claim_id).where(t.PaymentRow.remittance_id == remittance_id)
    return sorted(set(session.scalars(query)))


def _remove_postings(session: Session, remittance_id: int) -> None:
    payments = select(t.PaymentRow.id).where(t.PaymentRow.remittance_id == remittance_id)
    session.execute(delete(t.AdjustmentRow).where(t.AdjustmentRow.payment_id.in_(payments)))
    session.execute(delete(t.PaymentRow).where(t.PaymentRow.remittance_id == remittance_id))
    session.execute(
        delete(t.ProviderAdjustmentRow).where(
            t.ProviderAdjustmentRow.remittance_id == remittance_id
        )
    )


def _unqueue(session: Session, remittance_id: int) -> int:
    """Drop the remittance's unsettled unmatched rows (posting again queues them anew)."""
    row = t.UnmatchedClaimRow
    waiting = (row.remittance_id == remittance_id) & row.resolved_at.is_(None)
    count = session.scalar(select(func.count()).select_from(row).where(waiting)) or 0
    session.execute(delete(row).where(waiting))
    return count


def _settled(session: Session, remittance_id: int) -> dict[int, ClaimRef | None]:
    """What a person decided about this remittance's unmatched CLPs, by segment position."""
    row = t.UnmatchedClaimRow
    query = select(row.segment_position, row.matched_claim_id).where(
        row.remittance_id == remittance_id, row.resolved_at.is_not(None)
    )
    decided: dict[int, int | None] = {pos: claim for pos, claim in session.execute(query)}
    refs = {ref.id: ref for ref in ClaimIndex(session).of_ids(i for i in decided.values() if i)}
    return {position: refs.get(claim_id or 0) for position, claim_id in decided.items()}


def _move_back(
    session: Session,
    claim_ids: Sequence[int],
    file_id: int | None,
    actor: str,
    why: str,
    before: Mapping[int, ClaimStatus] | None = None,
) -> int:
    """Take each claim back to where it stands without the undone postings; notes for all.
    ``before`` holds each claim's status before a paper EOB (which came in no file)."""
    forward: list[Move] = []
    back: list[Move] = []
    notes: list[tuple[int, str]] = []
    for ref in ClaimIndex(session).of_ids(claim_ids):
        target = _status_without(session, ref, file_id, before)
        if target is None or target is ref.status:
            notes.append((ref.id, f"{why}; stays {ref.status.value}"))
        elif can_move(ref.status, target):
            forward.append(Move(ref.id, ref.status, target, why))
        elif can_undo(ref.status, target):
            back.append(Move(ref.id, ref.status, target, why))
        else:
            notes.append((ref.id, f"{why}; stays {ref.status.value} (not {target.value})"))
    repository = ClaimRepository(session)
    repository.move_many(forward, actor, file_id)
    repository.revert_many(back, actor, file_id)
    repository.note_many(notes, "posting undone", actor, file_id)
    return len(forward) + len(back)


def _status_without(
    session: Session,
    ref: ClaimRef,
    file_id: int | None,
    before: Mapping[int, ClaimStatus] | None = None,
) -> ClaimStatus | None:
    """Where the claim stands with the postings left; None when it moved on since (stays)."""
    if ref.status not in _POSTED_BY_ERA:
        return None
    payments = session.execute(
        select(t.PaymentRow.id, t.PaymentRow.status_code, t.PaymentRow.paid)
        .where(t.PaymentRow.claim_id == ref.id)
        .order_by(t.PaymentRow.id)
    ).all()
    if payments:
        paid = sum((Decimal(p.paid) for p in payments), ZERO)
        target = posting.status_after(payments[-1].status_code or "", paid, _patient(session, ref))
        if target is not None:
            return target
    if before is not None:
        return before.get(ref.id)
    return _before(session, ref.id, file_id)


def _patient(session: Session, ref: ClaimRef) -> Decimal:
    query = (
        select(func.coalesce(func.sum(t.AdjustmentRow.amount), 0))
        .join(t.PaymentRow, t.PaymentRow.id == t.AdjustmentRow.payment_id)
        .where(t.PaymentRow.claim_id == ref.id, t.AdjustmentRow.group_code == "PR")
    )
    return Decimal(str(session.scalar(query) or 0))


def _before(session: Session, claim_id: int, file_id: int | None) -> ClaimStatus | None:
    """The status the claim had before the first move the ERA's file made."""
    if file_id is None:
        return None
    event = t.ClaimEventRow
    query = (
        select(event.from_status)
        .where(event.claim_id == claim_id, event.inbound_file_id == file_id)
        .where(event.from_status.is_not(None))
        .order_by(event.id)
    )
    found = session.scalars(query.limit(1)).first()
    return ClaimStatus(found) if found else None
