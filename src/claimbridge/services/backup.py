"""Backup and restore: the ledger, the archive and the known-hosts file.

``backup(places, dest, now=…)`` fills a new folder while claimbridge keeps running::

    manifest.json             what was copied (path, size, SHA-256), version, time, ledger kind
    ledger.sqlite3            a SQLite ledger, copied by SQLite's online backup API
    ledger.pgdump             or a PostgreSQL one, by pg_dump (custom format)
    archive/…                 every downloaded file and the archive's manifest (under its lock)
    known_hosts               the pinned host keys

The key that encrypts the SFTP password is never in it: whoever has the key and the ledger has
the password. ``backup(..., key=…, key_to=FILE)`` writes it to a separate file, outside the
backup, for the person to keep elsewhere. ``restore(src, places, …)`` checks every file against
the manifest before it writes anything, refuses to replace a ledger (or archive, known-hosts or
key file) that exists unless ``force``, and puts each part back where ``places`` says.
Everything written is 0600 in 0700 folders. The manifest is written last, so a backup that was
cut short has none and cannot be restored.

Rejected-login marks are in the ledger (``account_schedules``), so they travel with it. A backup
made by an earlier version may hold them as ``sftp-auth-failures.json``: it is put back beside
the known-hosts file, where ``claimbridge init`` (which a restored older ledger needs anyway)
reads it into the ledger.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from claimbridge.atomic import (
    FILE_MODE,
    create_private_file,
    fsync_folder,
    private_folder,
    write_atomic,
)
from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError, InputError, StoreError
from claimbridge.store.crypto import Cipher, write_key_file
from claimbridge.store.db import Store, display_url, sqlite_path
from claimbridge.store.repositories import get_account, has_stored_password
from claimbridge.transport.fetch import LOCK_NAME, archive_lock
from claimbridge.transport.lockout import LEGACY_MARKS_NAME

FORMAT = "claimbridge-backup/1"
MANIFEST = "manifest.json"
SQLITE_COPY = "ledger.sqlite3"
PG_DUMP = "ledger.pgdump"
ARCHIVE = "archive"
KNOWN_HOSTS = "known_hosts"
CHUNK = 1 << 20
PG_TIMEOUT_S = 3600

Progress = Callable[[int], None]
"""Told how many more bytes were copied or checked."""


@dataclass(frozen=True, slots=True)
class Places:
    """Where the parts live: the ledger's URL, the archive folder, the known-hosts file."""

    db_url: str
    archive: Path
    known_hosts: Path

    @property
    def marks(self) -> Path:
        """Where an earlier version's backup puts its rejected-login marks back: beside the
        known-hosts file, to be read into the ledger (``services.account.import_file_marks``)."""
        return self.known_hosts.with_name(LEGACY_MARKS_NAME)


@dataclass(frozen=True, slots=True)
class CopiedFile:
    """One file of a backup: its path in the backup folder, what it is, size and SHA-256."""

    path: str
    what: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What a backup holds (``files``), which ledger kind, and where the key went, if asked."""

    folder: Path
    kind: str
    revision: str | None
    files: tuple[CopiedFile, ...]
    key_written: Path | None

    @property
    def size(self) -> int:
        return sum(item.size for item in self.files)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """What was put back: the ledger (its URL, without password), files, and the key file."""

    ledger: str
    files: tuple[CopiedFile, ...]
    key_written: Path | None
    created_at: str


def backup(
    places: Places,
    dest: Path,
    *,
    now: datetime,
    key: Secret | None = None,
    key_to: Path | None = None,
    progress: Progress | None = None,
) -> BackupResult:
    """Copy the ledger, archive and known-hosts file into ``dest`` (absent or empty), then
    write the manifest; with ``key_to``, write ``key`` to that separate file."""
    step = progress or _ignore
    _check_backup_target(dest, key_to)
    if key is not None:
        Cipher(key)  # a Fernet key, or ConfigError before anything is copied
    kind, revision = _ledger_state(places.db_url)
    private_folder(dest)
    files = [_back_up_ledger(places.db_url, kind, dest, step)]
    files += _copy_archive(places.archive, dest / ARCHIVE, step)
    files += _copy_if_present(places.known_hosts, dest / KNOWN_HOSTS, "known_hosts", step)
    manifest = {
        "format": FORMAT,
        "claimbridge": _version(),
        "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "ledger": {"kind": kind, "revision": revision, "from": display_url(places.db_url)},
        "key": "not in this backup: keep the key file apart from it",
        "files": [
            {"path": f.path, "what": f.what, "size": f.size, "sha256": f.sha256} for f in files
        ],
    }
    write_atomic(dest / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode())
    written = None
    if key_to is not None and key is not None:
        if not write_key_file(key_to, key):
            raise ConfigError(f"{key_to} exists: the key was not written; name a new file")
        written = key_to
    return BackupResult(dest, kind, revision, tuple(files), written)


def restore(
    src: Path,
    places: Places,
    *,
    key: Secret | None = None,
    key_file: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Put the backup in ``src`` back where ``places`` says, and ``key`` into ``key_file``.

    Every file is checked against the manifest first; nothing that exists is replaced unless
    ``force`` (a ledger holding a schema, an archive with files, a known-hosts, marks or key
    file with other contents)."""
    step = progress or _ignore
    manifest = read_manifest(src)
    files = tuple(_listed(item) for item in manifest["files"])
    for item in files:
        _verify(src / item.path, item, step)
    ledger = next((item for item in files if item.what == "ledger"), None)
    if ledger is None:
        raise InputError("the manifest lists no ledger", path=str(src / MANIFEST))
    if key is not None:
        Cipher(key)
    _check_kind(ledger, places.db_url)
    if not force:
        _refuse_to_replace(places, files, key, key_file)
    _restore_ledger(src / ledger.path, ledger, places.db_url, step)
    for item in files:
        target = _target(item, places)
        if target is not None:
            _copy(src / item.path, target, step)
    written = None
    if key is not None and key_file is not None:
        _write_key(key_file, key)
        written = key_file
    created_at = str(manifest.get("created_at", ""))
    return RestoreResult(display_url(places.db_url), files, written, created_at)


class PasswordState(enum.Enum):
    """Whether the ledger holds an SFTP password, and whether a key opens it."""

    NONE = "none"
    NO_KEY = "no key"
    WRONG_KEY = "wrong key"
    READABLE = "readable"


def password_check(db_url: str, key: Secret | None) -> PasswordState:
    """Whether the ledger at ``db_url`` holds an SFTP password and whether ``key`` opens it."""
    store = Store(db_url)
    try:
        with store.read() as session:
            if not has_stored_password(session):
                return PasswordState.NONE
            if key is None:
                return PasswordState.NO_KEY
            try:
                get_account(session, Cipher(key))
            except ConfigError:
                return PasswordState.WRONG_KEY
    finally:
        store.dispose()
    return PasswordState.READABLE


def read_manifest(src: Path) -> dict[str, Any]:
    """The manifest of the backup in ``src``; ``InputError`` when there is none or it is bad."""
    path = src / MANIFEST
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(
            "no manifest.json: not a claimbridge backup, or one that was cut short",
            path=str(src),
        ) from None
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read the manifest: {error}", path=str(path)) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} manifest", path=str(path))
    if not isinstance(document.get("files"), list):
        raise InputError("the manifest has no list of files", path=str(path))
    return document


def _ignore(_: int) -> None:
    return None


def _version() -> str:
    from claimbridge import __version__

    return __version__


def _check_backup_target(dest: Path, key_to: Path | None) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ConfigError(f"{dest} is not an empty folder: back up into a new or empty one")
    if key_to is None:
        return
    if key_to.exists():
        raise ConfigError(f"{key_to} exists: name a new file for the key")
    if key_to.resolve().is_relative_to(dest.resolve()):
        raise ConfigError(
            f"{key_to} is inside the backup {dest}: write the key to a file kept apart from it"
        )


def _ledger_state(db_url: str) -> tuple[str, str | None]:
    """The ledger's kind ('sqlite' or 'postgresql') and its schema revision."""
    path = _sqlite_file(db_url)
    if path is not None and not path.is_file():
        raise ConfigError(
            f"no ledger at {path}: nothing to back up (check CLAIMBRIDGE_HOME or --db)"
        )
    store = Store(db_url)
    try:
        if store.dialect not in ("sqlite", "postgresql"):
            raise ConfigError(f"cannot back up a {store.dialect} ledger: SQLite or PostgreSQL")
        return store.dialect, store.current_revision()
    finally:
        store.dispose()


def _sqlite_file(db_url: str) -> Path | None:
    try:
        parsed = make_url(db_url)
    except (ArgumentError, ValueError):  # Store reports an unusable URL in words
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    path = sqlite_path(db_url)
    if path is None:
        raise ConfigError("an in-memory SQLite ledger cannot be backed up or restored")
    return path


def _back_up_ledger(db_url: str, kind: str, dest: Path, step: Progress) -> CopiedFile:
    if kind == "sqlite":
        target = dest / SQLITE_COPY
        source = _sqlite_file(db_url)
        assert source is not None
        _sqlite_copy(source, target, step)
    else:
        target = dest / PG_DUMP
        create_private_file(target)
        _pg_run("pg_dump", db_url, "--format=custom", "--no-owner", "--no-privileges",
                f"--file={target}")  # fmt: skip
        step(target.stat().st_size)
    size, sha256 = _hash(target, _ignore)
    return CopiedFile(target.name, "ledger", size, sha256)


def _sqlite_copy(source: Path, target: Path, step: Progress) -> None:
    """Copy one SQLite database into another with the online backup API (a consistent copy
    while others write), leaving the copy in rollback-journal mode: one file."""
    create_private_file(target)
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as reader,
            contextlib.closing(sqlite3.connect(target)) as writer,
        ):
            page_size = int(reader.execute("PRAGMA page_size").fetchone()[0])
            done = [0]

            def pages(_status: int, remaining: int, total: int) -> None:
                step((total - remaining - done[0]) * page_size)
                done[0] = total - remaining

            # One step: a read snapshot of the source for the whole copy. In WAL mode writers go
            # on meanwhile; copied in several steps, each write would restart the copy.
            reader.backup(writer, pages=-1, progress=pages)
            writer.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise StoreError(f"could not copy the ledger {source} to {target}: {error}") from error
        raise StoreError(
            f"the ledger {target} is in use by another program (claimbridge serve or watch?): "
            "stop it, then run the command again"
        ) from error
    except sqlite3.Error as error:
        raise StoreError(f"could not copy the ledger {source} to {target}: {error}") from error


def _check_kind(item: CopiedFile, db_url: str) -> None:
    kind = _kind(item)
    try:
        target_kind = make_url(db_url).get_backend_name()
    except (ArgumentError, ValueError):
        raise ConfigError(f"{display_url(db_url)} is not a database URL") from None
    if target_kind != kind:
        raise ConfigError(
            f"this backup holds a {kind} ledger and the ledger to restore is {target_kind} "
            f"({display_url(db_url)}): name a {kind} ledger with --db"
        )


def _kind(item: CopiedFile) -> str:
    return "sqlite" if item.path == SQLITE_COPY else "postgresql"


def _restore_ledger(copy: Path, item: CopiedFile, db_url: str, step: Progress) -> None:
    if _kind(item) == "sqlite":
        target = _sqlite_file(db_url)
        assert target is not None
        _sqlite_copy(copy, target, step)
        return
    _pg_run("pg_restore", db_url, "--no-owner", "--no-privileges", "--clean", "--if-exists",
            "--exit-on-error", "--single-transaction", str(copy))  # fmt: skip
    step(item.size)


def _pg_run(program: str, db_url: str, *args: str) -> None:
    """Run a PostgreSQL client program on the ledger; the password goes by environment, never
    on the command line, and never into a message."""
    found = shutil.which(program)
    if found is None:
        raise ConfigError(
            f"{program} is not on PATH: install PostgreSQL's client programs (Debian: "
            "postgresql-client, of the server's major version or newer), then run this again"
        )
    url = make_url(db_url)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    command = [found, f"--dbname={_libpq_uri(url)}", *args]
    try:
        done = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=PG_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StoreError(f"{program} did not finish: {error}") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()][:3]
        detail = " / ".join(lines) or f"exit status {done.returncode}"
        if url.password:
            detail = detail.replace(str(url.password), "***")
        raise StoreError(f"{program} failed for {display_url(db_url)}: {detail}")


def _libpq_uri(url: URL) -> str:
    """The SQLAlchemy URL as a libpq URI without its password (psql, pg_dump, pg_restore)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _copy_archive(root: Path, target: Path, step: Progress) -> list[CopiedFile]:
    if not root.is_dir():
        return []
    with archive_lock(root):
        return [
            _copy(path, target / path.relative_to(root), step, "archive", target.parent)
            for path in _archive_files(root)
        ]


def _archive_files(root: Path) -> Iterator[Path]:
    """The archive's files, without its lock or a temporary file of an unfinished write."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != LOCK_NAME and not path.name.endswith(".tmp"):
            yield path


def _copy_if_present(path: Path, target: Path, what: str, step: Progress) -> list[CopiedFile]:
    return [_copy(path, target, step, what, target.parent)] if path.is_file() else []


def _copy(
    source: Path, target: Path, step: Progress, what: str = "", root: Path | None = None
) -> CopiedFile:
    """Copy ``source`` to ``target`` (0600, written whole then renamed), hashing as it goes."""
    digest, size = hashlib.sha256(), 0
    private_folder(target.parent)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with source.open("rb") as reader, os.fdopen(handle, "wb") as writer:
            while chunk := reader.read(CHUNK):
                writer.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                step(len(chunk))
            writer.flush()
            os.fsync(writer.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, target)
        fsync_folder(target.parent)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise StoreError(f"could not copy {source} to {target}: {error.strerror}") from error
    name = target.relative_to(root).as_posix() if root is not None else target.name
    return CopiedFile(name, what, size, digest.hexdigest())


def _hash(path: Path, step: Progress) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("rb") as reader:
            while chunk := reader.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                step(len(chunk))
    except OSError as error:
        raise StoreError(f"could not read {path}: {error.strerror}") from error
    return size, digest.hexdigest()


def _listed(item: Any) -> CopiedFile:
    try:
        listed = CopiedFile(item["path"], item["what"], int(item["size"]), item["sha256"])
    except (TypeError, KeyError, ValueError):
        raise InputError(f"the manifest lists a file it does not describe: {item!r}") from None
    if Path(listed.path).is_absolute() or ".." in Path(listed.path).parts:
        raise InputError(f"the manifest names a file outside the backup: {listed.path!r}")
    return listed


def _verify(path: Path, item: CopiedFile, step: Progress) -> None:
    if not path.is_file():
        raise InputError(f"{item.path} is listed in the manifest but missing", path=str(path))
    if _hash(path, step) != (item.size, item.sha256):
        raise InputError(
            f"{item.path} is not the file the backup made (size or SHA-256 differs)",
            path=str(path),
        )


def _target(item: CopiedFile, places: Places) -> Path | None:
    if item.what == "archive":
        return places.archive / Path(item.path).relative_to(ARCHIVE)
    if item.what == "known_hosts":
        return places.known_hosts
    if item.what == "login_marks":
        return places.marks
    return None


def _refuse_to_replace(
    places: Places, files: tuple[CopiedFile, ...], key: Secret | None, key_file: Path | None
) -> None:
    """``ConfigError`` naming the first thing a restore would replace."""
    ledger = _existing_ledger(places.db_url)
    if ledger:
        raise ConfigError(f"{ledger}; restore with --force to replace it")
    if places.archive.is_dir() and any(_archive_files(places.archive)):
        raise ConfigError(
            f"the archive {places.archive} holds files; restore with --force to replace them"
        )
    for item in files:
        target = _target(item, places)
        if target is not None and item.what != "archive" and target.exists():
            raise ConfigError(f"{target} exists; restore with --force to replace it")
    if key is not None and key_file is not None and _holds_another_key(key_file, key):
        raise ConfigError(
            f"the key file {key_file} holds another key; restore with --force to replace it"
        )


def _existing_ledger(db_url: str) -> str | None:
    """Why the ledger at ``db_url`` may not be overwritten, or None when it is empty."""
    path = _sqlite_file(db_url)
    if path is not None:
        if path.exists() and path.stat().st_size > 0:
            return f"a ledger exists at {path}"
        return None
    store = Store(db_url)
    try:
        revision = store.current_revision()
    finally:
        store.dispose()
    return None if revision is None else f"the ledger {display_url(db_url)} holds a schema"


def _holds_another_key(key_file: Path, key: Secret) -> bool:
    try:
        return key_file.read_text(encoding="ascii", errors="replace").strip() != key.reveal()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise ConfigError(f"cannot read the key file {key_file}: {error.strerror}") from None


def _write_key(key_file: Path, key: Secret) -> None:
    if not _holds_another_key(key_file, key) and key_file.exists():
        return
    key_file.unlink(missing_ok=True)
    write_key_file(key_file, key)
