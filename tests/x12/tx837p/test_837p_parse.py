"""The 837P reader on public sample files (005010X222, X222A1, X222A2) and on broken input."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tx837p_examples import MINIMAL_FILE, read_claims, transactions

from claimbridge.errors import X12Error, X12SyntaxError
from claimbridge.x12.reader import parse_text, read_file
from claimbridge.x12.tx837p_005010X222A1 import (
    Adjustment,
    AdjustmentGroup,
    ClaimTransaction,
    Name,
    to_json,
)
from support import SAMPLES, need

SAMPLE_DIR = SAMPLES / "837P"

# The files their projects wrote as negative tests (SOURCES.md): reading may fail, but only
# with an X12Error.
INTENTIONALLY_INVALID = {
    "imsweb__x12_ambiguous_loop.txt",
    "imsweb__x12_bad_first_line.txt",
    "imsweb__x12_bad_segment_identifier.txt",
    "imsweb__x12_bad_valid_code.txt",
    "imsweb__x12_loop_errors1_exceeds_max_1_parent.txt",
    "imsweb__x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt",
    "imsweb__x12_loop_errors3_missing_loops.txt",
    "imsweb__x12_missing_elements.txt",
    "imsweb__x12_missing_required_loop_in_one_repeat.txt",
    "imsweb__x12_missing_required_loops_mult_repeats.txt",
    "imsweb__x12_no_isa_line.txt",
    "imsweb__x12_segment_errors.txt",
    "imsweb__x12_segments_out_of_order.txt",
    "oopfactory__MissingEntityCode.txt",
}


# Re-keyed TR3 examples whose ISA16 says ':' while their composites use '>': read as declared,
# so their procedure codes stay inside the qualifier ('HC>98940').
OTHER_COMPONENT_SEPARATOR_IN_BODY = {
    "lfh__demo.cob.2ndary.example4.837",
    "lfh__demo.example11.837",
    "lfh__demo.example12.837",
    "lfh__demo.example6.837",
    "lfh__demo.example9.837",
}


def sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLE_DIR.iterdir()) if SAMPLE_DIR.is_dir() else []


def read_sample(name: str) -> list[ClaimTransaction]:
    need(SAMPLE_DIR.is_dir(), f"the shared X12 samples are not at {SAMPLE_DIR}")
    found = []
    for parsed in read_file(SAMPLE_DIR / name):
        assert parsed.kind == "837P"
        assert isinstance(parsed.value, ClaimTransaction)
        parsed.to_json()
        found.append(parsed.value)
    return found


@pytest.mark.parametrize("name", sorted(set(sample_names()) - INTENTIONALLY_INVALID))
def test_reads_every_well_formed_sample(name: str) -> None:
    read = read_sample(name)
    claims = [c for t in read for c in t.batch.claims]
    assert claims, "every sample holds claims"
    for claim in claims:
        assert claim.patient_control_number
        assert claim.lines
        codes = [line.procedure_code for line in claim.lines]
        assert all(codes) != (name in OTHER_COMPONENT_SEPARATOR_IN_BODY)


@pytest.mark.parametrize("name", sorted(INTENTIONALLY_INVALID & set(sample_names())))
def test_invalid_samples_read_or_fail_with_an_x12_error(name: str) -> None:
    try:
        read_sample(name)
    except X12Error as error:
        assert str(error)


def test_the_broken_samples_that_cannot_be_read_say_why() -> None:
    with pytest.raises(X12SyntaxError, match="does not start with an ISA"):
        read_sample("imsweb__x12_no_isa_line.txt")
    with pytest.raises(X12SyntaxError, match="is not a segment id"):
        read_sample("imsweb__x12_bad_segment_identifier.txt")


@pytest.mark.parametrize(
    ("name", "transactions_count", "claims_count"),
    [
        ("imsweb__x12_many_claims.txt", 1, 820),
        ("imsweb__x12_complex.txt", 2, 6),
        ("imsweb__x12_multiple_gs.txt", 3, 6),
        ("imsweb__x12_multiple_isa.txt", 2, 4),
        ("imsweb__x12_multiple_st.txt", 2, 4),
        ("imsweb__x12_multiple_transactions.txt", 312, 624),
        ("oopfactory__Example1_2_And_3_Combined.txt", 2, 3),
        ("oopfactory__MedicaidExample.txt", 1, 5),
    ],
)
def test_counts_in_multi_envelope_samples(
    name: str, transactions_count: int, claims_count: int
) -> None:
    read = read_sample(name)
    assert len(read) == transactions_count
    assert sum(len(t.batch.claims) for t in read) == claims_count


def test_other_separators_read_the_same_claims() -> None:
    plain = read_sample("imsweb__x12_valid.txt")
    other = read_sample("imsweb__x12_valid_different_separators.txt")
    assert [t.batch for t in other] == [t.batch for t in plain]


def test_a_dependent_claim_with_rendering_and_facility() -> None:
    (read,) = read_sample("lfh__demo.cob.example3.A.837")
    assert read.batch.submitter.name == Name.of_organization("PREMIER BILLING SERVICE")
    assert read.batch.submitter.contact.phone == "3055552222"
    assert read.batch.receiver.id == "66783JJT"
    (claim,) = read.batch.claims
    provider = claim.billing_provider
    assert provider.name == Name.person("KILDARE", "BEN")
    assert (provider.npi, provider.tax_id) == ("1999996666", "123456789")
    assert provider.tax_id_qualifier == "EI"
    assert provider.pay_to_address is not None
    assert provider.pay_to_address.line1 == "2345 OCEAN BLVD"
    assert claim.payer.payer_id == "999996666"
    assert [s.fields for s in claim.payer.other_segments] == [("REF", "G2", "PBS3334")]
    assert claim.patient is not None
    assert (claim.patient.relationship, claim.patient.birth_date) == ("19", date(1973, 5, 1))
    assert claim.diagnoses == ("4779", "2724", "2780", "53081")
    assert claim.total_charge == Decimal("79.04")
    assert claim.rendering_provider is not None
    assert claim.rendering_provider.taxonomy == "204C00000X"
    assert claim.service_facility is not None
    assert claim.service_facility.npi == "1581234567"
    assert [line.diagnosis_pointers for line in claim.lines] == [(1, 2, 3, 4), (1, 2), (1, 2)]
    assert claim.other_payers[0].responsibility == "S"
    assert claim.other_payers[0].subscriber == Name.person("SMITH", "JACK")


def test_secondary_claim_with_line_adjudication() -> None:
    (read,) = read_sample("lfh__demo.cob.example4.837")
    (claim,) = read.batch.claims
    (other,) = claim.other_payers
    assert (other.responsibility, other.relationship, other.group_name) == ("P", "01", "COMMERCE")
    assert (other.filing_indicator, other.paid_amount) == ("12", Decimal("80.00"))
    assert [s.fields for s in other.other_segments] == [("AMT", "F2", "15.00")]
    assert (other.payer_name, other.payer_id) == ("COMMERCE", "59999")
    assert other.subscriber_id == "COM188-404777"
    assert other.subscriber_address is not None
    assert other.subscriber_address.line1 == "PO BOX 45"
    (line,) = claim.lines
    assert line.modifiers == ("25",)
    (adjudication,) = line.adjudications
    assert adjudication.payer_id == "59999"
    assert (adjudication.paid_amount, adjudication.paid_units) == (Decimal(80), Decimal(1))
    assert (adjudication.procedure_code, adjudication.modifiers) == ("99203", ("25",))
    assert adjudication.adjustments == (
        AdjustmentGroup(group="CO", adjustments=(Adjustment(reason="42", amount=Decimal(25)),)),
        AdjustmentGroup(group="PR", adjustments=(Adjustment(reason="2", amount=Decimal(15)),)),
    )
    assert adjudication.adjudication_date == date(2005, 1, 28)
    kept = [s.fields[:2] for s in claim.other_segments]
    assert kept == [("NM1", "DN"), ("REF", "1G"), ("REF", "G2")]


def test_segments_the_model_does_not_cover_are_kept_in_their_loop() -> None:
    (read,) = read_sample("lfh__demo.ambulance.example5.837")
    (claim,) = read.batch.claims
    assert [s.id for s in claim.other_segments][:3] == ["CR1", "CRC", "CRC"]
    assert ("NM1", "PW", "2") in [s.fields for s in claim.other_segments]
    assert [s.fields for s in claim.lines[0].other_segments] == [
        ("QTY", "PT", "2.00"),
        ("NTE", "ADD", "CARDIAC EMERGENCY"),
    ]
    assert claim.related_causes == ("OA",)
    assert claim.accident_date == date(2005, 2, 8)


def test_json_shape() -> None:
    (parsed,) = list(parse_text(MINIMAL_FILE))
    data = parsed.to_json()
    assert data["type"] == "837P"
    assert data["envelope"]["transaction_control_number"] == "0001"
    assert data["created_date"] == "2025-03-01"
    (claim,) = data["batch"]["claims"]
    assert claim["patient_control_number"] == "CB1001"
    assert claim["total_charge"] == "150.00"
    assert claim["diagnoses"] == ["J029", "R509"]
    assert claim["lines"][0]["service_date"] == "2025-02-25"
    assert claim["subscriber"]["member_id"] == "XYZ123456789"
    assert claim["patient"] is None
    text = MINIMAL_FILE.replace("REF*6R*CB1001-1~", "REF*6R*CB1001-1~NTE*ADD*CALL FIRST~")
    text = text.replace("SE*25*", "SE*26*")
    (read,) = transactions(text)
    line_json = to_json(read)["batch"]["claims"][0]["lines"][0]
    assert line_json["other_segments"] == [
        {"position": 27, "id": "NTE", "elements": ["ADD", "CALL FIRST"]}
    ]


def _without(text: str, segment: str) -> str:
    assert segment in text
    return text.replace(segment, "", 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            MINIMAL_FILE.replace("HL*1**20*1~", "").replace("HL*2*1*22*0~", ""),
            "segment 19 CLM: a claim before any HL",
        ),
        (MINIMAL_FILE.replace("HL*2*1*22*0", "HL*2*1*99*0"), "HL03 '99' is not a level"),
        (_without(MINIMAL_FILE, "DTP*472*D8*20250225~"), "LX: the service line has no service"),
        (MINIMAL_FILE.replace("CLM*CB1001*150*", "CLM*CB1001*15O*"), "'15O' is not a number"),
        (MINIMAL_FILE.replace("D8*19800115", "D8*19800231"), "not a real date"),
        (_without(MINIMAL_FILE, "SV1*HC:99213*150*UN*1***1:2~"), "not followed by the required"),
        (
            MINIMAL_FILE.replace("HL*2*1*22*0~", "HL*2*1*20*0~"),
            "not under a billing provider and a subscriber",
        ),
    ],
)
def test_broken_structure_is_an_x12_syntax_error(text: str, message: str) -> None:
    with pytest.raises(X12SyntaxError, match=message):
        read_claims(text)


def test_reads_a_file_written_with_a_bom_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "pretty.837"
    path.write_text("\ufeff" + MINIMAL_FILE.replace("~", "~\r\n"), encoding="utf-8")
    claims = [c for p in read_file(path) for c in p.value.batch.claims]
    assert claims == read_claims(MINIMAL_FILE)


ODD_VALUES = ("", "X", "-1", "1E5", "ABC:DEF", "20250231", ":", "HC:", "1.2.3", "NaN", "9" * 40)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_files_fail_only_with_x12_errors(data: st.DataObject) -> None:
    segments_ = MINIMAL_FILE.split("~")[:-1]
    head, body, tail = segments_[:3], segments_[3:-3], segments_[-3:]
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(body) - 1))
        action = data.draw(st.sampled_from(("drop", "repeat", "change", "cut")))
        if action == "drop" and len(body) > 1:
            del body[at]
        elif action == "repeat":
            body.insert(data.draw(st.integers(0, len(body))), body[at])
        elif action == "change":
            fields = [*body[at].split("*"), ""]  # one more, so even a bare id has element 1
            fields[data.draw(st.integers(1, len(fields) - 1))] = data.draw(
                st.sampled_from(ODD_VALUES)
            )
            body[at] = "*".join(fields)
        else:
            body[at] = body[at][: data.draw(st.integers(3, max(3, len(body[at]))))]
    with contextlib.suppress(X12Error):  # any other exception fails the test
        read_claims("~".join(head + body + tail) + "~")
