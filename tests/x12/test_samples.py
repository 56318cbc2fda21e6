"""Every public sample file: good ones read and convert; broken ones fail only with X12Error.

The samples sit beside the checkout (``samples_dir``); SOURCES.md marks the intentionally
invalid ones in its "note" column. Three more are broken without saying so: a truncated 277CA,
an 837P without its ISA line and one with a garbled segment id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.errors import X12Error
from claimbridge.x12.reader import read_file
from claimbridge.x12.validate import validate_file
from support import SAMPLES


def _sources_rows() -> list[tuple[str, str]]:
    """(file, note) of each row of the files table in SOURCES.md; [] without the samples."""
    sources = SAMPLES / "SOURCES.md"
    if not sources.is_file():
        return []
    rows = []
    for line in sources.read_text().splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.split("|")]
            rows.append((cells[1].strip("`"), cells[6]))
    return rows


def sample_names() -> list[str]:
    """Every sample file SOURCES.md lists, as '<type>/<name>'."""
    return [name for name, _ in _sources_rows()]


def invalid_names() -> frozenset[str]:
    """The samples SOURCES.md notes as intentionally invalid."""
    return frozenset(name for name, note in _sources_rows() if "invalid" in note)


ALSO_INVALID = frozenset(
    {
        "277CA/oopfactory__FromBogeyone.txt",
        "837P/imsweb__x12_no_isa_line.txt",
        "837P/imsweb__x12_bad_segment_identifier.txt",
    }
)
INVALID = invalid_names() | ALSO_INVALID
GOOD = [name for name in sample_names() if name not in INVALID]
BAD = sorted(INVALID)


def test_the_sample_list_is_complete(samples_dir: Path) -> None:
    on_disk = {f"{p.parent.name}/{p.name}" for p in samples_dir.glob("*/*")}
    assert set(sample_names()) == on_disk
    assert on_disk >= INVALID
    assert len(INVALID) >= 15


@pytest.mark.parametrize("name", GOOD)
def test_good_sample_reads_and_converts(samples_dir: Path, name: str) -> None:
    parsed = [p.to_json() for p in read_file(samples_dir / name)]
    assert parsed
    assert all(isinstance(item["type"], str) and item["envelope"] for item in parsed)


@pytest.mark.parametrize("name", BAD)
def test_broken_sample_is_refused_or_reported(samples_dir: Path, name: str) -> None:
    path = samples_dir / name
    try:
        for parsed in read_file(path):
            parsed.to_json()
    except X12Error:
        return
    report = validate_file(path)
    assert report.errors, f"{name} reads and validates clean"


@pytest.mark.parametrize("name", sample_names())
def test_validate_never_fails_with_a_foreign_exception(samples_dir: Path, name: str) -> None:
    try:
        report = validate_file(samples_dir / name)
    except X12Error:
        assert name in INVALID, f"{name} is good but validate could not read it"
        return
    assert report.segments > 0


@pytest.mark.parametrize("name", GOOD)
def test_json_command_prints_valid_json(samples_dir: Path, name: str) -> None:
    result = CliRunner().invoke(app, ["x12", "json", str(samples_dir / name)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, list) and document
    assert all("type" in item for item in document)
