"""What each appointment was billed (a replacement or a void does not bill the visit again), and
what its patient owes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from claimbridge.domain.patient_money import MoneyIn, MoneyKind, PayMethod
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import Resubmission, resubmit, take_off_edi
from claimbridge.services.ingest import ingest_paths
from claimbridge.services.patient_money import record_money
from claimbridge.services.post import AppointmentTotals, appointment_totals
from claimbridge.store.db import Store
from cycle_support import NOW, answered


def _totals(store: Store) -> dict[int, AppointmentTotals]:
    with store.read() as session:
        return {a.appointment_id: a for a in appointment_totals(session, [1, 2, 3, 4, 5])}


def test_a_replacement_or_a_void_bills_the_visit_once(store: Store, tmp_path: Path) -> None:
    run = answered(store, tmp_path / "oa")
    ingest_paths(store, run.outbound)
    before = _totals(store)
    assert before[1].charge == Decimal("233.00")
    with store.transaction() as session:
        replacement = resubmit(session, "CB000001", Resubmission.REPLACEMENT, "biller", NOW.date())
        resubmit(session, "CB000003", Resubmission.VOID, "biller", NOW.date())
    after = _totals(store)
    assert after[1].charge == Decimal("233.00")  # the replacement, not the original again
    assert after[1].insurance_paid == before[1].insurance_paid  # the money that moved stays
    assert after[3].charge == Decimal("0.00")  # voided: the visit is billed nothing
    with store.transaction() as session:  # the replacement is not sent after all
        take_off_edi(
            session, replacement.patient_control_number, ClaimStatus.CANCELLED, "no", "biller"
        )
    assert _totals(store)[1].charge == Decimal("233.00")  # the original bills it again


def test_the_patient_owes_what_no_next_payer_took_over_less_what_they_paid(
    store: Store, tmp_path: Path
) -> None:
    run = answered(store, tmp_path / "oa")
    ingest_paths(store, run.outbound)
    totals = _totals(store)
    assert totals[1].patient_owes == Decimal("25.00")  # Cigna's copay
    # Medicare left 26.40 to the patient, which went on to the Medigap claim (CB000003S)
    assert (totals[3].insurance_paid, totals[3].patient_owes) == (Decimal("105.60"), Decimal(0))
    with store.transaction() as session:
        cash = MoneyIn(MoneyKind.PAYMENT, Decimal("10.00"), NOW.date(), PayMethod.CASH)
        record_money(session, replace(cash, appointment="appt-5001"), "front desk")
    assert _totals(store)[1].patient_owes == Decimal("15.00")
