"""Returned files a person must see: an 835 part of which does not balance is held whole until
posted or dismissed, and a file whose group does not fit its transaction set is kept, failed,
with the reason; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError, RecordNotFound
from claimbridge.services.ingest import Outcome, ingest_bytes, returned_files
from claimbridge.services.reposting import dismiss_held, held_files, post_held
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import add_claim, data, status_of
from ledger_fixtures import load_example

MULTI = "835/multi-transaction.835"


@pytest.fixture
def ledger(store: Store) -> Store:
    load_example(store)
    add_claim(store, "CB4001", (("97110:GP", "60", "CB4001-1"),))
    add_claim(store, "CB4002", (("99204", "300", None),))
    return store


def _partly_held(store: Store) -> int:
    """The two-check 835 with its first check 500.00 off: that set is held, the other posts."""
    text = data(MULTI).replace("BPR*C*45*", "BPR*C*545*")
    [report] = ingest_bytes(store, "two-checks.835", text.encode())
    assert report.outcome is Outcome.HELD, report.detail
    assert report.detail.startswith("1 of 2 ERAs held: ERA CHK800001 (545.00) held, nothing posted")
    assert "BPR02 is 545.00" in report.detail
    assert "the other 1 posted: ERA NP800002 (0.00): 1 claims posted" in report.detail
    assert report.inbound_file_id is not None
    return report.inbound_file_id


def test_a_partly_held_835_is_held_and_listed_until_posted(ledger: Store) -> None:
    file_id = _partly_held(ledger)
    assert status_of(ledger, "CB4001") is ClaimStatus.SUBMITTED  # its check is held
    assert status_of(ledger, "CB4002") is ClaimStatus.DENIED  # the set that balances posts
    with ledger.read() as session:
        assert [held.id for held in held_files(session)] == [file_id]
        assert [f.id for f in returned_files(session, [Outcome.HELD])] == [file_id]
    with ledger.transaction() as session:
        [posted] = post_held(session, file_id, "biller", "the payer confirmed 545.00")
    assert posted.trace_number == "CHK800001" and posted.claims == 1
    assert status_of(ledger, "CB4001") is ClaimStatus.PAID
    with ledger.read() as session:
        assert held_files(session) == []
        assert session.get_one(t.InboundFileRow, file_id).outcome == "applied"


def test_a_held_835_is_dismissed_with_a_reason_and_nothing_more_is_posted(
    ledger: Store,
) -> None:
    file_id = _partly_held(ledger)
    with ledger.transaction() as session, pytest.raises(InputError, match="reason"):
        dismiss_held(session, file_id, "biller", " ")
    with ledger.transaction() as session:
        dismiss_held(session, file_id, "biller", "the payer sends a corrected 835")
    with ledger.read() as session:
        assert held_files(session) == []
        row = session.get_one(t.InboundFileRow, file_id)
        assert row.outcome == "dismissed"
        assert (row.outcome_detail or "").startswith(
            "held, dismissed by biller: the payer sends a corrected 835; 1 of 2 ERAs held"
        )
    assert status_of(ledger, "CB4001") is ClaimStatus.SUBMITTED
    with ledger.transaction() as session, pytest.raises(RecordNotFound, match="no held file"):
        dismiss_held(session, file_id, "biller", "again")


@pytest.mark.parametrize(
    ("name", "old", "new", "why"),
    [
        (MULTI, "GS*HP*", "GS*HC*", "GS01 'HC' does not fit ST01 '835'"),
        ("837p/office-ally-two-claims.837", "GS*HC*", "GS*HP*", "GS01 'HP' does not fit ST01"),
    ],
)
def test_a_file_whose_group_does_not_fit_is_kept_failed_with_the_reason(
    ledger: Store, name: str, old: str, new: str, why: str
) -> None:
    text = data(name).replace(old, new)
    [report] = ingest_bytes(ledger, "odd.x12", text.encode())
    assert report.outcome is Outcome.FAILED
    assert why in report.detail
    assert status_of(ledger, "CB4002") is ClaimStatus.SUBMITTED  # nothing applied
    with ledger.read() as session:
        [kept] = returned_files(session, [Outcome.FAILED])
    assert kept.id == report.inbound_file_id and why in kept.detail
