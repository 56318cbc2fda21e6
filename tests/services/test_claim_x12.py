"""The segments a claim was sent as, cut from the batch bytes submit kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound
from claimbridge.services.claim_x12 import NOT_KEPT, claim_x12
from claimbridge.services.claims import Resubmission, resubmit
from claimbridge.services.submit import submit
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from cycle_support import NOW, submitted

LATER = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def test_a_dependants_claim_is_shown_with_its_levels_and_no_other_claim(
    store: Store, tmp_path: Path
) -> None:
    _, batch = submitted(store, tmp_path / "oa")
    with store.read() as session:
        [sent] = claim_x12(session, "CB000002")
    assert (sent.file_name, sent.sent_at, sent.missing) == (batch.file_name, NOW, None)
    assert (sent.st02,) == batch.transaction_numbers
    assert sent.segments[0].startswith("ISA*") and f"ST*837*{sent.st02}*" in sent.segments[2]
    claims = [s for s in sent.segments if s.startswith("CLM*")]
    assert claims == [s for s in sent.segments if s.startswith("CLM*CB000002*")] != []
    assert [s.split("*")[3] for s in sent.segments if s.startswith("HL*")] == ["20", "22", "23"]
    assert all(segment in batch.text for segment in sent.segments)
    assert sent.segments[-1].startswith("REF*6R*CB000002-")


def test_a_claim_sent_twice_shows_both_files_oldest_first(store: Store, tmp_path: Path) -> None:
    transport, first = submitted(store, tmp_path / "oa")
    with store.transaction() as session:
        ClaimRepository(session).transition(
            "CB000002", ClaimStatus.CLEARINGHOUSE_REJECTED, "999 rejected", "test"
        )
    with store.transaction() as session:
        resubmit(session, "CB000002", Resubmission.ORIGINAL, "dana", NOW.date())
    [second] = submit(store, transport, "test", LATER).batches
    with store.read() as session:
        sent = claim_x12(session, "CB000002")
        [other] = claim_x12(session, "CB000001")
    assert [(s.file_name, s.sent_at) for s in sent] == [
        (first.file_name, NOW),
        (second.file_name, LATER),
    ]
    assert sent[1].segments[0] in second.text and sent[1].segments[0] not in first.text
    assert other.file_name == first.file_name


def test_a_batch_sent_before_bytes_were_kept_says_so(store: Store, tmp_path: Path) -> None:
    submitted(store, tmp_path / "oa")
    with store.transaction() as session:
        session.execute(update(t.BatchRow).values(content=None))
    with store.read() as session:
        [sent] = claim_x12(session, "CB000001")
    assert (sent.segments, sent.missing) == ((), NOT_KEPT)


def test_an_unknown_claim_is_not_found(store: Store) -> None:
    with store.read() as session, pytest.raises(ClaimNotFound):
        claim_x12(session, "CB999999")
