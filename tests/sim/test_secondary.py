"""The simulator as a secondary payer (it pays what the 2430s left the patient) and as Medicare
crossing a claim over to the Medigap plan its 2320 names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import sample_claims
from sim_support import upload_and_process

from claimbridge.sim.scenarios import crossover_scenario
from claimbridge.x12.tx835_005010X221A1 import Loop2100, check_balance
from claimbridge.x12.tx837p_005010X222A1 import Claim, Name, OtherPayer, other_payer_from_835
from claimbridge.x12.validate import validate_text

MEDIGAP = OtherPayer(
    responsibility="S",
    filing_indicator="CI",
    subscriber=Name.person("Nguyen", "Harold"),
    subscriber_id="GS55512345",
    payer_name="GOLDEN STATE MEDIGAP",
    payer_id="SX123",
)


def _harold(number: str = "CB5003") -> Claim:
    """Harold Nguyen's visit billed to Medicare, naming the Medigap plan in 2320."""
    claim = sample_claims.claim(
        number,
        sample_claims.line("98941", "75.00", date(2026, 11, 5), "AT"),
        sample_claims.line("97140", "90.00", date(2026, 11, 5), "GP", "59", units="2"),
        payer_id="01182",
        member_id="1EG4TE5MK73",
    )
    return replace(claim, other_payers=(MEDIGAP,))


def _clean(text: str, office_ally: bool = True) -> None:
    """Our checks (Office Ally's envelope rules for an upload) and pyx12 find nothing."""
    assert validate_text(text, office_ally=office_ally).errors == ()
    assert validate_text(text, guide="pyx12").errors == ()


def _medigap_claim(medicare: Loop2100) -> Claim:
    """The claim to the Medigap plan carrying Medicare's answer, as the ledger makes it."""
    primary = _harold()
    found = other_payer_from_835(medicare, primary, adjudication_date=date(2026, 11, 12))
    payer = sample_claims.PAYERS["01182"]
    second = replace(
        primary,
        patient_control_number="CB5003S",
        payer=replace(payer, name="GOLDEN STATE MEDIGAP", payer_id="SX123",
                      filing_indicator="CI", responsibility="S"),
        lines=tuple(replace(line, control_number=f"CB5003S-{n}")
                    for n, line in enumerate(primary.lines, 1)),
        other_payers=(),
    )  # fmt: skip
    return found.apply(second)


def test_medicare_crosses_over_and_the_medigap_plan_pays_the_coinsurance(tmp_path: Path) -> None:
    text = sample_claims.file_text(sample_claims.batch(_harold()))
    _clean(text)
    run = upload_and_process(tmp_path, text, scenario=crossover_scenario())
    (_, medicare), (_, medigap) = run.claims("CB5003")
    assert medicare.clp.status_code == "19" and medicare.moa is not None
    assert medicare.moa.remark_codes == ("MA18",)
    carrier = medicare.crossover_carrier
    assert carrier is not None and (carrier.last_name, carrier.id) == ("GOLDEN STATE MEDIGAP",
                                                                         "SX123")  # fmt: skip
    assert (medicare.clp.paid, medicare.clp.patient_responsibility) == (
        Decimal("105.60"), Decimal("26.40"),
    )  # fmt: skip
    assert (medigap.clp.status_code, medigap.clp.paid) == ("2", Decimal("26.40"))
    assert {(a.group, a.reason) for line in medigap.service_lines for a in line.adjustments} == {
        ("OA", "23")
    }
    for name, remittances in run.eras().items():
        _clean(run.files[name], office_ally=False)
        assert all(check_balance(r) == () for r in remittances)


def test_a_secondary_claim_is_paid_what_the_primary_left(tmp_path: Path) -> None:
    first = upload_and_process(
        tmp_path / "1", sample_claims.file_text(sample_claims.batch(_harold()))
    )
    medicare = [claim for _, claim in first.claims("CB5003")]
    assert [c.clp.status_code for c in medicare] == ["1", "1"]  # paid across two ERAs
    merged = medicare[0]._replace(
        clp=medicare[0].clp._replace(
            charge=sum((c.clp.charge for c in medicare), Decimal(0)),
            paid=sum((c.clp.paid for c in medicare), Decimal(0)),
            patient_responsibility=sum(
                (c.clp.patient_responsibility or Decimal(0) for c in medicare), Decimal(0)
            ),
        ),
        service_lines=tuple(line for c in medicare for line in c.service_lines),
    )
    second = _medigap_claim(merged)
    text = sample_claims.file_text(sample_claims.batch(second), control_number=102)
    _clean(text)
    run = upload_and_process(tmp_path / "2", text)
    [(_, medigap)] = run.claims("CB5003S")
    assert (medigap.clp.status_code, medigap.clp.paid) == ("2", Decimal("26.40"))
    assert [line.svc.paid for line in medigap.service_lines] == [Decimal("12.00"), Decimal("14.40")]
    assert [sum(a.amount for a in line.adjustments) for line in medigap.service_lines] == [
        Decimal("63.00"), Decimal("75.60"),
    ]  # fmt: skip
