"""The Office Ally account as the web app edits it: SFTP login, go-live date, ERA split.
What a person changes here is kept over the next practice file (``store.corrections``).

``check_connection`` logs in once through a transport the caller makes and says what went wrong
in words a biller can act on. The password is write-only: it is encrypted on the way in and no
function here returns it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
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
    TransportTimeout,
)
from claimbridge.services.jobs import resume_account
from claimbridge.store import tables as t
from claimbridge.store.corrections import ACCOUNTS, remember_edits
from claimbridge.store.crypto import Cipher
from claimbridge.store.sync import assign
from claimbridge.transport.base import Transport
from claimbridge.transport.lockout import AuthFailure, AuthFailureMarks, account_name, marks_path
from claimbridge.transport.officeally import OFFICE_ALLY_FOLDERS

TransportFactory = Callable[[ClearinghouseAccount], Transport]
"""Makes a transport for an account (with its decrypted password); the web app is given one."""


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


def login_refused(session: Session, known_hosts: Path | None) -> AuthFailure | None:
    """The rejected login that keeps claimbridge from dialling the account, if any."""
    marked = _login_mark(session, known_hosts)
    return None if marked is None else marked[0].get(marked[1])


def allow_logins_again(session: Session, practice_id: int, known_hosts: Path | None) -> bool:
    """A person checked (or changed) the credentials: forget the rejected login and resume the
    account's background work. True when either had stopped it."""
    marked = _login_mark(session, known_hosts)
    cleared = marked is not None and marked[0].clear(marked[1])
    resumed = resume_account(session, practice_id)
    return cleared or resumed


def _login_mark(session: Session, known_hosts: Path | None) -> tuple[AuthFailureMarks, str] | None:
    """The transport's marks beside ``known_hosts`` and the account's name in them; None with
    no account or no known-hosts file."""
    account = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    if account is None or known_hosts is None:
        return None
    name = account_name(account.username, account.sftp_host, account.sftp_port)
    return AuthFailureMarks(marks_path(known_hosts)), name


def has_password(session: Session) -> bool:
    """True when an SFTP password is stored."""
    return _row(session).password_token is not None


def update_go_live(session: Session, go_live: date | None, era_split: EraSplit, actor: str) -> None:
    """Set the go-live date (claims before it are held) and the ERA split asked of OA, as
    ``actor`` asked; kept over the next practice file that says otherwise."""
    _edit(session, _row(session), {"go_live": go_live, "era_split": era_split.value}, actor)


def _edit(
    session: Session, row: t.ClearinghouseAccountRow, values: dict[str, Any], actor: str
) -> bool:
    remember_edits(session, ACCOUNTS, row, values, actor)
    return assign(row, values)


def check_connection(account: ClearinghouseAccount, make: TransportFactory) -> ConnectionCheck:
    """Log in once and list both folders; the outcome in words, never the password."""
    if account.password is None:
        return ConnectionCheck(False, "No SFTP password is stored yet: enter it and save first.")
    try:
        transport = make(account)
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
