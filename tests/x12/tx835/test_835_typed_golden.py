"""Every 835 we have reads into exactly the typed values recorded in ``tests/data/835-typed``.

The dumps name every field of every value (``Nm1`` included, whose ``repr`` hides names),
amounts as ``Decimal`` reprs so ``1.5`` and ``1.50`` differ, and segments kept as read. They
were recorded before the reader's hot path was made faster, so any change in what is read,
however small, fails here with the first line that differs. Record them again only for an
intended change: ``PYTHONPATH=tests python tests/x12/tx835/test_835_typed_golden.py``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from claimbridge.x12.reader import read_file
from support import SAMPLES, TEST_DATA, dump, need

GOLDEN = TEST_DATA / "835-typed"
# A file written by bench/generate.py (0.05 MB, seed 835): reversals, PLB, CAS at both levels.
GENERATED = TEST_DATA / "835" / "generated-0.05MB-seed835.835"
SAMPLE_FILES = sorted((SAMPLES / "835").glob("*")) if (SAMPLES / "835").is_dir() else []
OUR_FILES = sorted((TEST_DATA / "835").glob("*.835"))

pytestmark = pytest.mark.usefixtures("reading_loops")  # the C loops and the Python ones


def typed_text(path: Path) -> str:
    """Every transaction set of the 835 at ``path``, typed, dumped."""
    lines = []
    for parsed in read_file(path):
        lines.append(f"{parsed.kind} {parsed.envelope.control_number}")  # type: ignore[union-attr]
        lines.extend(dump(parsed.value))
    return "\n".join(lines) + "\n"


def golden_path(path: Path) -> Path:
    return GOLDEN / (path.name + ".typed.gz")


def assert_same_as_recorded(path: Path) -> None:
    found = typed_text(path).splitlines()
    with gzip.open(golden_path(path), "rt", encoding="utf-8") as recorded_file:
        recorded = recorded_file.read().splitlines()
    for number, (line, expected) in enumerate(zip(found, recorded, strict=False), start=1):
        assert line == expected, f"{path.name}: dump line {number} differs"
    assert len(found) == len(recorded), f"{path.name}: {len(found)} lines, {len(recorded)} recorded"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_public_samples_read_as_recorded(path: Path) -> None:
    assert_same_as_recorded(path)


@pytest.mark.parametrize("path", OUR_FILES, ids=lambda p: p.name)
def test_our_files_read_as_recorded(path: Path) -> None:
    assert_same_as_recorded(path)


def test_every_sample_has_a_recording() -> None:
    need(bool(SAMPLE_FILES), f"the public 835 samples in {SAMPLES / '835'}")
    missing = [p.name for p in [*SAMPLE_FILES, *OUR_FILES] if not golden_path(p).exists()]
    assert not missing and GENERATED in OUR_FILES


def record() -> None:
    """Write the dumps of every file again (run only for an intended change of the values)."""
    GOLDEN.mkdir(exist_ok=True)
    for path in [*SAMPLE_FILES, *OUR_FILES]:
        with gzip.open(golden_path(path), "wt", encoding="utf-8") as out:
            out.write(typed_text(path))


if __name__ == "__main__":
    record()
