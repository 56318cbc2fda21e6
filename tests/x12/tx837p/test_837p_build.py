"""``build_837p``: the golden file, each claim shape checked by pyx12 and read back, the
envelope, splitting, and the inputs it refuses."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest
from tx837p_examples import (
    CHILD,
    CLINIC,
    DR_ROE,
    ENVELOPE,
    JANE,
    MINIMAL_FILE,
    PLAN,
    SECOND_CLINIC,
    as_written,
    batch,
    build,
    claim,
    line,
    line_paid,
    primary_paid,
    read_claims,
    segments,
    transactions,
)

from claimbridge.errors import X12ValidationError
from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.tx837p_005010X222A1 import (
    Address,
    Claim,
    Contact,
    Name,
    ServiceFacility,
    Submitter,
    build_837p,
)
from claimbridge.x12.tx837p_005010X222A1 import build as build_module
from support import need

PO_BOX = Address(line1="PO Box 5521", city="Springfield", state="IL", postal_code="627055521")


def claims_with_cob() -> tuple[Claim, ...]:
    """A secondary claim after a claim-level primary payment, and one with line-level 2430s."""
    first = claim(patient_control_number="CB2001")
    claim_level = dataclasses.replace(
        first, other_payers=(primary_paid(first, Decimal("80"), Decimal("20")),)
    )
    lines = (line(control_number="CB2002-1"), line(control_number="CB2002-2", charge=Decimal(90)))
    adjudicated = tuple(
        dataclasses.replace(
            service, adjudications=(line_paid("11111", service, Decimal("50"), Decimal("10")),)
        )
        for service in lines
    )
    second = claim(patient_control_number="CB2002", lines=adjudicated)
    paid = primary_paid(second, Decimal("100"), Decimal("0"))
    line_level = dataclasses.replace(
        second,
        other_payers=(
            dataclasses.replace(paid, adjustments=(), remaining_patient_liability=Decimal(20)),
        ),
    )
    return claim_level, line_level


SHAPES: dict[str, tuple[Claim, ...]] = {
    "subscriber is the patient": (claim(),),
    "dependent patient": (claim(patient=CHILD),),
    "subscriber and dependent claims": (
        claim(patient_control_number="A1"),
        claim(patient_control_number="A2"),
        claim(patient_control_number="A3", patient=CHILD),
        claim(patient_control_number="A4", patient=CHILD),
    ),
    "twelve diagnoses": (
        claim(
            diagnoses=tuple(f"R{50 + n}0" for n in range(12)),
            lines=(line(diagnosis_pointers=(12, 1, 5, 9)),),
        ),
    ),
    "fifty lines": (claim(lines=tuple(line(control_number=f"CB1001-{n}") for n in range(1, 51))),),
    "modifiers, units and place of service": (
        claim(
            lines=(
                line(procedure_code="97140", modifiers=("GP", "59"), units=Decimal(2)),
                line(
                    procedure_code="00840",
                    modifiers=("AA", "QK", "QS", "P3"),
                    units=Decimal("45.5"),
                    unit_basis="MJ",
                    place_of_service="22",
                    diagnosis_pointers=(2,),
                ),
            )
        ),
    ),
    "replacement and void": (
        claim(patient_control_number="R7", frequency="7", payer_claim_control_number="ICN7"),
        claim(patient_control_number="R8", frequency="8", payer_claim_control_number="ICN8"),
    ),
    "prior authorization and referral": (
        claim(prior_authorization="PA12345", referral_number="REF777"),
    ),
    "PO box pay-to address": (
        claim(billing_provider=dataclasses.replace(CLINIC, pay_to_address=PO_BOX)),
    ),
    "rendering provider differs": (claim(rendering_provider=DR_ROE),),
    "rendering provider is the billing provider": (
        claim(rendering_provider=dataclasses.replace(DR_ROE, npi=CLINIC.npi)),
    ),
    "service facility, date range, accident": (
        claim(
            service_facility=ServiceFacility(
                name="Eastside Annex",
                npi="1300000019",
                address=Address(
                    line1="5 Annex Rd", city="Springfield", state="IL", postal_code="627030001"
                ),
            ),
            related_causes=("AA",),
            accident_state="IL",
            accident_date=date(2025, 2, 20),
            onset_date=date(2025, 2, 20),
            lines=(line(service_date_end=date(2025, 2, 27)),),
        ),
    ),
    "secondary claims with COB loops": claims_with_cob(),
    "payer with an address": (
        claim(
            payer=dataclasses.replace(
                PLAN,
                address=Address(
                    line1="PO Box 3543", city="Baltimore", state="MD", postal_code="212033543"
                ),
            )
        ),
    ),
    "several billing providers": (
        claim(patient_control_number="P1"),
        claim(patient_control_number="P2", billing_provider=SECOND_CLINIC),
        claim(patient_control_number="P3"),
    ),
    "awkward text": (
        claim(
            patient_control_number="cb-1001",
            subscriber=dataclasses.replace(
                JANE,
                name=Name.person("o'Brien*Smith", "Zoë:Ann", suffix="jr."),
                address=Address(
                    line1="12 Elm St #4~rear", city="São Paulo^", state="il", postal_code="62702"
                ),
            ),
            diagnoses=("j029", "r509"),
        ),
    ),
}


@pytest.mark.parametrize("name", SHAPES)
def test_each_shape_passes_pyx12_and_reads_back(name: str) -> None:
    need(pyx12_available(), "pyx12 is not installed")
    claims = SHAPES[name]
    text = build(*claims)
    assert pyx12_problems(text) == []
    assert read_claims(text) == [as_written(c) for c in claims]


def test_minimal_example_matches_the_notes_segment_by_segment() -> None:
    built = segments(build(claim()))
    expected = segments(MINIMAL_FILE)
    for index, (mine, theirs) in enumerate(zip(built, expected, strict=True)):
        assert mine == theirs, f"segment {index + 1}"


def test_interchange_is_office_allys() -> None:
    text = build(claim())
    isa = segments(text)[0]
    assert len(isa) + 1 == 106
    fields = isa.split("*")
    assert (fields[5], fields[7], fields[8]) == ("ZZ", "ZZ", "330897513      ")
    assert fields[15] == "P"
    gs = segments(text)[1].split("*")
    assert (gs[3], gs[8]) == ("OA", "005010X222A1")
    assert "NM1*40*2*OFFICE ALLY*****46*330897513" in segments(text)


def test_dependent_patient_hangs_under_2000c() -> None:
    found = segments(build(claim(patient=CHILD)))
    assert "HL*2*1*22*1" in found
    assert "SBR*P**GRP100******CI" in found
    at = found.index("HL*3*2*23*0")
    assert found[at + 1 : at + 3] == ["PAT*19", "NM1*QC*1*DOE*SAM"]
    assert found[at + 5].startswith("DMG*D8*20160602*M")


def test_consecutive_claims_share_their_loops() -> None:
    claims = SHAPES["subscriber and dependent claims"] + SHAPES["several billing providers"][1:2]
    found = segments(build(*claims))
    hl = [s for s in found if s.startswith("HL*")]
    assert hl == [
        "HL*1**20*1",
        "HL*2*1*22*0",
        "HL*3*1*22*1",
        "HL*4*3*23*0",
        "HL*5**20*1",
        "HL*6*5*22*0",
    ]
    assert [s.split("*")[1] for s in found if s.startswith("CLM")] == ["A1", "A2", "A3", "A4", "P2"]


def test_service_line_elements() -> None:
    found = segments(build(*SHAPES["modifiers, units and place of service"]))
    assert "SV1*HC:97140:GP:59*150*UN*2***1:2" in found
    assert "SV1*HC:00840:AA:QK:QS:P3*150*MJ*45.5*22**2" in found


def test_claim_references_and_dates() -> None:
    found = segments(build(*SHAPES["replacement and void"]))
    assert found[found.index("CLM*R7*150***11:B:7*Y*A*Y*Y") + 1] == "REF*F8*ICN7"
    assert "CLM*R8*150***11:B:8*Y*A*Y*Y" in found
    found = segments(build(*SHAPES["prior authorization and referral"]))
    assert found[found.index("CLM*CB1001*150***11:B:1*Y*A*Y*Y") + 1 :][:2] == [
        "REF*9F*REF777",
        "REF*G1*PA12345",
    ]
    found = segments(build(*SHAPES["service facility, date range, accident"]))
    assert "CLM*CB1001*150***11:B:1*Y*A*Y*Y**AA:::IL" in found
    assert {"DTP*431*D8*20250220", "DTP*439*D8*20250220"} <= set(found)
    assert "DTP*472*RD8*20250225-20250227" in found
    assert "NM1*77*2*EASTSIDE ANNEX*****XX*1300000019" in found


def test_twelve_diagnoses_principal_first() -> None:
    hi = next(s for s in segments(build(*SHAPES["twelve diagnoses"])) if s.startswith("HI"))
    composites = hi.split("*")[1:]
    assert composites[0] == "ABK:R500"
    assert [c.split(":")[0] for c in composites[1:]] == ["ABF"] * 11


def test_pay_to_loop_only_when_it_differs() -> None:
    found = segments(build(*SHAPES["PO box pay-to address"]))
    at = found.index("NM1*87*2")
    assert found[at + 1 : at + 3] == ["N3*PO BOX 5521", "N4*SPRINGFIELD*IL*627055521"]
    same = dataclasses.replace(CLINIC, pay_to_address=CLINIC.address)
    assert "NM1*87*2" not in segments(build(claim(billing_provider=same)))


def test_rendering_provider_only_when_it_differs() -> None:
    found = segments(build(*SHAPES["rendering provider differs"]))
    at = found.index("NM1*82*1*ROE*RITA****XX*1987654328")
    assert found[at + 1] == "PRV*PE*PXC*207Q00000X"
    same = SHAPES["rendering provider is the billing provider"]
    assert not any(s.startswith("NM1*82") for s in segments(build(*same)))


def test_secondary_claim_loops() -> None:
    claim_level, line_level = SHAPES["secondary claims with COB loops"]
    found = segments(build(claim_level))
    at = found.index("SBR*P*18*******CI")
    assert found[at + 1 : at + 10] == [
        "CAS*CO*45*50",
        "CAS*PR*2*20",
        "AMT*D*80",
        "AMT*EAF*20",
        "OI***Y***Y",
        "NM1*IL*1*DOE*JANE****MI*XYZ123456789",
        "NM1*PR*2*PRIMARY EXAMPLE PLAN*****PI*11111",
        "DTP*573*D8*20250320",
        "REF*F8*PRIMARYICN1",
    ]
    found = segments(build(line_level))
    assert "DTP*573*D8*20250320" in found
    assert found.count("DTP*573*D8*20250320") == 2  # per 2430 only, not in 2330B
    at = found.index("SVD*11111*50*HC:99213**1")
    assert found[at + 1 : at + 5] == [
        "CAS*PR*1*10",
        "CAS*CO*45*90",
        "DTP*573*D8*20250320",
        "AMT*EAF*10",
    ]


def test_awkward_text_is_reduced_to_the_basic_character_set() -> None:
    found = segments(build(*SHAPES["awkward text"]))
    assert "NM1*IL*1*O'BRIEN SMITH*ZOE ANN***JR.*MI*XYZ123456789" in found
    assert "N3*12 ELM ST 4 REAR" in found
    assert "N4*SAO PAULO*IL*62702" in found
    assert "HI*ABK:J029*ABF:R509" in found
    assert "CLM*CB-1001*150***11:B:1*Y*A*Y*Y" in found


def test_other_delimiters_are_used_and_kept_out_of_data() -> None:
    envelope = dataclasses.replace(
        ENVELOPE, element_separator="|", component_separator=">", segment_terminator="\n"
    )
    subscriber = dataclasses.replace(JANE, name=Name.person("Doe|Smith", "Jane>Ann"))
    text = build(claim(subscriber=subscriber), envelope=envelope)
    found = segments(text, "\n")
    assert "NM1|IL|1|DOE SMITH|JANE ANN||||MI|XYZ123456789" in found
    assert "HI|ABK>J029|ABF>R509" in found
    assert read_claims(text)[0].subscriber.name == Name.person("DOE SMITH", "JANE ANN")


def test_counts_and_control_numbers_match() -> None:
    text = build(*SHAPES["subscriber and dependent claims"])
    found = segments(text)
    se = found[-3].split("*")
    assert int(se[1]) == found.index(found[-3]) - found.index("ST*837*0001*005010X222A1") + 1
    assert se[2] == "0001"
    assert found[-2:] == ["GE*1*101", "IEA*1*000000101"]


def test_claims_beyond_the_per_transaction_limit_open_new_sets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(build_module, "MAX_CLAIMS_PER_TRANSACTION", 2)
    envelope = dataclasses.replace(ENVELOPE, first_transaction_number=41)
    claims = [claim(patient_control_number=f"S{n}") for n in range(5)]
    text = build(*claims, envelope=envelope)
    read = transactions(text)
    assert [len(t.batch.claims) for t in read] == [2, 2, 1]
    found = segments(text)
    assert [s for s in found if s.startswith("ST")] == [
        f"ST*837*{n:04d}*005010X222A1" for n in (41, 42, 43)
    ]
    assert found[-2] == "GE*3*101"
    assert found.count("HL*1**20*1") == 3
    assert read_claims(text) == [as_written(c) for c in claims]


def test_too_many_transaction_sets_for_one_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "MAX_CLAIMS_PER_TRANSACTION", 1)
    monkeypatch.setattr(build_module, "MAX_TRANSACTIONS_PER_FILE", 2)
    claims = [claim(patient_control_number=f"S{n}") for n in range(3)]
    with pytest.raises(X12ValidationError, match="at most 2 per file"):
        build(*claims)
    assert len(transactions(build(*claims[:2]))) == 2


def test_transaction_numbers_stay_within_nine_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "MAX_CLAIMS_PER_TRANSACTION", 1)
    envelope = dataclasses.replace(ENVELOPE, first_transaction_number=10**9 - 1)
    claims = [claim(patient_control_number=f"S{n}") for n in range(2)]
    with pytest.raises(X12ValidationError, match=r"ST02\): the last set would be 1000000000"):
        build(*claims, envelope=envelope)
    assert "ST*837*999999999*005010X222A1" in segments(build(claims[0], envelope=envelope))


def test_limits_are_office_allys() -> None:
    assert build_module.MAX_CLAIMS_PER_TRANSACTION == 5000
    assert build_module.MAX_TRANSACTIONS_PER_FILE == 5000


def test_email_is_written_only_when_basic_text_can_hold_it() -> None:
    contact = Contact(name="Pat", phone="5555550100", email="billing@example.test")
    submitter = Submitter(name=Name.of_organization("Sunny"), id="123456789", contact=contact)
    text = build_837p(batch(claim(), submitter=submitter), ENVELOPE)
    assert "PER*IC*PAT*TE*5555550100" in segments(text)


BAD_INPUTS: dict[str, tuple[Claim, str]] = {
    "pointer past the diagnoses": (
        claim(lines=(line(diagnosis_pointers=(1, 3)),)),
        r"claim 'CB1001', lines\[1\]\.diagnosis_pointers \(SV107\): pointer 3 but only 2",
    ),
    "no pointer": (claim(lines=(line(diagnosis_pointers=()),)), r"SV107"),
    "thirteen diagnoses": (
        claim(diagnoses=tuple(f"R{50 + n}0" for n in range(13))),
        r"claim 'CB1001', diagnoses \(HI\): 13 codes",
    ),
    "dotted diagnosis": (claim(diagnoses=("J02.9",)), r"diagnoses\[1\] \(HI\)"),
    "fifty-one lines": (claim(lines=(line(),) * 51), r"claim 'CB1001', lines \(LX\): 51 lines"),
    "replacement without REF*F8": (
        claim(frequency="7"),
        r"claim 'CB1001', payer_claim_control_number \(REF\*F8\): frequency 7",
    ),
    "REF*F8 on an original": (
        claim(payer_claim_control_number="ICN1"),
        r"payer_claim_control_number \(REF\*F8\)",
    ),
    "frequency 2": (claim(frequency="2"), r"frequency \(CLM05-3\)"),
    "charge mismatch": (
        claim(total_charge=Decimal("151")),
        r"claim 'CB1001', total_charge \(CLM02\): 151 differs .* 150",
    ),
    "fractions of a cent": (
        claim(lines=(line(charge=Decimal("150.005")),)),
        r"lines\[1\]\.charge \(SV102\)",
    ),
    "bad NPI check digit": (
        claim(billing_provider=dataclasses.replace(CLINIC, npi="1234567890")),
        r"billing_provider\.npi \(2010AA NM109\): 1234567890 fails the NPI check digit",
    ),
    "PO box as billing address": (
        claim(billing_provider=dataclasses.replace(CLINIC, address=PO_BOX)),
        r"billing_provider\.address \(2010AA N301\): must be a street address",
    ),
    "five-digit billing ZIP": (
        claim(
            billing_provider=dataclasses.replace(
                CLINIC, address=dataclasses.replace(CLINIC.address, postal_code="62701")
            )
        ),
        r"postal_code \(2010AA N403\): must be 9 digits",
    ),
    "subscriber patient without birth date": (
        claim(subscriber=dataclasses.replace(JANE, birth_date=None, sex="")),
        r"claim 'CB1001', subscriber: is the patient",
    ),
    "patient relationship self": (
        claim(patient=dataclasses.replace(CHILD, relationship="18")),
        r"patient\.relationship \(PAT01\)",
    ),
    "five modifiers": (
        claim(lines=(line(modifiers=("25", "59", "GP", "KX", "XU")),)),
        r"lines\[1\]\.modifiers",
    ),
    "an amount too long for CLM02": (
        claim(lines=(line(charge=Decimal("1E+30")),)),
        r"lines\[1\]\.charge \(SV102\): 1E\+30 has more than 18 digits",
    ),
    "zero units": (claim(lines=(line(units=Decimal(0)),)), r"lines\[1\]\.units \(SV104\)"),
    "name lost to the charset": (
        claim(subscriber=dataclasses.replace(JANE, name=Name.person("@@@", "Jane"))),
        r"subscriber\.name \(2010BA NM1\) last/organisation name: must be 1–60 characters",
    ),
    "line adjudication without other payer": (
        claim(lines=(line(adjudications=(line_paid("11111", line(), Decimal(90), Decimal(0)),)),)),
        r"lines\[1\]\.adjudications \(2430\): the claim has no other_payers",
    ),
    "COB does not balance": (
        claim(
            other_payers=(
                dataclasses.replace(
                    primary_paid(claim(), Decimal("80"), Decimal("20")), paid_amount=Decimal(81)
                ),
            )
        ),
        r"other_payers\[1\]\.paid_amount \(AMT\*D\): paid 81 .* must equal the claim charge",
    ),
    "line COB does not balance": (
        claim(
            lines=(
                line(
                    adjudications=(
                        dataclasses.replace(
                            line_paid("11111", line(), Decimal(90), Decimal(10)),
                            paid_amount=Decimal(91),
                        ),
                    )
                ),
            ),
            other_payers=(primary_paid(claim(), Decimal("80"), Decimal("20")),),
        ),
        r"lines\[1\]\.adjudications \(2430\): paid 91 \+ adjustments 60 must equal",
    ),
    "SVD01 names no other payer": (
        claim(
            lines=(line(adjudications=(line_paid("22222", line(), Decimal(90), Decimal(0)),)),),
            other_payers=(primary_paid(claim(), Decimal("80"), Decimal("20")),),
        ),
        r"adjudications\[1\]\.payer_id \(SVD01\)",
    ),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_refuses_input_that_would_make_an_invalid_file(name: str) -> None:
    bad, message = BAD_INPUTS[name]
    with pytest.raises(X12ValidationError, match=message):
        build(bad)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"element_separator": ":"}, "delimiters"),
        ({"segment_terminator": "A"}, "cannot be a delimiter"),
        ({"component_separator": "."}, "cannot be a delimiter"),
        ({"interchange_control_number": 0}, r"ISA13"),
        ({"interchange_control_number": 10**9}, r"ISA13"),
        ({"sender_id": "X" * 16}, r"sender_id \(ISA06\)"),
        ({"usage": "X"}, r"usage \(ISA15\)"),
    ],
)
def test_refuses_envelopes_it_cannot_write(changes: dict[str, object], message: str) -> None:
    with pytest.raises(X12ValidationError, match=message):
        build(claim(), envelope=dataclasses.replace(ENVELOPE, **changes))


def test_batch_needs_claims_and_a_reachable_contact() -> None:
    with pytest.raises(X12ValidationError, match="at least one claim"):
        build_837p(dataclasses.replace(batch(), claims=()), ENVELOPE)
    mail_only = Submitter(
        name=Name.of_organization("Sunny"),
        id="123456789",
        contact=Contact(name="Pat", email="pat@example.test"),
    )
    with pytest.raises(X12ValidationError, match="needs a phone or fax"):
        build_837p(batch(claim(), submitter=mail_only), ENVELOPE)


def test_the_model_reads_no_clock() -> None:
    early = build(claim())
    later = build(claim())
    assert early == later
    moved = dataclasses.replace(ENVELOPE, created=datetime(2030, 12, 31, 23, 59))
    assert "*301231*2359*" in build(claim(), envelope=moved)


def test_validate_batch_raises_like_build() -> None:
    with pytest.raises(X12ValidationError):
        build_module.validate_batch(batch(claim(frequency="8")), ENVELOPE)
    assert build_module.validate_batch(batch(), ENVELOPE) is None
