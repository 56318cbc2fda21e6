from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from claimbridge.x12.envelope import TransactionSet
from claimbridge.x12.envelope_build import InterchangeParams
from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.reader import Parsed, parse_text, read_file
from claimbridge.x12.tokenizer import parse_segments
from claimbridge.x12.tx835_005010X221A1 import Adjustment, Remittance, check_balance
from claimbridge.x12.tx835_005010X221A1.build import build_835
from support import SAMPLES, need

# Public samples pyx12 finds valid, and those with known payer mistakes (kept as they are).
VALID = [
    "herophilus__835Sample_OutpatientRetro_.txt",
    "herophilus__835_Inst_Sample_Inpatient_DRG_Retro_.txt",
    "herophilus__835_Sample_Institutional_Claims_only_.2014.txt",
    "herophilus__835_Sample_Pharmacy.2014.txt",
    "herophilus__835_Sample_Professional_Claims_only-no_payment_.2014.txt",
    "herophilus__835_Sample_Professional_Claims_only-w_payment_.2014.txt",
    "pyx12__835_mult_loops.txt",
]
FLAWED = [
    "lfh__cob-contractural-adjustment.835",
    "lfh__managed-care.835",
    "lfh__medicare-part-a.835",
    "lfh__secondary-payment.835",
    "lfh__tertiary-payment.835",
]


def params_like(parsed: Parsed) -> InterchangeParams:
    """Envelope values of ``parsed``'s interchange, so positions in the rebuilt file match."""
    envelope = parsed.envelope
    assert isinstance(envelope, TransactionSet)
    isa = envelope.interchange
    return InterchangeParams(
        sender_id=isa.sender_id,
        receiver_id=isa.receiver_id,
        sender_qualifier=isa.sender_qualifier,
        receiver_qualifier=isa.receiver_qualifier,
        interchange_control_number=int(isa.control_number),
        group_control_number=int(envelope.group.control_number),
        created=datetime(2026, 11, 20, 9, 30),
        functional_id="",
        version="",
    )


def read_sample(name: str) -> tuple[list[Remittance], InterchangeParams]:
    need(SAMPLES.is_dir(), f"the shared X12 samples are not at {SAMPLES}")
    parsed = list(read_file(SAMPLES / "835" / name))
    return [p.value for p in parsed], params_like(parsed[0])


def reparse(text: str) -> list[Remittance]:
    return [p.value for p in parse_text(text)]


def without_positions(value: Any) -> Any:
    """``value`` with every ``position`` set to 0, so built and parsed values compare."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        fields = {name: without_positions(getattr(value, name)) for name in value._fields}
        if "position" in fields:
            fields["position"] = 0
        return type(value)(**fields)
    if isinstance(value, tuple | list):
        return type(value)(without_positions(v) for v in value)
    return value


@pytest.mark.parametrize("name", VALID + FLAWED)
def test_parse_build_parse_gives_the_same_remittances(name: str) -> None:
    remittances, params = read_sample(name)
    assert reparse(build_835(remittances, params)) == remittances


@pytest.mark.parametrize("name", VALID)
def test_rebuilt_valid_samples_stay_valid(name: str) -> None:
    need(pyx12_available(), "pyx12 is not installed")
    remittances, params = read_sample(name)
    assert [str(p) for p in pyx12_problems(build_835(remittances, params))] == []


def test_values_made_by_hand_regroup_cas_and_plb_into_segments() -> None:
    remittances, params = read_sample("herophilus__835Sample_OutpatientRetro_.txt")
    flat = without_positions(remittances)
    text = build_835(flat, params)
    assert without_positions(reparse(text)) == flat
    original = Path(SAMPLES / "835" / "herophilus__835Sample_OutpatientRetro_.txt")
    counts = [_count(original.read_text(), tag) for tag in ("CAS", "PLB")]
    assert [_count(text, tag) for tag in ("CAS", "PLB")] == counts


def _count(text: str, tag: str) -> int:
    return sum(1 for segment in parse_segments(text) if segment.id == tag)


def test_more_than_six_adjustments_take_a_second_segment() -> None:
    remittances, params = read_sample(VALID[-2])
    remittance = without_positions(remittances[0])
    claim = remittance.claims[0]
    line = claim.service_lines[0]
    extra = tuple(Adjustment("CO", str(45 + n), Decimal("0.00"), None, 0) for n in range(7))
    lines = (line._replace(adjustments=line.adjustments + extra), *claim.service_lines[1:])
    group = remittance.header_numbers[0]
    claims = (claim._replace(service_lines=lines), *group.claims[1:])
    changed = remittance._replace(header_numbers=(group._replace(claims=claims),))
    text = build_835([changed], params)
    co = [s for s in parse_segments(text) if s.id == "CAS" and s.element(1) == "CO"]
    assert len(co) >= 2 and all(len(s.fields) <= 20 for s in co)
    assert without_positions(reparse(text)) == [changed]
    assert check_balance(reparse(text)[0]) == check_balance(changed)
