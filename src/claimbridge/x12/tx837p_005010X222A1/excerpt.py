"""``claim_excerpt``: the segments of one claim in an 837P file, as a person reads them.

::

    excerpt = claim_excerpt(text, "CB000002", st02="0001")
    print("\\n".join(excerpt.lines))

An excerpt holds, in file order:

* ``envelope``: ISA, GS, the claim's ST and BHT, and the submitter and receiver (1000A/1000B);
* ``hierarchy``: the HL levels above the claim with their own segments — the billing provider
  (2000A/2010A*), the subscriber (2000B/2010B*) and, when the claim is the patient's, the patient
  (2000C/2010CA); a level's segments end where its first claim or the next HL begins;
* ``claim``: the claim from its CLM through its last service line (2300 through 2400s), up to
  the next CLM, HL or SE.

Other claims in the file are left out, and so are the trailers (SE, GE, IEA): their counts
describe the whole file, not the excerpt. Segments are given as written, each with its
terminator, so the lines are the claim's bytes as sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from claimbridge.x12.delimiters import Delimiters, read_delimiters
from claimbridge.x12.segments import Segment
from claimbridge.x12.tokenizer import parse_segments

_LEADING = "\ufeff \t\r\n\x00"


@dataclass(frozen=True, slots=True)
class ClaimExcerpt:
    """One claim's segments from an 837P file, as text, in file order."""

    envelope: tuple[str, ...]
    hierarchy: tuple[str, ...]
    claim: tuple[str, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        """Every segment of the excerpt, one per line."""
        return (*self.envelope, *self.hierarchy, *self.claim)


@dataclass(slots=True)
class _Level:
    """One HL level being read: its parent's id and its segments before its first claim."""

    parent: str
    segments: list[Segment]
    open: bool = True


def claim_excerpt(text: str, clm01: str, st02: str | None = None) -> ClaimExcerpt | None:
    """The segments of claim ``clm01`` (in transaction set ``st02`` if given), or None."""
    delimiters = read_delimiters(text.lstrip(_LEADING))
    found = _find(parse_segments(text), clm01, st02)
    if found is None:
        return None
    envelope, hierarchy, claim = found

    def written(segments: list[Segment]) -> tuple[str, ...]:
        return tuple(_written(segment, delimiters) for segment in segments)

    return ClaimExcerpt(written(envelope), written(hierarchy), written(claim))


def _find(
    segments: Iterator[Segment], clm01: str, st02: str | None
) -> tuple[list[Segment], list[Segment], list[Segment]] | None:
    header: list[Segment] = []  # ISA and GS of the current interchange and group
    envelope: list[Segment] = []  # the current transaction set's ST, BHT, 1000A and 1000B
    levels: dict[str, _Level] = {}  # the path of HL levels from the root to ``current``
    current: _Level | None = None
    wanted = False
    for segment in segments:
        if segment.id == "ISA":
            header = [segment]
        elif segment.id == "GS":
            header = [*header[:1], segment]
        elif segment.id == "ST":
            wanted = st02 is None or segment.element(2) == st02
            envelope, levels, current = [*header, segment], {}, None
        elif not wanted:
            continue
        elif segment.id == "HL":
            current = _Level(segment.element(2), [segment])
            levels = _ancestors(levels, current.parent)
            levels[segment.element(1)] = current
        elif segment.id == "CLM" and current is not None:
            current.open = False
            if segment.element(1) == clm01:
                claim = [segment, *_rest_of_claim(segments)]
                return envelope, _chain(levels), claim
        elif current is None:
            envelope.append(segment)
        elif current.open:
            current.segments.append(segment)
    return None


def _ancestors(levels: dict[str, _Level], parent: str) -> dict[str, _Level]:
    """The levels from the root down to ``parent``, the new level's parent (HL is depth first)."""
    kept: dict[str, _Level] = {}
    for level_id, level in levels.items():
        kept[level_id] = level
        if level_id == parent:
            return kept
    return {}  # a level without a known parent starts a new tree


def _chain(levels: dict[str, _Level]) -> list[Segment]:
    """The segments of every level from the root down to the claim's own."""
    return [segment for level in levels.values() for segment in level.segments]


def _rest_of_claim(segments: Iterator[Segment]) -> Iterator[Segment]:
    """The segments after a CLM up to the next CLM, HL or SE."""
    for segment in segments:
        if segment.id in ("CLM", "HL", "SE"):
            return
        yield segment


def _written(segment: Segment, delimiters: Delimiters) -> str:
    return delimiters.element.join(segment.fields) + delimiters.segment
