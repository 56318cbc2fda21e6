"""Patient payments, refunds and write-offs, and balances that tell the truth: each claim's
insurance and patient balance through a primary → secondary chain, a crossover, and the A/R
aging split between insurance and patients; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from claimbridge.domain.patient_money import read_money
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError, RecordNotFound, StoreError
from claimbridge.services.balances import ClaimBalance, claim_balances, patient_balances
from claimbridge.services.claim_view import list_claims, show_claim
from claimbridge.services.paper import post_paper
from claimbridge.services.patient_money import claim_money, record_money, undo_money
from claimbridge.services.reports import ar_aging
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from money_support import (
    SOFIA,
    TODAY,
    billed,
    claim_id,
    medicare_eob,
    medigap_eob,
    post_uhc,
    secondary_of,
)

HAROLD = "appt-5003"
D = Decimal


@pytest.fixture
def claims(store: Store) -> dict[str, str]:
    return billed(store)


def _record(store: Store, **fields: object) -> int:
    with store.transaction() as session:
        return record_money(session, read_money(fields, TODAY), "biller").id


def _balance(store: Store, clm01: str) -> ClaimBalance:
    with store.read() as session:
        return claim_balances(session, [claim_id(store, clm01)])[claim_id(store, clm01)]


def _paper(store: Store, eob: dict[str, object]) -> None:
    with store.transaction() as session:
        post_paper(session, eob, "biller")


def _patient_id(store: Store, key: str) -> int:
    with store.read() as session:
        return session.scalars(select(t.PatientRow.id).where(t.PatientRow.key == key)).one()


def test_a_claim_not_adjudicated_expects_its_charge_from_insurance(
    store: Store, claims: dict[str, str]
) -> None:
    assert _balance(store, claims[SOFIA]) == ClaimBalance(D("245.00"), D("0.00"), False)
    _record(store, kind="payment", amount="20.00", method="cash", claim=claims[SOFIA])
    assert _balance(store, claims[SOFIA]).patient == D("-20.00")  # a copay paid ahead


def test_a_paper_eob_and_a_patient_payment_close_a_claim(
    store: Store, claims: dict[str, str]
) -> None:
    clm01 = claims[SOFIA]
    post_uhc(store, clm01)  # the patient owes 20.00 of coinsurance
    assert _balance(store, clm01) == ClaimBalance(D("0.00"), D("20.00"), True)
    entry = _record(store, kind="payment", amount="20.00", method="check", reference="1042",
                    claim=clm01, line=1)  # fmt: skip
    assert _balance(store, clm01) == ClaimBalance(D("0.00"), D("0.00"), True)
    with store.read() as session:
        events = ClaimRepository(session).events(clm01)
        [money] = claim_money(session, claim_id(store, clm01))
        listed = {c["patient_control_number"]: c for c in list_claims(session)}[clm01]
        shown = show_claim(session, clm01)
    assert (events[-1].what, events[-1].actor) == ("patient_payment", "biller")
    assert events[-1].why == f"patient paid 20.00 by check 1042 (line 1), entry {entry}"
    assert (money.line, money.method, money.reference) == (1, "check", "1042")
    assert (listed["insurance_balance"], listed["patient_balance"]) == ("0.00", "0.00")
    assert listed["balance"] == "0.00" and listed["paid"] == "180.00"  # today's fields kept
    assert shown["patient_money"][0]["amount"] == "20.00"


def test_refunds_write_offs_and_undo_each_move_the_balance_and_the_history(
    store: Store, claims: dict[str, str]
) -> None:
    clm01 = claims[SOFIA]
    post_uhc(store, clm01)
    paid = _record(store, kind="payment", amount="25.00", method="card", reference="AUTH-7",
                   claim=clm01)  # fmt: skip
    assert _balance(store, clm01).patient == D("-5.00")  # paid 5.00 too much
    _record(store, kind="refund", amount="5.00", method="check", reference="311", claim=clm01)
    assert _balance(store, clm01).patient == D("0.00")
    with store.transaction() as session:
        undone = undo_money(session, paid, "biller", "the card payment was disputed")
    assert undone.undone_by == "biller"
    assert _balance(store, clm01).patient == D("25.00")  # 20.00 owed + the 5.00 refunded
    with pytest.raises(InputError, match=r"the patient owes 25\.00 .* more than that"):
        _record(store, kind="write_off", amount="30.00", reason="bad_debt", claim=clm01)
    _record(store, kind="write_off", amount="25.00", reason="small_balance", claim=clm01)
    assert _balance(store, clm01).patient == D("0.00")
    with store.read() as session:
        whats = [e.what for e in ClaimRepository(session).events(clm01)][-4:]
    assert whats == ["patient_payment", "patient_refund", "patient_money_undone", "write_off"]
    with store.read() as session:
        codes = session.execute(
            select(t.PatientMoneyRow.group_code, t.PatientMoneyRow.reason_code).where(
                t.PatientMoneyRow.kind == "write_off"
            )
        ).all()
    assert [tuple(c) for c in codes] == [("OA", "SB")]
    with pytest.raises(StoreError, match="already undone"), store.transaction() as session:
        undo_money(session, paid, "biller", "again")


def test_a_timely_filing_write_off_closes_what_the_payer_will_never_pay(
    store: Store, claims: dict[str, str]
) -> None:
    _record(store, kind="write_off", amount="245.00", reason="timely_filing", claim=claims[SOFIA])
    assert _balance(store, claims[SOFIA]) == ClaimBalance(D("0.00"), D("0.00"), False)


def test_money_on_an_appointment_goes_to_the_claim_the_patient_owes_on(
    store: Store, claims: dict[str, str]
) -> None:
    primary = claims[HAROLD]
    _paper(store, medicare_eob(primary))
    assert _balance(store, primary).patient == D("0.00")  # the Medigap claim carries it
    with store.transaction() as session:  # the Medigap plan is not billed after all
        session.execute(
            update(t.ClaimRow)
            .where(t.ClaimRow.follows_claim_id.is_not(None))
            .values(status=ClaimStatus.CANCELLED.value)
        )
    assert _balance(store, primary).patient == D("26.40")
    _record(store, kind="payment", amount="10.00", method="cash", appointment=HAROLD)
    assert _balance(store, primary).patient == D("16.40")
    with pytest.raises(RecordNotFound), store.transaction() as session:
        entry = {"kind": "payment", "amount": "1.00", "method": "cash", "appointment": "appt-0"}
        record_money(session, read_money(entry, TODAY), "biller")


def test_a_secondary_claim_carries_the_primarys_patient_share_until_it_pays(
    store: Store, claims: dict[str, str]
) -> None:
    primary = claims[HAROLD]
    _paper(store, medicare_eob(primary))
    secondary = secondary_of(store, primary)
    assert _balance(store, primary) == ClaimBalance(D("0.00"), D("0.00"), True)
    assert _balance(store, secondary) == ClaimBalance(D("26.40"), D("0.00"), False)
    with store.read() as session:
        aging = ar_aging(session, date(2026, 12, 1))
    totals = {row[1]: row[-1] for row in aging.rows}
    assert totals["SX123"] == "26.40" and "01182" not in totals and "patient" not in totals
    _paper(store, medigap_eob(secondary))
    assert _balance(store, secondary) == ClaimBalance(D("0.00"), D("0.00"), True)
    with store.read() as session:
        owed = patient_balances(session, [_patient_id(store, "pt-1003")])
    assert owed == {_patient_id(store, "pt-1003"): D("0.00")}


def test_a_crossover_passes_the_patients_share_on_and_a_cancelled_follower_does_not(
    store: Store, claims: dict[str, str]
) -> None:
    primary = claims[HAROLD]
    _paper(store, medicare_eob(primary))
    secondary = secondary_of(store, primary)
    with store.transaction() as session:
        row = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == secondary)).one()
        row.status = "cancelled"
    assert _balance(store, primary).patient == D("26.40")
    assert _balance(store, secondary).insurance == D("0.00")
    with store.transaction() as session:
        row = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == primary)).one()
        row.crossed_over_to = "SX123"
    # the Medigap plan it was forwarded to owes the 26.40 until its own 835 is posted
    assert _balance(store, primary) == ClaimBalance(D("26.40"), D("0.00"), True)


def test_the_aging_report_splits_insurance_and_patients(
    store: Store, claims: dict[str, str]
) -> None:
    post_uhc(store, claims[SOFIA])
    with store.read() as session:
        aging = ar_aging(session, date(2026, 12, 1))
    rows = {row[1]: row for row in aging.rows}
    assert "87726" not in rows  # UHC paid its part: nothing open with insurance
    assert rows["patient"][0] == "Patients" and rows["patient"][-1] == "20.00"
    assert aging.headers[:3] == ("Payer", "Payer ID", "0–30")


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"kind": "payment", "amount": "5.00", "method": "check", "claim": "X"},
         "reference: the check number is required"),
        ({"kind": "write_off", "amount": "5.00", "reason": "lost", "claim": "X"},
         "reason: 'lost' is not one of"),
        ({"kind": "payment", "amount": "0.00", "method": "cash", "claim": "X"},
         "amount: must be more than 0.00"),
        ({"kind": "payment", "amount": "5.00", "method": "cash"}, "claim: give either a claim"),
        ({"kind": "refund", "amount": "5.00", "method": "cash", "appointment": "a", "line": 2},
         "line: a line is one of a claim's"),
    ],
)  # fmt: skip
def test_a_wrong_entry_is_refused_naming_the_field(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(InputError) as refused:
        read_money(fields, TODAY)
    assert problem in str(refused.value)
