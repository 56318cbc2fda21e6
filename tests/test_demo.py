"""``claimbridge demo``: the claim cycle end to end against the simulator, over real SFTP."""

from __future__ import annotations

import io
import json
import re
import shlex
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import func, select
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.cli.demo import command_name, practice_source, run_demo
from claimbridge.store import tables as t
from claimbridge.store.db import Store


def _ledger_money(path: Path) -> dict[str, Decimal]:
    """The totals straight from the ledger's tables, independently of the demo's own sums."""
    store = Store(f"sqlite:///{path}")
    pr = t.AdjustmentRow.group_code == "PR"
    adjustments = select(func.sum(t.AdjustmentRow.amount))
    with store.read() as session:
        found = {
            "billed": session.scalar(select(func.sum(t.ClaimRow.total_charge))),
            "paid": session.scalar(select(func.sum(t.PaymentRow.paid))),
            "adjusted": session.scalar(adjustments.where(~pr)),
            "owed by patients": session.scalar(adjustments.where(pr)),
        }
    store.dispose()
    return {
        name: Decimal(str(value or 0)).quantize(Decimal("0.01")) for name, value in found.items()
    }


def test_the_demo_runs_the_cycle_and_its_numbers_are_the_ledgers(tmp_path: Path) -> None:
    summary = run_demo(tmp_path, practice_source(None), Console(file=io.StringIO()))
    assert summary.created is not None and summary.submitted is not None
    held = [c for c in summary.created.created if c.status.value == "held"]
    assert [(c.patient_control_number, c.result.reason) for c in held] == [
        (
            "CB000004",
            "837P enrollment with BLUE SHIELD OF CALIFORNIA (BS001) is required and not "
            "approved (not started)",
        )
    ]
    assert summary.submitted.claims_sent == 4
    assert summary.next_payers is not None  # Medicare's ERA made Harold Nguyen's Medigap claim
    assert [b.patient_control_numbers for b in summary.next_payers.batches] == [("CB000003S",)]
    assert summary.collected["835"] >= 2 and summary.collected["999"] == 2
    assert summary.totals() == _ledger_money(tmp_path / "claimbridge.db")
    statuses = {claim["patient_control_number"]: claim["status"] for claim in summary.claims}
    assert statuses["CB000004"] == "held" and statuses["CB000003S"] == "paid"
    assert all(status != "ready" for status in statuses.values())
    assert {"paid", "denied"} <= set(statuses.values())  # the answers were applied
    assert summary.totals()["paid"] > 0 and summary.totals()["adjusted"] > 0


def test_the_demo_command_ends_with_the_table_and_next_steps(tmp_path: Path) -> None:
    kept = tmp_path / "demo-run"
    result = CliRunner().invoke(app, ["demo", "--keep", str(kept)])
    assert result.exit_code == 0, result.output
    assert "Claims by status" in result.output
    assert "BLUE SHIELD OF CALIFORNIA (BS001) is required and not approved" in result.output
    assert f"\n  {command_name()} serve " in result.output
    uploaded = re.findall(r"^Uploaded \S+: (.*)$", result.output, re.MULTILINE)
    assert uploaded == [
        "4 claims.",
        "1 claim made from the ERAs for the next payer (a secondary claim).",
    ]
    # each round says what it collected itself: one 999 for each of the two files sent
    rounds = re.findall(r"^Collected from outbound: (.*)$", result.output, re.MULTILINE)
    assert [re.findall(r"(\d+) 999\b", line) for line in rounds] == [["1"], ["1"]]
    home = _printed_home(result.output)
    assert home == {"CLAIMBRIDGE_HOME": str(kept.resolve())}
    listed = CliRunner().invoke(app, ["claims", "list", "--json"], env=home)
    assert listed.exit_code == 0, listed.output
    assert {"patient_control_number": "CB000004", "status": "held"}.items() <= next(
        claim
        for claim in json.loads(listed.stdout)
        if claim["patient_control_number"] == "CB000004"
    ).items()


def _printed_home(output: str) -> dict[str, str]:
    """The home the next steps name (their ``export CLAIMBRIDGE_HOME=…`` line), as a variable."""
    for line in output.splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["export"] and words[1].startswith("CLAIMBRIDGE_HOME="):
            name, value = words[1].split("=", 1)
            return {name: value}
    raise AssertionError(f"no 'export CLAIMBRIDGE_HOME=' among the next steps:\n{output}")


def _printed_command(output: str, name: str) -> list[str]:
    """The arguments of the printed next step ``name``, without the program that runs it."""
    program = shlex.split(command_name())
    for line in output.splitlines():
        words = shlex.split(line, comments=True)
        if words[: len(program) + 1] == [*program, name]:
            return words[len(program) :]
    raise AssertionError(f"no '{name}' among the next steps:\n{output}")


def test_the_kept_ledgers_next_steps_make_the_key_before_the_password_is_stored(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "demo-run"
    shown = CliRunner().invoke(app, ["demo", "--keep", str(kept)])
    assert shown.exit_code == 0, shown.output
    steps = shown.output[shown.output.index("Look further") :]
    assert steps.index(" init\n") < steps.index(" set-password")
    home = _printed_home(shown.output)
    refused = CliRunner().invoke(app, _printed_command(shown.output, "set-password"), env=home)
    assert refused.exit_code != 0 and "key" in refused.output
    made = CliRunner().invoke(app, _printed_command(shown.output, "init"), env=home)
    assert made.exit_code == 0, made.output
    assert (kept / "claimbridge.key").is_file()
    stored = CliRunner().invoke(
        app, _printed_command(shown.output, "set-password"), input="s3cret\ns3cret\n", env=home
    )
    assert stored.exit_code == 0, stored.output
    assert "SFTP password stored" in stored.output


def _script(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "claimbridge"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    return script


def test_the_hints_say_claimbridge_when_the_path_finds_the_running_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _script(tmp_path / "venv" / "bin")
    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    monkeypatch.setenv("PATH", str(script.parent))
    assert command_name() == "claimbridge"


def test_the_hints_name_the_running_script_by_its_path_when_the_path_finds_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _script(tmp_path / "my venv" / "bin")
    other = _script(tmp_path / "elsewhere")
    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    monkeypatch.setenv("PATH", str(other.parent))
    assert shlex.split(command_name()) == [str(script.resolve())]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert shlex.split(command_name()) == [str(script.resolve())]


def test_the_hints_name_the_script_beside_python_when_run_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _script(tmp_path / "venv" / "bin")
    monkeypatch.setattr(sys, "argv", ["-m", "demo"])
    monkeypatch.setattr(sys, "executable", str(script.parent / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert command_name() == str(script.resolve())
    script.unlink()
    assert command_name() == f"{script.parent / 'python'} -m claimbridge"
