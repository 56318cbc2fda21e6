"""``claimbridge demo``: writes the practice's appointments as 837P and reads them back."""

from __future__ import annotations

from typer.testing import CliRunner

from claimbridge.cli import app
from support import SHARED, need


def test_demo_writes_and_reads_back_the_built_in_practice() -> None:
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "837P written: 2 claims, 57 segments" in result.output
    assert "NM1*40*2*OFFICE ALLY*****46*330897513~" in result.output
    assert "Read back: 2 claims, in the order written: yes" in result.output


def test_demo_takes_a_practice_file() -> None:
    practice = SHARED / "examples" / "practice.json"
    need(practice.is_file(), f"the synthetic practice is not at {practice}")
    result = CliRunner().invoke(app, ["demo", "--practice", str(practice)])
    assert result.exit_code == 0, result.output
    assert "837P written: 5 claims" in result.output
    assert "Read back: 5 claims, in the order written: yes" in result.output
