"""The fuzz targets: one function per parser, and ingest into a ledger; ``fuzz/run.py`` runs them.

Each target takes the bytes libFuzzer (through atheris) made and reads them the way claimbridge
reads a file of that kind. A target may refuse its input only with an error of claimbridge's own
tree (``claimbridge.errors.ClaimbridgeError``); any other exception, a hang past the time limit
or running out of memory is a finding. The seeds of a target are in ``fuzz/corpus/<target>``.

``Target.modules`` names what a target reaches: ``run.py`` imports them inside
``atheris.instrument_imports`` (and only them: instrumenting costs seconds a module), so their
branches guide the mutations. The functions import what they use when they run, from there.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from claimbridge.errors import ClaimbridgeError

if TYPE_CHECKING:
    from claimbridge.services.ingest import Outcome
    from claimbridge.store.db import Store

TESTS = Path(__file__).resolve().parents[1] / "tests"

X12_READERS = (
    "claimbridge.x12.reader",
    "claimbridge.x12.ta1",
    "claimbridge.x12.tx277ca_005010X214",
    "claimbridge.x12.tx835_005010X221A1",
    "claimbridge.x12.tx835_005010X221A1.claims",
    "claimbridge.x12.tx837p_005010X222A1",
    "claimbridge.x12.tx837p_005010X222A1.refusal",
    "claimbridge.x12.tx999_005010X231A1",
)


class Finding(BaseException):
    """An error outside claimbridge's tree that a layer of claimbridge caught and hid (ingest
    records any unreadable file as failed); raised past every ``except Exception``."""


def x12_text(data: bytes) -> str:
    """Bytes as the X12 reader decodes a file (UTF-8, bad bytes replaced)."""
    return data.decode("utf-8", errors="replace")


def read_x12(data: bytes) -> None:
    """Read X12 as ``claimbridge x12 json`` does, after reading it with the C loops and again
    with the Python loops: both must give the same values or the same error (the C loops are
    only a faster way to read); and each 837 set is refused by ``Refusals``, which ``validate``
    streams, where and as ``parse`` refuses it."""
    from claimbridge.x12.reader import parse_text

    sys.path.insert(0, str(TESTS))  # the comparison the X12 tests use (tests/support.py)
    from support import python_loops, reading_outcome, refusals_837

    text = x12_text(data)
    compiled = reading_outcome(text)
    with python_loops():
        in_python = reading_outcome(text)
    if compiled != in_python:
        raise AssertionError(f"the C and Python loops disagree:\n{compiled}\n{in_python}")
    outcomes = refusals_837(text)
    middle = outcomes.index("--")
    if outcomes[:middle] != outcomes[middle + 1 :]:
        raise AssertionError(f"parse and Refusals disagree on an 837 set:\n{outcomes}")
    for parsed in parse_text(text):
        json.dumps(parsed.to_json())


def validate(data: bytes) -> None:
    """``claimbridge x12 validate --office-ally`` (guide tables included): every problem has a
    place; the guide check's C path and the C runs of plain 837P lines find what their Python
    twins find (the C code is only a faster way to check); streaming an 837P set, plain lines
    taken in runs, finds what reading it whole and line by line does."""
    from claimbridge.x12.validate import validate_text

    sys.path.insert(0, str(TESTS))  # the comparison the X12 tests use (tests/support.py)
    from support import guide_outcome, python_loops, validate_outcome, whole_837_sets

    text = x12_text(data)
    compiled = guide_outcome(text), validate_outcome(text)
    with python_loops():
        in_python = guide_outcome(text), validate_outcome(text)
    if compiled != in_python:
        raise AssertionError(f"the C and Python checks disagree:\n{compiled}\n{in_python}")
    streamed = compiled[1]  # validate as it runs: C paths, streaming, plain lines in runs
    with whole_837_sets():
        whole = validate_outcome(text)
    if streamed != whole:
        raise AssertionError(f"streaming and whole 837P sets disagree:\n{streamed}\n{whole}")
    report = validate_text(text, office_ally=True)
    for problem in report.problems:
        problem.where()


def sniff(data: bytes) -> None:
    """Identification never raises at all, whatever the bytes (``x12.sniff``)."""
    from claimbridge.x12.sniff import FileKind, sniff_bytes

    try:
        kind = sniff_bytes(data)
    except ClaimbridgeError as error:
        raise AssertionError("sniff_bytes raised; it never may") from error
    assert isinstance(kind, FileKind)


def oa_reports(data: bytes) -> None:
    """Office Ally's File Summary and EDI Status reports, decoded as ingest decodes them."""
    from claimbridge.domain.oa_reports import parse_edi_status, parse_file_summary

    text = data.decode("utf-8", errors="replace")
    for parse in (parse_file_summary, parse_edi_status):
        try:
            parse(text)
        except ClaimbridgeError:
            continue


def practice_json(data: bytes) -> None:
    """A practice file as ``claimbridge load`` reads it."""
    from claimbridge.domain.practice_file import parse_practice_text

    parse_practice_text(data)


def payer_csv(data: bytes) -> None:
    """An Office Ally payer list as ``payers import`` and the Insurances page read it."""
    from claimbridge.domain.payer_list import parse_payer_csv

    parse_payer_csv(data.decode("utf-8-sig", errors="replace"))


class _Ledger:
    """A SQLite ledger with the demo practice's claims submitted (so answers find claims to
    change), made again from a copy every ``FRESH_EVERY`` inputs so it stays small."""

    FRESH_EVERY = 2000

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="claimbridge-fuzz-"))
        self.template = self.folder / "template.db"
        self._make(self.template)
        self.store: Store | None = None
        self.count = 0

    @staticmethod
    def _make(path: Path) -> None:
        from claimbridge.cli.demo import practice_source
        from claimbridge.domain.practice_file import parse_practice_text
        from claimbridge.services.claims import create_claims
        from claimbridge.services.submit import submit
        from claimbridge.store.db import Store
        from claimbridge.store.practice import known_keys, write_practice_file
        from claimbridge.transport.memory import MemoryTransport

        store = Store(f"sqlite:///{path}")
        store.upgrade()
        with store.transaction() as session:
            practice = parse_practice_text(practice_source(None), known_keys(session))
            write_practice_file(session, practice)
        now = datetime.now(UTC)
        with store.transaction() as session:
            create_claims(session, "fuzz", now.date())
        submit(store, MemoryTransport(), "fuzz", now)
        store.dispose()

    def fresh(self) -> Store:
        from claimbridge.store.db import Store

        if self.store is None or self.count % self.FRESH_EVERY == 0:
            if self.store is not None:
                self.store.dispose()
            work = self.folder / "ledger.db"
            work.write_bytes(self.template.read_bytes())
            self.store = Store(f"sqlite:///{work}")
        self.count += 1
        return self.store


_ledger: _Ledger | None = None


def _apply_revealing(
    apply: Callable[..., tuple[Outcome, str]],
) -> Callable[..., tuple[Outcome, str]]:
    def revealing(*args: object) -> tuple[Outcome, str]:
        try:
            return apply(*args)
        except ClaimbridgeError:
            raise
        except Exception as error:
            raise Finding(f"{type(error).__name__}: {error}") from error

    return revealing


def prepare_ingest() -> None:
    """Make the ledger before the first input (it takes seconds: not part of any input's time)."""
    from claimbridge.services import ingest

    global _ledger
    if _ledger is None:
        _ledger = _Ledger()
        ingest._apply = _apply_revealing(ingest._apply)  # type: ignore[assignment]


def ingest_file(data: bytes) -> None:
    """One returned file through ``ingest_bytes`` into a ledger, as ``import`` and ``poll`` do.

    Ingest records a file it cannot read as failed and goes on; here an error outside
    claimbridge's tree behind such a failure is a finding too.
    """
    from claimbridge.services.ingest import Outcome, ingest_bytes

    prepare_ingest()
    assert _ledger is not None
    reports = ingest_bytes(_ledger.fresh(), "answer.txt", data)
    assert reports and all(report.outcome in Outcome for report in reports)


def _nothing() -> None:
    return None


class Target(NamedTuple):
    """A fuzz target: what reads one input, the modules it reaches (instrumented) and what
    it needs made before its first input (outside the time an input may take)."""

    run: Callable[[bytes], None]
    modules: tuple[str, ...]
    prepare: Callable[[], None] = _nothing


# One entry per target: its name (also its corpus folder's).
TARGETS: dict[str, Target] = {
    "x12_999": Target(read_x12, X12_READERS),
    "x12_277": Target(read_x12, X12_READERS),
    "x12_835": Target(read_x12, X12_READERS),
    "x12_837p": Target(read_x12, X12_READERS),
    "x12_ta1": Target(read_x12, X12_READERS),
    "validate": Target(validate, ("claimbridge.x12.validate",)),
    "sniff": Target(sniff, ("claimbridge.x12.sniff",)),
    "oa_reports": Target(oa_reports, ("claimbridge.domain.oa_reports",)),
    "practice_json": Target(practice_json, ("claimbridge.domain.practice_file",)),
    "payer_csv": Target(payer_csv, ("claimbridge.domain.payer_list",)),
    "ingest": Target(ingest_file, ("claimbridge.services.ingest",), prepare_ingest),
}


def refusing_only_ours(run: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """``run`` with claimbridge's own errors taken as a refusal; anything else escapes."""

    def one_input(data: bytes) -> None:
        try:
            run(data)
        except ClaimbridgeError:
            return

    return one_input
