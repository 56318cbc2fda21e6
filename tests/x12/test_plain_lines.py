"""Runs of plain 837P service lines (``lines.plain_lines``): which lines a run takes and what
it says of them, the same in C as in Python, and ``validate`` finding with runs exactly what
it finds reading every line segment by segment."""

from __future__ import annotations

from collections.abc import Iterator, Set

import pytest
from hypothesis import HealthCheck, given, settings
from test_837p_refusal import SEEDS
from test_fuzz import change_element, drop_segment, duplicate_segment, mutated

from claimbridge.errors import X12Error
from claimbridge.x12 import validate
from claimbridge.x12.segments import Segment
from claimbridge.x12.tokenizer import parse_segments
from claimbridge.x12.tx837p_005010X222A1 import lines, refusal
from claimbridge.x12.tx837p_005010X222A1.lines import PlainLines, plain_lines_python
from support import (
    TEST_DATA,
    compiled_loops_built,
    need,
    python_loops,
    validate_outcome,
    whole_837_sets,
)

DATE = "20250225"
KNOWN = frozenset({DATE, "20250226"})


def segments(*texts: str) -> list[Segment]:
    """Segments from texts like 'SV1*HC:99213*100', numbered from 1."""
    return [
        Segment(text.split("*")[0], tuple(text.split("*")), position)
        for position, text in enumerate(texts, start=1)
    ]


def line(number: int, charge: str = "100", pointers: str = "1", date: str = DATE) -> list[str]:
    return [
        f"LX*{number}",
        f"SV1*HC:99213*{charge}*UN*1***{pointers}",
        f"DTP*472*D8*{date}",
        f"REF*6R*CB1-{number}",
    ]


def both(
    batch: list[Segment],
    start: int = 0,
    diagnoses: int | None = 2,
    dates: Set[str] | None = KNOWN,
    first_date: Segment | None = None,
    component: str = ":",
) -> PlainLines:
    """The run as the Python loop takes it; the C loop must take the same."""
    args = (batch, start, component, diagnoses, dates, first_date)
    python = plain_lines_python(*args)
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    assert lines._lines_c is not None
    assert lines._lines_c.plain_lines(*args, PlainLines) == python
    return python


def test_a_run_takes_the_plain_lines_up_to_the_next_claim() -> None:
    batch = segments(
        *line(1, "100"), *line(2, "50.5", "2:1"), *line(3, "0.125"), "CLM*CB2*10***11:B:1"
    )
    run = both(batch)
    assert run == PlainLines(12, 3, 150_625, 3, batch[2], False)


def test_a_run_says_when_a_date_differs_from_the_first() -> None:
    batch = segments(*line(1), *line(2, date="20250226"), "SE*9*0001")
    assert both(batch) == PlainLines(8, 2, 200_000, 0, batch[2], True)
    earlier = segments("DTP*472*D8*20250226")[0]  # the claim's first line date, given
    assert both(batch, first_date=earlier) == PlainLines(8, 2, 200_000, 0, earlier, True)
    assert both(batch[4:], first_date=earlier) == PlainLines(4, 1, 100_000, 0, earlier, False)


# The second line, changed: the run takes the first line only.
NOT_PLAIN = {
    "two SV1": [*line(2), "SV1*HC:99213*100*UN*1***1"],
    "two DTP*472": [*line(2), "DTP*472*D8*20250225"],
    "no DTP*472": ["LX*2", "SV1*HC:99213*100*UN*1***1", "DTP*471*D8*20250225"],
    "no SV1": ["LX*2", "DTP*472*D8*20250225"],
    "an exponent": line(2, "1E2"),
    "a sign": line(2, "-5"),
    "a plus": line(2, "+5"),
    "sixteen digits": line(2, "1234567890123456"),
    "four decimals": line(2, "1.2345"),
    "no charge": line(2, ""),
    "no integer digits": line(2, ".5"),
    "a pointer 0": line(2, pointers="0"),
    "a leading zero": line(2, pointers="01"),
    "a pointer past the diagnoses": line(2, pointers="1:3"),
    "an empty pointer": line(2, pointers="1::2"),
    "a pointer of three digits": line(2, pointers="100"),
    "a date not read yet": line(2, date="20250301"),
    "a rendering provider": [*line(2), "NM1*82*1*FERN*RILEY****XX*1987654328"],
    "an adjudication": [*line(2), "SVD*99999*100*HC:99213**1"],
    "a diagnosis": [*line(2), "HI*ABK:J029"],
    "the end of the batch": line(2)[:3],
}


@pytest.mark.parametrize(("name", "second"), NOT_PLAIN.items(), ids=NOT_PLAIN.keys())
def test_a_run_ends_before_a_line_that_is_not_plain(name: str, second: list[str]) -> None:
    end = [] if name == "the end of the batch" else ["CLM*CB2*10***11:B:1"]
    batch = segments(*line(1), *second, *end)
    assert both(batch) == PlainLines(4, 1, 100_000, 0, batch[2], False)


def test_units_that_are_not_a_plain_number_end_a_run() -> None:
    odd = "SV1*HC:99213*100*UN*1X***1"
    batch = segments(*line(1), "LX*2", odd, "DTP*472*D8*20250225", "SE*9*0001")
    assert both(batch).lines == 1
    batch = segments(*line(1), "LX*2", odd.replace("1X", "-1.5"), "DTP*472*D8*20250225", "SE*9*1")
    assert both(batch).lines == 2


def test_what_a_caller_does_not_read_does_not_end_a_run() -> None:
    batch = segments(*line(1, pointers="9"), *line(2, date="20991231"), "HL*3*1*22*0")
    assert both(batch).lines == 0
    assert both(batch, diagnoses=None).lines == 1  # Refusals does not read the pointers
    assert both(batch, diagnoses=None, dates=None).lines == 2  # the walker, not the dates


def test_a_run_stops_before_its_charges_pass_a_64_bit_number() -> None:
    most = "999999999999999.999"  # 10**18 - 1 thousandths: nine fit in 2**63 - 1, ten do not
    batch = segments(*(part for n in range(1, 11) for part in line(n, most)), "SE*40*0001")
    run = both(batch)
    assert (run.lines, run.charges, run.end) == (9, 9 * (10**18 - 1), 36)


def test_a_component_separator_other_than_the_colon() -> None:
    batch = segments(*line(1, pointers="1^2"), *line(2, pointers="1:2"), "SE*9*0001")
    assert both(batch, component="^").lines == 1
    assert both(batch, component="^^").lines == 0
    wide = segments(*line(1, pointers="1€2"), "SE*6*0001")
    assert both(wide, component="€").lines == 1
    assert both(wide).lines == 0


def test_a_segment_of_another_shape_ends_a_run_in_c() -> None:
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    assert lines._lines_c is not None
    lx, sv1, _, ref = segments(*line(1))
    odd_date = ("DTP", ("DTP", 472, "D8", DATE), 3)  # an element that is not text
    batch: list[object] = [lx, sv1, odd_date, ref, *segments(*line(2), "SE*9*0001")]
    assert lines._lines_c.plain_lines(batch, 0, ":", 2, KNOWN, None, PlainLines).lines == 0
    assert lines._lines_c.plain_lines(batch, 4, ":", 2, KNOWN, None, PlainLines).lines == 1


# --- validate, with runs and without ------------------------------------------------------

# Claim CB1002 of the test file, with two lines: the first dated as CB1001's lines (a date
# read by then: Refusals takes the line in a run), the second with no date of its own (its
# date is the first line's).
CB1002 = (
    "LX*1~\nSV1*HC:99212*90.5*UN*1***1~\nDTP*472*D8*20250226~\nREF*6R*CB1002-1~\nSE*48*",
    "LX*1~\nSV1*HC:99212*50*UN*1***1~\nDTP*472*D8*20250225~\nREF*6R*CB1002-1~\n"
    "LX*2~\nSV1*HC:99212*40.5*UN*1***1~\nREF*6R*CB1002-2~\nSE*51*",
)
THIRD_LINE = (
    "REF*6R*CB1002-2~\nSE*51*",
    "REF*6R*CB1002-2~\nLX*3~\nSV1*HC:99212*0*UN*1***1~\nDTP*472*D8*20250226~\nSE*54*",
)

# CB1002's first two lines dated differently (dates read by then), then one without a date.
DATES_DIFFER_IN_A_RUN = (
    ("DTP*472*D8*20250225~\nREF*6R*CB1001-2", "DTP*472*D8*20250226~\nREF*6R*CB1001-2"),
    ("LX*2~\nSV1*HC:99212*40.5*UN*1***1~\nREF*6R*CB1002-2~\nSE*51*",
     "LX*2~\nSV1*HC:99212*40.5*UN*1***1~\nDTP*472*D8*20250226~\nREF*6R*CB1002-2~\n"
     "LX*3~\nSV1*HC:99212*0*UN*1***1~\nSE*54*"),
)  # fmt: skip


def _two_claims(*changes: tuple[str, str]) -> str:
    text = (TEST_DATA / "837p" / "office-ally-two-claims.837").read_text()
    for old, new in (CB1002, *changes):
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.fixture
def lines_taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many lines the runs of ``validate``'s walker and of ``Refusals`` took."""
    taken = {"walker": 0, "Refusals": 0}
    for module, name in ((validate, "walker"), (refusal, "Refusals")):

        def counted(*args: object, name: str = name) -> PlainLines:
            run = lines.plain_lines(*args)  # type: ignore[arg-type]
            taken[name] += run.lines
            return run

        monkeypatch.setattr(module, "plain_lines", counted)
    yield taken


# What is changed, and whether Refusals still reads CB1002 (no refusal before it).
CHANGES = {
    "clean": ([], True),
    "a total off by cents": ([("CLM*CB1001*150*", "CLM*CB1001*150.05*"),
                              ("SV1*HC:99213*100*", "SV1*HC:99213*100.50*")], True),
    "a line's pointer past the diagnoses": ([("***1:2~", "***1:3~")], True),
    "a line without a date": ([("SV1*HC:87880*50*UN*1***1~\nDTP*472*D8*20250225~",
                                "SV1*HC:87880*50*UN*1***1~")], True),
    "a charge that is not an amount": ([("SV1*HC:87880*50*", "SV1*HC:87880*5O*")], False),
    "a date that is not a date": ([("DTP*472*D8*20250225~\nREF*6R*CB1001-2",
                                    "DTP*472*D8*20250231~\nREF*6R*CB1001-2")], False),
    "an undated line between lines of other dates": ([THIRD_LINE], True),
    "an undated line after a run of other dates": (list(DATES_DIFFER_IN_A_RUN), True),
}  # fmt: skip


def read_back(text: str) -> list[str]:
    """What ``validate``'s read-back finds (``_ReadBack``): the readers' refusals."""
    reader = validate._ReadBack()
    reader.feed(list(parse_segments(text)))
    return [f"{type(found).__name__}: {found}" for found in reader.finish()]


@pytest.mark.parametrize(("changes", "read_on"), CHANGES.values(), ids=CHANGES.keys())
def test_validate_finds_with_runs_what_it_finds_line_by_line(
    changes: list[tuple[str, str]], read_on: bool, lines_taken: dict[str, int]
) -> None:
    text = _two_claims(*changes)
    found, refused = validate_outcome(text), read_back(text)
    assert lines_taken["walker"] > 0, "no run took a line: the comparison would say nothing"
    assert (lines_taken["Refusals"] > 0) is read_on
    with whole_837_sets():
        assert (validate_outcome(text), read_back(text)) == (found, refused)


def test_a_total_that_differs_is_said_with_the_decimals_of_the_lines() -> None:
    text = _two_claims(("CLM*CB1001*150*", "CLM*CB1001*151*"),
                       ("SV1*HC:99213*100*", "SV1*HC:99213*100.50*"))  # fmt: skip
    messages = [p.message for p in validate.validate_text(text, guide="none").errors]
    assert "CLM02 total charge 151 differs from the sum of the line charges (SV102), 150.50" in (
        messages
    )


def test_a_line_without_a_date_takes_the_first_line_date_of_its_claim_unless_they_differ() -> None:
    assert read_back(_two_claims()) == []
    assert read_back(_two_claims(THIRD_LINE)) == [
        "X12SyntaxError: segment 50 LX: the service line has no service date (DTP*472)"
    ]
    assert read_back(_two_claims(*DATES_DIFFER_IN_A_RUN)) == [
        "X12SyntaxError: segment 54 LX: the service line has no service date (DTP*472)"
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=mutated(SEEDS, (change_element, change_element, drop_segment, duplicate_segment)))
def test_the_c_runs_take_in_a_mutated_837p_what_the_python_runs_take(text: str) -> None:
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    compiled = validate_outcome(text), _read_back_or_error(text)
    with python_loops():
        assert (validate_outcome(text), _read_back_or_error(text)) == compiled


def _read_back_or_error(text: str) -> list[str]:
    try:
        return read_back(text)
    except X12Error as error:  # not X12 at all: the tokenizer's error
        return [f"{type(error).__name__}: {error}"]
