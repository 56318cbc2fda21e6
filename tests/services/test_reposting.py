"""A person's say over posting: undo an ERA's posting, post it again, post a held 835 anyway,
match an unmatched ERA claim by hand or dismiss it; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound, InputError, StoreError
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.services.post import unmatched
from claimbridge.services.reposting import held_files, post_again, post_held, undo_posting
from claimbridge.services.unmatched import candidates, dismiss_unmatched, match_by_hand
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from cycle_support import (
    PAID_AND_DENIED,
    add_claim,
    data,
    ledger_snapshot,
    posted_paid_and_denied,
    reasons,
    status_of,
)
from ledger_fixtures import load_example


@pytest.fixture
def ledger(store: Store) -> Store:
    load_example(store)
    return store


def _money(store: Store) -> dict[str, list[Any]]:
    """The posted rows without ids that change when rows are written again."""
    snapshot = ledger_snapshot(store)
    return {
        "payments": snapshot["payments"],
        "adjustments": sorted(row[1:] for row in snapshot["adjustments"]),
        "plb": snapshot["plb"],
        "unmatched": snapshot["unmatched"],
    }


def _unmatched_id(store: Store) -> int:
    with store.read() as session:
        [row] = unmatched(session)
    return row.id


def test_undo_removes_the_postings_and_takes_the_claim_back(ledger: Store) -> None:
    remittance_id = posted_paid_and_denied(ledger)
    assert status_of(ledger, "CB2001") is ClaimStatus.PAID
    with ledger.transaction() as session:
        undone = undo_posting(session, remittance_id, "biller", "posted to the wrong practice")
    assert (undone.claims, undone.moved, undone.unqueued) == (1, 1, 1)
    after = _money(ledger)
    assert after == {"payments": [], "adjustments": [], "plb": [], "unmatched": []}
    assert status_of(ledger, "CB2001") is ClaimStatus.SUBMITTED
    assert "undone by biller: posted to the wrong practice" in reasons(ledger, "CB2001")[-1]
    with ledger.read() as session:
        row = session.get_one(t.RemittanceRow, remittance_id)
        assert row.undone_by == "biller" and row.undone_at is not None
        kept = session.scalars(select(t.InboundFileRow.content)).one()
        events = ClaimRepository(session).events("CB2001")
    assert kept == data(PAID_AND_DENIED).encode()  # the 835 stays
    assert (events[-1].from_status, events[-1].to_status) == (
        ClaimStatus.PAID,
        ClaimStatus.SUBMITTED,
    )
    assert events[-1].actor == "biller"


def test_posting_again_gives_back_the_same_ledger(ledger: Store) -> None:
    remittance_id = posted_paid_and_denied(ledger)
    before = _money(ledger)
    with ledger.transaction() as session:
        undo_posting(session, remittance_id, "biller", "checking the deposit")
    with ledger.transaction() as session:
        posted = post_again(session, remittance_id, "admin")
    assert (posted.claims, posted.unmatched) == (1, 1)
    assert _money(ledger) == before
    assert status_of(ledger, "CB2001") is ClaimStatus.PAID
    with ledger.read() as session:
        row = session.get_one(t.RemittanceRow, remittance_id)
        assert (row.undone_at, row.undone_by) == (None, None)
        assert session.scalars(select(t.RemittanceRow.id)).all() == [remittance_id]
        [event] = [e for e in ClaimRepository(session).events("CB2001") if e.actor == "admin"]
    assert event.to_status is ClaimStatus.PAID


def test_undo_and_post_again_refuse_what_cannot_be_done(ledger: Store) -> None:
    remittance_id = posted_paid_and_denied(ledger)
    with ledger.transaction() as session, pytest.raises(InputError, match="reason"):
        undo_posting(session, remittance_id, "biller", "  ")
    with ledger.transaction() as session, pytest.raises(StoreError, match="undo its posting"):
        post_again(session, remittance_id, "biller")
    with ledger.transaction() as session, pytest.raises(StoreError, match="no remittance 999"):
        undo_posting(session, 999, "biller", "typo")
    with ledger.transaction() as session:
        undo_posting(session, remittance_id, "biller", "first")
    with ledger.transaction() as session, pytest.raises(StoreError, match="already undone"):
        undo_posting(session, remittance_id, "biller", "second")


def test_undo_leaves_the_other_eras_of_a_claim(ledger: Store) -> None:
    add_claim(ledger, "CB3001", (("99213", "150", "CB3001-1"),))
    first = data("835/reversal-and-correction.835")
    ingest_bytes(ledger, "first.835", first.encode())
    ingest_bytes(ledger, "second.835", first.replace("CHK700001", "CHK700002").encode())
    with ledger.read() as session:
        second_id = session.scalars(
            select(t.RemittanceRow.id).where(t.RemittanceRow.trace_number == "CHK700002")
        ).one()
    with ledger.transaction() as session:
        undone = undo_posting(session, second_id, "biller", "sent twice by the payer")
    assert undone.moved == 0
    assert status_of(ledger, "CB3001") is ClaimStatus.PAID  # the first ERA still pays it
    assert reasons(ledger, "CB3001")[-1].endswith("stays paid")
    paid = {row[4] for row in ledger_snapshot(ledger)["payments"]}
    assert paid == {Decimal("-100.00"), Decimal("110.00")}


def test_a_claim_that_moved_on_stays_where_it_is(ledger: Store) -> None:
    add_claim(ledger, "CB4002", (("99204", "300", None),))
    ingest_bytes(ledger, "multi.835", data("835/multi-transaction.835").encode())
    assert status_of(ledger, "CB4002") is ClaimStatus.DENIED
    with ledger.transaction() as session:
        ClaimRepository(session).transition("CB4002", ClaimStatus.READY, "corrected", "biller")
        remittance_id = session.scalars(
            select(t.PaymentRow.remittance_id)
            .join(t.ClaimRow, t.ClaimRow.id == t.PaymentRow.claim_id)
            .where(t.ClaimRow.clm01 == "CB4002")
        ).first()
        assert remittance_id is not None
        undo_posting(session, remittance_id, "biller", "wrong check")
    assert status_of(ledger, "CB4002") is ClaimStatus.READY
    assert reasons(ledger, "CB4002")[-1].endswith("stays ready")


def test_a_held_835_is_posted_when_a_person_says_so(ledger: Store) -> None:
    add_claim(ledger, "CB3001", (("99213", "150", "CB3001-1"),))
    text = data("835/reversal-and-correction.835").replace("BPR*C*10*", "BPR*C*11*")
    [report] = ingest_bytes(ledger, "off.835", text.encode())
    assert report.outcome is Outcome.HELD
    with ledger.read() as session:
        [held] = held_files(session)
    assert held.id == report.inbound_file_id and held.name == "off.835"
    with ledger.transaction() as session, pytest.raises(InputError):
        post_held(session, held.id, "admin", "")
    with ledger.transaction() as session:
        [posted] = post_held(session, held.id, "admin", "payer confirmed 10.00 by phone")
    assert posted.claims == 2 and posted.held is None
    assert status_of(ledger, "CB3001") is ClaimStatus.PAID
    with ledger.read() as session:
        file_row = session.get_one(t.InboundFileRow, held.id)
        outcome, detail = file_row.outcome, file_row.outcome_detail or ""
        assert held_files(session) == []
    assert outcome == "applied"
    assert "posted anyway by admin: payer confirmed 10.00 by phone" in detail
    with ledger.transaction() as session, pytest.raises(StoreError, match="no ERA waiting"):
        post_held(session, held.id, "admin", "again")


def test_matching_by_hand_posts_as_ingest_would(ledger: Store) -> None:
    add_claim(ledger, "CB-9002", (("99213", "90", None),), service_date=date(2025, 2, 26))
    posted_paid_and_denied(ledger)
    unmatched_id = _unmatched_id(ledger)
    with ledger.read() as session:
        suggested = [c.clm01 for c in candidates(session, unmatched_id)]
    assert suggested[0] == "CB-9002"  # the same charge (90.00)
    plb_before = ledger_snapshot(ledger)["plb"]
    with ledger.transaction() as session:
        posted = match_by_hand(session, unmatched_id, "CB-9002", "biller")
    assert posted.claims == 1 and posted.unmatched == 0
    assert status_of(ledger, "CB-9002") is ClaimStatus.DENIED
    assert "CO-50" in reasons(ledger, "CB-9002")[-2]  # the denial's reasons, as ingest writes
    assert "matched to CB-9002 by hand by biller" in reasons(ledger, "CB-9002")[-1]
    assert ledger_snapshot(ledger)["plb"] == plb_before  # the PLB is not posted twice
    with ledger.read() as session:
        assert unmatched(session) == []
        row = session.get_one(t.UnmatchedClaimRow, unmatched_id)
        resolved = (row.resolved_by, row.matched_claim_id)
        claim_id = session.scalars(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == "CB-9002")).one()
        payments = session.execute(
            select(t.PaymentRow.charge, t.PaymentRow.paid).where(t.PaymentRow.claim_id == claim_id)
        ).all()
    assert resolved == ("biller", claim_id)
    assert [tuple(p) for p in payments] == [(Decimal("90.00"), Decimal("0.00"))]


def test_a_hand_match_survives_undo_and_posting_again(ledger: Store) -> None:
    add_claim(ledger, "CB-9002", (("99213", "90", None),))
    remittance_id = posted_paid_and_denied(ledger)
    with ledger.transaction() as session:
        match_by_hand(session, _unmatched_id(ledger), "CB-9002", "biller")
    with ledger.transaction() as session:
        undo_posting(session, remittance_id, "biller", "recheck")
    assert status_of(ledger, "CB-9002") is ClaimStatus.SUBMITTED
    with ledger.transaction() as session:
        posted = post_again(session, remittance_id, "biller")
        assert unmatched(session) == []  # matched once, not queued again
    assert (posted.claims, posted.unmatched) == (2, 0)
    assert status_of(ledger, "CB-9002") is ClaimStatus.DENIED


def test_matching_refuses_a_wrong_claim_a_settled_row_and_an_undone_era(ledger: Store) -> None:
    add_claim(ledger, "CB-9002", (("99213", "90", None),))
    remittance_id = posted_paid_and_denied(ledger)
    unmatched_id = _unmatched_id(ledger)
    with ledger.transaction() as session, pytest.raises(ClaimNotFound, match="CB-NOPE"):
        match_by_hand(session, unmatched_id, "CB-NOPE", "biller")
    with ledger.transaction() as session, pytest.raises(StoreError, match="no unmatched"):
        match_by_hand(session, 999, "CB-9002", "biller")
    with ledger.transaction() as session:
        dismiss_unmatched(session, unmatched_id, "biller", "another practice's patient")
    with ledger.transaction() as session, pytest.raises(StoreError, match="already resolved"):
        match_by_hand(session, unmatched_id, "CB-9002", "biller")
    with ledger.transaction() as session:
        undo_posting(session, remittance_id, "biller", "recheck")
        row = session.get_one(t.UnmatchedClaimRow, unmatched_id)
        row.resolved_at = row.resolved_by = None  # as if it had stayed in the queue
    with ledger.transaction() as session, pytest.raises(StoreError, match="post it again"):
        match_by_hand(session, unmatched_id, "CB-9002", "biller")
    assert status_of(ledger, "CB-9002") is ClaimStatus.SUBMITTED


def test_a_dismissed_claim_leaves_the_queue_for_good(ledger: Store) -> None:
    remittance_id = posted_paid_and_denied(ledger)
    unmatched_id = _unmatched_id(ledger)
    with ledger.transaction() as session, pytest.raises(InputError, match="reason"):
        dismiss_unmatched(session, unmatched_id, "biller", "")
    with ledger.transaction() as session:
        dismiss_unmatched(session, unmatched_id, "biller", "another practice's patient")
    with ledger.read() as session:
        assert unmatched(session) == []
        row = session.get_one(t.UnmatchedClaimRow, unmatched_id)
        resolution, matched = row.resolution, row.matched_claim_id
    assert resolution == "not ours: another practice's patient"
    assert matched is None
    with ledger.transaction() as session:
        undo_posting(session, remittance_id, "biller", "recheck")
    with ledger.transaction() as session:
        posted = post_again(session, remittance_id, "biller")
        assert unmatched(session) == []
    assert posted.unmatched == 0


def test_two_people_undoing_the_same_era_at_once_undo_it_once(ledger: Store) -> None:
    remittance_id = posted_paid_and_denied(ledger)
    outcome: list[str] = []

    def second() -> None:
        try:
            with ledger.transaction() as session:
                undo_posting(session, remittance_id, "admin", "me too")
            outcome.append("undone")
        except StoreError as error:
            outcome.append(str(error))

    with ledger.transaction() as session:
        undo_posting(session, remittance_id, "biller", "first")
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(timeout=1.0)
        assert racer.is_alive(), "the second undo waits for the first to commit"
    racer.join(timeout=30)
    assert len(outcome) == 1 and "already undone by biller" in outcome[0]
    assert [r for r in reasons(ledger, "CB2001") if "undone by" in r] == [
        "posting of ERA EFT55501 (87.50) undone by biller: first"
    ]
