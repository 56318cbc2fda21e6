"""The four X12 delimiters, read from an ISA segment.

The ISA is the only fixed-width segment: its element separator is the character right after
``ISA``, ISA11 is the repetition separator, ISA16 the component separator, and the character
after ISA16 ends every segment. We find ISA16 by counting element separators instead of by
fixed offset, so an ISA whose fields were not padded still reads.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from claimbridge.errors import X12SyntaxError


class IsaOffset(IntEnum):
    """0-based offsets of the delimiters in a correctly padded, 106-character ISA."""

    ELEMENT_SEPARATOR = 3
    REPETITION_SEPARATOR = 82
    COMPONENT_SEPARATOR = 104
    SEGMENT_TERMINATOR = 105


ISA_LENGTH = 106
ISA_ELEMENT_COUNT = 16


class Delimiters(NamedTuple):
    """The characters that structure an interchange. ``repetition`` is '' when ISA11 is a code."""

    element: str = "*"
    repetition: str = "^"
    component: str = ":"
    segment: str = "~"

    def all(self) -> frozenset[str]:
        """Every delimiter character in use."""
        return frozenset(c for c in self if c)


def read_delimiters(text: str) -> Delimiters:
    """Read the delimiters from ``text``, which starts with an ISA segment."""
    if not text.startswith("ISA"):
        raise X12SyntaxError("the file does not start with an ISA segment", segment_position=1)
    if len(text) < 4:
        raise X12SyntaxError("the ISA segment is truncated", segment_position=1, segment_id="ISA")
    element = text[IsaOffset.ELEMENT_SEPARATOR]
    if element.isalnum() or element.isspace():
        raise X12SyntaxError(
            f"{element!r} cannot be the element separator", segment_position=1, segment_id="ISA"
        )
    isa16_start = _nth_index(text, element, ISA_ELEMENT_COUNT)
    if isa16_start < 0 or isa16_start + 2 >= len(text):
        raise X12SyntaxError(
            "the ISA segment is truncated: it needs 16 elements and a segment terminator",
            segment_position=1,
            segment_id="ISA",
        )
    component, segment = text[isa16_start + 1], text[isa16_start + 2]
    fields = text[:isa16_start].split(element)
    isa11 = fields[11] if len(fields) > 11 else ""
    repetition = isa11 if len(isa11) == 1 and not isa11.isalnum() else ""
    delimiters = Delimiters(element, repetition, component, segment)
    _check_distinct(delimiters)
    return delimiters


def _nth_index(text: str, char: str, n: int) -> int:
    """Index of the ``n``-th occurrence of ``char`` in ``text``, or -1."""
    index = -1
    for _ in range(n):
        index = text.find(char, index + 1)
        if index < 0:
            return -1
    return index


def _check_distinct(delimiters: Delimiters) -> None:
    used = [c for c in delimiters if c]
    if len(set(used)) != len(used):
        raise X12SyntaxError(
            f"the ISA uses one character for two delimiters: {delimiters}",
            segment_position=1,
            segment_id="ISA",
        )
    if delimiters.segment.isalnum():
        raise X12SyntaxError(
            f"{delimiters.segment!r} cannot be the segment terminator (is the ISA cut short?)",
            segment_position=1,
            segment_id="ISA",
        )
