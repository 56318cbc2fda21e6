"""The C loops of the X12 reader read exactly what its Python loops read, and the guide
check's C path finds exactly what its Python pass finds.

``_stream_c`` (segments, transaction set bodies, a set's segments handed to handlers),
``_claims_c`` (835 loops 2000–2110), ``_guide_c`` (the guide check's quick path) and
``_lines_c`` (runs of plain 837P lines) are built when a C compiler is there; without one
the Python loops do the work. Each test reads or checks the same text both ways and compares
everything, errors included. The golden, tokenizer, envelope, 835 and guide tests also run
both ways (the ``reading_loops`` fixture), and ``test_fuzz.py`` compares both on mutated files.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType

import pytest

from claimbridge.x12.delimiters import read_delimiters
from claimbridge.x12.guide import GuideCheck
from claimbridge.x12.segments import Segment
from claimbridge.x12.tokenizer import iter_segments, parse_segments
from support import (
    SAMPLES,
    TEST_DATA,
    compiled_loops_built,
    guide_outcome,
    need,
    python_loops,
    reading_outcome,
)

PAID = (TEST_DATA / "835" / "generated-0.05MB-seed835.835").read_text(encoding="ascii")


def both_ways(text: str) -> tuple[list[str], list[str]]:
    """Reading ``text`` with the C loops, then with the Python loops."""
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    compiled = reading_outcome(text)
    with python_loops():
        python = reading_outcome(text)
    return compiled, python


def segments_both_ways(pieces: list[str]) -> tuple[list[object], list[object]]:
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    compiled = [tuple(s) for s in iter_segments(pieces)]
    with python_loops():
        python = [tuple(s) for s in iter_segments(pieces)]
    return compiled, python


def test_the_c_loops_are_built() -> None:
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")


def test_a_generated_835_reads_the_same() -> None:
    compiled, python = both_ways(PAID)
    assert compiled == python
    assert sum(line.strip() == "Loop2100(" for line in compiled) > 50


@pytest.mark.parametrize(
    ("plain", "odd"),
    [
        ("CLP*CB00000002*1*196*", "CLP*CB00000002*1*+196*"),  # a sign
        ("CLP*CB00000002*1*196*", "CLP*CB00000002*1*1.96E2*"),  # an exponent
        ("CLP*CB00000002*1*196*", "CLP*CB00000002*1*196.*"),  # a dot without decimals
        ("CLP*CB00000002*1*196*", "CLP*CB00000002*1*.5*"),  # no integer digits
        ("CLP*CB00000002*1*196*", "CLP*CB00000002*1*196.125*"),  # three decimals
        ("CLP*CB00000002*1*196*", "CLP*CB00000002*1*19x6*"),  # not a number: an error
        ("CLP*CB00000002*1*196*", "CLP**1*196*"),  # CLP01 empty: an error
        ("DTM*472*20241028~", "DTM*472*20240230~"),  # not a real date: an error
        ("DTM*472*20241028~", "DTM*472*2024102~"),  # seven digits: an error
        ("DTM*472*20241028~", "DTM*472*20241028*1200~"),  # a time: another shape
        ("SVC*HC:71046*98*47.83~", "SVC*HC:71046:26:::::X:Y*98*47.83~"),  # ten components
        ("SVC*HC:71046*98*47.83~", "SVC*HC:71046*98*47.83***HC:71045*1~"),  # as submitted
        ("SVC*HC:71046*98*47.83~", "SVC**98*47.83~"),  # SVC01 empty: an error
        ("CAS*CO*45*38.22~", "CAS*CO*45*38.22*1*CO*253*0.78~"),  # two triplets
        ("CAS*CO*45*38.22~", "CAS*CO*45~"),  # an amount missing: an error
        ("REF*6R*CB00000002-1~", "REF*6R*CB00000002-1*X~"),  # a description
        ("AMT*B6*59.78~", "AMT*B6*59.78*C~"),  # a credit/debit flag
        ("AMT*B6*59.78~", "AMT*B6~"),  # AMT02 empty: an error
        ("MOA***N381~", "MOA*0.5*12*N381*****3*4~"),  # rate and amounts
        ("MOA***N381~", "MOA***N381~MIA*1*2*3~QTY*CA*2~PER*CX*DESK~"),  # the rarer parts
        ("NM1*82*1*FERN*RILEY****XX*1987654328~", "NM1*82*1*FERN~"),  # short
        ("NM1*82*1*FERN*RILEY****XX*1987654328~", "NM1*82" + "*X" * 13 + "~"),  # too long
        ("LX*1~", "LX*1~TS3*1*11*20241231*1*100~"),  # header number totals
        ("LX*1~", "LX*1~XYZ*1~"),  # a segment the guide does not have there
    ],
)
def test_every_shape_reads_the_same(plain: str, odd: str) -> None:
    assert plain in PAID
    compiled, python = both_ways(PAID.replace(plain, odd, 1))
    assert compiled == python


def test_odd_characters_split_the_same() -> None:
    text = PAID.replace("SPRUCE", "SPRÜCE").replace("EMERY", "EMΕRY").replace("ELM*", "ELM😀*")
    compiled, python = both_ways(text)
    assert compiled == python
    assert any("SPRÜCE" in line for line in compiled)


def test_pieces_split_anywhere_and_an_empty_piece_ends_a_segment() -> None:
    head, rest = PAID[:120], PAID[120:400]
    pieces = [head, rest[:7], "", rest[7:], rest[7:8]]
    compiled, python = segments_both_ways(pieces)
    assert compiled == python
    whole, _ = segments_both_ways([PAID[:400]])
    assert compiled != whole  # the empty piece ended a segment early, in both


def test_nothing_is_read_before_the_first_segment_is_asked_for() -> None:
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    taken: list[str] = []

    def pieces() -> Iterator[str]:
        for start in range(0, 5000, 1000):
            taken.append(PAID[start : start + 1000])
            yield taken[-1]

    segments = iter_segments(pieces())
    assert taken == []
    assert next(segments).id == "ISA"
    assert len(taken) == 5  # the ISA is read from the first 4,096 characters at least


def test_a_wrong_segment_id_fails_the_same() -> None:
    compiled, python = both_ways(PAID.replace("\nCLP*", "\nclp*", 1))
    assert compiled == python
    assert compiled[-1].startswith("X12SyntaxError")


# --- the guide check ----------------------------------------------------------------------------


def guide_both_ways(text: str) -> tuple[list[str], list[str]]:
    """The guide check's problems in ``text`` with its C path, then with Python alone."""
    need(compiled_loops_built(), "the guide check's C path was not built (is gcc installed?)")
    compiled = guide_outcome(text)
    with python_loops():
        python = guide_outcome(text)
    return compiled, python


def x12_files() -> list[Path]:
    samples = sorted(p for p in SAMPLES.glob("*/*") if p.name != "SOURCES.md")
    ours = sorted(p for p in TEST_DATA.glob("*/*") if p.parent.name != "835-typed")
    return [*samples, *ours]


@pytest.mark.parametrize("path", x12_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_guide_check_finds_the_same_in_every_file(path: Path) -> None:
    compiled, python = guide_both_ways(path.read_text("utf-8", errors="replace"))
    assert compiled == python


def test_the_c_path_takes_most_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    need(compiled_loops_built(), "the guide check's C path was not built (is gcc installed?)")
    in_python: list[str] = []
    feed_one = GuideCheck._feed_one

    def counted(check: GuideCheck, segment: Segment) -> list[object]:
        in_python.append(segment.id)
        return list(feed_one(check, segment))

    monkeypatch.setattr(GuideCheck, "_feed_one", counted)
    check = GuideCheck()
    segments = list(parse_segments(PAID))
    for segment in segments:
        assert check.feed(segment) == []
    assert len(in_python) < len(segments) / 10, sorted(set(in_python))


# Values the C path judges itself (lengths, numbers, codes, dates, times, characters,
# components), each put in every element of the last segment of several kinds in a clean
# 837P and 835 (the last: the C path knows its route from the ones before).
ODD_VALUES = [
    "", "X", "x", "1", "-1", "-", ".5", "1.", "-1.5", "1.2.3", "007", "1234567890123456",
    "20240229", "20230229", "20241301", "17991231", "240101", "202401011260", "202401011259",
    "2359", "2400", "12601", "123456789", "20240101-20240102", "20240101-2024010",
    "A B ", "A~B", "ABC^", "a|b", "é", "HC", "D8", "RD8", "TM", "DT", "ZZ", "Y", "N", "18",
    "HC:99213", "HC:99213:25:59:XX:YY:ZZ:1:2", ":", "HC::", "ABK:E119", "ABF:", "1:2:3",
]  # fmt: skip
KINDS = {"DTP", "DMG", "CLM", "SV1", "HI", "NM1", "N4", "CLP", "SVC", "CAS", "DTM", "AMT"}


@pytest.mark.parametrize(
    "name", ["837p/office-ally-two-claims.837", "835/paid-and-denied-with-plb.835"]
)
def test_odd_values_in_every_element_are_found_the_same(name: str) -> None:
    text = (TEST_DATA / name).read_text().replace("~\n", "~")
    delimiters = read_delimiters(text)
    segments = text.split(delimiters.segment)
    last = {raw.split(delimiters.element)[0]: index for index, raw in enumerate(segments)}
    changed = 0
    for kind in sorted(KINDS & last.keys()):
        index = last[kind]
        raw = segments[index]
        fields = raw.split(delimiters.element)
        for number in range(1, len(fields) + 1):
            for value in ODD_VALUES:
                odd = [*fields[:number], value, *fields[number + 1 :]]
                mutated = [*segments[:index], delimiters.element.join(odd), *segments[index + 1 :]]
                compiled, python = guide_both_ways(delimiters.segment.join(mutated))
                assert compiled == python, (raw, number, value)
                changed += compiled != []
    assert changed > 500


def test_dispatch_hands_each_segment_to_its_handler_alike_in_c_and_python() -> None:
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    from claimbridge.x12 import dispatch

    assert dispatch._stream_c is not None
    texts = ["NM1*85", "N3*1 MAIN", "REF*EI*1", "NM1*IL", "SE*5*1", "NM1*X"]
    batch = [Segment(t.split("*")[0], tuple(t.split("*")), n) for n, t in enumerate(texts)]

    def outcome(loop: Callable[..., int], start: int, proxy: bool, gather: bool) -> object:
        seen: list[str] = []

        def named(segment: Segment) -> list[str]:
            seen.append(segment.element(1))
            return [f"{segment.id}@{segment.position}"]

        def nothing(segment: Segment) -> None:
            seen.append(segment.id)

        table = {"NM1": named, "REF": nothing}
        handlers = MappingProxyType(table) if proxy else table
        found: list[object] | None = [] if gather else None
        return loop(batch, start, handlers, frozenset({"SE"}), found), seen, found

    for start, proxy, gather in itertools.product((0, 2, 4, 5, 9), (False, True), (True, False)):
        python = outcome(dispatch.dispatch_python, start, proxy, gather)
        assert outcome(dispatch._stream_c.dispatch, start, proxy, gather) == python
    stop, seen, found = outcome(dispatch.dispatch_python, 0, False, True)
    assert (stop, seen, found) == (4, ["85", "REF", "IL"], ["NM1@0", "NM1@3"])
    assert outcome(dispatch.dispatch_python, 5, False, True) == (6, ["X"], ["NM1@5"])
