"""Claims, their history, remittances, inbound files, the gate and the fee counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from claimbridge.domain.fees import FeeCounts
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound, InvalidTransition, StoreError
from claimbridge.store.db import Store
from claimbridge.store.repositories import (
    ClaimRepository,
    Remittance,
    add_remittance,
    fee_counts,
    find_remittances,
    gate,
    record_inbound_file,
)
from ledger_fixtures import CHEN, ORTEGA, TAX_ID, add_claim, load_example

S = ClaimStatus


@pytest.fixture
def ledger(store: Store) -> Store:
    load_example(store)
    return store


def test_a_claim_is_found_by_clm01_with_its_total(ledger: Store) -> None:
    add_claim(ledger, "CB0001", charges=("185.00", "48.00"))
    with ledger.read() as session:
        claim = ClaimRepository(session).by_clm01("CB0001")
    assert (claim.payer_id, claim.status, claim.total_charge) == (
        "62308",
        S.DRAFT,
        Decimal("233.00"),
    )
    with pytest.raises(ClaimNotFound) as caught, ledger.read() as session:
        ClaimRepository(session).by_clm01("NOPE")
    assert caught.value.claim_id == "NOPE"


def test_clm01_is_unique(ledger: Store) -> None:
    add_claim(ledger, "CB0001")
    with pytest.raises(StoreError, match="refused the change"):
        add_claim(ledger, "CB0001")


def test_a_claim_for_an_unknown_payer_is_refused(ledger: Store) -> None:
    with pytest.raises(StoreError, match="no payer 'ZZZ'"):
        add_claim(ledger, "CB0001", payer_id="ZZZ")


def test_the_worklist_filters_by_status_and_payer_and_pages(ledger: Store) -> None:
    for number in range(1, 8):
        add_claim(ledger, f"CB{number:04d}", status=S.READY)
    add_claim(ledger, "CB0100", status=S.HELD)
    add_claim(ledger, "CB0101", payer_id="87726", status=S.READY)
    with ledger.read() as session:
        claims = ClaimRepository(session)
        first = claims.worklist(S.READY, "62308", limit=5)
        rest = claims.worklist(S.READY, "62308", limit=5, after_id=first[-1].id)
        held = claims.worklist(S.HELD, "62308")
    assert [c.clm01 for c in first] == [f"CB{n:04d}" for n in range(1, 6)]
    assert [c.clm01 for c in rest] == ["CB0006", "CB0007"]
    assert [c.clm01 for c in held] == ["CB0100"]


def test_transitions_are_checked_and_recorded(ledger: Store) -> None:
    add_claim(ledger, "CB0001")
    with ledger.transaction() as session:
        claims = ClaimRepository(session)
        claims.transition("CB0001", S.READY, "gate passed", actor="test")
        sent = claims.transition("CB0001", S.SUBMITTED, "in batch 1", actor="submitter")
        claims.note("CB0001", "resent", "asked by a person", actor="dana")
    assert sent.status is S.SUBMITTED and sent.submitted_at is not None
    with pytest.raises(InvalidTransition), ledger.transaction() as session:
        ClaimRepository(session).transition("CB0001", S.DRAFT, "no", actor="test")
    with ledger.read() as session:
        history = ClaimRepository(session).events("CB0001")
        current = ClaimRepository(session).by_clm01("CB0001")
    assert [(e.what, e.from_status, e.to_status, e.actor) for e in history] == [
        ("created", None, S.DRAFT, "test"),
        ("status", S.DRAFT, S.READY, "test"),
        ("status", S.READY, S.SUBMITTED, "submitter"),
        ("resent", None, None, "dana"),
    ]
    assert all(e.at.tzinfo is UTC for e in history)
    assert history[0].at <= history[1].at <= history[2].at
    assert current.status is S.SUBMITTED and current.status_reason == "in batch 1"


def test_an_event_names_the_file_it_came_from(ledger: Store) -> None:
    add_claim(ledger, "CB0001", status=S.SUBMITTED)
    with ledger.transaction() as session:
        file_id, _ = record_inbound_file(session, "x.999", b"ISA*synthetic~", "999", "processed")
        ClaimRepository(session).transition(
            "CB0001", S.CLEARINGHOUSE_ACCEPTED, "999 accepted", "ingest", inbound_file_id=file_id
        )
        assert ClaimRepository(session).events("CB0001")[-1].inbound_file_id == file_id


def test_inbound_files_are_kept_once_by_content(ledger: Store) -> None:
    with ledger.transaction() as session:
        first = record_inbound_file(session, "a.835", b"ISA*one~", "835", "new")
        again = record_inbound_file(session, "renamed.835", b"ISA*one~", "835", "new")
        other = record_inbound_file(session, "a.835", b"ISA*two~", "835", "new")
    assert first[1] and not again[1] and other[1]
    assert again[0] == first[0] != other[0]


def test_a_remittance_is_unique_by_payer_trace_number_and_amount(ledger: Store) -> None:
    check = Remittance("62308", "1234567", Decimal("233.00"), "CHK", date(2026, 11, 20))
    with ledger.transaction() as session:
        first = add_remittance(session, check)
        same = add_remittance(session, check)
        other_amount = add_remittance(
            session, Remittance("62308", "1234567", Decimal("1.00"), "CHK")
        )
        other_payer = add_remittance(
            session, Remittance("87726", "1234567", Decimal("233.00"), "ACH")
        )
    assert first[1] and not same[1] and same[0] == first[0]
    assert other_amount[1] and other_payer[1]
    with ledger.read() as session:
        found = find_remittances(session, "62308", "1234567")
    assert [(r.amount, r.method, r.payment_date) for r in found] == [
        (Decimal("233.00"), "CHK", date(2026, 11, 20)),
        (Decimal("1.00"), "CHK", None),
    ]


def test_the_gate_reads_the_payer_and_the_go_live_date(ledger: Store) -> None:
    with ledger.read() as session:
        blue = gate(session, "BS001", date(2026, 11, 6))
        early = gate(session, "62308", date(2026, 10, 30))
        united = gate(session, "87726", date(2026, 11, 4))
    assert blue.status is S.HELD and "837P enrollment" in (blue.reason or "")
    assert early.status is S.HELD and "go-live" in (early.reason or "")
    assert united.status is S.READY and not united.era_expected


def test_fee_counts_by_submission_month_and_combination(ledger: Store) -> None:
    nov = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
    dec = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    add_claim(ledger, "C1", "62308", S.SUBMITTED, CHEN, nov)
    add_claim(ledger, "C2", "SX123", S.SUBMITTED, CHEN, nov)
    add_claim(ledger, "C3", "SX123", S.SUBMITTED, ORTEGA, nov)
    add_claim(ledger, "C4", "SX123", S.PAID, CHEN, dec)
    add_claim(ledger, "C5", "SX123", S.READY, CHEN, None)  # never sent: not counted
    with ledger.read() as session:
        everything = sorted(fee_counts(session), key=lambda c: (c.month, c.rendering_npi))
        november = fee_counts(session, "2026-11")
    assert everything == [
        FeeCounts("2026-11", TAX_ID, CHEN, 1, 1),
        FeeCounts("2026-11", TAX_ID, ORTEGA, 0, 1),
        FeeCounts("2026-12", TAX_ID, CHEN, 0, 1),
    ]
    assert sorted(november, key=lambda c: c.rendering_npi) == everything[:2]
