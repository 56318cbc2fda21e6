"""The unmatched queue worked by hand: match an ERA claim to one of ours, or dismiss it.

::

    match_by_hand(session, unmatched_id, "CB-1001", "biller")   # posted as ingest would have
    dismiss_unmatched(session, unmatched_id, "biller", "another practice's patient")
    candidates(session, unmatched_id)                            # likely claims of ours

A match posts that CLP, read back from the kept 835, through ``services.post.post_claims``
with the CLP settled to the chosen claim: the same lines, adjustments and status moves as
automatic posting. The row is resolved (``resolved_at``/``resolved_by``, ``matched_claim_id``,
``resolution``) and stays resolved if the remittance is undone and posted again.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound, InputError, StoreError
from claimbridge.services.changes import Changes, ClaimIndex
from claimbridge.services.post import Posted, post_claims
from claimbridge.services.reposting import kept_remittance, remittance_row
from claimbridge.store import tables as t
from claimbridge.store.repositories import ClaimRepository, utcnow
from claimbridge.x12.tx835_005010X221A1 import Remittance

AWAITING = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.CLEARINGHOUSE_ACCEPTED,
    ClaimStatus.PAYER_ACCEPTED,
    ClaimStatus.DENIED,
    ClaimStatus.PAID,
)
MOST_CANDIDATES = 5
_SCANNED = 5000  # claims compared by patient control number at most


@dataclass(frozen=True, slots=True)
class Candidate:
    """A claim of ours an unmatched ERA claim may belong to, and why it is suggested."""

    clm01: str
    status: ClaimStatus
    total_charge: Decimal
    service_date: date
    why: str


def match_by_hand(session: Session, unmatched_id: int, clm01: str, actor: str) -> Posted:
    """Post unmatched ERA claim ``unmatched_id`` to our claim ``clm01`` (see the module)."""
    row = _waiting(session, unmatched_id)
    remittance_record = remittance_row(session, row.remittance_id)
    if remittance_record.undone_at is not None:
        raise StoreError(
            f"the posting of ERA {remittance_record.trace_number} is undone; post it again "
            "before matching its claims"
        )
    ref = ClaimIndex(session).get(clm01.strip())
    if ref is None:
        raise ClaimNotFound(
            f"no claim {clm01!r}: give the patient control number (CLM01) of one of our claims",
            claim_id=clm01,
        )
    remittance = _only_clp(kept_remittance(session, remittance_record), row)
    changes = Changes(row.inbound_file_id, actor=actor)
    settled = {row.segment_position: ref}
    posted = post_claims(
        session, remittance, row.remittance_id, row.inbound_file_id, changes, settled
    )
    changes.write(session)
    why = (
        f"ERA {remittance_record.trace_number}: its claim {row.patient_control_number} "
        f"matched to {ref.clm01} by hand by {actor}"
    )
    ClaimRepository(session).note_many(
        [(ref.id, why)], "matched by hand", actor, row.inbound_file_id
    )
    _resolve(row, actor, f"matched to {ref.clm01}", ref.id)
    session.flush()
    return posted


def dismiss_unmatched(session: Session, unmatched_id: int, actor: str, reason: str) -> None:
    """Take an ERA claim that belongs to no claim of ours off the queue, without posting it."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("a reason is required to dismiss an unmatched ERA claim (whose is it?)")
    _resolve(_waiting(session, unmatched_id), actor, f"not ours: {reason}", None)
    session.flush()


def candidates(session: Session, unmatched_id: int) -> list[Candidate]:
    """Claims of ours it may be: the same charge, or a patient control number much like it."""
    row = _row(session, unmatched_id)
    claim = t.ClaimRow
    columns = (claim.clm01, claim.status, claim.total_charge, claim.service_date)
    awaiting = [status.value for status in AWAITING]
    query = select(*columns).where(claim.status.in_(awaiting)).order_by(claim.id.desc())
    found: dict[str, Candidate] = {}
    for clm01, status, charge, day in session.execute(
        query.where(claim.total_charge == row.charge)
    ):
        found[clm01] = Candidate(clm01, ClaimStatus(status), charge, day, "same charge")
        if len(found) >= MOST_CANDIDATES:
            break
    rows = session.execute(query.limit(_SCANNED)).all()
    similar = difflib.get_close_matches(
        row.patient_control_number, [r.clm01 for r in rows], n=MOST_CANDIDATES, cutoff=0.6
    )
    by_clm01 = {r.clm01: r for r in rows}
    for clm01 in similar:
        if clm01 not in found:
            _, status, charge, day = by_clm01[clm01]
            found[clm01] = Candidate(clm01, ClaimStatus(status), charge, day, "similar number")
    return list(found.values())[: MOST_CANDIDATES * 2]


def _row(session: Session, unmatched_id: int, lock: bool = False) -> t.UnmatchedClaimRow:
    row = session.get(t.UnmatchedClaimRow, unmatched_id, with_for_update=lock)
    if row is None:
        raise StoreError(f"no unmatched ERA claim {unmatched_id} (the Unmatched page lists them)")
    return row


def _waiting(session: Session, unmatched_id: int) -> t.UnmatchedClaimRow:
    row = _row(session, unmatched_id, lock=True)  # one person settles it, the other is refused
    if row.resolved_at is not None:
        raise StoreError(
            f"unmatched ERA claim {unmatched_id} was already resolved by {row.resolved_by} "
            f"({row.resolution or 'no reason kept'})"
        )
    return row


def _only_clp(remittance: Remittance, row: t.UnmatchedClaimRow) -> Remittance:
    """The remittance with only the CLP at the row's segment position (and no PLB)."""
    claims = [c for c in remittance.claims if c.clp.position == row.segment_position]
    if not claims or claims[0].clp.patient_control_number[:38] != row.patient_control_number:
        raise StoreError(
            f"the kept 835 has no claim {row.patient_control_number} at segment "
            f"{row.segment_position}; the unmatched row does not fit its file"
        )
    group = remittance.header_numbers[0]._replace(claims=tuple(claims))
    return remittance._replace(header_numbers=(group,), provider_adjustments=())


def _resolve(row: t.UnmatchedClaimRow, actor: str, resolution: str, claim_id: int | None) -> None:
    row.resolved_at, row.resolved_by = utcnow(), actor
    row.resolution, row.matched_claim_id = resolution, claim_id
