"""People who sign in to the web app, their API tokens, and the audit log of what they saw.

Passwords are kept as argon2 hashes; API tokens as their SHA-256 (a token is shown once, when it
is made). ``record_audit`` writes one row per view or change of a claim, a patient's EOB, a payer
or the account; it holds keys (CLM01, the patient key), never names or member IDs.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.models import Secret
from claimbridge.errors import InputError
from claimbridge.store import tables as t
from claimbridge.store.repositories import utcnow

_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cb_"


class Role(StrEnum):
    """What a person may do: viewers read, billers work claims and payers, admins everything."""

    ADMIN = "admin"
    BILLER = "biller"
    VIEWER = "viewer"

    def at_least(self, needed: Role) -> bool:
        """True when this role may do what ``needed`` may."""
        order = (Role.VIEWER, Role.BILLER, Role.ADMIN)
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in person."""

    id: int
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log."""

    at: datetime
    username: str
    action: str
    entity: str
    entity_key: str
    patient_key: str | None
    detail: str | None


def hash_password(password: Secret) -> str:
    """The argon2 hash of ``password``; ``InputError`` when it is too short."""
    if len(password.reveal()) < MIN_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password.reveal())


def add_user(session: Session, username: str, role: Role, password: Secret) -> User:
    """Add a person who may sign in; ``InputError`` when the name is taken or malformed."""
    name = username.strip()
    if not name or len(name) > 60 or not name.replace(".", "").replace("-", "").isalnum():
        raise InputError(f"{username!r} is not a username (letters, digits, '.' and '-')")
    if _user_row(session, name) is not None:
        raise InputError(f"the user {name!r} exists already")
    row = t.UserRow(
        username=name,
        password_hash=hash_password(password),
        role=role.value,
        active=True,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _user(row)


def authenticate(session: Session, username: str, password: Secret) -> User | None:
    """The user when ``password`` is theirs and they are active, else None."""
    row = _user_row(session, username.strip())
    if row is None or not row.active:
        _HASHER.hash("timing-equaliser")  # as slow as a real check, so names cannot be probed
        return None
    try:
        _HASHER.verify(row.password_hash, password.reveal())
    except (VerificationError, InvalidHashError):
        return None
    return _user(row)


def get_user(session: Session, user_id: int) -> User | None:
    """The active user with ``user_id``, or None."""
    row = session.get(t.UserRow, user_id)
    return _user(row) if row is not None and row.active else None


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return [_user(row) for row in session.scalars(select(t.UserRow).order_by(t.UserRow.username))]


def create_token(session: Session, user: User, name: str) -> Secret:
    """A new API token for ``user``; only its hash is kept, so this is the one chance to see it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        t.ApiTokenRow(user_id=user.id, name=name, token_sha256=_digest(token), created_at=utcnow())
    )
    session.flush()
    return Secret(token)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user an unrevoked ``token`` belongs to, or None."""
    query = select(t.UserRow).join(t.ApiTokenRow, t.ApiTokenRow.user_id == t.UserRow.id)
    query = query.where(t.ApiTokenRow.token_sha256 == _digest(token))
    row = session.scalars(query.where(t.ApiTokenRow.revoked_at.is_(None))).first()
    return _user(row) if row is not None and row.active else None


def record_audit(
    session: Session,
    user: User,
    action: str,
    entity: str,
    entity_key: str,
    patient_key: str | None = None,
    detail: str | None = None,
) -> None:
    """Write who viewed or changed what; ``action`` is 'view' or 'change'."""
    session.add(
        t.AuditRow(
            at=utcnow(),
            username=user.username,
            action=action,
            entity=entity,
            entity_key=entity_key,
            patient_key=patient_key,
            detail=detail,
        )
    )


def audit_entries(session: Session, limit: int = 200) -> list[AuditEntry]:
    """The newest entries of the audit log, newest first."""
    query = select(t.AuditRow).order_by(t.AuditRow.id.desc()).limit(limit)
    return [
        AuditEntry(r.at, r.username, r.action, r.entity, r.entity_key, r.patient_key, r.detail)
        for r in session.scalars(query)
    ]


def _user_row(session: Session, username: str) -> t.UserRow | None:
    return session.scalars(select(t.UserRow).where(t.UserRow.username == username)).first()


def _user(row: t.UserRow) -> User:
    return User(row.id, row.username, Role(row.role))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
