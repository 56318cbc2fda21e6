"""Our synthetic 835 files, named by scenario, read into exact values and JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from claimbridge.x12.reader import read_file
from claimbridge.x12.tx835_005010X221A1 import Adjustment, Remittance, check_balance, to_json

D = Decimal


def read(path: Path) -> list[Remittance]:
    return [parsed.value for parsed in read_file(path)]


@pytest.fixture
def paid_and_denied(test_data: Path) -> Remittance:
    (remittance,) = read(test_data / "835" / "paid-and-denied-with-plb.835")
    return remittance


def test_payment_header(paid_and_denied: Remittance) -> None:
    bpr, trn = paid_and_denied.bpr, paid_and_denied.trn
    assert (bpr.transaction_handling_code, bpr.amount, bpr.credit_debit_flag) == (
        "I",
        D("87.50"),
        "C",
    )
    assert (bpr.payment_method_code, bpr.payment_format_code) == ("ACH", "CCP")
    assert (bpr.sender_dfi_qualifier, bpr.sender_dfi_number) == ("01", "011000015")
    assert (bpr.sender_account_qualifier, bpr.sender_account_number) == ("DA", "123456789")
    assert bpr.originating_company_id == "1512345678"
    assert (bpr.receiver_dfi_number, bpr.receiver_account_number) == ("021000021", "987654321")
    assert bpr.payment_date == dt.date(2025, 3, 20) and bpr.payment_date_text == "20250320"
    assert bpr.position == 4
    assert (trn.trace_type_code, trn.trace_number, trn.originating_company_id) == (
        "1",
        "EFT55501",
        "1512345678",
    )
    assert [(r.qualifier, r.value) for r in paid_and_denied.references] == [("EV", "330897513")]
    assert paid_and_denied.production_date == dt.date(2025, 3, 18)


def test_payer_and_payee_loops(paid_and_denied: Remittance) -> None:
    payer, payee = paid_and_denied.payer, paid_and_denied.payee
    assert payer.n1.name == "EXAMPLE HEALTH PLAN"
    assert payer.n3 is not None and payer.n3.address_2 == "SUITE 100"
    assert payer.n4 is not None and (payer.n4.city, payer.n4.postal_code) == ("HARTFORD", "06101")
    assert [(r.qualifier, r.value) for r in payer.references] == [("2U", "EHP01")]
    assert [(p.function_code, p.number_1) for p in payer.contacts] == [
        ("CX", "8005550101"),
        ("BL", "8005550100"),
        ("IC", "WWW.EXAMPLE.COM"),
    ]
    assert (payer.contacts[1].number_qualifier_2, payer.contacts[1].number_2) == (
        "EM",
        "EDI@EXAMPLE.COM",
    )
    assert payer.contacts[2].number_qualifier_1 == "UR"
    assert (payee.n1.id_qualifier, payee.n1.id) == ("XX", "1234567893")
    assert [(r.qualifier, r.value) for r in payee.references] == [("TJ", "123456789")]


def test_paid_claim_with_two_lines(paid_and_denied: Remittance) -> None:
    group = paid_and_denied.header_numbers[0]
    assert group.lx is not None and group.lx.number == "1"
    paid = group.claims[0]
    clp = paid.clp
    assert (clp.patient_control_number, clp.status_code) == ("CB2001", "1")
    assert (clp.charge, clp.paid, clp.patient_responsibility) == (
        D("200.00"),
        D("120.00"),
        D("30.00"),
    )
    assert (clp.claim_filing_indicator, clp.payer_claim_control_number) == ("12", "ICN20001")
    assert (clp.facility_type_code, clp.frequency_code) == ("11", "1")
    assert [n.entity_code for n in paid.names] == ["QC", "IL", "82"]
    assert paid.patient is not None and paid.patient.middle_name == "Q"
    assert paid.insured is not None and paid.insured.id == "XYZ123456700"
    assert paid.service_provider is not None and paid.service_provider.id == "1588667638"
    assert paid.moa is not None and paid.moa.remark_codes == ("MA01", "N210")
    assert [(d.qualifier, d.date) for d in paid.dates] == [
        ("232", dt.date(2025, 2, 25)),
        ("233", dt.date(2025, 2, 25)),
        ("050", dt.date(2025, 3, 5)),
    ]
    assert [(a.qualifier, a.amount) for a in paid.amounts] == [("AU", D("200.00"))]
    assert paid.adjustments == ()


def test_first_line_keeps_svc06_remarks_and_line_control_number(
    paid_and_denied: Remittance,
) -> None:
    line = paid_and_denied.claims[0].service_lines[0]
    svc = line.svc
    assert (svc.procedure.qualifier, svc.procedure.code, svc.procedure.modifiers) == (
        "HC",
        "99214",
        ("25",),
    )
    assert (svc.charge, svc.paid, svc.units, svc.units_paid) == (
        D("150.00"),
        D("90.00"),
        D("1"),
        D("1"),
    )
    assert svc.original_procedure is not None
    assert (svc.original_procedure.code, svc.original_procedure.modifiers) == ("99215", ("25",))
    assert svc.original_units is None
    assert line.service_date == dt.date(2025, 2, 25)
    assert line.adjustments == (
        Adjustment("CO", "45", D("40.00"), None, 31),
        Adjustment("PR", "3", D("20.00"), None, 32),
    )
    assert line.line_control_number == "CB2001-1" and line.references == ()
    assert [(a.qualifier, a.amount) for a in line.amounts] == [("B6", D("110.00"))]
    assert [(r.qualifier, r.code) for r in line.remarks] == [("HE", "N130"), ("HE", "M15")]


def test_second_line_flattens_a_cas_with_two_triplets(paid_and_denied: Remittance) -> None:
    line = paid_and_denied.claims[0].service_lines[1]
    assert line.svc.units == D("2") and line.svc.original_units == D("3")
    assert line.svc.original_procedure is None
    assert line.adjustments == (
        Adjustment("CO", "45", D("8.00"), None, 39),
        Adjustment("CO", "253", D("2.00"), None, 39),
        Adjustment("PR", "1", D("10.00"), D("1"), 40),
    )
    assert line.line_control_number == "CB2001-2"
    assert [(r.qualifier, r.value) for r in line.references] == [("LU", "11")]


def test_denied_claim_without_lines(paid_and_denied: Remittance) -> None:
    denied = paid_and_denied.claims[1]
    assert (denied.clp.status_code, denied.clp.paid) == ("4", D("0.00"))
    assert denied.adjustments == (Adjustment("CO", "50", D("90.00"), None, 44),)
    assert denied.service_lines == ()
    assert denied.moa is not None and denied.moa.remark_codes == ("N130",)


def test_provider_adjustments_flatten_every_pair(paid_and_denied: Remittance) -> None:
    found = [
        (p.provider_id, p.fiscal_period_end, p.reason, p.reference, p.amount, p.position)
        for p in paid_and_denied.provider_adjustments
    ]
    year_end = dt.date(2025, 12, 31)
    assert found == [
        ("1234567893", year_end, "L6", "", D("-2.50"), 48),
        ("1234567893", year_end, "WO", "ICN19999", D("30.00"), 48),
        ("1234567893", year_end, "FB", "ICN18888", D("5.00"), 49),
    ]
    assert check_balance(paid_and_denied) == ()


def test_json_shape(paid_and_denied: Remittance) -> None:
    document = to_json(paid_and_denied)
    assert document["payer"]["name"] == "EXAMPLE HEALTH PLAN"
    assert document["payee"]["id"] == "1234567893"
    assert {k: document["payment"][k] for k in ("method", "amount", "trace_number", "date")} == {
        "method": "ACH",
        "amount": "87.50",
        "trace_number": "EFT55501",
        "date": "2025-03-20",
    }
    first, second = document["claims"]
    assert {k: first[k] for k in ("patient_control_number", "status_code", "charge", "paid")} == {
        "patient_control_number": "CB2001",
        "status_code": "1",
        "charge": "200.00",
        "paid": "120.00",
    }
    assert (first["patient_responsibility"], first["payer_claim_control_number"]) == (
        "30.00",
        "ICN20001",
    )
    assert second["adjustments"] == [
        {"group": "CO", "reason": "50", "amount": "90.00", "quantity": None}
    ]
    line = first["service_lines"][1]
    assert {k: line[k] for k in ("procedure", "modifiers", "charge", "paid", "units")} == {
        "procedure": "85025",
        "modifiers": [],
        "charge": "50.00",
        "paid": "30.00",
        "units": "2",
    }
    assert line["line_control_number"] == "CB2001-2"
    assert line["adjustments"][2] == {
        "group": "PR",
        "reason": "1",
        "amount": "10.00",
        "quantity": "1",
    }
    assert first["service_lines"][0]["remarks"] == [
        {"qualifier": "HE", "code": "N130"},
        {"qualifier": "HE", "code": "M15"},
    ]
    assert first["service_lines"][0]["original_procedure"]["code"] == "99215"
    assert document["provider_adjustments"][1] == {
        "provider_id": "1234567893",
        "fiscal_period_end": "2025-12-31",
        "reason": "WO",
        "reference": "ICN19999",
        "amount": "30.00",
    }


def test_reversal_and_correction(test_data: Path) -> None:
    (remittance,) = read(test_data / "835" / "reversal-and-correction.835")
    reversal, correction = remittance.claims
    assert reversal.clp.patient_control_number == correction.clp.patient_control_number == "CB3001"
    assert (reversal.clp.status_code, reversal.clp.charge, reversal.clp.paid) == (
        "22",
        D("-150.00"),
        D("-100.00"),
    )
    assert reversal.clp.patient_responsibility == D("-20.00")
    (reversed_line,) = reversal.service_lines
    assert reversed_line.svc.units == D("-1")
    assert [a.amount for a in reversed_line.adjustments] == [D("-30.00"), D("-20.00")]
    assert reversal.corrected_patient is not None
    assert reversal.corrected_patient.first_name == "JANET"
    assert (correction.clp.status_code, correction.clp.payer_claim_control_number) == (
        "1",
        "ICN30002",
    )
    assert remittance.bpr.amount == reversal.clp.paid + correction.clp.paid == D("10.00")
    assert remittance.bpr.payment_method_code == "CHK"
    assert check_balance(remittance) == ()


def test_multi_transaction_file(test_data: Path) -> None:
    first, second = read(test_data / "835" / "multi-transaction.835")
    assert (first.control_number, first.trn.trace_number) == ("0001", "CHK800001")
    assert (second.control_number, second.trn.trace_number) == ("0002", "NP800002")
    forwarded = first.claims[0]
    assert forwarded.crossover_carrier is not None
    assert forwarded.crossover_carrier.last_name == "SECOND PAYER INC"
    svc = forwarded.service_lines[0].svc
    assert svc.procedure.modifiers == ("GP",)
    assert svc.original_procedure is not None and svc.original_procedure.code == "97110"
    assert svc.original_units == D("3")
    assert second.cur is not None and second.cur.exchange_rate == D("1")
    assert second.payee.rdm is not None and second.payee.rdm.communication_number == (
        "BILLING@EXAMPLE.ORG"
    )
    (group,) = second.header_numbers
    assert group.ts3 is not None
    assert (group.ts3.fiscal_period_end, group.ts3.total_claim_count) == (
        dt.date(2025, 12, 31),
        D("1"),
    )
    assert group.ts3.amounts[13 - 6] == D("50.00") and group.ts3.amounts[23 - 6] == D("2")
    assert group.ts2 is not None and group.ts2.amounts[:3] == (D("100.00"), D("50.00"), None)
    mia = group.claims[0].mia
    assert mia is not None
    assert (mia.covered_days, mia.lifetime_psychiatric_days, mia.drg_amount) == (
        D("2"),
        D("0"),
        D("150.00"),
    )
    assert mia.cost_report_day_count == D("2") and mia.remark_codes == ("MA130", "MA61")
    assert check_balance(first) == () and check_balance(second) == ()
