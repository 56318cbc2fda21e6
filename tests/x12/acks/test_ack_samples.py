"""Every public TA1, 999, 277 and 277CA sample reads through ``read_file`` (one is truncated)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.reader import read_file
from support import SAMPLES

KINDS = {"TA1": {"TA1"}, "999": {"999", "TA1"}, "277": {"277"}, "277CA": {"277CA"}}
TRUNCATED = "277CA/oopfactory__FromBogeyone.txt"


def sample_names() -> list[str]:
    names = [f"{kind}/{p.name}" for kind in KINDS for p in sorted((SAMPLES / kind).glob("*"))]
    return names or ["(samples missing)"]


@pytest.mark.parametrize("name", [n for n in sample_names() if n != TRUNCATED])
def test_sample_reads_to_json(samples_dir: Path, name: str) -> None:
    parsed = list(read_file(samples_dir / name))
    assert parsed, "no transaction set or TA1 was read"
    assert {p.kind for p in parsed} <= KINDS[name.split("/")[0]]
    for each in parsed:
        json.dumps(each.to_json())


def test_truncated_sample_is_a_syntax_error(samples_dir: Path) -> None:
    with pytest.raises(X12SyntaxError, match="SE is missing") as caught:
        list(read_file(samples_dir / TRUNCATED))
    assert caught.value.segment_position == 10


def test_every_sample_was_seen(samples_dir: Path) -> None:
    assert len(sample_names()) == 24
    assert TRUNCATED in sample_names()
