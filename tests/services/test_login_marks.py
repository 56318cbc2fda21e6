"""The rejected-login mark lives in the ledger: a login Office Ally (here the simulator, over
SFTP) rejected in one process keeps every other process sharing the ledger from dialling the
account, before any connection, until a person allows logins again; marks an earlier version
left in a file are read in once.

Each test runs on SQLite and PostgreSQL. "Another process" is a ``Store`` of its own (its own
engine and connections) or a real ``claimbridge`` process; the simulator counts the SSH
connections it is offered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import update

from claimbridge.domain.models import ClearinghouseAccount, Secret
from claimbridge.errors import AuthenticationFailed, StoreError
from claimbridge.jobs.runtime import RetryPolicy, Runtime, sftp_factory
from claimbridge.jobs.work import poll_account
from claimbridge.services.account import (
    LedgerLoginMarks,
    allow_logins_again,
    import_file_marks,
    login_refused,
)
from claimbridge.services.jobs import JobKind, login_mark, queue_job, schedule_of
from claimbridge.settings import Settings
from claimbridge.sim import SimConfig, start_simulator
from claimbridge.sim.server import RunningSimulator, SimSshServer
from claimbridge.store import tables as t
from claimbridge.store.crypto import Cipher
from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load
from claimbridge.store.repositories import get_account, set_password
from claimbridge.transport.lockout import account_name
from cycle_support import NOW, point_at_simulator
from ledger_fixtures import load_example
from support import RUN_MAIN

KEY = Fernet.generate_key().decode()
WRONG = "not-the-password"


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[RunningSimulator]:
    with start_simulator(SimConfig(root=tmp_path / "sim", port=0)) as running:
        yield running


@pytest.fixture
def dialled(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """One entry for each SSH connection the simulator is offered."""
    connections: list[object] = []
    monkeypatch.setattr(SimSshServer, "connection_made", lambda self, conn: connections.append(1))
    return connections


def _stored_password(store: Store, password: str) -> None:
    with store.transaction() as session:
        set_password(session, Secret(password), Cipher(Secret(KEY)))


def _account(store: Store) -> ClearinghouseAccount:
    with store.read() as session:
        account = get_account(session, Cipher(Secret(KEY)))
    assert account is not None
    return account


@pytest.fixture
def wrong_password(store: Store, simulator: RunningSimulator) -> str:
    """The example practice's account pointed at the simulator, a wrong password stored; the
    account's name."""
    load_example(store)
    point_at_simulator(store, simulator, KEY)
    _stored_password(store, WRONG)
    return account_name(simulator.config.user, simulator.config.host, simulator.port)


def test_a_rejection_in_one_store_keeps_another_from_dialling_until_allowed(
    store: Store,
    simulator: RunningSimulator,
    dialled: list[object],
    wrong_password: str,
    tmp_path: Path,
) -> None:
    connect = sftp_factory(tmp_path / "known_hosts")
    one, other = Store(store.url), Store(store.url)  # as two processes: engines of their own
    try:
        with (
            pytest.raises(AuthenticationFailed, match="was just rejected"),
            closing(connect(_account(one), one)) as transport,
        ):
            transport.list("outbound")
        assert len(dialled) == 1

        _stored_password(other, simulator.config.password)  # right now, yet still marked
        with (
            pytest.raises(AuthenticationFailed, match="was rejected at 20") as caught,
            closing(connect(_account(other), other)) as transport,
        ):
            transport.list("outbound")
        assert len(dialled) == 1  # refused before any connection
        assert "claimbridge account schedule --resume --practice practice`" in str(caught.value)
        with other.read() as session:
            refused = login_refused(session)
        assert refused is not None and refused.account == wrong_password
        assert refused.detail.startswith("Permission denied")

        with other.transaction() as session:
            assert allow_logins_again(session, other.practice_id)
        with closing(connect(_account(one), one)) as transport:
            assert transport.list("outbound") == []
        assert len(dialled) == 2
    finally:
        one.dispose()
        other.dispose()


def _claimbridge(store: Store, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``claimbridge ARGS`` in a process of its own, on the same ledger and known-hosts file."""
    env = {**os.environ, "CLAIMBRIDGE_DB": store.url, "CLAIMBRIDGE_SECRET_KEY": KEY,
           "CLAIMBRIDGE_SFTP_KNOWN_HOSTS": str(tmp_path / "known_hosts"),
           "CLAIMBRIDGE_ARCHIVE": str(tmp_path / "cli-archive"), "COLUMNS": "300"}  # fmt: skip
    command = [sys.executable, "-c", RUN_MAIN, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_a_job_s_rejection_keeps_a_poll_in_another_process_from_dialling(
    store: Store,
    simulator: RunningSimulator,
    dialled: list[object],
    wrong_password: str,
    tmp_path: Path,
) -> None:
    worker = Store(store.url)
    settings = Settings(db_url=store.url, secret_key=Secret(KEY), home=tmp_path / "home")
    runtime = Runtime(
        worker,
        settings,
        sftp_factory(tmp_path / "known_hosts"),
        tmp_path / "archive",
        retry=RetryPolicy(attempts=3, first_wait_s=0),
    )
    practice_id = store.practice_id
    job = queue_job(store, practice_id, JobKind.POLL, "dana", NOW)
    try:
        with pytest.raises(AuthenticationFailed):
            poll_account(runtime, practice_id, job.id)
    finally:
        worker.dispose()
    assert len(dialled) == 1
    with store.read() as session:
        assert schedule_of(session, practice_id).stopped

    _stored_password(store, simulator.config.password)
    polled = _claimbridge(store, tmp_path, "poll")
    assert polled.returncode == 1, polled.stderr
    assert f"the SFTP login for {wrong_password} was rejected at 20" in polled.stderr
    assert "claimbridge account schedule --resume" in polled.stderr
    assert len(dialled) == 1  # the other process did not dial

    resumed = _claimbridge(store, tmp_path, "account", "schedule", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "Logins are allowed again" in resumed.stdout
    polled = _claimbridge(store, tmp_path, "poll")
    assert polled.returncode == 0, polled.stderr
    assert len(dialled) == 2
    with store.read() as session:
        assert login_mark(session, practice_id) is None
        assert not schedule_of(session, practice_id).stopped


def _file_marks(known_hosts: Path, *accounts: str) -> Path:
    """The marks file an earlier version kept beside ``known_hosts``, marking ``accounts``."""
    marks = {
        account: {"account": account, "when": "2026-11-20T14:30:05+00:00", "detail": "Denied"}
        for account in accounts
    }
    path = known_hosts.with_name("sftp-auth-failures.json")
    path.write_text(json.dumps(marks), encoding="utf-8")
    return path


def test_file_marks_are_read_into_each_practice_whose_account_they_name_once(
    store: Store, tmp_path: Path
) -> None:
    cedar, oak = store_for_load(store, "practice"), store_for_load(store, "oak-grove")
    for practice in (cedar, oak):
        load_example(practice)
    with oak.transaction() as session:
        session.execute(update(t.ClearinghouseAccountRow).values(username="oakgrove"))
    with cedar.read() as session:
        account = get_account(session)
    assert account is not None
    cedar_name = account_name(account.username, account.sftp_host, account.sftp_port)
    known_hosts = tmp_path / "known_hosts"
    path = _file_marks(known_hosts, cedar_name, "someone@ftp10.officeally.com:22")

    marks = LedgerLoginMarks(oak, known_hosts)  # oak's first connection on this machine
    assert marks.refused(account_name("oakgrove", account.sftp_host, account.sftp_port)) is None
    assert not path.exists() and path.with_name(f"{path.name}.imported").exists()
    refused = LedgerLoginMarks(cedar).refused(cedar_name)
    assert refused is not None and (refused.when, refused.detail) == (
        "2026-11-20T14:30:05+00:00", "Denied"
    )  # fmt: skip
    with oak.read() as session:
        assert login_mark(session, oak.practice_id) is None

    with cedar.transaction() as session:
        assert allow_logins_again(session, cedar.practice_id)
    assert import_file_marks(store, known_hosts) == 0  # read once: allowing it stays allowed
    assert LedgerLoginMarks(cedar, known_hosts).refused(cedar_name) is None


def test_a_file_mark_never_replaces_one_the_ledger_has(store: Store, tmp_path: Path) -> None:
    load_example(store)
    with store.read() as session:
        account = get_account(session)
    assert account is not None
    name = account_name(account.username, account.sftp_host, account.sftp_port)
    later = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    LedgerLoginMarks(store).refuse(name, later, "Permission denied")
    _file_marks(tmp_path / "known_hosts", name)

    assert import_file_marks(store, tmp_path / "known_hosts") == 0
    refused = LedgerLoginMarks(store).refused(name)
    assert refused is not None and refused.when == "2026-12-01T08:00:00+00:00"

    old = account_name("formerly", account.sftp_host, account.sftp_port)  # a login since changed
    LedgerLoginMarks(store).refuse(old, later, "Permission denied")
    _file_marks(tmp_path / "known_hosts", name)
    assert import_file_marks(store, tmp_path / "known_hosts") == 1
    refused = LedgerLoginMarks(store).refused(name)
    assert refused is not None and refused.when == "2026-11-20T14:30:05+00:00"


@pytest.mark.parametrize("text", ["[1, 2", "[1, 2]", '{"a@b:22": {"account": "a@b:22"}}',
                                  '{"a@b:22": {"account": "a@b:22", "when": "2026-11-20T14:30",'
                                  ' "detail": "Denied"}}'])  # fmt: skip
def test_a_damaged_marks_file_is_reported_and_left_in_place(
    store: Store, tmp_path: Path, text: str
) -> None:
    load_example(store)
    path = tmp_path / "sftp-auth-failures.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoreError, match="delete it"):
        LedgerLoginMarks(store, tmp_path / "known_hosts").refused("a@b:22")
    assert path.read_text(encoding="utf-8") == text
