"""backup and restore: a ledger with claims, payments and a stored password comes back whole in
an empty home; the key travels apart; nothing is overwritten unless asked; files stay private."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError, InputError
from claimbridge.services.account import allow_logins_again, login_refused
from claimbridge.services.backup import Places, backup, restore
from claimbridge.services.jobs import mark_login_refused
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.store import tables as t
from claimbridge.store.crypto import Cipher, generate_key, read_key_file
from claimbridge.store.db import Store
from claimbridge.store.repositories import get_account, set_password
from claimbridge.transport.hostkeys import KnownHosts
from claimbridge.transport.lockout import AuthFailure, account_name
from cycle_support import NOW, ledger_snapshot, submitted
from ledger_fixtures import add_claim, load_example
from support import need

PASSWORD = "synthetic-sftp-pw-31"
HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXy6ueOvT5iDGy6rV6iZqy1ESnsWvVCe2gaSXcHHt7I"
runner = CliRunner()


def ok(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 1, result.output
    return result.stderr


def ledger_of(home: Path) -> Store:
    return Store(f"sqlite:///{home / 'claimbridge.db'}")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def working_home(claimbridge_home: Path, tmp_path: Path) -> Path:
    """A home whose ledger has submitted claims, an answered batch posted (payments), a stored
    password and a rejected-login mark, an archive and a pinned host key; made through the
    commands."""
    ok("init")
    store = ledger_of(claimbridge_home)
    submitted(store, tmp_path / "oa")
    store.dispose()
    process_inbound_once(tmp_path / "oa", SimConfig(root=tmp_path / "oa"), NOW.replace(tzinfo=None))
    assert "6 applied" in ok("poll", "--from", str(tmp_path / "oa"))
    ok("set-password", "--password-stdin", stdin=PASSWORD + "\n")
    known_hosts = claimbridge_home / "known_hosts"
    KnownHosts(known_hosts).pin("ftp10.officeally.com", 22, HOST_KEY)
    store = ledger_of(claimbridge_home)
    with store.transaction() as session:
        name = stored_account_name(session)
        mark_login_refused(session, store.practice_id, name, NOW, "Permission denied")
    store.dispose()
    return claimbridge_home


def stored_account_name(session: Session) -> str:
    account = get_account(session)
    assert account is not None
    return account_name(account.username, account.sftp_host, account.sftp_port)


def refused_login(store: Store) -> AuthFailure | None:
    with store.read() as session:
        return login_refused(session)


def stored_password(store: Store, key: Secret) -> str | None:
    with store.read() as session:
        account = get_account(session, Cipher(key))
    return account.password.reveal() if account and account.password else None


def every_file(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def test_a_backup_restored_into_an_empty_home_gives_back_every_claim_payment_and_password(
    working_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = ledger_of(working_home)
    before = ledger_snapshot(source)
    key = read_key_file(working_home / "claimbridge.key")
    assert before["payments"] and len(before["claims"]) == 6  # five visits, one Medigap claim
    assert stored_password(source, key) == PASSWORD
    source.dispose()

    out = ok("backup", str(tmp_path / "backup"), "--key-to", str(tmp_path / "usb" / "cb.key"))
    assert f"backup in {tmp_path / 'backup'}: the sqlite ledger" in out
    assert f"key written to {tmp_path / 'usb' / 'cb.key'} (mode 0600)" in out
    backed_up = every_file(tmp_path / "backup")
    assert key.reveal().encode() not in b"".join(backed_up.values())  # the key is kept apart
    assert PASSWORD.encode() not in b"".join(backed_up.values())
    assert sorted(name for name in backed_up if "/" not in name) == [
        "known_hosts", "ledger.sqlite3", "manifest.json"
    ]  # fmt: skip

    empty = tmp_path / "new-home"
    monkeypatch.setenv("CLAIMBRIDGE_HOME", str(empty))
    out = ok("restore", str(tmp_path / "backup"), "--key-from", str(tmp_path / "usb" / "cb.key"))
    assert f"ledger sqlite:///{empty / 'claimbridge.db'}" in out
    assert "the stored SFTP password opens with the key" in out

    restored = ledger_of(empty)
    assert ledger_snapshot(restored) == before
    assert stored_password(restored, read_key_file(empty / "claimbridge.key")) == PASSWORD
    refused = refused_login(restored)  # the mark is in the ledger, so it came back with it
    assert refused is not None and refused.detail == "Permission denied"
    restored.dispose()
    assert every_file(empty / "archive") == every_file(working_home / "archive")
    assert (empty / "known_hosts").read_bytes() == (working_home / "known_hosts").read_bytes()
    assert "nothing new" in ok("poll", "--from", str(tmp_path / "oa"))  # the archive agrees


def test_the_marks_file_of_an_earlier_version_s_backup_is_read_into_the_ledger_by_init(
    working_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = ledger_of(working_home)
    with source.transaction() as session:
        name = stored_account_name(session)
        assert allow_logins_again(session, source.practice_id)
    source.dispose()
    ok("backup", str(tmp_path / "backup"), "--key-to", str(tmp_path / "cb.key"))
    marks = json.dumps({name: {"account": name, "when": "2026-11-20T14:30:05+00:00",
                               "detail": "Permission denied"}}).encode()  # fmt: skip
    (tmp_path / "backup" / "sftp-auth-failures.json").write_bytes(marks)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_bytes())
    listed = {"path": "sftp-auth-failures.json", "what": "login_marks", "size": len(marks),
              "sha256": hashlib.sha256(marks).hexdigest()}  # fmt: skip
    manifest["files"].append(listed)
    (tmp_path / "backup" / "manifest.json").write_text(json.dumps(manifest))

    empty = tmp_path / "new-home"
    monkeypatch.setenv("CLAIMBRIDGE_HOME", str(empty))
    ok("restore", str(tmp_path / "backup"), "--key-from", str(tmp_path / "cb.key"))
    assert (empty / "sftp-auth-failures.json").read_bytes() == marks
    restored = ledger_of(empty)
    assert refused_login(restored) is None  # not read yet

    assert "rejected SFTP logins read into the ledger: 1 account(s) marked" in ok("init")
    refused = refused_login(restored)
    assert refused is not None and (refused.account, refused.when) == (
        name, "2026-11-20T14:30:05+00:00"
    )  # fmt: skip
    assert not (empty / "sftp-auth-failures.json").exists()
    assert (empty / "sftp-auth-failures.json.imported").read_bytes() == marks
    with restored.transaction() as session:  # allowed again: the file does not mark it again
        assert allow_logins_again(session, restored.practice_id)
    restored.dispose()
    assert "rejected SFTP logins" not in ok("init")
    assert refused_login(ledger_of(empty)) is None


def test_backup_and_restore_write_only_private_files_and_folders(
    working_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)
    try:
        ok("backup", str(tmp_path / "backup"), "--key-to", str(tmp_path / "kept.key"))
        monkeypatch.setenv("CLAIMBRIDGE_HOME", str(tmp_path / "new-home"))
        ok("restore", str(tmp_path / "backup"), "--key-from", str(tmp_path / "kept.key"))
    finally:
        os.umask(old)
    assert mode(tmp_path / "kept.key") == 0o600
    for folder in (working_home, tmp_path / "backup", tmp_path / "new-home"):
        paths = [folder, *folder.rglob("*")]
        assert len(paths) > 5
        for path in paths:
            assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_without_key_to_the_backup_says_where_the_key_is(
    working_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = ok("backup", str(tmp_path / "backup"))
    assert f"the key is NOT in the backup: it is {working_home / 'claimbridge.key'}" in out
    monkeypatch.setenv("CLAIMBRIDGE_HOME", str(tmp_path / "new-home"))
    out = ok("restore", str(tmp_path / "backup"))
    assert "the ledger holds an SFTP password and there is no key at" in out
    assert "--key-from FILE" in out


def test_backup_refuses_a_folder_that_holds_something_and_a_key_inside_the_backup(
    working_home: Path, tmp_path: Path
) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "note.txt").write_text("x")
    assert "is not an empty folder" in fails("backup", str(tmp_path / "full"))
    assert (tmp_path / "full").iterdir().__next__().name == "note.txt"
    inside = tmp_path / "new" / "key"
    assert "write the key to a file kept apart" in fails(
        "backup", str(tmp_path / "new"), "--key-to", str(inside)
    )
    assert not (tmp_path / "new").exists()


def test_restore_replaces_an_existing_ledger_only_with_force(
    working_home: Path, tmp_path: Path
) -> None:
    ok("backup", str(tmp_path / "backup"))
    store = ledger_of(working_home)
    add_claim(store, "AFTER-BACKUP")
    store.dispose()
    refused = fails("restore", str(tmp_path / "backup"))
    assert f"a ledger exists at {working_home / 'claimbridge.db'}" in refused
    assert "--force" in refused
    in_use = ledger_of(working_home)
    with in_use.read() as session:
        session.scalars(select(t.ClaimRow.clm01)).all()  # holds a read of the ledger
        busy = fails("restore", str(tmp_path / "backup"), "--force")
    in_use.dispose()
    assert f"the ledger {working_home / 'claimbridge.db'} is in use by another program" in busy
    gc.collect()  # the stores of the commands run in this process, as their processes would end
    ok("restore", str(tmp_path / "backup"), "--force")
    store = ledger_of(working_home)
    with store.read() as session:
        clm01s = set(session.scalars(select(t.ClaimRow.clm01)))
    store.dispose()
    assert "AFTER-BACKUP" not in clm01s and len(clm01s) == 6  # with the Medigap claim


def test_a_damaged_backup_is_refused_before_anything_is_written(
    working_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    archived = next(item["path"] for item in manifest["files"] if item["what"] == "archive")
    with (tmp_path / "backup" / archived).open("ab") as file:
        file.write(b"~")
    monkeypatch.setenv("CLAIMBRIDGE_HOME", str(tmp_path / "new-home"))
    refused = fails("restore", str(tmp_path / "backup"))
    assert f"{archived} is not the file the backup made" in refused
    assert not (tmp_path / "new-home").exists()
    (tmp_path / "backup" / "manifest.json").unlink()
    assert "no manifest.json" in fails("restore", str(tmp_path / "backup"))


def test_a_backup_is_consistent_while_another_connection_writes(
    store_url: str, tmp_path: Path
) -> None:
    """Claims committed before the backup are in it; a transaction still open is not."""
    need(not store_url.startswith("postgresql") or shutil.which("pg_dump") is not None,
         "pg_dump is not on PATH")  # fmt: skip
    store = Store(store_url)
    load_example(store)
    add_claim(store, "COMMITTED")
    places = Places(store_url, tmp_path / "archive", tmp_path / "known_hosts")
    with store.transaction():
        add_claim(store, "IN-FLIGHT")
        result = backup(places, tmp_path / "backup", now=NOW)
    store.dispose()
    copy = tmp_path / "backup" / result.files[0].path
    assert result.files[0].what == "ledger" and copy.stat().st_size == result.files[0].size
    if result.kind == "sqlite":
        copied = Store(f"sqlite:///{copy}")
        with copied.read() as session:
            assert set(session.scalars(select(t.ClaimRow.clm01))) == {"COMMITTED"}
        copied.dispose()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("empty_store_url", ["postgresql"], indirect=True)
def test_a_postgresql_ledger_round_trips_through_pg_dump_and_pg_restore(
    store_url: str, empty_store_url: str, tmp_path: Path
) -> None:
    need(shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
         "pg_dump and pg_restore (PostgreSQL client programs) are not on PATH")  # fmt: skip
    source = Store(store_url)
    submitted(source, tmp_path / "oa")
    process_inbound_once(tmp_path / "oa", SimConfig(root=tmp_path / "oa"), NOW.replace(tzinfo=None))
    key = generate_key()
    with source.transaction() as session:
        set_password(session, Secret(PASSWORD), Cipher(key))
    before = ledger_snapshot(source)
    source.dispose()
    places = Places(store_url, tmp_path / "archive", tmp_path / "known_hosts")
    result = backup(places, tmp_path / "backup", now=NOW)
    assert result.kind == "postgresql" and result.files[0].path == "ledger.pgdump"

    target = Places(empty_store_url, tmp_path / "archive2", tmp_path / "known_hosts2")
    restore(tmp_path / "backup", target)
    restored = Store(empty_store_url)
    assert ledger_snapshot(restored) == before
    assert stored_password(restored, key) == PASSWORD
    with restored.read() as session:
        assert session.scalar(select(func.count()).select_from(t.ClaimRow)) == 5
    restored.dispose()
    with pytest.raises(ConfigError, match="holds a schema; restore with --force"):
        restore(tmp_path / "backup", target)
    restore(tmp_path / "backup", target, force=True)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_sqlite_backup_is_not_restored_into_postgresql(store_url: str, tmp_path: Path) -> None:
    backup(Places(store_url, tmp_path / "a", tmp_path / "k"), tmp_path / "backup", now=NOW)
    elsewhere = Places("postgresql+psycopg://u@127.0.0.1:1/db", tmp_path / "a2", tmp_path / "k2")
    with pytest.raises(ConfigError, match="this backup holds a sqlite ledger"):
        restore(tmp_path / "backup", elsewhere)
    with pytest.raises(InputError, match="not a claimbridge backup"):
        restore(tmp_path / "a", elsewhere)


def test_a_sqlite_backup_is_one_snapshot_that_commits_meanwhile_never_restart(
    tmp_path: Path,
) -> None:
    """A commit by another connection during the copy neither waits for it nor makes it start
    over (copied step by step, every commit restarted the copy: a busy ledger never finished)."""
    path = tmp_path / "ledger.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store.dispose()
    with contextlib.closing(sqlite3.connect(path)) as filler, filler:
        filler.execute("CREATE TABLE filler (x BLOB)")
        filler.executemany("INSERT INTO filler VALUES (randomblob(4000))", [()] * 3000)
    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    commits = []

    def commit_meanwhile(_: int) -> None:
        if len(commits) < 20:  # enough to show restarts, and a copy that restarts still ends
            other.execute("UPDATE control_numbers SET value = value + 1 WHERE name = 'isa13'")
            commits.append(1)

    places = Places(f"sqlite:///{path}", tmp_path / "a", tmp_path / "k")
    result = backup(places, tmp_path / "backup", now=NOW, progress=commit_meanwhile)
    other.close()
    assert len(commits) == 1 and result.files[0].size > 12_000_000
    with contextlib.closing(sqlite3.connect(tmp_path / "backup" / "ledger.sqlite3")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM filler").fetchone() == (3000,)
        isa13 = copy.execute("SELECT value FROM control_numbers WHERE name = 'isa13'").fetchone()
    assert isa13 == (0,)  # as it was when the copy began


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_without_pg_dump_on_path_the_backup_says_what_to_install(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    places = Places(store_url, tmp_path / "a", tmp_path / "k")
    with pytest.raises(ConfigError, match="pg_dump is not on PATH: install PostgreSQL's client"):
        backup(places, tmp_path / "backup", now=NOW)
