"""The fuzz targets: one function per parser, and ingest into a ledger; ``fuzz/run.py`` runs them.

Each target takes the bytes libFuzzer (through atheris) made and reads them the way claimbridge
reads a file of that kind. A target may refuse its input only with an error of claimbridge's own
tree (``claimbridge.errors.ClaimbridgeError``); any other exception, a hang past the time limit
or running out of memory is a finding. The seeds of a target are in ``fuzz/corpus/<target>``.

The claimbridge modules are imported inside ``atheris.instrument_imports`` so their branches
guide the mutations; everything a target reaches is imported here, not lazily, for that reason.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import atheris

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))  # the C/Python comparison the X12 tests use (tests/support.py)

with atheris.instrument_imports(include=["claimbridge"]):
    from claimbridge.domain.oa_reports import parse_edi_status, parse_file_summary
    from claimbridge.domain.payer_list import parse_payer_csv
    from claimbridge.domain.practice_file import parse_practice_text
    from claimbridge.errors import ClaimbridgeError
    from claimbridge.services import ingest
    from claimbridge.services.claims import create_claims
    from claimbridge.services.submit import submit
    from claimbridge.store.db import Store
    from claimbridge.store.practice import known_keys, write_practice_file
    from claimbridge.transport.memory import MemoryTransport
    from claimbridge.x12 import ta1 as _ta1  # noqa: F401  (the readers are imported by name)
    from claimbridge.x12 import tx277ca_005010X214 as _tx277  # noqa: F401
    from claimbridge.x12 import tx835_005010X221A1 as _tx835  # noqa: F401
    from claimbridge.x12 import tx837p_005010X222A1 as _tx837  # noqa: F401
    from claimbridge.x12 import tx999_005010X231A1 as _tx999  # noqa: F401
    from claimbridge.x12.reader import compiled_loops, parse_text
    from claimbridge.x12.sniff import FileKind, sniff_bytes
    from claimbridge.x12.validate import validate_text

    compiled_loops()  # imports the 835 loops

from support import python_loops, reading_outcome  # noqa: E402

Target = Callable[[bytes], None]


class Finding(BaseException):
    """An error outside claimbridge's tree that a layer of claimbridge caught and hid (ingest
    records any unreadable file as failed); raised past every ``except Exception``."""


def x12_text(data: bytes) -> str:
    """Bytes as the X12 reader decodes a file (UTF-8, bad bytes replaced)."""
    return data.decode("utf-8", errors="replace")


def read_x12(data: bytes) -> None:
    """Read X12 as ``claimbridge x12 json`` does, then again with the Python loops: both must
    give the same values or the same error (the C loops are only a faster way to read)."""
    text = x12_text(data)
    compiled = reading_outcome(text)
    with python_loops():
        in_python = reading_outcome(text)
    if compiled != in_python:
        raise AssertionError(f"the C and Python loops disagree:\n{compiled}\n{in_python}")
    for parsed in parse_text(text):
        json.dumps(parsed.to_json())


def validate(data: bytes) -> None:
    """``claimbridge x12 validate --office-ally --no-pyx12``: every problem has a place."""
    report = validate_text(x12_text(data), office_ally=True, use_pyx12=False)
    for problem in report.problems:
        problem.where()


def sniff(data: bytes) -> None:
    """Identification never raises at all, whatever the bytes (``x12.sniff``)."""
    try:
        kind = sniff_bytes(data)
    except ClaimbridgeError as error:
        raise AssertionError("sniff_bytes raised; it never may") from error
    assert isinstance(kind, FileKind)


def oa_reports(data: bytes) -> None:
    """Office Ally's File Summary and EDI Status reports, decoded as ingest decodes them."""
    text = data.decode("utf-8", errors="replace")
    for parse in (parse_file_summary, parse_edi_status):
        try:
            parse(text)
        except ClaimbridgeError:
            continue


def practice_json(data: bytes) -> None:
    """A practice file as ``claimbridge load`` reads it."""
    parse_practice_text(data)


def payer_csv(data: bytes) -> None:
    """An Office Ally payer list as ``payers import`` and the Insurances page read it."""
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
    apply: Callable[..., tuple[ingest.Outcome, str]],
) -> Callable[..., tuple[ingest.Outcome, str]]:
    def revealing(*args: object) -> tuple[ingest.Outcome, str]:
        try:
            return apply(*args)
        except ClaimbridgeError:
            raise
        except Exception as error:
            raise Finding(f"{type(error).__name__}: {error}") from error

    return revealing


def ingest_file(data: bytes) -> None:
    """One returned file through ``ingest_bytes`` into a ledger, as ``import`` and ``poll`` do.

    Ingest records a file it cannot read as failed and goes on; here an error outside
    claimbridge's tree behind such a failure is a finding too.
    """
    global _ledger
    if _ledger is None:
        _ledger = _Ledger()
        ingest._apply = _apply_revealing(ingest._apply)  # type: ignore[assignment]
    reports = ingest.ingest_bytes(_ledger.fresh(), "answer.txt", data)
    assert reports and all(report.outcome in ingest.Outcome for report in reports)


# One entry per target: its name (also the corpus folder's) and its function.
TARGETS: dict[str, Target] = {
    "x12_999": read_x12,
    "x12_277": read_x12,
    "x12_835": read_x12,
    "x12_837p": read_x12,
    "x12_ta1": read_x12,
    "validate": validate,
    "sniff": sniff,
    "oa_reports": oa_reports,
    "practice_json": practice_json,
    "payer_csv": payer_csv,
    "ingest": ingest_file,
}


def refusing_only_ours(target: Target) -> Target:
    """``target`` with claimbridge's own errors taken as a refusal; anything else escapes."""

    def one_input(data: bytes) -> None:
        try:
            target(data)
        except ClaimbridgeError:
            return

    return one_input
