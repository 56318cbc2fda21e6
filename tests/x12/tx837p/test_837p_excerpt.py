"""``claim_excerpt``: one claim's segments cut from an 837P file, read back as that claim."""

from __future__ import annotations

import dataclasses

import pytest
from tx837p_examples import (
    CHILD,
    DR_ROE,
    ENVELOPE,
    SECOND_CLINIC,
    batch,
    build,
    claim,
    line,
    read_claims,
)

from claimbridge.x12.tx837p_005010X222A1 import ClaimExcerpt, build_837p, claim_excerpt
from claimbridge.x12.tx837p_005010X222A1 import build as build_module

CLAIMS = (
    claim(patient_control_number="A1"),
    claim(patient_control_number="A2", rendering_provider=DR_ROE),
    claim(patient_control_number="A3", patient=CHILD),
    claim(patient_control_number="A4", patient=CHILD),
    claim(patient_control_number="P2", billing_provider=SECOND_CLINIC),
    claim(
        patient_control_number="P3",
        lines=tuple(line(control_number=f"P3-{n}") for n in range(1, 4)),
    ),
)


def _as_a_file(excerpt: ClaimExcerpt, st02: str = "0001", sep: str = "*", end: str = "~") -> str:
    """The excerpt closed with the trailers its own segments call for."""
    lines = excerpt.lines
    in_set = len(lines) - next(i for i, s in enumerate(lines) if s.startswith(f"ST{sep}")) + 1
    trailers = (("SE", str(in_set), st02), ("GE", "1", "101"), ("IEA", "1", "000000101"))
    return "".join(lines) + "".join(sep.join(fields) + end for fields in trailers)


@pytest.mark.parametrize("index", range(len(CLAIMS)))
def test_each_claims_excerpt_reads_back_as_that_claim_alone(index: int) -> None:
    text = build(*CLAIMS)
    wanted = read_claims(text)[index]
    excerpt = claim_excerpt(text, wanted.patient_control_number, "0001")
    assert excerpt is not None
    assert read_claims(_as_a_file(excerpt)) == [wanted]
    assert all(line in text for line in excerpt.lines)


def test_the_excerpt_holds_its_own_levels_and_no_other_claim() -> None:
    text = build(*CLAIMS)
    excerpt = claim_excerpt(text, "A4")
    assert excerpt is not None
    assert [s[:3] for s in excerpt.envelope] == ["ISA", "GS*", "ST*", "BHT", "NM1", "PER", "NM1"]
    levels = [s for s in excerpt.hierarchy if s.startswith("HL*")]
    assert levels == ["HL*1**20*1~", "HL*3*1*22*1~", "HL*4*3*23*0~"]
    assert [s for s in excerpt.lines if s.startswith("CLM*")] == [excerpt.claim[0]]
    assert excerpt.claim[0].startswith("CLM*A4*")
    assert not any(s.startswith(("SE*", "GE*", "IEA*")) for s in excerpt.lines)


def test_a_later_transaction_set_is_found_by_its_st02(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "MAX_CLAIMS_PER_TRANSACTION", 2)
    envelope = dataclasses.replace(ENVELOPE, first_transaction_number=41)
    text = build(*CLAIMS, envelope=envelope)
    excerpt = claim_excerpt(text, "P2", "0043")
    assert excerpt is not None
    assert "ST*837*0043*005010X222A1~" in excerpt.envelope
    assert read_claims(_as_a_file(excerpt, "0043")) == [read_claims(text)[4]]
    assert claim_excerpt(text, "P2", "0041") is None


def test_an_unknown_claim_has_no_excerpt() -> None:
    assert claim_excerpt(build(*CLAIMS), "ZZ9") is None


def test_the_files_own_delimiters_are_kept() -> None:
    envelope = dataclasses.replace(
        ENVELOPE, element_separator="|", component_separator=">", segment_terminator="\n"
    )
    text = "\ufeff" + build_837p(batch(*CLAIMS[:2]), envelope)
    excerpt = claim_excerpt(text, "A2")
    assert excerpt is not None
    assert excerpt.claim[0] == "CLM|A2|150|||11>B>1|Y|A|Y|Y\n"
    assert read_claims(_as_a_file(excerpt, sep="|", end="\n")) == read_claims(text)[1:]
