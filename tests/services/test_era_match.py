"""An ERA claim is posted only onto a claim sent to the ERA's payer, and never beyond what the
claim can take: the rest waits for a person, with the reason, and the remittance still adds up."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from claimbridge.domain.posting import Amounts, beyond_claim
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError, StoreError
from claimbridge.services.dashboard import dashboard
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.services.post import held_payments, unmatched
from claimbridge.services.reposting import post_again, undo_posting
from claimbridge.services.unmatched import (
    dismiss_unmatched,
    match_by_hand,
    post_held_payment,
    refund_held_payment,
)
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from cycle_support import PAID_AND_DENIED, add_claim, data, renumber, status_of
from ledger_fixtures import load_example

CB2001_LINES = (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2"))
NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


@pytest.fixture
def ledger(store: Store) -> Store:
    load_example(store)
    return store


def _ingest(store: Store, text: str, name: str = "era.835") -> str:
    [report] = ingest_bytes(store, name, text.encode())
    assert report.outcome is Outcome.APPLIED, report.detail
    return report.detail or ""


def _paid(store: Store, clm01: str) -> Decimal:
    with store.read() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(t.PaymentRow.paid), 0))
            .join(t.ClaimRow, t.ClaimRow.id == t.PaymentRow.claim_id)
            .where(t.ClaimRow.clm01 == clm01)
        )
    return Decimal(total).quantize(Decimal("0.01"))


def _events(store: Store, clm01: str) -> list[tuple[str, str]]:
    with store.read() as session:
        return [(e.what, e.why or "") for e in ClaimRepository(session).events(clm01)]


def _reconciles(store: Store) -> None:
    """Each remittance: BPR02 = what was posted + what waits for a person − PLB."""
    with store.read() as session:
        for row in session.scalars(select(t.RemittanceRow)):
            posted = session.scalar(
                select(func.coalesce(func.sum(t.PaymentRow.paid), 0)).where(
                    t.PaymentRow.remittance_id == row.id
                )
            )
            waiting = session.scalar(
                select(func.coalesce(func.sum(t.UnmatchedClaimRow.paid), 0)).where(
                    t.UnmatchedClaimRow.remittance_id == row.id,
                    t.UnmatchedClaimRow.matched_claim_id.is_(None),
                )
            )
            plb = session.scalar(
                select(func.coalesce(func.sum(t.ProviderAdjustmentRow.amount), 0)).where(
                    t.ProviderAdjustmentRow.remittance_id == row.id
                )
            )
            assert Decimal(posted) + Decimal(waiting) - Decimal(plb) == row.amount, row.trace_number


def test_an_era_for_a_claim_never_sent_is_not_posted(ledger: Store) -> None:
    add_claim(ledger, "CB2001", CB2001_LINES, status=ClaimStatus.HELD, sent=False)
    _ingest(ledger, data(PAID_AND_DENIED))
    assert _paid(ledger, "CB2001") == 0
    assert status_of(ledger, "CB2001") is ClaimStatus.HELD
    with ledger.read() as session:
        queue = {row.patient_control_number: row for row in unmatched(session)}
    assert queue["CB2001"].reason == "never_sent" and queue["CB2001"].clm01 == "CB2001"
    assert "CB2001 was never sent" in (queue["CB2001"].detail or "")
    assert queue["CB2002"].reason == "no_claim"
    [(_, why)] = [e for e in _events(ledger, "CB2001") if e[0] == "era_not_posted"]
    assert "ERA EFT55501" in why and "never sent" in why
    _reconciles(ledger)


def test_an_era_from_another_payer_is_not_posted(ledger: Store) -> None:
    add_claim(ledger, "CB2001", CB2001_LINES, payer_id="62308")  # sent to CIGNA
    _ingest(ledger, data(PAID_AND_DENIED))  # from EXAMPLE HEALTH PLAN (EHP01)
    assert _paid(ledger, "CB2001") == 0
    assert status_of(ledger, "CB2001") is ClaimStatus.SUBMITTED
    with ledger.read() as session:
        [row] = [u for u in unmatched(session) if u.patient_control_number == "CB2001"]
    assert row.reason == "other_payer"
    assert row.detail == (
        "CB2001 was sent to CIGNA (62308), this ERA is from EXAMPLE HEALTH PLAN (EHP01)"
    )
    _reconciles(ledger)


@pytest.mark.parametrize(
    "payer",
    [
        pytest.param("N1*PR*EXAMPLE HEALTH PLAN~REF*2U*EHP01~", id="by-2U"),
        pytest.param("N1*PR*EXAMPLE HEALTH PLAN~", id="by-name"),
        pytest.param("N1*PR*Example Health-Plan, ~", id="by-name-written-otherwise"),
        pytest.param("N1*PR*EHP INC*XV*EHP01~", id="by-N104"),
    ],
)
def test_a_payer_is_known_by_any_of_its_identifiers(ledger: Store, payer: str) -> None:
    add_claim(ledger, "CB2001", CB2001_LINES)
    text = data(PAID_AND_DENIED).replace("REF*2U*EHP01~", "")
    _ingest(ledger, text.replace("N1*PR*EXAMPLE HEALTH PLAN~", payer))
    assert _paid(ledger, "CB2001") == Decimal("120.00")


def test_a_payer_matched_by_hand_is_known_by_that_identifier_next_time(ledger: Store) -> None:
    add_claim(ledger, "CB2001", CB2001_LINES)
    add_claim(ledger, "CB2003", (("99214:25", "150", "CB2003-1"), ("85025", "50", "CB2003-2")))
    other_name = data(PAID_AND_DENIED).replace("REF*2U*EHP01~", "")
    other_name = other_name.replace("N1*PR*EXAMPLE HEALTH PLAN~", "N1*PR*EHP ADMINISTRATORS~")
    _ingest(ledger, other_name)  # known only by TRN03 1512345678 and a name we do not have
    with ledger.transaction() as session:
        [row] = [u for u in unmatched(session) if u.patient_control_number == "CB2001"]
        assert row.reason == "other_payer"
        match_by_hand(session, row.id, "CB2001", "biller")
    assert _paid(ledger, "CB2001") == Decimal("120.00")
    later = renumber(renumber(other_name, "EFT55501", "EFT55502"), "CB2001", "CB2003")
    _ingest(ledger, later, "later.835")
    assert _paid(ledger, "CB2003") == Decimal("120.00")


def test_a_second_check_for_a_claim_paid_in_full_is_held_with_an_alert(ledger: Store) -> None:
    add_claim(ledger, "CB2001", CB2001_LINES)
    _ingest(ledger, data(PAID_AND_DENIED))
    assert _paid(ledger, "CB2001") == Decimal("120.00")
    detail = _ingest(ledger, renumber(data(PAID_AND_DENIED), "EFT55501", "EFT55502"), "2.835")
    assert "1 payments held for review" in detail
    assert _paid(ledger, "CB2001") == Decimal("120.00")  # not 240.00, the copay not doubled
    with ledger.read() as session:
        [held] = held_payments(session)
        alerts = [a.text for a in dashboard(session, NOW).alerts]
        assert all(u.reason != "overpayment" for u in unmatched(session))
    assert (held.clm01, held.trace_number, held.paid) == ("CB2001", "EFT55502", Decimal("120.00"))
    assert "already paid in full (120.00 paid on a 200.00 charge)" in (held.detail or "")
    assert "paid 240.00 and patient owes 60.00 of a 200.00 charge" in (held.detail or "")
    held_alert = "1 ERA payment held for review: it would take"
    assert any(a.startswith(held_alert) and "CB2001" in a for a in alerts)
    [(_, why)] = [e for e in _events(ledger, "CB2001") if e[0] == "payment_held"]
    assert "ERA EFT55502" in why and "held for review" in why
    _reconciles(ledger)


def test_a_payment_beyond_the_charge_is_held(ledger: Store) -> None:
    add_claim(ledger, "CB2001", (("99214:25", "100", "CB2001-1"), ("85025", "50", "CB2001-2")))
    _ingest(ledger, data(PAID_AND_DENIED))  # 120.00 paid and 30.00 owed of a 150.00 charge …
    assert _paid(ledger, "CB2001") == Decimal("120.00")  # … is the whole charge: posted
    add_claim(ledger, "CB2003", (("99214:25", "100", "CB2003-1"), ("85025", "40", "CB2003-2")))
    text = renumber(renumber(data(PAID_AND_DENIED), "CB2001", "CB2003"), "EFT55501", "EFT55502")
    _ingest(ledger, text.replace("CB2001-", "CB2003-"), "2.835")
    assert _paid(ledger, "CB2003") == 0  # 150.00 of a 140.00 charge
    with ledger.read() as session:
        [held] = held_payments(session)
    assert "paid 120.00 and patient owes 30.00 of a 140.00 charge" in (held.detail or "")


def test_a_held_payment_is_posted_by_a_person_with_a_reason(ledger: Store) -> None:
    add_claim(ledger, "CB2001", CB2001_LINES)
    _ingest(ledger, data(PAID_AND_DENIED))
    _ingest(ledger, renumber(data(PAID_AND_DENIED), "EFT55501", "EFT55502"), "2.835")
    with ledger.transaction() as session:
        [held] = held_payments(session)
        with pytest.raises(InputError, match="reason is required"):
            post_held_payment(session, held.id, "biller", " ")
        with pytest.raises(StoreError, match="held for review: post it or mark it refunded"):
            match_by_hand(session, held.id, "CB2001", "biller")
        posted = post_held_payment(session, held.id, "biller", "payer confirmed both checks")
    assert posted.claims == 1
    assert _paid(ledger, "CB2001") == Decimal("240.00")
    with ledger.read() as session:
        assert held_payments(session) == []
        [done] = held_payments(session, include_resolved=True)
    assert done.id == held.id
    [(_, why)] = [e for e in _events(ledger, "CB2001") if e[0] == "held_payment_posted"]
    assert "posted by biller: payer confirmed both checks" in why
    _reconciles(ledger)


def test_a_held_payment_marked_refunded_stays_unposted_when_posted_again(ledger: Store) -> None:
    add_claim(ledger, "CB2001", CB2001_LINES)
    _ingest(ledger, data(PAID_AND_DENIED))
    _ingest(ledger, renumber(data(PAID_AND_DENIED), "EFT55501", "EFT55502"), "2.835")
    with ledger.transaction() as session:
        [held] = held_payments(session)
        with pytest.raises(StoreError, match="is a payment held for review"):
            dismiss_unmatched(session, held.id, "biller", "not ours")
        refund_held_payment(session, held.id, "biller", "check returned to the payer 12/01")
        with pytest.raises(StoreError, match="already resolved"):
            post_held_payment(session, held.id, "biller", "changed my mind")
    [(_, why)] = [e for e in _events(ledger, "CB2001") if e[0] == "payment_refunded"]
    assert "marked refunded by biller: check returned to the payer 12/01" in why
    with ledger.transaction() as session:
        undo_posting(session, held.remittance_id, "biller", "check again")
        post_again(session, held.remittance_id, "biller")
        assert held_payments(session) == []
    assert _paid(ledger, "CB2001") == Decimal("120.00")
    assert status_of(ledger, "CB2001") is ClaimStatus.PAID


def test_a_reversal_and_correction_in_a_later_era_still_post(ledger: Store) -> None:
    add_claim(ledger, "CB2001", CB2001_LINES)
    _ingest(ledger, data(PAID_AND_DENIED))
    later = renumber(data(PAID_AND_DENIED), "EFT55501", "EFT55502")
    corrected = "CLP*CB2001*1*200*130*30*12*ICN20003*11*1~CAS*CO*45*40~CAS*PR*3*30~"
    reversal = "CLP*CB2001*22*-200*-120*-30*12*ICN20001*11*1~CAS*CO*45*-50~CAS*PR*3*-30~"
    later = later.replace("CLP*CB2001*1*", reversal + corrected + "CLP*CB2009*1*")
    later = later.replace("BPR*I*87.5*", "BPR*I*97.5*")  # 10.00 more than the first
    assert "held" not in _ingest(ledger, later, "2.835")
    assert _paid(ledger, "CB2001") == Decimal("130.00")  # 120 − 120 + 130
    with ledger.read() as session:
        assert held_payments(session) == []


def test_a_denied_claim_paid_later_is_posted(ledger: Store) -> None:
    add_claim(ledger, "CB2002", (("99213", "90", None),))
    _ingest(ledger, data(PAID_AND_DENIED))
    assert status_of(ledger, "CB2002") is ClaimStatus.DENIED
    appeal = renumber(data(PAID_AND_DENIED), "EFT55501", "EFT55502")
    appeal = appeal.replace("CLP*CB2002*4*90*0*0*", "CLP*CB2002*1*90*50*20*")
    appeal = appeal.replace("CAS*CO*50*90~", "CAS*CO*45*20~CAS*PR*3*20~")
    appeal = appeal.replace("BPR*I*87.5*", "BPR*I*137.5*")
    _ingest(ledger, appeal, "appeal.835")
    assert status_of(ledger, "CB2002") is ClaimStatus.PAID
    assert _paid(ledger, "CB2002") == Decimal("50.00")


def _a(charge: int, paid: int, patient: int) -> Amounts:
    return Amounts(Decimal(charge), Decimal(paid), Decimal(patient))


@pytest.mark.parametrize(
    ("before", "adding", "held"),
    [
        pytest.param(Amounts(), _a(200, 120, 30), False, id="first-payment"),
        pytest.param(_a(200, 120, 30), _a(200, 120, 30), True, id="second-check"),
        pytest.param(_a(200, 50, 10), _a(200, 50, 10), True, id="second-check-low-allowed"),
        pytest.param(_a(200, 0, 0), _a(200, 150, 0), False, id="denied-then-paid"),
        pytest.param(_a(200, 120, 30), _a(0, 10, 0), False, id="supplemental-within-charge"),
        pytest.param(_a(200, 120, 30), _a(-200, -120, -30), False, id="reversal"),
        pytest.param(Amounts(), _a(200, 190, 20), True, id="beyond-the-charge"),
    ],
)
def test_what_a_claim_can_take(before: Amounts, adding: Amounts, held: bool) -> None:
    assert (beyond_claim(Decimal(200), before, adding) is not None) is held
