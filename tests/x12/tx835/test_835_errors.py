"""Bad values raise ``X12SyntaxError`` naming the place; out-of-place segments are kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx835_005010X221A1 import Remittance, to_json

pytestmark = pytest.mark.usefixtures("reading_loops")  # the C loops and the Python ones

ENVELOPE = (
    "ISA*00*          *00*          *ZZ*EXAMPLEPAYER   *ZZ*330897513      "
    "*250320*0900*^*00501*000000401*0*P*:~GS*HP*EXAMPLEPAYER*330897513*20250320*0900*401*X*"
    "005010X221A1~ST*835*0001~{body}SE*99*0001~GE*1*401~IEA*1*000000401~"
)
HEADER = [
    "BPR*C*80*C*CHK************20250320",
    "TRN*1*CHK1*1512345678",
    "N1*PR*EXAMPLE HEALTH PLAN",
    "N3*1 PAYER WAY",
    "N4*HARTFORD*CT*06101",
    "PER*BL*EDI*TE*8005550100",
    "N1*PE*SUNNY PATH CLINIC*XX*1234567893",
]
CLAIM = [
    "LX*1",
    "CLP*CB1*1*100*80*20*12*ICN1*11*1",
    "NM1*QC*1*DOE*JANE****MI*XYZ1",
    "DTM*050*20250305",
    "SVC*HC:99213*100*80**1",
    "DTM*472*20250301",
    "CAS*PR*3*20",
    "REF*6R*CB1-1",
    "LQ*HE*N130",
]
FOOTER = ["PLB*1234567893*20251231*L6*-1"]
SEGMENTS = HEADER + CLAIM + FOOTER


def text_of(segments: list[str]) -> str:
    return ENVELOPE.format(body="".join(s + "~" for s in segments))


def read(segments: list[str]) -> Remittance:
    (parsed,) = parse_text(text_of(segments))
    assert isinstance(parsed.value, Remittance)
    return parsed.value


def replaced(old: str, new: str) -> list[str]:
    assert old in SEGMENTS, old
    return [new if s == old else s for s in SEGMENTS]


def error_for(segments: list[str]) -> X12SyntaxError:
    with pytest.raises(X12SyntaxError) as caught:
        read(segments)
    return caught.value


def test_the_base_text_reads() -> None:
    remittance = read(SEGMENTS)
    assert remittance.claims[0].service_lines[0].line_control_number == "CB1-1"
    assert remittance.provider_adjustments[0].amount == Decimal("-1.00")


def test_a_claim_names_the_dates_it_was_served() -> None:
    statement = ["DTM*232*20250228", "DTM*233*20250301"]  # claim period; DTM*050 is not served
    period = ["SVC*HC:85025*0*0**1", "DTM*150*20250302", "DTM*151*20250303"]
    segments = [*HEADER, *CLAIM[:3], *statement, *CLAIM[3:], *period, *FOOTER]
    [claim] = read(segments).claims
    days = [dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2025, 3, 3)]
    assert claim.service_dates == tuple(days)  # the line's DTM*472 of 03-01 counted once
    assert read(SEGMENTS).claims[0].service_dates == (dt.date(2025, 3, 1),)


@pytest.mark.parametrize(
    ("old", "new", "segment_id", "element", "message"),
    [
        (CLAIM[1], "CLP*CB1*1*1O0*80*20*12*ICN1*11*1", "CLP", 3, "'1O0' is not a number"),
        (CLAIM[1], "CLP*CB1*1*100*80*NaN*12*ICN1*11*1", "CLP", 5, "'NaN' is not a number"),
        (CLAIM[4], "SVC*HC:99213*100*8,0**1", "SVC", 3, "'8,0' is not a number"),
        (CLAIM[4], "SVC*HC:99213*100*80**one", "SVC", 5, "'one' is not a number"),
        (CLAIM[6], "CAS*PR*3*2O", "CAS", 3, "'2O' is not a number"),
        (CLAIM[6], "CAS*PR*3*20*1*2*x", "CAS", 6, "'x' is not a number"),
        (HEADER[0], "BPR*C*$80*C*CHK************20250320", "BPR", 2, "'$80' is not a number"),
        (FOOTER[0], "PLB*1234567893*20251231*L6*-1.0.0", "PLB", 4, "'-1.0.0' is not a number"),
        (CLAIM[5], "DTM*472*20250231", "DTM", 2, "'20250231' is not a real date"),
        (CLAIM[3], "DTM*050*2025035", "DTM", 2, "'2025035' is not a date (CCYYMMDD)"),
        (FOOTER[0], "PLB*1234567893*2025-12-31*L6*-1", "PLB", 2, "not a date"),
    ],
)
def test_bad_amounts_and_dates_name_segment_and_element(
    old: str, new: str, segment_id: str, element: int, message: str
) -> None:
    error = error_for(replaced(old, new))
    assert (error.segment_position, error.segment_id) == (SEGMENTS.index(old) + 4, segment_id)
    assert error.element_position == element
    assert message in str(error)


def test_an_amount_already_read_well_is_no_excuse_for_a_bad_one() -> None:
    segments = replaced(CLAIM[6], "CAS*PR*3*20~CAS*CO*45*20x")
    error = error_for(segments)
    assert (error.segment_id, error.element_position) == ("CAS", 3)
    assert "'20x'" in str(error)


def test_a_cas_with_a_bad_amount_and_a_bad_quantity_names_the_amount_first() -> None:
    # Found by fuzzing: the C loop named CAS03, the Python loop CAS04
    error = error_for(replaced(CLAIM[6], "CAS*PR*3*2O*x"))
    assert (error.segment_id, error.element_position) == ("CAS", 3)
    assert "'2O'" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "element", "message"),
    [
        (CLAIM[1], "CLP**1*100*80*20*12*ICN1*11*1", 1, "CLP01"),
        (CLAIM[1], "CLP*CB1**100*80", 2, "CLP02"),
        (CLAIM[4], "SVC**100*80", 1, "SVC01"),
        (CLAIM[6], "CAS**3*20", 1, "CAS01"),
        (CLAIM[6], "CAS*PR**20", 2, "reason code"),
        (CLAIM[6], "CAS*PR*3", 3, "adjustment amount"),
        (CLAIM[8], "LQ*HE", 2, "LQ02"),
        (FOOTER[0], "PLB*1234567893*20251231*L6", 4, "a PLB reason and its amount"),
        (HEADER[1], "TRN*1**1512345678", 2, "TRN02"),
    ],
)
def test_required_elements(old: str, new: str, element: int, message: str) -> None:
    error = error_for(replaced(old, new))
    assert error.element_position == element
    assert "is required but empty" in str(error) and message in str(error)


def test_more_elements_than_the_standard_defines_are_refused() -> None:
    error = error_for(replaced(CLAIM[6], "CAS*PR" + "*3*1*1" * 6 + "*extra"))
    assert (error.segment_id, error.element_position) == ("CAS", 20)
    assert "X12 defines 19" in str(error)
    error = error_for(replaced(CLAIM[2], CLAIM[2] + "*****13"))
    assert (error.segment_id, error.element_position) == ("NM1", 13)


@pytest.mark.parametrize(
    ("drop", "missing"),
    [(HEADER[0], "BPR"), (HEADER[1], "TRN"), (HEADER[2], "N1*PR"), (HEADER[6], "N1*PE")],
)
def test_a_missing_header_segment_is_an_error(drop: str, missing: str) -> None:
    error = error_for([s for s in SEGMENTS if s != drop])
    assert f"{missing}" in str(error) and "missing from the 835 header" in str(error)


def test_a_missing_or_impossible_bpr16_is_none() -> None:
    bpr = read(replaced(HEADER[0], "BPR*C*80*C*CHK************20251399")).bpr
    assert (bpr.payment_date, bpr.payment_date_text) == (None, "20251399")
    assert read(replaced(HEADER[0], "BPR*C*80*C*CHK")).bpr.payment_date is None


def test_segments_out_of_place_are_kept_on_the_nearest_loop() -> None:
    segments = [
        *("BPR*C*80*C*CHK************20250320", "TRN*1*CHK1*1512345678", "ZZ1*HEADER"),
        *HEADER[2:6],
        *("RDM*EM*PAYER ONLY FOR PAYEE", "N1*PE*SUNNY PATH CLINIC*XX*1234567893", "PER*BL*X"),
        *("LX*1", "SVC*HC:1*1*1", "CLP*CB1*1*100*80*20*12*ICN1*11*1", "MOA***N1", "MOA***N2"),
        *("TS3*1*11*20251231*1*100", "SVC*HC:99213*100*80**1", "NM1*QC*1*DOE", "CAS*PR*3*20"),
        *FOOTER,
        *("CLP*CB9*1*1*1", "LX*2", "ZZ2*FOOTER"),
    ]
    remittance = read(segments)
    assert [s.id for s in remittance.other_segments] == ["ZZ1", "CLP", "LX", "ZZ2"]
    assert [s.id for s in remittance.payer.other_segments] == ["RDM"]
    assert [s.id for s in remittance.payee.other_segments] == ["PER"]
    (group,) = remittance.header_numbers
    assert [s.id for s in group.other_segments] == ["SVC"]
    (claim,) = group.claims
    assert claim.moa is not None and claim.moa.remark_codes == ("N1",)
    assert [(s.id, s.element(3)) for s in claim.other_segments] == [
        ("MOA", "N2"),
        ("TS3", "20251231"),
    ]
    (line,) = claim.service_lines
    assert [s.id for s in line.other_segments] == ["NM1"]
    assert line.other_segments[0].position == segments.index("NM1*QC*1*DOE") + 4
    kept = to_json(remittance)["other_segments"]
    assert [(k["loop"], k["id"]) for k in kept] == [
        ("header", "ZZ1"),
        ("1000A", "RDM"),
        ("1000B", "PER"),
        ("2000", "SVC"),
        ("2100", "MOA"),
        ("2100", "TS3"),
        ("2110", "NM1"),
        ("header", "CLP"),
        ("header", "LX"),
        ("header", "ZZ2"),
    ]
    assert kept[0] == {"loop": "header", "position": 6, "id": "ZZ1", "elements": ["HEADER"]}


def test_claims_without_lx_form_one_header_number_without_lx() -> None:
    remittance = read(HEADER + CLAIM[1:] + FOOTER)
    (group,) = remittance.header_numbers
    assert group.lx is None and len(group.claims) == 1


def test_patient_names_stay_out_of_repr() -> None:
    patient = read(SEGMENTS).claims[0].patient
    assert patient is not None and patient.last_name == "DOE"
    assert "DOE" not in repr(patient) and "XYZ1" not in repr(patient)
    assert "QC" in repr(patient)
