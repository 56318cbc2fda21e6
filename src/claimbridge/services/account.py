"""The Office Ally account as the web app edits it: SFTP login, go-live date, ERA split.
What a person changes here is kept over the next practice file (``store.corrections``).

``check_connection`` logs in once through a transport the caller makes and says what went wrong
in words a biller can act on. The password is write-only: it is encrypted on the way in and no
function here returns it.

A login Office Ally rejected is marked in the ledger (``LedgerLoginMarks``, the transport's
``LoginMarks``), so that no process on any machine sharing the ledger dials that account again
before a person allows it (``allow_logins_again``). Earlier versions kept the mark in a file
beside the known-hosts file; ``import_file_marks`` reads such a file into the ledger once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.models import ClearinghouseAccount, EraSplit, Secret
from claimbridge.errors import (
    AuthenticationFailed,
    ClaimbridgeError,
    ConfigError,
    HostKeyMismatch,
    InputError,
    StoreError,
    TransportTimeout,
)
from claimbridge.services.jobs import (
    clear_login_mark,
    login_mark,
    mark_login_refused,
    resume_account,
)
from claimbridge.store import tables as t
from claimbridge.store.corrections import ACCOUNTS, remember_edits
from claimbridge.store.crypto import Cipher
from claimbridge.store.db import Store
from claimbridge.store.sync import assign
from claimbridge.transport.base import Transport
from claimbridge.transport.lockout import LEGACY_MARKS_NAME, AuthFailure, account_name, failure_at
from claimbridge.transport.officeally import OFFICE_ALLY_FOLDERS

log = logging.getLogger("claimbridge.account")

TransportFactory = Callable[[ClearinghouseAccount, Store], Transport]
"""Makes a transport for the account (with its decrypted password) of the practice ``store``
works in; an SFTP one keeps that practice's rejected-login mark in that ledger
(``LedgerLoginMarks``). The web app is given one."""


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """The outcome of a connection test, in words; ``rejected_login`` when the server refused
    the credentials (the account is then not tried again until a person checks them)."""

    ok: bool
    message: str
    rejected_login: bool = False


def _row(session: Session) -> t.ClearinghouseAccountRow:
    row = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    if row is None:
        raise ConfigError("no Office Ally account yet: load the practice file first")
    return row


def update_sftp(
    session: Session,
    host: str,
    port: int,
    username: str,
    password: Secret | None,
    cipher: Cipher | None,
    actor: str,
) -> bool:
    """Change the SFTP login as ``actor`` asked; an empty ``password`` keeps the stored one.
    What they change is kept over the next practice file that says otherwise. True when
    anything changed (a new password always does)."""
    if not host.strip() or not username.strip():
        raise InputError("the SFTP host and username are required")
    if not 1 <= port <= 65535:
        raise InputError(f"{port} is not a TCP port (1–65535)")
    row = _row(session)
    values: dict[str, Any] = {"sftp_host": host.strip(), "sftp_port": port,
                              "username": username.strip()}  # fmt: skip
    if password is not None and password.reveal():
        if cipher is None:
            raise ConfigError("no secret key is configured, so the password cannot be stored")
        values["password_token"] = cipher.encrypt(password)
    return _edit(session, row, values, actor)


def login_refused(session: Session) -> AuthFailure | None:
    """The rejected login that keeps claimbridge from dialling the session's practice's
    account, if any (a mark of a login the account no longer has does not)."""
    account = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    if account is None:
        return None
    name = account_name(account.username, account.sftp_host, account.sftp_port)
    return _mark_of(session, account.practice_id, name)


def _mark_of(session: Session, practice_id: int, account: str) -> AuthFailure | None:
    """The practice's mark, when it is of ``account`` (the login the account has now)."""
    mark = login_mark(session, practice_id)
    return mark if mark is not None and mark.account == account else None


def allow_logins_again(session: Session, practice_id: int) -> bool:
    """A person checked (or changed) the credentials: forget the rejected login and resume the
    account's background work. True when either had stopped it."""
    cleared = clear_login_mark(session, practice_id)
    resumed = resume_account(session, practice_id)
    return cleared or resumed


class LedgerLoginMarks:
    """The transport's ``LoginMarks`` for the account of the practice ``store`` works in, kept in
    the ledger, where every process sharing it sees them before it dials. With ``known_hosts``,
    marks an earlier version left in a file beside it are read in first (``import_file_marks``).

    A rejection is committed at once in a transaction of its own, whatever the caller's
    transaction does afterwards."""

    def __init__(self, store: Store, known_hosts: Path | None = None) -> None:
        self.practice_id = store.practice_id
        self._store = store.scoped(self.practice_id)  # its own transactions, never nested
        self._known_hosts = known_hosts

    def refused(self, account: str) -> AuthFailure | None:
        if self._known_hosts is not None:
            import_file_marks(self._store, self._known_hosts)
        with self._store.read() as session:
            return _mark_of(session, self.practice_id, account)

    def refuse(self, account: str, when: datetime, detail: str) -> AuthFailure:
        with self._store.transaction() as session:
            mark_login_refused(session, self.practice_id, account, when, detail)
        return failure_at(account, when, detail)

    def remedy(self) -> str:
        with self._store.read() as session:
            practice = session.get(t.PracticeRow, self.practice_id)
        key = practice.key if practice is not None else "KEY"
        return (
            "Once they are right, save them on the Provider page, where an admin may also allow "
            f"logins again, or run `claimbridge account schedule --resume --practice {key}`."
        )


def import_file_marks(store: Store, known_hosts: Path) -> int:
    """Read the rejected-login marks an earlier version kept in a file beside ``known_hosts``
    into the ledger, once: each marks every practice whose account it names (unless the ledger
    marks that account already), then the file is renamed ``….imported``, so that clearing a
    mark in the ledger is never undone by the file. Returns how many practices were marked; 0
    at once when there is no such file."""
    path = known_hosts.with_name(LEGACY_MARKS_NAME)
    if not path.exists():
        return 0
    marks = _read_file_marks(path)
    marked = 0
    with store.across_practices(write=True) as session:
        for row in session.scalars(select(t.ClearinghouseAccountRow)):
            found = marks.get(account_name(row.username, row.sftp_host, row.sftp_port))
            kept = login_mark(session, row.practice_id)
            if found is None or (kept is not None and kept.account == found.account):
                continue
            when = datetime.fromisoformat(found.when)
            mark_login_refused(session, row.practice_id, found.account, when, found.detail)
            marked += 1
    try:
        path.replace(path.with_name(f"{path.name}.imported"))
    except FileNotFoundError:  # another process read it in at the same moment
        pass
    except OSError as error:
        raise StoreError(f"cannot rename {path} after reading it: {error.strerror}") from error
    log.warning("read %d rejected-login mark(s) from %s into the ledger", marked, path)
    return marked


def _read_file_marks(path: Path) -> dict[str, AuthFailure]:
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise StoreError(f"{path} is not valid JSON ({error}); delete it") from error
    try:
        marks = {key: AuthFailure(**found) for key, found in document.items()}
        if any(datetime.fromisoformat(mark.when).tzinfo is None for mark in marks.values()):
            raise ValueError("a time without its zone")
    except (AttributeError, TypeError, ValueError):
        raise StoreError(f"{path} does not hold rejected-login marks; delete it") from None
    return marks


def has_password(session: Session) -> bool:
    """True when an SFTP password is stored."""
    return _row(session).password_token is not None


def update_go_live(session: Session, go_live: date | None, era_split: EraSplit, actor: str) -> None:
    """Set the go-live date (claims before it are held) and the ERA split asked of OA, as
    ``actor`` asked; kept over the next practice file that says otherwise."""
    _edit(session, _row(session), {"go_live": go_live, "era_split": era_split.value}, actor)


def update_service_center_username(session: Session, username: str | None, actor: str) -> None:
    """Set the practice's Office Ally Service Center login (None: not known), which the
    SFTP-access e-mail names; kept over the next practice file that says otherwise."""
    if username is not None and (len(username) > 80 or any(c.isspace() for c in username)):
        raise InputError(
            f"{username[:90]!r} is not an Office Ally username: at most 80 characters, no spaces"
        )
    _edit(session, _row(session), {"service_center_username": username}, actor)


def _edit(
    session: Session, row: t.ClearinghouseAccountRow, values: dict[str, Any], actor: str
) -> bool:
    remember_edits(session, ACCOUNTS, row, values, actor)
    return assign(row, values)


def check_connection(
    store: Store, account: ClearinghouseAccount, make: TransportFactory
) -> ConnectionCheck:
    """Log in once to the account of the practice ``store`` works in and list both folders;
    the outcome in words, never the password."""
    if account.password is None:
        return ConnectionCheck(False, "No SFTP password is stored yet: enter it and save first.")
    try:
        transport = make(account, store)
        try:
            folders = (OFFICE_ALLY_FOLDERS.inbound, OFFICE_ALLY_FOLDERS.outbound)
            counts = [len(transport.list(folder)) for folder in folders]
        finally:
            transport.close()
    except ClaimbridgeError as error:
        return ConnectionCheck(False, explain(error), isinstance(error, AuthenticationFailed))
    where = f"{account.username}@{account.sftp_host}:{account.sftp_port}"
    return ConnectionCheck(
        True, f"Connected to {where}: inbound has {counts[0]} files, outbound {counts[1]}."
    )


def explain(error: ClaimbridgeError) -> str:
    """What a failed connection means for the person at the screen."""
    if isinstance(error, AuthenticationFailed):
        return (
            f"Office Ally refused the username or password: {error.login}. claimbridge will "
            "not try again by itself (repeated failures lock the account): check the SFTP "
            "credentials with Office Ally support; they differ from the Service Center login. "
            "Then save the corrected password on the Provider page, or, if it was right, an "
            "admin allows logins again there."
        )
    if isinstance(error, HostKeyMismatch):
        return f"The server's identity changed; nothing was sent. {error}"
    if isinstance(error, TransportTimeout):
        return f"The server did not answer in time; check the host and port. ({error})"
    return f"The connection failed: {error}"
