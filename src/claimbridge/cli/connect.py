"""How a command reaches Office Ally: a folder laid out like its SFTP home, or the account."""

from __future__ import annotations

from pathlib import Path

from claimbridge.cli.ledger import cipher_for
from claimbridge.errors import ConfigError
from claimbridge.jobs.runtime import Runtime, sftp_factory
from claimbridge.services.account import LedgerLoginMarks
from claimbridge.services.polls import folder_source
from claimbridge.settings import Settings
from claimbridge.store.db import Store
from claimbridge.store.repositories import get_account
from claimbridge.transport.base import Transport
from claimbridge.transport.local import LocalDirTransport
from claimbridge.transport.sftp import SftpSettings, SftpTransport


def connect(settings: Settings, store: Store, folder: Path | None, known_hosts: Path) -> Transport:
    """The folder ``folder`` when given, else the practice's Office Ally SFTP account (host key
    pinned in ``known_hosts``, a rejected login marked in the ledger); ``ConfigError`` saying
    what to run when the ledger lacks one."""
    if folder is not None:
        return LocalDirTransport(folder)
    sftp = stored_account(settings, store, known_hosts)
    return SftpTransport(sftp, marks=LedgerLoginMarks(store, known_hosts))


def stored_account(settings: Settings, store: Store, known_hosts: Path) -> SftpSettings:
    """How to reach the practice's Office Ally SFTP account, password decrypted; ``ConfigError``
    saying what to run when the ledger lacks the account or its password."""
    with store.read() as session:
        account = get_account(session, cipher_for(settings))
    if account is None:
        raise ConfigError("no Office Ally account in the ledger: load a practice file first")
    if account.password is None:
        raise ConfigError("no SFTP password stored: run 'claimbridge set-password' first")
    return SftpSettings.for_account(account, known_hosts)


def job_runtime(settings: Settings, store: Store, folder: Path | None) -> Runtime:
    """What the jobs of a command need: the account over SFTP (host keys pinned in the
    settings' known-hosts file), or ``folder`` standing in for it."""
    archive = settings.archive_path
    if folder is None:
        return Runtime(store, settings, sftp_factory(settings.known_hosts_path, 20.0), archive)
    return Runtime(
        store,
        settings,
        lambda account, store: LocalDirTransport(folder),
        archive,
        source_of=lambda account: folder_source(folder),
        reads_password=False,
    )
