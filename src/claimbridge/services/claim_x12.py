"""The X12 segments a claim was sent as: one excerpt per submission, cut from the kept batch.

::

    for sent in claim_x12(session, "CB000001"):
        print(sent.file_name, sent.st02, sent.sent_at, *sent.segments, sep="\\n")

A claim sent more than once (an original, then a corrected or replacement claim) has one entry
per batch, oldest first. The segments come from ``batches.content``, the bytes uploaded, cut by
``x12.tx837p_005010X222A1.excerpt``: the envelope header, the billing provider, subscriber and
(for a dependant) patient levels, and the claim through its service lines. Batches sent before
claimbridge kept batch files have no bytes; their entry says so in ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.errors import ClaimNotFound
from claimbridge.store import tables as t
from claimbridge.x12.tx837p_005010X222A1 import claim_excerpt

NOT_KEPT = "not kept: sent before claimbridge kept batch files"


@dataclass(frozen=True, slots=True)
class SentX12:
    """One submission of a claim: its batch file, ST02, when, and the segments it went as."""

    file_name: str
    st02: str
    sent_at: datetime | None
    segments: tuple[str, ...]
    missing: str | None = None  # why there are no segments


def claim_x12(session: Session, clm01: str) -> tuple[SentX12, ...]:
    """Every submission of claim ``clm01``, oldest first; ``ClaimNotFound`` if there is none."""
    claim_id = session.scalar(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == clm01))
    if claim_id is None:
        raise ClaimNotFound(f"no claim {clm01!r}", claim_id=clm01)
    query = (
        select(
            t.BatchRow.file_name, t.ClaimSubmissionRow.st02, t.BatchRow.sent_at, t.BatchRow.content
        )
        .join(t.ClaimSubmissionRow, t.ClaimSubmissionRow.batch_id == t.BatchRow.id)
        .where(t.ClaimSubmissionRow.claim_id == claim_id)
        .order_by(t.BatchRow.id)
    )
    return tuple(
        _sent(clm01, name or "(not uploaded)", st02, sent_at, content)
        for name, st02, sent_at, content in session.execute(query)
    )


def _sent(
    clm01: str, file_name: str, st02: str, sent_at: datetime | None, content: bytes | None
) -> SentX12:
    if content is None:
        return SentX12(file_name, st02, sent_at, (), NOT_KEPT)
    excerpt = claim_excerpt(content.decode("ascii", errors="replace"), clm01, st02)
    if excerpt is None:
        why = f"claim {clm01} is not in transaction set {st02} of the kept file {file_name}"
        return SentX12(file_name, st02, sent_at, (), why)
    return SentX12(file_name, st02, sent_at, excerpt.lines)
