"""``other_payer_from_835``: a primary payer's 835 claim → the COB loops of the secondary claim."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from tx837p_examples import JANE, as_written, build, claim, line, read_claims, segments

from claimbridge.errors import X12ValidationError
from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx835_005010X221A1 import Loop2100, Remittance
from claimbridge.x12.tx837p_005010X222A1 import (
    Adjustment,
    AdjustmentGroup,
    Claim,
    Payer,
    other_payer_from_835,
)
from support import need

PAID_ON = date(2025, 3, 20)
SECONDARY = Payer(name="Golden State Medigap", payer_id="SX123", responsibility="S")


def remittance(claim_segments: list[str]) -> Loop2100:
    """The one claim of a synthetic 835 holding ``claim_segments`` (CLP and what follows)."""
    body = [
        "ST*835*0001",
        "BPR*C*80*C*CHK************20250320",
        "TRN*1*CHK100234*1512345678",
        "N1*PR*EXAMPLE HEALTH PLAN",
        "N3*1 PAYER WAY",
        "N4*HARTFORD*CT*06101",
        "PER*BL*EDI SUPPORT*TE*8005550100",
        "N1*PE*SUNNY PATH CLINIC*XX*1234567893",
        "LX*1",
        *claim_segments,
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    text = "~".join(
        [
            "ISA*00*          *00*          *ZZ*EXAMPLEPAYER   *ZZ*123456789      "
            "*250320*0900*^*00501*000000777*0*P*:",
            "GS*HP*EXAMPLEPAYER*123456789*20250320*0900*777*X*005010X221A1",
            *body,
            "GE*1*777",
            "IEA*1*000000777",
        ]
    )
    (parsed,) = list(parse_text(text + "~"))
    assert isinstance(parsed.value, Remittance)
    (claim_payment,) = parsed.value.claims
    return claim_payment


PAID_BY_LINE = [
    "CLP*CB1001*1*240*130*30*12*PAYERICN0001*11*1",
    "NM1*QC*1*DOE*JANE****MI*XYZ123456789",
    "SVC*HC:99213*150*80**1",
    "DTM*472*20250225",
    "CAS*CO*45*50",
    "CAS*PR*3*20",
    "REF*6R*CB1001-1",
    "SVC*HC:97110:GP*90*50**2",
    "DTM*472*20250225",
    "CAS*CO*45*30",
    "CAS*PR*2*10",
]


def sent_claim() -> Claim:
    return claim(
        lines=(
            line(),
            line(
                procedure_code="97110",
                modifiers=("GP",),
                charge=Decimal(90),
                units=Decimal(2),
                control_number="",
            ),
        )
    )


def secondary_of(sent: Claim) -> Claim:
    return dataclasses.replace(sent, payer=SECONDARY)


def test_line_level_adjudication_becomes_2320_and_2430() -> None:
    sent = sent_claim()
    result = other_payer_from_835(remittance(PAID_BY_LINE), sent, adjudication_date=PAID_ON)
    other = result.other_payer
    assert (other.payer_name, other.payer_id) == ("Example Health Plan", "99999")
    assert (other.responsibility, other.relationship, other.filing_indicator) == ("P", "18", "CI")
    assert (other.subscriber, other.subscriber_id) == (JANE.name, JANE.member_id)
    assert (other.paid_amount, other.remaining_patient_liability) == (Decimal(130), Decimal(30))
    assert other.adjustments == ()
    assert other.claim_control_number == "PAYERICN0001"
    first, second = result.line_adjudications
    assert [a.paid_amount for a in (*first, *second)] == [Decimal(80), Decimal(50)]
    assert first[0].adjustments == (
        AdjustmentGroup(group="CO", adjustments=(Adjustment(reason="45", amount=Decimal(50)),)),
        AdjustmentGroup(group="PR", adjustments=(Adjustment(reason="3", amount=Decimal(20)),)),
    )
    assert (second[0].procedure_code, second[0].modifiers) == ("97110", ("GP",))
    assert (second[0].paid_units, second[0].remaining_patient_liability) == (2, Decimal(10))
    assert {a.payer_id for a in (*first, *second)} == {"99999"}
    assert {a.adjudication_date for a in (*first, *second)} == {PAID_ON}


def test_the_secondary_claim_is_valid_and_reads_back() -> None:
    sent = sent_claim()
    result = other_payer_from_835(remittance(PAID_BY_LINE), sent, adjudication_date=PAID_ON)
    secondary = result.apply(secondary_of(sent))
    text = build(secondary)
    found = segments(text)
    assert "SVD*99999*80*HC:99213**1" in found
    assert "SVD*99999*50*HC:97110:GP**2" in found
    assert "AMT*D*130" in found and "AMT*EAF*30" in found
    assert "NM1*PR*2*GOLDEN STATE MEDIGAP*****PI*SX123" in found
    assert read_claims(text) == [as_written(secondary)]
    need(pyx12_available(), "pyx12 is not installed")
    assert pyx12_problems(text) == []


def test_claim_level_adjudication_needs_no_lines() -> None:
    sent = claim()
    payment = remittance(
        ["CLP*CB1001*1*150*90*60*12*ICN9*11*1", "CAS*CO*45*0", "CAS*PR*1*40**2*20"]
    )
    result = other_payer_from_835(payment, sent, adjudication_date=PAID_ON)
    assert result.line_adjudications == ((),)
    assert [g.group for g in result.other_payer.adjustments] == ["CO", "PR"]
    assert [a.reason for a in result.other_payer.adjustments[1].adjustments] == ["1", "2"]
    text = build(result.apply(secondary_of(sent)))
    assert "DTP*573*D8*20250320" in segments(text)
    need(pyx12_available(), "pyx12 is not installed")
    assert pyx12_problems(text) == []


def test_many_adjustments_of_one_group_fill_several_cas_segments() -> None:
    reasons = "".join(f"*{n}*1*" for n in range(1, 7))
    payment = remittance(
        ["CLP*CB1001*1*150*140*10*12*ICN9*11*1", f"CAS*PR{reasons}", "CAS*PR*45*3", "CAS*OA*23*1"]
    )
    result = other_payer_from_835(
        payment, claim(), adjudication_date=PAID_ON
    ).other_payer.adjustments
    assert [(g.group, len(g.adjustments)) for g in result] == [("PR", 6), ("PR", 1), ("OA", 1)]


@pytest.mark.parametrize(
    ("claim_segments", "message"),
    [
        (["CLP*CB9999*1*150*150*0*12*ICN*11*1"], "the 835 claim is 'CB9999'"),
        (["CLP*CB1001*22*-150*-80*0*12*ICN*11*1"], "reversal"),
        (["CLP*CB1001*19*150*80*20*12*ICN*11*1", "CAS*CO*45*70"], "forwarded the claim"),
        (
            ["CLP*CB1001*1*150*80*0*12*ICN*11*1", "SVC*HC:99214*150*80**1", "CAS*CO*45*70"],
            r"line 1 \(99213\): no service line of the 835 matches it",
        ),
        (
            ["CLP*CB1001*1*150*80*0*12*ICN*11*1", "SVC*HC:99213*150*80**1", "CAS*CO*45*60"],
            r"line 1: paid 80.00 \+ adjustments 60.00 differ from our charge 150",
        ),
        (
            ["CLP*CB1001*1*150*80*0*12*ICN*11*1", "CAS*CO*45*60"],
            r"paid 80.00 \+ claim adjustments 60.00 \+ line adjustments 0 differ from our charge",
        ),
        (
            [
                "CLP*CB1001*1*150*80*0*12*ICN*11*1",
                "SVC*HC:99213*150*80**1",
                "CAS*CO*45*70",
                "SVC*HC:99211*0*0**1",
            ],
            "the 835 pays 1 line",
        ),
    ],
)
def test_refuses_what_cannot_make_a_balanced_secondary(
    claim_segments: list[str], message: str
) -> None:
    with pytest.raises(X12ValidationError, match=message):
        other_payer_from_835(remittance(claim_segments), claim(), adjudication_date=PAID_ON)


def test_apply_needs_the_same_lines() -> None:
    result = other_payer_from_835(remittance(PAID_BY_LINE), sent_claim(), adjudication_date=PAID_ON)
    with pytest.raises(X12ValidationError, match="the lines must be the same"):
        result.apply(claim())
