"""Posting 835s: per line by group code, reversals and several ERAs summed, PLB, duplicates
refused, unbalanced transactions held whole, unknown claims queued."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.eob import find_eob, render_html, render_text
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.services.post import unmatched
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import add_claim, data, ledger_snapshot, reasons, status_of
from ledger_fixtures import load_example


@pytest.fixture
def ledger(store: Store) -> Store:
    load_example(store)
    return store


def _totals(store: Store, clm01: str) -> tuple[Decimal, Decimal, Decimal]:
    """(paid, adjusted other than PR, patient responsibility) summed over every posting."""
    with store.read() as session:
        claim_id = session.scalars(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == clm01)).one()
        paid = session.scalar(
            select(func.coalesce(func.sum(t.PaymentRow.paid), 0)).where(
                t.PaymentRow.claim_id == claim_id
            )
        )
        rows = session.execute(
            select(t.AdjustmentRow.group_code, t.AdjustmentRow.amount)
            .join(t.PaymentRow, t.PaymentRow.id == t.AdjustmentRow.payment_id)
            .where(t.PaymentRow.claim_id == claim_id)
        ).all()
    adjusted = sum((a for g, a in rows if g != "PR"), Decimal("0.00"))
    patient = sum((a for g, a in rows if g == "PR"), Decimal("0.00"))
    return Decimal(paid).quantize(Decimal("0.01")), adjusted, patient


def test_lines_are_paid_by_line_control_number_and_group_code(ledger: Store) -> None:
    add_claim(ledger, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    [report] = ingest_bytes(ledger, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    assert report.outcome is Outcome.APPLIED
    assert _totals(ledger, "CB2001") == (Decimal("120.00"), Decimal("50.00"), Decimal("30.00"))
    with ledger.read() as session:
        lines = session.execute(
            select(t.ClaimLineRow.code, t.PaymentRow.paid)
            .join(t.PaymentRow, t.PaymentRow.claim_line_id == t.ClaimLineRow.id)
            .order_by(t.ClaimLineRow.line_number)
        ).all()
    assert [(code, paid) for code, paid in lines] == [
        ("99214", Decimal("90.00")), ("85025", Decimal("30.00")),
    ]  # fmt: skip
    assert status_of(ledger, "CB2001") is ClaimStatus.PAID
    assert "patient owes 30.00" in reasons(ledger, "CB2001")[-1]


def test_lines_without_control_numbers_match_by_procedure_and_date(ledger: Store) -> None:
    lines = (("99215:25", "150", None), ("85025", "50", None))
    add_claim(ledger, "CB2001", lines, service_date=date(2025, 2, 25))
    text = data("835/paid-and-denied-with-plb.835").replace("REF*6R*", "REF*EA*")
    ingest_bytes(ledger, "era.835", text.encode())
    with ledger.read() as session:
        unmatched_lines = session.scalar(
            select(func.count())
            .select_from(t.PaymentRow)
            .where(t.PaymentRow.claim_line_id.is_(None))
        )
    assert unmatched_lines == 0  # SVC06 (99215:25 as submitted) and 85025 on its date


def test_plb_is_recorded_and_an_unknown_claim_is_queued(ledger: Store) -> None:
    add_claim(ledger, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    ingest_bytes(ledger, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    with ledger.read() as session:
        plb = session.execute(
            select(t.ProviderAdjustmentRow.reason_code, t.ProviderAdjustmentRow.amount).order_by(
                t.ProviderAdjustmentRow.id
            )
        ).all()
        queue = unmatched(session)
    assert [(r, a) for r, a in plb] == [
        ("L6", Decimal("-2.50")), ("WO", Decimal("30.00")), ("FB", Decimal("5.00")),
    ]  # fmt: skip
    assert [(u.patient_control_number, u.status_code) for u in queue] == [("CB2002", "4")]


def test_a_reversal_and_its_correction_are_summed_across_eras(ledger: Store) -> None:
    add_claim(ledger, "CB3001", (("99213", "150", "CB3001-1"),))
    first = data("835/reversal-and-correction.835")
    ingest_bytes(ledger, "first.835", first.encode())
    assert _totals(ledger, "CB3001")[0] == Decimal("10.00")  # −100 reversed, +110 corrected
    assert status_of(ledger, "CB3001") is ClaimStatus.PAID
    moves = [why for why in reasons(ledger, "CB3001") if "Reversal" in why]
    assert moves, "the reversal is an event of its own"
    second = first.replace("CHK700001", "CHK700002")
    ingest_bytes(ledger, "second.835", second.encode())
    assert _totals(ledger, "CB3001")[0] == Decimal("20.00")  # added, never overwritten


def test_the_same_remittance_twice_is_refused(ledger: Store) -> None:
    add_claim(ledger, "CB3001", (("99213", "150", "CB3001-1"),))
    text = data("835/reversal-and-correction.835")
    ingest_bytes(ledger, "first.835", text.encode())
    before = _totals(ledger, "CB3001")
    [report] = ingest_bytes(
        ledger, "again.835", text.replace("*000000202*", "*000000203*", 1).encode()
    )
    assert report.outcome is Outcome.APPLIED
    assert "already posted" in report.detail
    assert _totals(ledger, "CB3001") == before


def test_an_unbalanced_transaction_is_held_whole(ledger: Store) -> None:
    add_claim(ledger, "CB3001", (("99213", "150", "CB3001-1"),))
    before = ledger_snapshot(ledger)
    text = data("835/reversal-and-correction.835").replace("BPR*C*10*", "BPR*C*11*")
    [report] = ingest_bytes(ledger, "off.835", text.encode())
    assert report.outcome is Outcome.HELD
    assert "BPR02 is 11" in report.detail
    after = ledger_snapshot(ledger)
    assert after["payments"] == before["payments"] == []
    assert after["remittances"] == []
    assert status_of(ledger, "CB3001") is ClaimStatus.SUBMITTED


def test_a_claim_that_does_not_balance_is_posted_with_a_note(ledger: Store) -> None:
    add_claim(ledger, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    # line 1's contractual adjustment off by 5.00: line and claim no longer add up, BPR does
    text = data("835/paid-and-denied-with-plb.835").replace("CAS*CO*45*40~", "CAS*CO*45*35~")
    [report] = ingest_bytes(ledger, "era.835", text.encode())
    assert report.outcome is Outcome.APPLIED
    assert "1 do not balance" in report.detail
    assert _totals(ledger, "CB2001")[0] == Decimal("120.00")  # posted as the payer sent it
    [note] = [why for why in reasons(ledger, "CB2001") if "does not balance" in why]
    assert "claim CB2001 line 1" in note and "off by -5.00" in note
    assert "claim CB2001 (segment" in note


def test_a_denial_says_why_in_words(ledger: Store) -> None:
    add_claim(ledger, "CB4002", (("99204", "300", None),))
    ingest_bytes(ledger, "multi.835", data("835/multi-transaction.835").encode())
    assert status_of(ledger, "CB4002") is ClaimStatus.DENIED
    why = reasons(ledger, "CB4002")[-1]
    assert "Denied" in why and "CO-" in why


def test_the_eob_reads_like_paper(ledger: Store) -> None:
    add_claim(ledger, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    ingest_bytes(ledger, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    with ledger.read() as session:
        eob = find_eob(session, "EFT55501")
    text = render_text(eob)
    assert "EFT EFT55501" in text and "Amount: 87.5" in text
    assert "Account: CB2001" in text and "Account: CB2002" in text
    assert "Deductible" not in text or "PR-1" in text
    assert "L6 Interest owed" in text
    assert "<table>" in render_html(eob)
