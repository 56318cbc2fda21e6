"""A segment: its id, its elements as text, and where it stood in the file.

``Segment.fields`` holds the id at index 0 and the elements after it, so ``CLP04`` is
``seg.fields[4]`` and the helpers take the X12 element number as written in the guide.
"""

from __future__ import annotations

from typing import NamedTuple


class Segment(NamedTuple):
    """One segment as read: ``fields[0]`` is the id; ``position`` is 1-based in the file."""

    id: str
    fields: tuple[str, ...]
    position: int

    def element(self, number: int) -> str:
        """Element ``number`` (1-based, as in ``CLP04``), or '' when absent."""
        fields = self.fields
        return fields[number] if number < len(fields) else ""

    def components(self, number: int, separator: str) -> tuple[str, ...]:
        """The components of a composite element, e.g. ``SVC01`` → ('HC', '99213', '25')."""
        value = self.element(number)
        return tuple(value.split(separator)) if value else ()

    def __str__(self) -> str:
        return f"{self.id} (segment {self.position})"
