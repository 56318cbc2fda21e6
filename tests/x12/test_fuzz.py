"""Mutated X12 files: reading, converting and validating fail only with ``X12Error``, if at all.

Each example takes a seed file (the public samples that are small enough, and our synthetic
files) and applies one mutation: a cut at any point, a duplicated or dropped segment, garbled
characters, two delimiters swapped, wrong envelope counts, or the whole file re-delimited with
unusual characters. The number of examples is bounded so the module runs in well under a minute.
The reader's C loops and its Python loops must give the same values or the same error; the
guide check's C path and its Python pass the same problems, also on files with one element
changed to an odd value.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from claimbridge.errors import X12Error
from claimbridge.x12.delimiters import Delimiters, read_delimiters
from claimbridge.x12.igcheck import pyx12_available
from claimbridge.x12.reader import read_file
from claimbridge.x12.tokenizer import parse_segments
from claimbridge.x12.validate import ValidationReport, validate_text
from support import (
    SAMPLES,
    TEST_DATA,
    compiled_loops_built,
    guide_outcome,
    need,
    python_loops,
    reading_outcome,
)

SEED_LIMIT = 12_000  # characters; keeps each example fast
PYX12_SEED_LIMIT = 4_000
ODD_DELIMITERS = "|!>+'`^~*:\x1c\x1d\x1e\x1f\n"
GARBLE_CHARACTERS = "*:^~|>\n\r \x00\ufeffISAGSTE0123456789é"
BOM_AND_WHITESPACE = "\ufeff \t\r\n\x00"


def _seed_files() -> list[Path]:
    synthetic = sorted(TEST_DATA.glob("*/*"))
    samples = sorted(SAMPLES.glob("*/*")) if SAMPLES.is_dir() else []
    return [p for p in synthetic + samples if p.suffix != ".md" and p.stat().st_size < SEED_LIMIT]


SEEDS = [path.read_bytes().decode("utf-8", errors="replace") for path in _seed_files()]
SMALL_SEEDS = [text for text in SEEDS if len(text) < PYX12_SEED_LIMIT]


def delimiters_of(text: str) -> Delimiters:
    """The delimiters of a seed, or the usual ones when its ISA cannot be read."""
    try:
        return read_delimiters(text.lstrip(BOM_AND_WHITESPACE))
    except X12Error:
        return Delimiters()


def pieces(text: str) -> tuple[list[str], str]:
    terminator = delimiters_of(text).segment
    return text.split(terminator), terminator


def cut(draw: st.DrawFn, text: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


def duplicate_segment(draw: st.DrawFn, text: str) -> str:
    segments, terminator = pieces(text)
    index = draw(st.integers(0, len(segments) - 1))
    return terminator.join([*segments[: index + 1], *segments[index:]])


def drop_segment(draw: st.DrawFn, text: str) -> str:
    segments, terminator = pieces(text)
    index = draw(st.integers(0, len(segments) - 1))
    return terminator.join(segments[:index] + segments[index + 1 :])


def garble(draw: st.DrawFn, text: str) -> str:
    characters = list(text)
    for _ in range(draw(st.integers(1, 4))):
        if not characters:
            break
        position = draw(st.integers(0, len(characters) - 1))
        characters[position] = draw(st.sampled_from(GARBLE_CHARACTERS) | st.characters())
    return "".join(characters)


def swap_delimiters(draw: st.DrawFn, text: str) -> str:
    used = sorted(delimiters_of(text).all())
    first, second = draw(st.lists(st.sampled_from(used), min_size=2, max_size=2, unique=True))
    return text.translate(str.maketrans({first: second, second: first}))


def wrong_counts(draw: st.DrawFn, text: str) -> str:
    element = re.escape(delimiters_of(text).element)
    trailer = re.compile(f"(SE|GE|IEA){element}([0-9]+)")
    number = draw(st.integers(0, 99_999))
    return trailer.sub(lambda found: f"{found[1]}{delimiters_of(text).element}{number}", text)


def odd_delimiters(draw: st.DrawFn, text: str) -> str:
    chosen = draw(st.lists(st.sampled_from(ODD_DELIMITERS), min_size=4, max_size=4, unique=True))
    return redelimit(text, Delimiters(*chosen))


def redelimit(text: str, new: Delimiters) -> str:
    """``text`` written again with the ``new`` delimiters (ISA11 and ISA16 follow them)."""
    old = delimiters_of(text)
    inner = {old.component: new.component}
    if old.repetition:
        inner[old.repetition] = new.repetition
    table = str.maketrans(inner)
    segments = []
    for segment in parse_segments(text):
        fields = [field.translate(table) for field in segment.fields]
        if segment.id == "ISA":
            fields[11], fields[16] = new.repetition, new.component
        segments.append(new.element.join(fields))
    return new.segment.join(segments) + new.segment


ODD_VALUES = st.sampled_from(["", "-", ".5", "1.", "20230229", "17991231", "2400", "A ", "é"]) | (
    st.text("0123456789.-: ABZaz", max_size=14)
)


def change_element(draw: st.DrawFn, text: str) -> str:
    """One element (or one past the last) of one segment set to an odd value."""
    segments, terminator = pieces(text)
    index = draw(st.integers(0, len(segments) - 1))
    separator = delimiters_of(text).element
    fields = segments[index].split(separator)
    number = draw(st.integers(1, len(fields)))
    fields[number:] = [draw(ODD_VALUES), *fields[number + 1 :]]
    segments[index] = separator.join(fields)
    return terminator.join(segments)


MUTATIONS = [
    cut,
    duplicate_segment,
    drop_segment,
    garble,
    swap_delimiters,
    wrong_counts,
    odd_delimiters,
]


@st.composite
def mutated(
    draw: st.DrawFn, seeds: list[str], extra: tuple[Callable[[st.DrawFn, str], str], ...] = ()
) -> str:
    text = draw(st.sampled_from(seeds))
    mutation = draw(st.sampled_from([*MUTATIONS, *extra]))
    try:
        return mutation(draw, text)
    except X12Error:
        return text  # odd_delimiters cannot re-delimit a seed the tokenizer refuses


def read_and_convert(path: Path) -> None:
    for parsed in read_file(path):
        parsed.to_json()


def only_x12_errors(check: Callable[[], object]) -> None:
    with contextlib.suppress(X12Error):
        check()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "mutated.x12"


FUZZ = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(text=mutated(SEEDS))
def test_reading_a_mutated_file_fails_only_with_x12_error(scratch: Path, text: str) -> None:
    scratch.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    only_x12_errors(lambda: read_and_convert(scratch))


@FUZZ
@given(text=mutated(SEEDS))
def test_the_c_loops_read_a_mutated_file_as_the_python_loops_do(text: str) -> None:
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    compiled = reading_outcome(text)
    with python_loops():
        assert reading_outcome(text) == compiled


@FUZZ
@given(text=mutated(SEEDS, (change_element, change_element, change_element)))
def test_the_guide_check_finds_in_a_mutated_file_what_its_python_pass_finds(text: str) -> None:
    need(compiled_loops_built(), "the guide check's C path was not built (is gcc installed?)")
    compiled = guide_outcome(text)
    with python_loops():
        assert guide_outcome(text) == compiled


@FUZZ
@given(text=mutated(SEEDS))
def test_validating_a_mutated_file_fails_only_with_x12_error(text: str) -> None:
    only_x12_errors(lambda: validate_text(text, office_ally=True))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated(SMALL_SEEDS))
def test_pyx12_on_a_mutated_file_fails_only_with_x12_error(text: str) -> None:
    need(pyx12_available(), "pyx12 4.0.0 is not installed")
    only_x12_errors(lambda: validate_text(text, guide="pyx12"))


def places(report: ValidationReport) -> list[tuple[int | None, str | None, str | None]]:
    return [(p.segment_position, p.segment_id, p.element) for p in report.problems]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.sampled_from(SEEDS),
    chosen=st.lists(st.sampled_from(ODD_DELIMITERS), min_size=4, max_size=4, unique=True),
)
def test_odd_delimiters_change_nothing_we_find(text: str, chosen: list[str]) -> None:
    assume(not chosen[0].isspace())  # the tokenizer refuses FS/GS/RS/US as element separator
    delimiters = delimiters_of(text)
    body = text.lstrip(BOM_AND_WHITESPACE)
    assume(not any(c in body and c not in delimiters.all() for c in chosen))  # data stays data
    try:
        before = validate_text(text, guide="none")  # the guide rules ISA11 and ISA16 themselves
    except X12Error:
        return  # a seed the tokenizer refuses (a broken sample)
    after = validate_text(redelimit(text, Delimiters(*chosen)), guide="none")
    assert places(after) == places(before)
    assert after.segments == before.segments
