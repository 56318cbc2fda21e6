"""Every public 835 sample reads through ``read_file``; spot checks of what real payers send."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from claimbridge.x12.reader import read_file
from claimbridge.x12.tx835_005010X221A1 import Remittance, check_balance
from support import SAMPLES

SAMPLE_FILES = sorted((SAMPLES / "835").glob("*")) if (SAMPLES / "835").is_dir() else []


def remittances(samples_dir: Path, name: str) -> list[Remittance]:
    return [parsed.value for parsed in read_file(samples_dir / "835" / name)]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_reads_and_turns_into_json(path: Path) -> None:
    parsed = list(read_file(path))
    assert parsed and all(p.kind == "835" for p in parsed)
    for item in parsed:
        document = json.loads(json.dumps(item.to_json()))
        claims = item.value.claims
        assert len(document["claims"]) == len(claims)
        assert document["payment"]["amount"] == str(item.value.bpr.amount)


def test_the_samples_are_there(samples_dir: Path) -> None:
    assert len(list((samples_dir / "835").glob("*"))) >= 15


def test_multiple_interchanges_give_one_remittance_per_transaction_set(samples_dir: Path) -> None:
    found = remittances(samples_dir, "oopfactory__835_WithMultipleInterchanges.txt")
    assert [r.control_number for r in found] == ["8001", "9001", "10001"]
    assert [len(r.claims) for r in found] == [19, 23, 14]
    first = found[0]
    assert first.bpr.payment_method_code == "ACH"
    assert first.bpr.payment_date == dt.date(2012, 2, 1)
    assert [p.function_code for p in first.payer.contacts] == ["CX", "BL", "IC"]
    assert first.payer.contacts[1].number_qualifier_3 == "EM"


def test_component_separator_comes_from_the_isa(samples_dir: Path) -> None:
    first = remittances(samples_dir, "oopfactory__ExampleFromNth.txt")[0]
    line = first.claims[0].service_lines[1]
    assert (line.svc.procedure.qualifier, line.svc.procedure.code) == ("HC", "90716")
    assert line.svc.units == Decimal("9.999")
    assert line.line_control_number == "999X999999999999999999"
    assert [(r.qualifier, r.code) for r in line.remarks] == [("HE", "N1")]


def test_an_impossible_bpr16_is_kept_as_text(samples_dir: Path) -> None:
    (remittance,) = remittances(samples_dir, "lfh__managed-care.835")
    assert remittance.bpr.payment_date is None
    assert remittance.bpr.payment_date_text == "20002316"
    assert remittance.bpr.receiver_account_number == "144444"


def test_pharmacy_claims_keep_ndc_codes_and_reject_codes(samples_dir: Path) -> None:
    (remittance,) = remittances(samples_dir, "herophilus__835_Sample_Pharmacy.2014.txt")
    lines = [line for claim in remittance.claims for line in claim.service_lines]
    assert [(ln.svc.procedure.qualifier, ln.svc.procedure.code) for ln in lines] == [
        ("N4", "68382005501"),
        ("N4", "59746011306"),
        ("N4", "54092051902"),
    ]
    assert [r.code for ln in lines for r in ln.remarks if r.qualifier == "RX"] == ["65", "77"]
    assert remittance.payee.references[0].qualifier == "TJ"
    assert check_balance(remittance) == ()


def test_inpatient_retro_reversal_and_mia(samples_dir: Path) -> None:
    name = "herophilus__835_Inst_Sample_Inpatient_DRG_Retro_.txt"
    (remittance,) = remittances(samples_dir, name)
    reversal, correction = remittance.claims
    assert reversal.clp.status_code == "22"
    assert reversal.clp.charge == Decimal("-37617.33")
    assert reversal.clp.drg_code == "7753" and reversal.clp.drg_weight == Decimal("1.1919")
    assert reversal.adjustments[0].amount == Decimal("-36989.36")
    assert reversal.mia is not None
    assert reversal.mia.covered_days == Decimal("0")
    assert reversal.mia.drg_amount == Decimal("-19.37")
    assert reversal.mia.remark_codes == ("N689",)
    assert reversal.service_provider is not None and reversal.service_provider.id == "1234567890"
    assert [q.quantity for q in correction.quantities] == [Decimal("4")]
    assert check_balance(remittance) == ()


def test_medicare_part_a_provider_summaries(samples_dir: Path) -> None:
    (remittance,) = remittances(samples_dir, "lfh__medicare-part-a.835")
    first, second = remittance.header_numbers
    assert first.lx is not None and first.lx.number == "110212"
    assert first.ts3 is not None and first.ts3.total_claim_charge == Decimal("211366.97")
    assert first.ts3.amounts[9 - 6] == Decimal("138018.40")  # TS309, kept though "not used"
    assert first.ts2 is not None and first.ts2.amounts[:2] == (
        Decimal("2178.45"),
        Decimal("1919.71"),
    )
    assert second.ts2 is None and second.claims[0].moa is not None
    assert second.claims[0].moa.remark_codes == ("MA02",)
    (plb,) = remittance.provider_adjustments
    assert (plb.reason, plb.reference, plb.amount) == ("CV", "CP", Decimal("-1.27"))


def test_claims_without_amounts_read_as_zero(samples_dir: Path) -> None:
    (remittance,) = remittances(samples_dir, "oopfactory__Example1.txt")
    last = remittance.claims[-1]
    assert (last.clp.patient_control_number, last.clp.status_code) == ("090909", "22")
    assert (last.clp.charge, last.clp.paid, last.clp.patient_responsibility) == (
        Decimal("0.00"),
        Decimal("0.00"),
        None,
    )
    (imbalance,) = check_balance(remittance)  # this 4010-era sample does not balance
    assert (imbalance.reported, imbalance.computed) == (Decimal("5.75"), Decimal("7.02"))
