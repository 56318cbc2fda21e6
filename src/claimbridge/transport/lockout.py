"""Accounts whose credentials the server rejected: asked before dialling, recorded on rejection.

Office Ally pauses an account after too many failed logins, and a scheduled poll that kept
trying a wrong password every half hour would get there quickly. So the first rejection is
recorded, and every later connection to that account, from any process on any machine, stops
before dialling until a person has checked the credentials and allowed logins again.

The transport does not know where the marks are kept: it is given ``LoginMarks``. For an
account a practice stores, the services keep them in the ledger (``services.account``), so
every process sharing the ledger sees them; ``UnkeptMarks`` is for an account given on the
command line and stored nowhere. A mark holds the account (``user@host:port``), when, and what
the server said, never a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

LEGACY_MARKS_NAME = "sftp-auth-failures.json"
"""The file beside the known-hosts file where earlier versions kept the marks; read once into
the ledger (``services.account.import_file_marks``)."""


@dataclass(frozen=True, slots=True)
class AuthFailure:
    """One rejected login: the account, the UTC time, and the server's reason."""

    account: str
    when: str
    detail: str


def account_name(username: str, host: str, port: int) -> str:
    """How an account is named in marks and messages: ``user@host:port``."""
    return f"{username}@{host}:{port}"


def failure_at(account: str, when: datetime, detail: str) -> AuthFailure:
    """The mark of ``account`` rejected at ``when`` (shown in UTC, to the second)."""
    return AuthFailure(account, when.astimezone(UTC).isoformat(timespec="seconds"), detail)


class LoginMarks(Protocol):
    """Where the transport's rejected logins are kept. ``refused`` is asked before every
    connection is dialled; ``refuse`` records a rejection the moment the server answers it;
    ``remedy`` tells a person how to let claimbridge log in again, in one sentence."""

    def refused(self, account: str) -> AuthFailure | None:
        """The mark of ``account``, if its credentials were rejected and not allowed since."""
        ...

    def refuse(self, account: str, when: datetime, detail: str) -> AuthFailure:
        """Remember that the server rejected ``account``'s credentials at ``when``."""
        ...

    def remedy(self) -> str:
        """What to do once the credentials are right, e.g. the command that allows logins."""
        ...


class UnkeptMarks:
    """Marks kept by this object only, for an account no ledger stores (``claimbridge sftp
    test --host … --user …``): one transport does not dial again, and the person at the
    keyboard sees the rejection."""

    def __init__(self) -> None:
        self._marks: dict[str, AuthFailure] = {}

    def refused(self, account: str) -> AuthFailure | None:
        return self._marks.get(account)

    def refuse(self, account: str, when: datetime, detail: str) -> AuthFailure:
        failure = self._marks[account] = failure_at(account, when, detail)
        return failure

    def remedy(self) -> str:
        return "Once they are right, test them again."
