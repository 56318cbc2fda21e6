"""Paths and the skip-or-fail rule shared by the tests; import it as ``from support import …``.

(``from conftest import …`` is ambiguous: pytest may have imported another folder's conftest under
that name.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "x12-samples"
TEST_DATA = Path(__file__).resolve().parent / "data"
# Python code that runs the ``claimbridge`` script as installed: main() with the command line.
RUN_MAIN = "import sys; from claimbridge.cli import main; sys.argv[0] = 'claimbridge'; main()"


def require_all() -> bool:
    """True when every optional part must be present (CI)."""
    return os.environ.get("CLAIMBRIDGE_REQUIRE_ALL") == "1"


def need(available: bool, reason: str) -> None:
    """Skip the calling test with ``reason`` unless ``available``; fail instead under CI."""
    if available:
        return
    if require_all():
        pytest.fail(f"required for CI but missing: {reason}")
    pytest.skip(reason)


# The modules whose inner loops have a C twin, and the attribute that holds it (None when the
# C extension was not built: the Python loop reads the same; the guide check, from the
# GuideCheck made next, finds the same).
READING_LOOPS = (
    ("claimbridge.x12.tokenizer", "_stream_c"),
    ("claimbridge.x12.envelope", "_stream_c"),
    ("claimbridge.x12.tx835_005010X221A1.claims", "_claims_c"),
    ("claimbridge.x12.guide.check", "_guide_c"),
    ("claimbridge.x12.tx837p_005010X222A1.lines", "_lines_c"),
    ("claimbridge.x12.dispatch", "_stream_c"),
)


def compiled_loops_built() -> bool:
    """True when every C loop of the X12 reader was built and is in use."""
    return all(
        getattr(importlib.import_module(module), name) is not None for module, name in READING_LOOPS
    )


@contextlib.contextmanager
def python_loops() -> Iterator[None]:
    """Read X12 with the Python loops only, as on a machine without a C compiler."""
    modules = [(importlib.import_module(module), name) for module, name in READING_LOOPS]
    kept = [getattr(module, name) for module, name in modules]
    for module, name in modules:
        setattr(module, name, None)
    try:
        yield
    finally:
        for (module, name), compiled in zip(modules, kept, strict=True):
            setattr(module, name, compiled)


def dump(value: object, indent: str = "") -> list[str]:
    """A typed X12 value as lines of text, one field a line, nested values indented.

    Every field is named (``Nm1`` included, whose ``repr`` hides names) and amounts are
    ``Decimal`` reprs, so ``1.5`` and ``1.50`` differ.
    """
    named = _named_fields(value)
    if named is not None:
        lines = [f"{indent}{type(value).__name__}("]
        for name, field in named:
            inner = dump(field, indent + "  ")
            lines.append(f"{indent}  {name}={inner[0].lstrip()}")
            lines.extend(inner[1:])
        return [*lines, f"{indent})"]
    if isinstance(value, tuple | list):
        items = [line for item in value for line in dump(item, indent + "  ")]
        return [f"{indent}[", *items, f"{indent}]"] if items else [f"{indent}[]"]
    if isinstance(value, Decimal | dt.date | dt.time | str | int) or value is None:
        return [f"{indent}{value!r}"]
    raise TypeError(f"no dump for {type(value).__name__}")


def _named_fields(value: object) -> list[tuple[str, object]] | None:
    """The (name, value) fields of a NamedTuple or a dataclass; None for anything else."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return list(zip(value._fields, value, strict=True))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [(field.name, getattr(value, field.name)) for field in dataclasses.fields(value)]
    return None


def guide_outcome(text: str) -> list[str]:
    """What the guide check finds in X12 ``text``: every problem, or the reading error, as lines."""
    from claimbridge.errors import X12Error
    from claimbridge.x12.guide import guide_problems
    from claimbridge.x12.tokenizer import parse_segments

    try:
        return [repr(problem) for problem in guide_problems(parse_segments(text))]
    except X12Error as error:
        return [f"{type(error).__name__}: {error}"]


def reading_outcome(text: str) -> list[str]:
    """What reading X12 ``text`` gives: every transaction dumped, or the error, as lines."""
    from claimbridge.errors import X12Error
    from claimbridge.x12.reader import parse_text

    lines: list[str] = []
    try:
        for parsed in parse_text(text):
            lines.append(parsed.kind)
            lines.extend(dump(parsed.value))
    except X12Error as error:
        lines.append(f"{type(error).__name__}: {error}")
    return lines


def refusals_837(text: str) -> list[str]:
    """Per 837 transaction set of X12 ``text``, what ``parse`` refuses and what ``Refusals``
    finds streaming, side by side as lines (the two halves must be equal)."""
    from claimbridge.errors import X12Error, X12SyntaxError
    from claimbridge.x12.envelope import TransactionSet, iter_envelopes
    from claimbridge.x12.tokenizer import parse_segments
    from claimbridge.x12.tx837p_005010X222A1 import parse
    from claimbridge.x12.tx837p_005010X222A1.refusal import Refusals

    def shown(error: X12SyntaxError | None) -> str:
        if error is None:
            return "read"
        where = (error.segment_position, error.segment_id, error.element_position)
        return f"{where}: {error.message}"

    by_parse: list[str] = []
    streamed: list[str] = []
    with contextlib.suppress(X12Error):  # the envelopes themselves: not the 837 reader's part
        for envelope in iter_envelopes(parse_segments(text)):
            if not isinstance(envelope, TransactionSet) or envelope.code != "837":
                continue
            try:
                parse(envelope)
                by_parse.append(shown(None))
            except X12SyntaxError as error:
                by_parse.append(shown(error))
            refusals = Refusals()
            for segment in envelope.segments[1:-1]:
                refusals.feed(segment)
            streamed.append(shown(refusals.finish()))
    return [*by_parse, "--", *streamed]


@contextlib.contextmanager
def whole_837_sets() -> Iterator[None]:
    """``validate`` as its reference: each 837P set read whole with ``parse``, not streaming,
    and every service line segment by segment (no run of plain lines taken in one step)."""
    from claimbridge.x12 import validate
    from claimbridge.x12.tx837p_005010X222A1 import refusal
    from claimbridge.x12.tx837p_005010X222A1.lines import PlainLines

    def none_taken(*args: object) -> PlainLines:
        start, first_date = args[1], args[5]
        return PlainLines(start, 0, 0, 0, first_date, False)  # type: ignore[arg-type]

    kept = validate.stream_837, validate.plain_lines, refusal.plain_lines
    validate.stream_837 = None
    validate.plain_lines = refusal.plain_lines = none_taken
    try:
        yield
    finally:
        validate.stream_837, validate.plain_lines, refusal.plain_lines = kept


def validate_outcome(text: str) -> list[str]:
    """What ``validate`` finds in X12 ``text``: every problem, or the reading error, as lines."""
    from claimbridge.errors import X12Error
    from claimbridge.x12.validate import validate_text

    try:
        return [repr(problem) for problem in validate_text(text, guide="none").problems]
    except X12Error as error:
        return [f"{type(error).__name__}: {error}"]
