"""``claimbridge sftp test | forget-host-key | clear-auth-failure`` against a real sshd."""

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


def test_a_rejected_login_says_what_to_do_and_can_be_cleared(
    runner: CliRunner, sshd: SshdServer, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"

    code, out, err = sftp(
        runner, sshd, known_hosts, "test", "--user", TEST_USER, password="wrong-one"
    )
    assert code == 1 and err.startswith("error: the SFTP login for cbtest@127.0.0.1")
    assert "claimbridge sftp clear-auth-failure" in err and "wrong-one" not in err

    code, _, err = sftp(runner, sshd, known_hosts, "test", "--user", TEST_USER)
    assert code == 1 and "was rejected at" in err  # not dialled again, even with the right one

    code, out, _ = sftp(runner, sshd, known_hosts, "clear-auth-failure", "--user", TEST_USER)
    assert code == 0 and "may log in again" in out
    code, out, err = sftp(runner, sshd, known_hosts, "test", "--user", TEST_USER)
    assert code == 0, err


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
    practice = json.loads(PRACTICE.read_text(encoding="utf-8"))
    practice["clearinghouse"] |= {"sftp_host": "127.0.0.1", "sftp_port": sshd.port}
    practice["clearinghouse"]["username"] = TEST_USER
    practice_file = tmp_path / "practice.json"
    practice_file.write_text(json.dumps(practice), encoding="utf-8")
    db = ["--db", f"sqlite:///{tmp_path / 'ledger.db'}"]
    for words, given in ((["init"], None), (["load", str(practice_file)], None),
                         (["set-password", "--password-stdin"], TEST_PASSWORD)):  # fmt: skip
        done = runner.invoke(app, [*words, *db], input=given)
        assert done.exit_code == 0, done.output
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
