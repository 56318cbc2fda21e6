"""claimbridge's own implementation-guide checks, table-driven and streaming.

One table per guide (``tables/*.json``: loops, segments, elements with type, length and codes)
describes 005010X222A1 837P, 005010X221A1 835, 005010X231A1 (and 005010X231) 999 and
005010X214 277CA, plus the envelope segments; ``build_tables`` writes them from pyx12's maps.
``GuideCheck`` walks a file's segments through the table of each group's guide once, holding
only counters, and reports what pyx12 would: loops and segments out of order, missing or
repeated too often; elements missing, too long, of the wrong type or not in their code list;
syntax rules broken; envelope numbers and counts wrong. ``check_file`` runs it over a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.delimiters import read_delimiters
from claimbridge.x12.guide.check import GuideCheck
from claimbridge.x12.problems import Problem
from claimbridge.x12.segments import Segment
from claimbridge.x12.tokenizer import read_segments

__all__ = ["GuideCheck", "check_file", "ends_with_terminator", "guide_problems"]

_LAYOUT = " \t\r\n\x00"
_HEAD = 4096  # characters read to find the delimiters
_TAIL = 64  # bytes read to see how the file ends
_BATCH = 2048  # segments checked in one call


def guide_problems(segments: Iterable[Segment], *, terminated: bool = True) -> Iterator[Problem]:
    """Every implementation-guide problem of a segment stream, in file order.

    ``terminated`` says whether the text ended with a segment terminator (``ends_with_terminator``).
    """
    check = GuideCheck()
    stream = iter(segments)
    while batch := list(islice(stream, _BATCH)):
        yield from check.feed_batch(batch)
    yield from check.finish(terminated=terminated)


def check_file(path: str | Path) -> list[Problem]:
    """Every implementation-guide problem of the X12 file at ``path``, read streaming."""
    return list(guide_problems(read_segments(path), terminated=file_ends_terminated(path)))


def file_ends_terminated(path: str | Path) -> bool:
    """True when the file at ``path`` ends with its segment terminator (layout after it allowed)."""
    with Path(path).open("rb") as handle:
        head = handle.read(_HEAD).decode("utf-8", errors="replace")
        size = handle.seek(0, 2)
        handle.seek(max(0, size - _TAIL))
        tail = handle.read().decode("utf-8", errors="replace")
    return ends_with_terminator(head, tail)


def ends_with_terminator(head: str, tail: str) -> bool:
    """True when text starting with ``head`` and ending with ``tail`` ends with its terminator.

    Whitespace after the last terminator is layout; text that has no readable ISA counts as
    terminated (the tokenizer reports it).
    """
    try:
        terminator = read_delimiters(head.lstrip("\ufeff" + _LAYOUT)).segment
    except X12SyntaxError:
        return True
    return tail.rstrip(_LAYOUT.replace(terminator, "")).endswith(terminator)
