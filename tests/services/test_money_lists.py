"""What ERAs paid, listed and summed by the database on SQLite and PostgreSQL: payments by payer
and month (the month of the payment date, else of when the ERA was recorded; a claim paid twice
in a month counts once; an unlisted payer by its identifier) and the claims of one ERA."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.services.eras import ClaimsPaid, claims_of_remittance, claims_of_remittances
from claimbridge.services.reports import payments_by_payer_month
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import add_claim
from ledger_fixtures import load_example


def _remittance(
    session: Session, trace: str, payer: int | None, paid_on: date | None, recorded: datetime
) -> int:
    row = t.RemittanceRow(
        payer_id=payer,
        payer_identifier="62308" if payer else "ZZ999",
        method="CHK",
        amount=Decimal("0.00"),
        trace_number=trace,
        payment_date=paid_on,
        created_at=recorded,
    )
    session.add(row)
    session.flush()
    return row.id


def _payment(session: Session, remittance: int, claim: int, paid: str) -> None:
    session.add(
        t.PaymentRow(
            remittance_id=remittance,
            claim_id=claim,
            status_code="1",
            charge=Decimal("100.00"),
            paid=Decimal(paid),
            created_at=datetime(2025, 4, 1, tzinfo=UTC),
        )
    )


def test_payments_are_summed_per_payer_and_month_counting_each_claim_once(store: Store) -> None:
    load_example(store)
    first = add_claim(store, "PAY-1", (("99213", "100", None),), payer_id="62308")
    second = add_claim(store, "PAY-2", (("99213", "100", None),), payer_id="62308")
    with store.transaction() as session:
        cigna = session.scalars(select(t.PayerRow.id).where(t.PayerRow.payer_id == "62308")).one()
        march = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
        in_march = _remittance(session, "T1", cigna, date(2025, 3, 14), march)
        again_in_march = _remittance(session, "T2", cigna, date(2025, 3, 20), march)
        late_in_april = datetime(2025, 4, 30, 23, 30, tzinfo=UTC)  # May east of UTC
        recorded_in_april = _remittance(session, "T3", cigna, None, late_in_april)
        unknown_payer = _remittance(session, "T4", None, date(2025, 3, 2), march)
        _payment(session, in_march, first, "40.00")
        _payment(session, again_in_march, first, "10.50")  # the same claim, same month
        _payment(session, again_in_march, second, "25.25")
        _payment(session, recorded_in_april, second, "5.00")
        _payment(session, unknown_payer, second, "1.00")
    with store.read() as session:
        report = payments_by_payer_month(session)
    assert report.rows == (
        ("CIGNA", "62308", "2025-03", "2", "75.75"),
        ("CIGNA", "62308", "2025-04", "1", "5.00"),
        ("ZZ999", "ZZ999", "2025-03", "1", "1.00"),
    )


def test_an_era_lists_its_first_claims_and_counts_the_rest(store: Store) -> None:
    load_example(store)
    claims = [add_claim(store, f"ERA-{n}", (("99213", "100", None),)) for n in (3, 1, 2)]
    with store.transaction() as session:
        check = _remittance(session, "T9", None, date(2025, 3, 2), datetime.now(UTC))
        for claim in claims:
            _payment(session, check, claim, "10.00")
        _payment(session, check, claims[0], "2.50")  # a second line of ERA-3
    with store.read() as session:
        assert claims_of_remittance(session, check, 2) == ClaimsPaid(
            [("ERA-3", Decimal("12.50")), ("ERA-1", Decimal("10.00"))], 1
        )  # in the order the claims were made
        every = claims_of_remittance(session, check)
    assert every == ClaimsPaid(
        [("ERA-3", Decimal("12.50")), ("ERA-1", Decimal("10.00")), ("ERA-2", Decimal("10.00"))], 0
    )


def test_a_page_of_eras_gets_its_claims_in_one_query_as_each_alone(store: Store) -> None:
    load_example(store)
    claims = [add_claim(store, f"PAGE-{n}", (("99213", "100", None),)) for n in range(4)]
    with store.transaction() as session:
        first = _remittance(session, "T10", None, date(2025, 3, 2), datetime.now(UTC))
        second = _remittance(session, "T11", None, date(2025, 3, 3), datetime.now(UTC))
        empty = _remittance(session, "T12", None, date(2025, 3, 4), datetime.now(UTC))
        for claim in claims:
            _payment(session, first, claim, "10.00")
        _payment(session, second, claims[3], "7.25")
        _payment(session, second, claims[3], "1.00")
        _payment(session, second, claims[1], "3.00")
    with store.read() as session:
        page = claims_of_remittances(session, [second, empty, first], 3)
        alone = {check: claims_of_remittance(session, check, 3) for check in (first, second, empty)}
    assert page == alone
    assert page[first] == ClaimsPaid(
        [("PAGE-0", Decimal("10.00")), ("PAGE-1", Decimal("10.00")), ("PAGE-2", Decimal("10.00"))],
        1,
    )
    assert page[second] == ClaimsPaid([("PAGE-1", Decimal("3.00")), ("PAGE-3", Decimal("8.25"))], 0)
    assert page[empty] == ClaimsPaid([], 0)
