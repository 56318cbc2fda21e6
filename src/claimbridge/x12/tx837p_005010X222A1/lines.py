"""Runs of plain 837P service lines: what ``validate`` checks of a line, decided in one step.

Nearly every 837P line is an LX, one SV1, one DTP*472 and a few segments neither check looks
at (REF, NTE, AMT …). ``validate``'s structural check (``validate._Check837``) and its
read-back (``refusal.Refusals``) each look at every such segment, claim by claim; most of
their time in an 837P goes there. ``plain_lines(batch, start, …)`` takes the lines from
``batch[start]`` (an LX) that neither of them could find anything in, and says what the two
need to know of them: how many, the sum of their charges, their first service date and
whether the dates differ. Each takes the run from its own loop, leaves the segments out, and
reads every other line (the first that is not plain, and all after it) as before.

A line is plain when all of these hold:

- it ends inside ``batch`` at the next LX, or at a segment that ends its claim (HL, CLM or an
  envelope segment); not at a sub-loop (NM1, SVD, LQ), HI, SBR, BHT or TA1, which either check
  reads with the line in its state;
- it has exactly one SV1 and exactly one DTP with DTP01 472, and no other segment of those ids
  that a check reads (another DTP is left alone by both);
- SV102 is a plain amount (digits, no sign, at most 15 of them and 3 decimals), SV104 empty
  or plain (``Refusals`` takes these as read), and SV107 empty or pointers of one or two digits
  (no leading zero) joined by the component separator, each at most the claim's diagnoses
  (unless ``diagnoses`` is None: ``Refusals`` does not read the pointers);
- DTP03 is a date read already in this set (in ``dates``; unless it is None: the structural
  check does not read the date);
- the sum of the charges so far stays a 64-bit number of thousandths.

Anything else ends the run before that line, for the checks to read as before. The C twin
``_lines_c.plain_lines`` takes the same lines (``tests/x12/test_compiled_loops.py`` and the
``validate`` fuzz target compare them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from types import ModuleType
from typing import NamedTuple

from claimbridge.x12.segments import Segment

_lines_c: ModuleType | None
try:
    from claimbridge.x12.tx837p_005010X222A1 import _lines_c
except ImportError:  # built without a C compiler: the Python loop takes the same lines
    _lines_c = None


def compiled() -> bool:
    """True when the C loop takes the runs (the C extension was built)."""
    return _lines_c is not None


class PlainLines(NamedTuple):
    """The run of plain lines from ``start``: ``end`` is the index after it (``start`` when no
    line was taken); ``charges`` is Σ SV102 in thousandths, written with ``places`` decimals
    at most; ``first_date`` the first DTP*472 of the claim's lines (the one given, else the
    run's first); ``dates_differ`` whether a date of the run differs from it (DTP02, DTP03)."""

    end: int
    lines: int
    charges: int
    places: int
    first_date: Segment | None
    dates_differ: bool


# Segments that end a line and its claim (a line ending at one is taken), and the others a
# line cannot hold and be plain (one of the checks reads them with the line in its state).
_CLAIM_ENDS = frozenset({"HL", "CLM", "ISA", "GS", "ST", "SE", "GE", "IEA"})
_NOT_IN_A_PLAIN_LINE = frozenset({"HI", "NM1", "SBR", "BHT", "SVD", "LQ", "TA1"})
_CHARGE = re.compile(r"([0-9]{1,15})(?:\.([0-9]{0,3}))?")
# Decimal reads these as numbers of at most 18 digits: ``decimal`` accepts each as it is
# (``Refusals`` takes such an amount as read, as a run does SV104).
PLAIN_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{0,3})?")
_LARGEST = 2**63 - 1  # thousandths a C long long holds


def plain_lines(
    batch: Sequence[Segment],
    start: int,
    component: str,
    diagnoses: int | None,
    dates: Set[str] | None,
    first_date: Segment | None,
) -> PlainLines:
    """The plain lines of ``batch`` from ``start`` (see the module's docstring)."""
    if _lines_c is not None and type(batch) is list:
        run: PlainLines = _lines_c.plain_lines(
            batch, start, component, diagnoses, dates, first_date, PlainLines
        )
        return run
    return plain_lines_python(batch, start, component, diagnoses, dates, first_date)


def plain_lines_python(
    batch: Sequence[Segment],
    start: int,
    component: str,
    diagnoses: int | None,
    dates: Set[str] | None,
    first_date: Segment | None,
) -> PlainLines:
    """``plain_lines`` in Python (when ``_lines_c`` was not built)."""
    at, lines, charges, places, differ = start, 0, 0, 0, False
    size = len(batch)
    while at < size and batch[at][0] == "LX":
        line = _plain_line(batch, at, size)
        if line is None:
            break
        end, sv1, dtp = line
        fields = sv1.fields
        charge = _CHARGE.fullmatch(_element(fields, 2))
        if charge is None or not _plain_or_empty(_element(fields, 4)):
            break
        if diagnoses is not None and not _pointers(_element(fields, 7), component, diagnoses):
            break
        if dates is not None and _element(dtp.fields, 3) not in dates:
            break
        decimals = charge.group(2) or ""
        thousandths = int(charge.group(1) + decimals.ljust(3, "0"))
        if charges + thousandths > _LARGEST:
            break
        if first_date is None:
            first_date = dtp
        elif not differ:
            differ = _date_of(first_date) != _date_of(dtp)
        lines, charges, at = lines + 1, charges + thousandths, end
        places = max(places, len(decimals))
    return PlainLines(at, lines, charges, places, first_date, differ)


def _plain_line(
    batch: Sequence[Segment], lx: int, size: int
) -> tuple[int, Segment, Segment] | None:
    """The line at ``batch[lx]``: the index of the segment that ends it, its SV1 and its
    DTP*472, when it has one of each and ends where a plain line may; else None."""
    sv1 = dtp = None
    at = lx + 1
    while at < size:
        segment = batch[at]
        tag = segment[0]
        if tag == "SV1":
            if sv1 is not None:
                return None
            sv1 = segment
        elif tag == "DTP":
            if _element(segment.fields, 1) == "472":
                if dtp is not None:
                    return None
                dtp = segment
        elif tag == "LX" or tag in _CLAIM_ENDS:
            break
        elif tag in _NOT_IN_A_PLAIN_LINE:
            return None
        at += 1
    if at == size or sv1 is None or dtp is None:
        return None
    return at, sv1, dtp


def _element(fields: tuple[str, ...], number: int) -> str:
    return fields[number] if number < len(fields) else ""


def _plain_or_empty(text: str) -> bool:
    return not text or PLAIN_NUMBER.fullmatch(text) is not None


def _pointers(text: str, component: str, diagnoses: int) -> bool:
    """True for SV107 empty or pointers 1–99 written plainly, none above ``diagnoses``."""
    if not text:
        return True
    if len(component) != 1:
        return False
    for pointer in text.split(component):
        if not (1 <= len(pointer) <= 2 and pointer.isascii() and pointer.isdigit()):
            return False
        if pointer[0] == "0" or int(pointer) > diagnoses:
            return False
    return True


def _date_of(dtp: Segment) -> tuple[str, str]:
    return _element(dtp.fields, 2), _element(dtp.fields, 3)
