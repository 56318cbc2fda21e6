"""What a job needs from the process that runs it: the ledger, how to reach Office Ally, where
the archive is, and how failures are tried again.

A worker (``claimbridge worker``), the web process and ``claimbridge watch`` each make one
``Runtime`` from their settings and hand it to the job functions of ``claimbridge.jobs.work``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from claimbridge.domain.models import ClearinghouseAccount
from claimbridge.errors import (
    AuthenticationFailed,
    ClaimbridgeError,
    ConfigError,
    HostKeyMismatch,
    Stopped,
    StoreError,
    TransportError,
)
from claimbridge.services.account import LedgerLoginMarks, TransportFactory
from claimbridge.services.polls import sftp_source
from claimbridge.settings import Settings
from claimbridge.store.crypto import Cipher, resolve_key
from claimbridge.store.db import Store
from claimbridge.store.repositories import get_account
from claimbridge.transport.base import Transport


def utcnow() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def store_for(store: Store, practice_id: int) -> Store:
    """The ledger as the jobs of ``practice_id`` see it: that practice's rows only."""
    return store.scoped(practice_id)


def cipher_of(settings: Settings) -> Cipher:
    """The cipher of the configured key; ``ConfigError`` when there is none."""
    return Cipher(resolve_key(settings.secret_key, settings.key_path))


def practice_archive(archive: Path, practice_id: int) -> Path:
    """Where a poll of ``practice_id`` keeps the files it fetches: a folder of its own, since a
    poll ingests every archived file its ledger lacks (a poll of another practice, killed between
    download and ingest, must not leave its files for this one to take)."""
    return archive / f"practice-{practice_id}"


def sftp_factory(known_hosts: Path | None, connect_timeout: float = 15.0) -> TransportFactory:
    """Makes an ``SftpTransport`` for a practice's account, pinning host keys in
    ``known_hosts``; its rejected-login mark is kept in that practice's ledger."""

    def make(account: ClearinghouseAccount, store: Store) -> Transport:
        from claimbridge.transport.sftp import SftpSettings, SftpTransport

        if known_hosts is None:
            raise ConfigError("no known-hosts file is configured (CLAIMBRIDGE_SFTP_KNOWN_HOSTS)")
        settings = SftpSettings.for_account(account, known_hosts, connect_timeout)
        return SftpTransport(settings, marks=LedgerLoginMarks(store, known_hosts))

    return make


STALLED_AFTER_S = 30.0


@dataclass(frozen=True, slots=True)
class Liveness:
    """How long a worker may be silent before its jobs run elsewhere, and what follows from it:
    a heartbeat every third of that, a look for stalled jobs as often, and a look for new jobs
    as often too, or every 5 s (Procrastinate's default) when that is sooner."""

    stalled_after_s: float = STALLED_AFTER_S

    @property
    def heartbeat_s(self) -> float:
        return self.stalled_after_s / 3

    @property
    def check_every_s(self) -> float:
        return self.stalled_after_s / 3

    @property
    def fetch_every_s(self) -> float:
        return min(5.0, self.check_every_s)

    @property
    def bound_s(self) -> float:
        """The longest a job stays with a dead worker before a live one may start it again:
        the silence, the wait for the next look, and the wait for the next fetch."""
        return self.stalled_after_s + self.check_every_s + self.fetch_every_s


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a failed job is tried again: up to ``attempts`` runs in all, waiting
    ``first_wait_s`` × 2ⁿ⁻¹ seconds after the n-th failure. Only failures that may pass by
    themselves are tried again (a lost connection, a timeout, a busy ledger); a rejected login
    never is, since Office Ally locks an account after repeated failed logins."""

    attempts: int = 5
    first_wait_s: int = 30

    def wait_s(self, error: BaseException, attempts_so_far: int) -> int | None:
        """Seconds until the next try after ``attempts_so_far`` runs ended in ``error``; None
        when the job is not tried again."""
        if attempts_so_far >= self.attempts or not retried(error):
            return None
        return int(self.first_wait_s * 2 ** (attempts_so_far - 1))


def retried(error: BaseException) -> bool:
    """True for failures worth another try: lost connections, timeouts, a busy ledger."""
    if isinstance(error, AuthenticationFailed | HostKeyMismatch):
        return False
    return isinstance(error, TransportError | StoreError)


@dataclass(frozen=True, slots=True)
class Runtime:
    """The ledger (``store``, every practice), the settings, how to reach an account
    (``connect``; a poll names it by ``source_of``), the archive of fetched files, whether the
    stored SFTP password is read (not for a folder standing in for Office Ally), the retry
    policy and the clock."""

    store: Store
    settings: Settings
    connect: TransportFactory
    archive: Path
    source_of: Callable[[ClearinghouseAccount], str] = sftp_source
    reads_password: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Callable[[], datetime] = utcnow

    def archive_of(self, practice_id: int) -> Path:
        """Where the jobs of ``practice_id`` keep the files they fetch (``practice_archive``)."""
        return practice_archive(self.archive, practice_id)

    def account(self, session: Session) -> ClearinghouseAccount:
        """The practice's account, with its password when ``reads_password``."""
        cipher = self._cipher() if self.reads_password else None
        account = get_account(session, cipher)
        if account is None:
            raise ConfigError("no Office Ally account yet: load the practice file first")
        return account

    def _cipher(self) -> Cipher:
        try:
            return cipher_of(self.settings)
        except ConfigError as error:
            raise ConfigError(f"the SFTP password cannot be read: {error}") from None


@dataclass(frozen=True, slots=True)
class OfficeAlly:
    """An open connection to a practice's Office Ally account, and how a poll names it."""

    transport: Transport
    source: str


@contextmanager
def office_ally(runtime: Runtime, store: Store) -> Iterator[OfficeAlly]:
    """A connection to the account in ``store``, closed afterwards."""
    with store.read() as session:
        account = runtime.account(session)
    transport = runtime.connect(account, store)
    try:
        yield OfficeAlly(transport, runtime.source_of(account))
    finally:
        transport.close()


def failure_text(error: BaseException) -> str:
    """A failure in words: our own message, never a third party's (it may quote anything)."""
    if isinstance(error, ClaimbridgeError):
        return str(error)
    if isinstance(error, Stopped):
        return f"stopped by {error.how} before it ended; the next run picks up the rest"
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (Ctrl-C) before it ended"
    return f"an unexpected {type(error).__name__}; the log has the details"
