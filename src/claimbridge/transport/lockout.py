"""Accounts whose credentials the server rejected, remembered across runs.

Office Ally pauses an account after too many failed logins, and a scheduled poll that kept
trying a wrong password every half hour would get there quickly. So the first rejection is
written down here, and every later connection to that account stops before dialling until a
person has checked the credentials and run ``claimbridge sftp clear-auth-failure``.

The marks live in a small JSON file beside the known-hosts file; they hold the account
(``user@host:port``), when, and what the server said, never a password.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from claimbridge.atomic import write_atomic
from claimbridge.errors import StoreError

MARKS_NAME = "sftp-auth-failures.json"


@dataclass(frozen=True, slots=True)
class AuthFailure:
    """One rejected login: the account, the UTC time, and the server's reason."""

    account: str
    when: str
    detail: str


def account_name(username: str, host: str, port: int) -> str:
    """How an account is named in marks and messages: ``user@host:port``."""
    return f"{username}@{host}:{port}"


def marks_path(known_hosts: Path) -> Path:
    """Where the marks are kept for a given known-hosts file: the same folder."""
    return known_hosts.with_name(MARKS_NAME)


class AuthFailureMarks:
    """The marks file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, account: str) -> AuthFailure | None:
        """The mark of ``account``, if its credentials were rejected and not cleared since."""
        found = self._load().get(account)
        return AuthFailure(**found) if found else None

    def mark(self, account: str, when: datetime, detail: str) -> AuthFailure:
        """Remember that the server rejected ``account``'s credentials."""
        failure = AuthFailure(account, when.astimezone(UTC).isoformat(timespec="seconds"), detail)
        marks = self._load()
        marks[account] = asdict(failure)
        self._save(marks)
        return failure

    def clear(self, account: str) -> bool:
        """Forget the mark of ``account``; True when there was one."""
        marks = self._load()
        if marks.pop(account, None) is None:
            return False
        self._save(marks)
        return True

    def _load(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        try:
            marks = json.loads(self.path.read_bytes())
        except OSError as error:
            raise StoreError(f"cannot read {self.path}: {error.strerror or error}") from error
        except ValueError as error:
            raise StoreError(f"{self.path} is not valid JSON ({error}); delete it") from error
        if not isinstance(marks, dict):
            raise StoreError(f"{self.path} does not hold an object; delete it")
        return marks

    def _save(self, marks: dict[str, dict[str, str]]) -> None:
        write_atomic(self.path, (json.dumps(marks, indent=1, sort_keys=True) + "\n").encode())
