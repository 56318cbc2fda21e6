"""The set-wise balances (``balance_rows``, ``patient_dues``: one SQL statement over many claims
and patients) agree with the per-claim ones (``claim_balances``, ``patient_balances``) and with
the statements, on a ledger with primaries, a secondary paid, a crossover whose second payer
paid, a void and a cancelled follower, patient payments, refunds, write-offs, an undone payment
and money on no claim; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, true

from claimbridge.domain.patient_money import read_money
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.balances import (
    ClaimBalance,
    balance_rows,
    claim_balances,
    patient_balances,
    patient_dues,
)
from claimbridge.services.paper import post_paper
from claimbridge.services.patient_money import record_money, undo_money
from claimbridge.services.reports import ADJUDICATED, PATIENTS, UNSENT, ar_aging, bucket_of
from claimbridge.services.statements import patient_statements
from claimbridge.store import tables as t
from claimbridge.store.db import Store
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

D = Decimal
HAROLD, CIGNA_VISIT, BLUE_SHIELD_VISIT, LAST_VISIT = (
    "appt-5003",
    "appt-5001",
    "appt-5004",
    "appt-5005",
)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _money(store: Store, **fields: object) -> int:
    with store.transaction() as session:
        return record_money(session, read_money(fields, TODAY), "front desk").id


def _cigna_eob(clm01: str) -> dict[str, Any]:
    """CIGNA pays 180.00 of 233.00, leaves the patient 20.00; the claim is crossed over."""
    return {
        "payer": "62308", "check_number": "CG-1", "check_date": "2026-11-21",
        "claims": [{"claim": clm01, "lines": [
            {"line": 1, "paid": "140.00", "adjustments": [
                {"group": "CO", "reason": "45", "amount": "25.00"},
                {"group": "PR", "reason": "2", "amount": "20.00"}]},
            {"line": 2, "paid": "40.00", "adjustments": [
                {"group": "CO", "reason": "45", "amount": "8.00"}]},
        ]}],
    }  # fmt: skip


def _second_payer_paid(store: Store, clm01: str) -> None:
    """The Medigap plan CIGNA forwarded the claim to pays 15.00 and leaves 5.00 to the patient
    (its 835 names the same CLM01, so it is posted on the same claim)."""
    with store.transaction() as session:
        claim = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == clm01)).one()
        claim.crossed_over_to = "SX123"
        payer = session.scalars(select(t.PayerRow).where(t.PayerRow.payer_id == "SX123")).one()
        remittance = t.RemittanceRow(
            payer_id=payer.id, payer_identifier="SX123", method="CHK", amount=D("15.00"),
            trace_number="GAP-77", created_at=NOW,
        )  # fmt: skip
        session.add(remittance)
        session.flush()
        payment = t.PaymentRow(
            remittance_id=remittance.id, claim_id=claim.id, status_code="2",
            charge=claim.total_charge, paid=D("15.00"), created_at=NOW,
        )  # fmt: skip
        session.add(payment)
        session.flush()
        for group, reason, amount in (("OA", "23", "213.00"), ("PR", "1", "5.00")):
            session.add(t.AdjustmentRow(payment_id=payment.id, group_code=group,
                                        reason_code=reason, amount=D(amount)))  # fmt: skip


def _follower(store: Store, clm01: str, *, status: str, frequency: str) -> None:
    """Another claim following ``clm01`` (a void, or one cancelled), inserted as made."""
    followed = secondary_of(store, clm01, payer_id="SX123")
    with store.transaction() as session:
        row = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == followed)).one()
        row.status, row.frequency_code = status, frequency


def _credit(store: Store, patient_key: str, kind: str, amount: str) -> None:
    """Money on no claim (an appointment the practice has not billed yet)."""
    with store.transaction() as session:
        patient = session.scalars(select(t.PatientRow).where(t.PatientRow.key == patient_key)).one()
        session.add(t.PatientMoneyRow(
            kind=kind, patient_id=patient.id, method="cash" if kind != "write_off" else None,
            group_code="OA" if kind == "write_off" else None,
            reason_code="SB" if kind == "write_off" else None, amount=D(amount),
            received_on=TODAY, entered_at=NOW, entered_by="front desk",
        ))  # fmt: skip


def _ledger(store: Store) -> dict[str, str]:
    claims = billed(store)
    post_uhc(store, claims[SOFIA])  # the patient owes 20.00
    _money(store, kind="payment", amount="10.00", method="cash", claim=claims[SOFIA])
    _money(store, kind="refund", amount="3.00", method="cash", claim=claims[SOFIA])
    _money(store, kind="write_off", amount="2.00", reason="small_balance", claim=claims[SOFIA])
    undone = _money(store, kind="payment", amount="50.00", method="cash", claim=claims[SOFIA])
    with store.transaction() as session:
        undo_money(session, undone, "front desk", "entered twice")
    _follower(store, claims[SOFIA], status=ClaimStatus.SUBMITTED.value, frequency="8")  # a void

    with store.transaction() as session:  # Medicare, then the Medigap secondary, both paid
        post_paper(session, medicare_eob(claims[HAROLD]), "biller")
    secondary = secondary_of(store, claims[HAROLD])
    with store.transaction() as session:
        post_paper(session, medigap_eob(secondary), "biller")
    _money(store, kind="payment", amount="5.00", method="cash", claim=secondary)

    with store.transaction() as session:
        post_paper(session, _cigna_eob(claims[CIGNA_VISIT]), "biller")
    _second_payer_paid(store, claims[CIGNA_VISIT])
    _money(
        store, kind="write_off", amount="1.00", reason="small_balance", claim=claims[CIGNA_VISIT]
    )

    _money(store, kind="payment", amount="15.00", method="cash", claim=claims[BLUE_SHIELD_VISIT])
    with store.transaction() as session:  # a claim cancelled after its patient paid ahead
        row = session.get_one(t.ClaimRow, claim_id(store, claims[BLUE_SHIELD_VISIT]))
        row.status = ClaimStatus.CANCELLED.value
    _follower(store, claims[LAST_VISIT], status=ClaimStatus.CANCELLED.value, frequency="1")
    _credit(store, "pt-1004", "payment", "30.00")
    _credit(store, "pt-1001", "write_off", "4.00")
    _credit(store, "pt-1001", "refund", "6.00")
    return claims


def test_set_wise_balances_are_the_per_claim_ones_on_every_kind_of_claim(store: Store) -> None:
    claims = _ledger(store)
    with store.read() as session:
        every = list(session.scalars(select(t.ClaimRow.id)))
        one_by_one = {c: claim_balances(session, [c])[c] for c in every}
        together = claim_balances(session, every)
        set_wise = {
            claim: ClaimBalance(insurance, patient, adjudicated)
            for claim, insurance, patient, adjudicated in session.execute(balance_rows(true()))
        }
    assert set_wise == one_by_one == together
    # the ledger holds each case the rules tell apart
    crossed = set_wise[claim_id(store, claims[CIGNA_VISIT])]
    assert crossed == ClaimBalance(
        D("0.00"), D("4.00"), True
    )  # 5.00 from the second payer, less 1.00
    sofia = set_wise[claim_id(store, claims[SOFIA])]
    assert sofia == ClaimBalance(
        D("0.00"), D("11.00"), True
    )  # 20 − 10 + 3 − 2; the void passes nothing on
    cancelled = set_wise[claim_id(store, claims[BLUE_SHIELD_VISIT])]
    assert cancelled == ClaimBalance(D("0.00"), D("-15.00"), False)
    assert set_wise[claim_id(store, claims[HAROLD])].patient == D(
        "0.00"
    )  # the secondary carries it
    assert len({balance.insurance for balance in set_wise.values()}) >= 3


def test_patient_dues_are_the_patients_balances_and_their_statements(store: Store) -> None:
    _ledger(store)
    with store.read() as session:
        patients = list(session.scalars(select(t.PatientRow.id)))
        balances = patient_balances(session, patients)
        dues = patient_dues(session)
        statements = {s.patient_id: s for s in patient_statements(session, patients)}
        some = patient_dues(session, patients[:2])
    assert {due.patient_id: due.due for due in dues} == {
        patient: owed for patient, owed in balances.items() if owed != 0
    }
    for due in dues:
        assert (due.due, due.open_items) == (
            statements[due.patient_id].due, len(statements[due.patient_id].items)
        )  # fmt: skip
    assert len(dues) >= 3 and any(due.due < 0 for due in dues) and any(due.due > 0 for due in dues)
    assert some == [due for due in dues if due.patient_id in patients[:2]]


def test_a_crossover_payer_missing_from_the_master_list_still_counts_as_the_other_payer(
    store: Store,
) -> None:
    """The 835 of the payer a claim was crossed over to names a payer the master list does not
    have (its remittance has no payer id): what it paid and left still settles the claim, in the
    per-claim and the set-wise balances alike, as matching already took it for another payer's."""
    claims = _ledger(store)
    with store.transaction() as session:
        gap = session.scalars(
            select(t.RemittanceRow).where(t.RemittanceRow.trace_number == "GAP-77")
        )
        gap.one().payer_id = None
    crossed = claim_id(store, claims[CIGNA_VISIT])
    with store.read() as session:
        per_claim = claim_balances(session, [crossed])[crossed]
        set_wise = {row[0]: row[1:] for row in session.execute(balance_rows(true()))}[crossed]
    assert per_claim == ClaimBalance(D("0.00"), D("4.00"), True)
    assert tuple(set_wise) == (D("0.00"), D("4.00"), True)


def _per_claim_aging(session: Any, today: date) -> dict[tuple[str, str], dict[str, Decimal]]:
    """A/R aging worked out claim by claim with ``claim_balances`` and ``bucket_of``: the rule
    the report sums in SQL."""
    claim = t.ClaimRow
    rows = session.execute(
        select(claim.id, claim.status, t.PayerRow.name, t.PayerRow.payer_id)
        .add_columns(claim.submitted_at, claim.created_at)
        .join(t.PayerRow, t.PayerRow.id == claim.payer_id)
        .where(claim.status.not_in([status.value for status in UNSENT]))
    ).all()
    balances = claim_balances(session, [row.id for row in rows])
    table: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(D))
    for claim_id_, status, name, payer_id, sent, created in rows:
        bucket = bucket_of((today - (sent or created).date()).days)
        balance = balances[claim_id_]
        if balance.insurance and status not in ADJUDICATED:
            table[(name, payer_id)][bucket] += balance.insurance
        if balance.patient:
            table[PATIENTS][bucket] += balance.patient
    return table


def test_the_aging_report_sums_the_per_claim_balances_by_payer_and_bucket(store: Store) -> None:
    """The report is summed by the database; it gives what the per-claim rule gives, with
    claims first sent on each edge of a bucket (in UTC), one sent after ``today`` and one never
    stamped as sent (its creation counts)."""
    _ledger(store)
    today = date(2026, 12, 1)
    offsets = iter([-1, 0, 30, 31, 60, 61, 90, 91, 120, 121, 400])
    with store.transaction() as session:
        rows = session.scalars(select(t.ClaimRow).order_by(t.ClaimRow.id)).all()
        for row in rows:
            days = next(offsets, 45)
            sent = datetime(2026, 12, 1, 23, 59, tzinfo=UTC) - timedelta(days=days)
            row.submitted_at = sent if row.id != rows[-1].id else None
            row.created_at = sent - timedelta(hours=23, minutes=58)  # the day before, late
    with store.read() as session:
        expected = _per_claim_aging(session, today)
        report = ar_aging(session, today)
    found = {
        (row[0], row[1]): {
            label: D(cell)
            for label, cell in zip(report.headers[2:-1], row[2:-1], strict=True)
            if D(cell)
        }
        for row in report.rows
    }
    assert found == {key: {k: v for k, v in cells.items() if v} for key, cells in expected.items()}
    buckets = {label for cells in found.values() for label in cells}
    assert len(buckets) >= 3 and PATIENTS in found and len(found) >= 3
