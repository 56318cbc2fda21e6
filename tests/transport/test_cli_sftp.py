"""``claimbridge sftp test | forget-host-key`` against a real sshd, and a rejected login of the
stored account, marked in the ledger until ``claimbridge account schedule --resume``."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
from sshd_support import TEST_PASSWORD, TEST_USER, SshdServer
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.transport.hostkeys import KnownHosts

PRACTICE = Path(str(files("claimbridge") / "demo_data" / "practice.json"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def sftp(
    runner: CliRunner,
    server: SshdServer,
    known_hosts: Path,
    *words: str,
    password: str = TEST_PASSWORD,
) -> tuple[int, str, str]:
    args = ["sftp", *words, "--host", "127.0.0.1", "--port", str(server.port)]
    args += ["--known-hosts", str(known_hosts)]
    result = runner.invoke(app, args, env={"CLAIMBRIDGE_SFTP_PASSWORD": password})
    return result.exit_code, result.stdout, result.stderr


def test_sftp_test_logs_in_lists_and_pins(
    runner: CliRunner, sshd: SshdServer, tmp_path: Path
) -> None:
    sshd.place("outbound", "FS_HCFA_123456789_IN_C.txt", b"summary", None)
    known_hosts = tmp_path / "known_hosts"

    code, out, err = sftp(runner, sshd, known_hosts, "test", "--user", TEST_USER)

    assert code == 0, err
    assert f"connected to cbtest@127.0.0.1:{sshd.port}; inbound: 0 files, outbound: 1 files" in out
    assert len(KnownHosts(known_hosts).keys_for("127.0.0.1", sshd.port)) == 1
    assert TEST_PASSWORD not in out + err


def test_a_rejected_login_of_an_account_given_by_hand_says_what_to_do(
    runner: CliRunner, sshd: SshdServer, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"

    code, _, err = sftp(
        runner, sshd, known_hosts, "test", "--user", TEST_USER, password="wrong-one"
    )
    assert code == 1 and err.startswith("error: the SFTP login for cbtest@127.0.0.1")
    assert "was just rejected" in err and "test them again" in err and "wrong-one" not in err
    assert not list(tmp_path.glob("sftp-auth-failures*"))  # no file marks any more

    code, _, err = sftp(runner, sshd, known_hosts, "test", "--user", TEST_USER)
    assert code == 0, err  # an account stored nowhere is marked nowhere


def _stored_account(
    runner: CliRunner, sshd: SshdServer, tmp_path: Path, password: str
) -> list[str]:
    """A ledger whose practice's account is the test user on ``sshd``, its stored password
    ``password``; the ``--db`` option that names it."""
    practice = json.loads(PRACTICE.read_text(encoding="utf-8"))
    practice["clearinghouse"] |= {"sftp_host": "127.0.0.1", "sftp_port": sshd.port}
    practice["clearinghouse"]["username"] = TEST_USER
    practice_file = tmp_path / "practice.json"
    practice_file.write_text(json.dumps(practice), encoding="utf-8")
    db = ["--db", f"sqlite:///{tmp_path / 'ledger.db'}"]
    for words, given in ((["init"], None), (["load", str(practice_file)], None),
                         (["set-password", "--password-stdin"], password)):  # fmt: skip
        done = runner.invoke(app, [*words, *db], input=given)
        assert done.exit_code == 0, done.output
    return db


def test_a_rejected_login_of_the_stored_account_holds_until_logins_are_allowed_again(
    runner: CliRunner, sshd: SshdServer, tmp_path: Path
) -> None:
    db = _stored_account(runner, sshd, tmp_path, "wrong-one")
    test = ["sftp", "test", *db, "--known-hosts", str(tmp_path / "known_hosts")]

    first = runner.invoke(app, test)
    assert first.exit_code == 1
    assert first.stderr.startswith(f"error: the SFTP login for cbtest@127.0.0.1:{sshd.port} was")
    assert "`claimbridge account schedule --resume --practice " in first.stderr
    assert "wrong-one" not in first.output

    done = runner.invoke(app, ["set-password", "--password-stdin", *db], input=TEST_PASSWORD)
    assert done.exit_code == 0, done.output
    again = runner.invoke(app, test)
    assert again.exit_code == 1 and "was rejected at" in again.stderr  # not dialled: marked
    shown = runner.invoke(app, ["account", "schedule", *db])
    assert shown.exit_code == 0, shown.output
    assert (
        f"LOGINS REFUSED: Office Ally rejected the SFTP login cbtest@127.0.0.1:{sshd.port} at"
        in (shown.stdout.replace("\n", " "))
    )

    resumed = runner.invoke(app, ["account", "schedule", "--resume", *db])
    assert resumed.exit_code == 0 and "Logins are allowed again" in resumed.stdout
    allowed = runner.invoke(app, test)
    assert allowed.exit_code == 0, allowed.output
    assert f"connected to cbtest@127.0.0.1:{sshd.port}" in allowed.stdout


def test_forget_host_key_removes_the_pin(
    runner: CliRunner, sshd: SshdServer, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    assert sftp(runner, sshd, known_hosts, "test", "--user", TEST_USER)[0] == 0

    code, out, _ = sftp(runner, sshd, known_hosts, "forget-host-key")

    assert code == 0 and "removed 1 pinned key(s)" in out
    assert KnownHosts(known_hosts).keys_for("127.0.0.1", sshd.port) == []
    assert "no key was pinned" in sftp(runner, sshd, known_hosts, "forget-host-key")[1]


def test_sftp_test_without_host_and_user_tests_the_stored_account(
    runner: CliRunner, sshd: SshdServer, tmp_path: Path
) -> None:
    db = _stored_account(runner, sshd, tmp_path, TEST_PASSWORD)
    known_hosts = tmp_path / "known_hosts"

    result = runner.invoke(app, ["sftp", "test", *db, "--known-hosts", str(known_hosts)])

    assert result.exit_code == 0, result.output
    assert f"connected to cbtest@127.0.0.1:{sshd.port}; inbound: 0 files" in result.stdout
    assert len(KnownHosts(known_hosts).keys_for("127.0.0.1", sshd.port)) == 1
    assert TEST_PASSWORD not in result.output


def test_sftp_test_with_a_host_and_no_user_says_to_give_both(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["sftp", "test", "--host", "127.0.0.1"])
    assert result.exit_code != 0
    assert "give both --host and --user, or neither" in result.stderr
