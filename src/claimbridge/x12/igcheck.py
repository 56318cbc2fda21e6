"""Implementation-guide checks by pyx12 4.0.0, as ``Problem`` values.

pyx12 (BSD-3-Clause, https://github.com/azoner/pyx12) knows every TR3 loop, segment, element
and code list that claimbridge reads. It is an optional dependency: it is imported only when
these functions run, and ``pyx12_available()`` says whether it is installed.

The adapter runs ``pyx12.x12n_document.x12n_document`` over the text in memory, takes its
errors from the JSON error document it writes, and names the TR3 loop of each segment from the
map node pyx12 matched (its per-segment callback). pyx12 logs every error at ERROR level; that
logging is silenced while it runs. Its own failures (no map for a guide, an internal crash) are
converted here into warnings, so they never escape as foreign exceptions.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from claimbridge.errors import ConfigError, X12SyntaxError
from claimbridge.x12.delimiters import read_delimiters
from claimbridge.x12.problems import Problem

_BOM = "\ufeff"
_LEADING_WHITESPACE = " \t\r\n\x00"
_PYX12_LOGGER = "pyx12"
_MISSING_LOOP = re.compile(r'Mandatory loop ".*" \((?P<loop>\w+)\) missing')

# Line number in the file → (segment id, TR3 loop id or None), as pyx12 matched them.
SegmentPlaces = dict[int, tuple[str, str | None]]


def pyx12_available() -> bool:
    """True when pyx12 can be imported."""
    try:
        importlib.import_module("pyx12.x12n_document")
    except ImportError:
        return False
    return True


def pyx12_problems(text: str) -> list[Problem]:
    """Every implementation-guide problem pyx12 finds in X12 ``text``; [] for a valid file."""
    text = _without_layout(text.lstrip(_BOM + _LEADING_WHITESPACE))
    modules = _import_pyx12()
    unreadable = _unreadable(modules, text)
    if unreadable is not None:
        return [unreadable]
    places: SegmentPlaces = {}
    try:
        with _quiet_pyx12():
            report = _run_pyx12(modules, text, places)
    except modules["errors"].EngineError as error:
        return [_warning(f"pyx12 could not check this file: {error}")]
    except Exception as error:  # pyx12 is third-party code: none of its failures escape
        return [_warning(f"pyx12 stopped with an internal error ({type(error).__name__})")]
    return sorted(_problems_from_report(report, places), key=_order)


def _without_layout(text: str) -> str:
    """``text`` without whitespace after segment terminators (pretty-printing, indentation).

    The tokenizer skips that whitespace too; pyx12 would call each indented segment an error.
    """
    try:
        terminator = read_delimiters(text).segment
    except X12SyntaxError:
        return text  # pyx12 reports the unreadable ISA itself
    return re.sub(re.escape(terminator) + f"[{re.escape(_LEADING_WHITESPACE)}]+", terminator, text)


def _import_pyx12() -> dict[str, Any]:
    try:
        return {
            name: importlib.import_module(f"pyx12.{name}")
            for name in ("errors", "params", "x12file", "x12n_document")
        }
    except ImportError:
        raise ConfigError(
            "pyx12 is not installed; install it with `pip install pyx12==4.0.0` "
            "(or claimbridge's dev extra), or validate without it"
        ) from None


def _unreadable(modules: dict[str, Any], text: str) -> Problem | None:
    """A problem when pyx12 cannot even open ``text`` (no fixed-width ISA, unknown version)."""
    try:
        modules["x12file"].X12Reader(io.StringIO(text)).close()
    except modules["errors"].X12Error as error:
        return Problem(
            1, "ISA", None, None, "error", "pyx12", f"pyx12 cannot read the file: {error}"
        )
    return None


def _run_pyx12(modules: dict[str, Any], text: str, places: SegmentPlaces) -> dict[str, Any]:
    """pyx12's JSON error document for ``text``; fills ``places`` as it walks."""

    def remember_place(segment: Any, source: Any, node: Any, valid: bool) -> None:
        places[source.get_cur_line()] = (segment.get_seg_id(), _loop_of(node))

    report = io.StringIO()
    modules["x12n_document"].x12n_document(
        modules["params"].ParamsBase(),
        io.StringIO(text),
        None,
        None,
        fd_json=report,
        callback=remember_place,
    )
    document: dict[str, Any] = json.loads(report.getvalue() or '{"interchanges": []}')
    return document


def _loop_of(node: Any) -> str | None:
    """The TR3 loop id ('2300') of a pyx12 map node; None for the envelope and headers."""
    parent = node.get_parent() if node is not None else None
    loop_id = getattr(parent, "id", None)
    return loop_id if isinstance(loop_id, str) and loop_id[:1].isdigit() else None


@contextlib.contextmanager
def _quiet_pyx12() -> Iterator[None]:
    """Drop pyx12's log records (it logs every error it finds) while it runs."""
    logger = logging.getLogger(_PYX12_LOGGER)
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _problems_from_report(report: dict[str, Any], places: SegmentPlaces) -> Iterator[Problem]:
    for interchange in report.get("interchanges", []):
        yield from _envelope_problems(interchange, places)
        for group in interchange.get("groups", []):
            yield from _envelope_problems(group, places)
            for transaction in group.get("transactions", []):
                yield from _envelope_problems(transaction, places)
                for segment in transaction.get("segments", []):
                    yield from _segment_problems(segment, places)


def _envelope_problems(node: dict[str, Any], places: SegmentPlaces) -> Iterator[Problem]:
    """ISA/IEA, GS/GE and ST/SE errors, placed at the trailer when pyx12 reached it."""
    position = node.get("cur_line")
    segment_id, loop = places.get(position, (None, None)) if position else (None, None)
    for error in node.get("errors", []):
        yield Problem(position, segment_id, loop, None, "error", "pyx12", error["err_str"])


def _segment_problems(segment: dict[str, Any], places: SegmentPlaces) -> Iterator[Problem]:
    position: int = segment["cur_line"]
    segment_id: str = segment["seg_id"]
    loop = _segment_loop(segment_id, position, places)
    for error in segment.get("errors", []):
        message = error["err_str"]
        missing = _MISSING_LOOP.search(message)
        where = missing.group("loop") if missing else loop
        yield Problem(position, segment_id, where, None, "error", "pyx12", message)
    for element in segment.get("elements", []):
        name = _element_name(segment_id, element)
        for error in element.get("errors", []):
            yield Problem(position, segment_id, loop, name, "error", "pyx12", error["err_str"])


def _segment_loop(segment_id: str, position: int, places: SegmentPlaces) -> str | None:
    """The loop of the segment in error.

    When pyx12 reports a missing segment it names that segment but places the error at the
    segment where it noticed the absence, which opens the next loop; the missing one belonged
    to the loop of the segment before.
    """
    found_id, loop = places.get(position, (None, None))
    if found_id == segment_id:
        return loop
    return places.get(position - 1, (None, None))[1]


def _element_name(segment_id: str, element: dict[str, Any]) -> str:
    """'CLM05-3' for a component, 'CLM01' for a simple element."""
    name = f"{segment_id}{int(element['ele_pos']):02d}"
    component = element.get("subele_pos")
    return f"{name}-{int(component)}" if component else name


def _warning(message: str) -> Problem:
    return Problem(None, None, None, None, "warning", "pyx12", message)


def _order(problem: Problem) -> tuple[int, int]:
    position = problem.segment_position
    return (0, position) if position is not None else (1, 0)
