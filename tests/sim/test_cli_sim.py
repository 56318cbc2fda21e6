"""``claimbridge sim``: starts, says where it listens, answers, and stops on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from claimbridge.cli import app

LISTENING = re.compile(r"listening on (?P<host>\S+) port (?P<port>\d+), user (?P<user>\S+), root")


def test_sim_prints_where_it_listens_and_stops_on_sigterm(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "claimbridge", "sim", "--root", str(tmp_path), "--port",
               "0", "--user", "tester", "--password", "not-printed", "--delay", "0"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = LISTENING.search(first)
        assert found is not None, first + (process.stderr.read() if process.stderr else "")
        assert (found["host"], found["user"]) == ("127.0.0.1", "tester")
        with socket.create_connection(("127.0.0.1", int(found["port"])), timeout=5) as sock:
            assert sock.recv(7) == b"SSH-2.0"
        assert (tmp_path / "inbound").is_dir() and (tmp_path / "outbound").is_dir()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "simulator stopped" in out and "not-printed" not in first + out + err


def test_a_bad_scenario_file_is_reported(tmp_path: Path) -> None:
    scenario = tmp_path / "rules.yaml"
    scenario.write_text("rules:\n  - outcome: paid_twice\n")
    result = CliRunner().invoke(
        app, ["sim", "--root", str(tmp_path), "--port", "0", "--scenario", str(scenario)]
    )
    assert result.exit_code == 1
    assert "rules[0].outcome" in result.output and "paid_twice" in result.output


def test_an_unknown_era_split_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sim", "--root", str(tmp_path), "--era-split", "weekly"])
    assert result.exit_code == 2
