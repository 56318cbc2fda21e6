"""``Refusals`` finds, streaming, what ``parse`` refuses in an 837P set: the same segment,
element and words, on every 837P sample and test file and on mutated ones; and ``validate``
says the same with it as with ``parse`` reading whole sets, holding one claim at a time.
"""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import change_element, drop_segment, duplicate_segment, mutated

from claimbridge.x12 import validate
from claimbridge.x12.validate import validate_text
from support import SAMPLES, TEST_DATA, need, refusals_837, validate_outcome, whole_837_sets

COB_SAMPLE = SAMPLES / "837P" / "lfh__demo.cob.example4.837"  # loops 2320, 2330 and 2430


def _seeds() -> list[str]:
    files = sorted((SAMPLES / "837P").glob("*")) if SAMPLES.is_dir() else []
    files += sorted((TEST_DATA / "837p").glob("*"))
    return [p.read_bytes().decode("utf-8", errors="replace") for p in files if p.suffix != ".md"]


SEEDS = _seeds()


def _halves(text: str) -> tuple[list[str], list[str]]:
    lines = refusals_837(text)
    middle = lines.index("--")
    return lines[:middle], lines[middle + 1 :]


def test_every_837p_seed_is_read_alike() -> None:
    read = 0
    for text in SEEDS:
        by_parse, streamed = _halves(text)
        assert streamed == by_parse
        read += by_parse.count("read")
    assert read >= 1 + 20 * SAMPLES.is_dir()  # the sets were there and compared


def test_a_bad_amount_or_date_in_a_secondary_claim_is_refused_alike() -> None:
    need(COB_SAMPLE.is_file(), f"the public 837P samples are not at {COB_SAMPLE.parent}")
    text = COB_SAMPLE.read_text()
    assert _halves(text) == (["read"], ["read"])
    for good, bad in (
        ("AMT*D*80.00", "AMT*D*8O.00"),
        ("SVD*59999*80.00", "SVD*59999*80,00"),
        ("DTP*472*D8*20050119", "DTP*472*D8*20050229"),
        ("SV1*HC:99203:25*120.00*UN*1.00", "SV1*HC:99203:25*120.00*UN*1e999"),
    ):
        by_parse, streamed = _halves(text.replace(good, bad, 1))
        assert by_parse != ["read"], bad
        assert streamed == by_parse


ODD = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))


@ODD
@given(
    text=mutated(
        SEEDS, (change_element, change_element, change_element, drop_segment, duplicate_segment)
    )
)
def test_a_mutated_837p_is_refused_by_refusals_where_parse_refuses_it(text: str) -> None:
    by_parse, streamed = _halves(text)
    assert streamed == by_parse


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=mutated(SEEDS, (change_element, change_element, drop_segment)))
def test_validate_says_the_same_streaming_as_with_whole_sets(text: str) -> None:
    streamed = validate_outcome(text)
    with whole_837_sets():
        assert validate_outcome(text) == streamed


@given(st.sampled_from(SEEDS))
@settings(max_examples=20, deadline=None)
def test_validate_of_a_seed_is_the_same_streaming(text: str) -> None:
    streamed = validate_outcome(text)
    with whole_837_sets():
        assert validate_outcome(text) == streamed


def _claims(count: int) -> str:
    """The two-claim test file's first subscriber and claim, ``count`` times (HL01 numbered
    on, SE01 counted), under its billing provider."""
    text = (TEST_DATA / "837p" / "office-ally-two-claims.837").read_text()
    segments = [s.strip() for s in text.split("~") if s.strip()]
    first = next(i for i, s in enumerate(segments) if s.startswith("HL*2*"))
    end = next(i for i, s in enumerate(segments) if i > first and s.startswith(("HL*", "SE*")))
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    blocks = []
    for number in range(2, count + 2):
        hl, *rest = segments[first:end]
        blocks += [hl.replace("HL*2*", f"HL*{number}*", 1), *rest]
    body = [*segments[st:first], *blocks]
    closing = [f"SE*{len(body) + 1}*{segments[se].split('*')[2]}", *segments[se + 1 :]]
    return "~\n".join([*segments[:st], *body, *closing]) + "~\n"


def _bytes_a_claim() -> float:
    """What validating the test 837P holds at its peak for each claim more (tracemalloc)."""
    peaks = []
    for count in (500, 1500):
        text = _claims(count)
        tracemalloc.start()
        try:
            assert validate_text(text, guide="none").errors == ()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return (peaks[1] - peaks[0]) / 1000


def test_validate_holds_one_claim_of_an_837p_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "_BATCH", 64)  # the segments read ahead: fewer than 500 claims
    # what is left is what the HL checks keep of the level each claim's subscriber opens: its
    # id, level, HL04 and place (~0.2 kB; the segment itself is not kept)
    assert _bytes_a_claim() < 400
    with whole_837_sets():  # the reference holds the set: every claim's segments (~8 kB)
        assert _bytes_a_claim() > 4000
