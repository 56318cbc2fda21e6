"""The ``claimbridge`` script: its version, a command list that loads nothing, no library noise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

import claimbridge
from claimbridge.cli import COMMANDS, build_app
from support import RUN_MAIN

HEAVY = ("sqlalchemy", "alembic", "fastapi", "asyncssh", "psycopg", "pydantic", "cryptography")


def _claimbridge(*args: str, check_modules: bool = False) -> subprocess.CompletedProcess[str]:
    code = RUN_MAIN
    if check_modules:
        # After the command ends, print which heavy libraries it loaded.
        code = (
            "import atexit, json, sys\n"
            f"atexit.register(lambda: print(json.dumps(sorted({{m.split('.')[0] for m in "
            f"sys.modules}} & set({HEAVY!r})))))\n" + RUN_MAIN
        )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def test_version_prints_the_installed_version() -> None:
    result = _claimbridge("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"claimbridge {claimbridge.__version__}\n"
    assert claimbridge.__version__[0].isdigit()


def test_help_lists_every_command_and_imports_none_of_the_heavy_libraries() -> None:
    result = _claimbridge("--help", check_modules=True)
    assert result.returncode == 0, result.stderr
    for name in COMMANDS:
        assert f"\n  {name} " in result.stdout
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_x12_json_reads_a_file_without_the_ledger_web_or_sftp_libraries(test_data: Path) -> None:
    path = test_data / "999" / "accepted-two-sets.999"
    result = _claimbridge("x12", "json", str(path), check_modules=True)
    assert result.returncode == 0, result.stderr
    assert '"type": "999"' in result.stdout
    assert json.loads(result.stdout.splitlines()[-1]) == []


@pytest.mark.parametrize("args", [("sftp", "--help"), ("sim", "--help"), ("serve", "--help")])
def test_commands_that_load_asyncssh_print_no_library_warning(args: tuple[str, ...]) -> None:
    result = _claimbridge(*args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_warning_option_still_shows_library_warnings() -> None:
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", RUN_MAIN, "sftp", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "DSA is deprecated" in result.stderr


def test_each_summary_in_the_command_list_is_the_commands_own_first_line() -> None:
    whole = typer.main.get_group(build_app())
    for name, entry in COMMANDS.items():
        command = whole.commands[name]
        own = (command.short_help or command.help or "").strip().splitlines()[0]
        assert own == entry.summary, name
    assert set(whole.commands) == set(COMMANDS)
