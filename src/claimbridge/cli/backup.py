"""``claimbridge backup DEST`` and ``claimbridge restore SRC`` (``services.backup``).

Both read the places from the settings (the claimbridge home, ``--db``, ``--archive``,
``--known-hosts``), show progress while they copy, and say where the key is: it is never in a
backup, only in the separate file ``--key-to`` writes and ``--key-from`` reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from claimbridge.cli.claims import KnownHostsOption
from claimbridge.cli.common import report_errors
from claimbridge.cli.cycle import ArchiveOption
from claimbridge.cli.ledger import DbOption, settings_for
from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError, InputError
from claimbridge.services.backup import (
    BackupResult,
    PasswordState,
    Places,
    RestoreResult,
    backup,
    password_check,
    restore,
)
from claimbridge.settings import Settings
from claimbridge.store.crypto import read_key_file, resolve_key
from claimbridge.store.db import Store

console = Console(highlight=False, soft_wrap=True)


def register(root: typer.Typer) -> None:
    """Add ``backup`` and ``restore`` to the ``claimbridge`` command."""
    root.command("backup")(backup_command)
    root.command("restore")(restore_command)


@report_errors
def backup_command(
    dest: Annotated[
        Path, typer.Argument(file_okay=False, help="A new or empty folder for the backup.")
    ],
    key_to: Annotated[
        Path | None,
        typer.Option(
            "--key-to",
            dir_okay=False,
            help="Also write the key to this new file (0600), to keep apart from the backup.",
        ),
    ] = None,
    archive: ArchiveOption = None,
    known_hosts: KnownHostsOption = None,
    db: DbOption = None,
) -> None:
    """Copy the ledger, archive and known-hosts file into a new folder; the key stays apart.

    Safe while claimbridge runs: a SQLite ledger is copied with SQLite's online backup API, a
    PostgreSQL one with pg_dump (found on PATH). manifest.json lists every file with its size
    and SHA-256. The key that encrypts the SFTP password is never in the backup; --key-to
    writes it to a separate file. Example:

        claimbridge backup /mnt/backups/cb-2026-12-06 --key-to /media/usb/claimbridge.key
    """
    settings = settings_for(db).with_paths(archive=archive, known_hosts=known_hosts)
    key = resolve_key(settings.secret_key, settings.key_path) if key_to else None
    with _progress("backing up") as step:
        result = backup(
            places_of(settings),
            dest.absolute(),
            now=datetime.now(UTC),
            key=key,
            key_to=key_to.absolute() if key_to else None,
            progress=step,
        )
    _print_backup(result, settings)


@report_errors
def restore_command(
    src: Annotated[
        Path,
        typer.Argument(exists=True, file_okay=False, help="A folder 'claimbridge backup' made."),
    ],
    key_from: Annotated[
        Path | None,
        typer.Option(
            "--key-from",
            exists=True,
            dir_okay=False,
            help="The key file kept apart ('claimbridge backup --key-to'); it is written to "
            "the key file of the settings.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace an existing ledger, archive, known-hosts file or key file."
        ),
    ] = False,
    archive: ArchiveOption = None,
    known_hosts: KnownHostsOption = None,
    db: DbOption = None,
) -> None:
    """Put a backup back: the ledger, archive and known-hosts file; the key with --key-from.

    Every file is checked against the backup's manifest before anything is written, and an
    existing ledger (or archive, known-hosts or key file) is replaced only with --force. The
    places are those of the settings: the claimbridge home, or --db, --archive, --known-hosts.
    Example:

        claimbridge restore /mnt/backups/cb-2026-12-06 --key-from /media/usb/claimbridge.key
    """
    settings = settings_for(db).with_paths(archive=archive, known_hosts=known_hosts)
    if key_from is not None and settings.secret_key is not None:
        raise ConfigError(
            "CLAIMBRIDGE_SECRET_KEY is set, so a key file would not be used: unset it to "
            "restore the key file, or set it to the key kept apart and leave out --key-from"
        )
    key = _read_key(key_from) if key_from else None
    with _progress("checking and restoring") as step:
        result = restore(
            src.absolute(),
            places_of(settings),
            key=key,
            key_file=settings.key_path if key else None,
            force=force,
            progress=step,
        )
    _print_restore(result, settings)


def places_of(settings: Settings) -> Places:
    """Where the settings keep the ledger, the archive and the known-hosts file."""
    return Places(settings.db_url, settings.archive_path, settings.known_hosts_path)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda done: progress.advance(task, done)


def _read_key(path: Path) -> Secret:
    try:
        return Secret(path.read_text(encoding="ascii").strip())
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the key: {error}", path=str(path)) from None


def _key_in_place(settings: Settings) -> Secret | None:
    if settings.secret_key is not None:
        return settings.secret_key
    return read_key_file(settings.key_path) if settings.key_path.exists() else None


def _print_backup(result: BackupResult, settings: Settings) -> None:
    archived = sum(item.what == "archive" for item in result.files)
    others = [item.path for item in result.files if item.what in ("known_hosts", "login_marks")]
    console.print(
        f"backup in {result.folder}: the {result.kind} ledger (revision {result.revision}), "
        f"{archived} archive files{''.join(', ' + name for name in others)}; "
        f"{result.size:,} bytes, each with its SHA-256 in manifest.json",
        markup=False,
    )
    if result.key_written is not None:
        console.print(
            f"key written to {result.key_written} (mode 0600): keep it apart from the backup; "
            "'claimbridge restore --key-from' reads it",
            markup=False,
        )
        return
    where = "CLAIMBRIDGE_SECRET_KEY" if settings.secret_key is not None else str(settings.key_path)
    console.print(
        f"the key is NOT in the backup: it is {where}. Keep a copy of it apart from the "
        "backup ('claimbridge backup DEST --key-to FILE' writes one): without it the stored "
        "SFTP password cannot be read after a restore.",
        markup=False,
    )


def _print_restore(result: RestoreResult, settings: Settings) -> None:
    archived = sum(item.what == "archive" for item in result.files)
    console.print(
        f"restored the backup of {result.created_at}: ledger {result.ledger}, "
        f"{archived} archive files into {settings.archive_path}",
        markup=False,
    )
    if any(item.what == "known_hosts" for item in result.files):
        console.print(f"known hosts: {settings.known_hosts_path}", markup=False)
    if result.key_written is not None:
        console.print(f"key: {result.key_written} (mode 0600)", markup=False)
    _print_password_state(settings)
    store = Store(settings.db_url)
    try:
        behind = store.current_revision() != store.head_revision()
    finally:
        store.dispose()
    if behind:
        console.print(
            "next: 'claimbridge init' brings the ledger to this version's schema", markup=False
        )


def _print_password_state(settings: Settings) -> None:
    key_place = "CLAIMBRIDGE_SECRET_KEY" if settings.secret_key else str(settings.key_path)
    state = password_check(settings.db_url, _key_in_place(settings))
    if state is PasswordState.NONE:
        console.print("the ledger holds no SFTP password", markup=False)
    elif state is PasswordState.READABLE:
        console.print(f"the stored SFTP password opens with the key ({key_place})", markup=False)
    else:
        problem = "there is no key at" if state is PasswordState.NO_KEY else "it does not open with"
        console.print(
            f"the ledger holds an SFTP password and {problem} {key_place}: restore the key "
            "kept apart ('claimbridge restore SRC --key-from FILE --force', or copy it to "
            f"{settings.key_path}), or set the password again ('claimbridge set-password')",
            markup=False,
        )
