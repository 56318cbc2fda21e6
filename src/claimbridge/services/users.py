"""People who sign in to the web app, their roles, their API tokens, and the audit log.

A user is one person across the deployment; what they may do is a role per practice
(``practice_members``): in a session of a practice, ``get_user`` gives the user with their role
there, or None when they have none. A token belongs to the practice it was made in. Passwords
are kept as argon2 hashes; API tokens as their SHA-256 (a token is shown once, when it
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
from sqlalchemy import Select, select
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
class Membership:
    """A practice a user has a role in."""

    practice_id: int
    key: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """Who an API token acts for, and in which practice."""

    practice_id: int
    user: User


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


def add_user(session: Session, username: str, role: Role, password: Secret | None) -> User:
    """Give ``username`` the ``role`` in the session's practice; a new person needs
    ``password``. ``InputError`` when the name is malformed or already has a role here."""
    name = username.strip()
    if not name or len(name) > 60 or not name.replace(".", "").replace("-", "").isalnum():
        raise InputError(f"{username!r} is not a username (letters, digits, '.' and '-')")
    row = _user_row(session, name)
    if row is None:
        if password is None:
            raise InputError(f"{name!r} is a new user: give them a password")
        row = t.UserRow(
            username=name, password_hash=hash_password(password), active=True, created_at=utcnow()
        )
        session.add(row)
        session.flush()
    elif get_user(session, row.id) is not None:
        raise InputError(f"the user {name!r} exists already in this practice")
    session.add(t.PracticeMemberRow(user_id=row.id, role=role.value))
    session.flush()
    return User(row.id, row.username, role)


def is_user(session: Session, username: str) -> bool:
    """True when ``username`` is a user of the deployment, in any practice."""
    return _user_row(session, username.strip()) is not None


def authenticate(session: Session, username: str, password: Secret) -> int | None:
    """The id of the active user when ``password`` is theirs, else None."""
    row = _user_row(session, username.strip())
    if row is None or not row.active:
        _HASHER.hash("timing-equaliser")  # as slow as a real check, so names cannot be probed
        return None
    try:
        _HASHER.verify(row.password_hash, password.reveal())
    except (VerificationError, InvalidHashError):
        return None
    return row.id


def get_user(session: Session, user_id: int) -> User | None:
    """The active user with ``user_id`` and their role in the session's practice, or None."""
    query = _with_role().where(t.UserRow.id == user_id, t.UserRow.active.is_(True))
    found = session.execute(query).first()
    return User(found[0].id, found[0].username, Role(found[1])) if found else None


def memberships(session: Session, user_id: int) -> list[Membership]:
    """The practices the user has a role in, by key (a session across practices sees all)."""
    query = (
        select(t.PracticeRow.id, t.PracticeRow.key, t.PracticeRow.name, t.PracticeMemberRow.role)
        .join(t.PracticeMemberRow, t.PracticeMemberRow.practice_id == t.PracticeRow.id)
        .where(t.PracticeMemberRow.user_id == user_id)
        .order_by(t.PracticeRow.key)
    )
    return [
        Membership(pid, key, name, Role(role)) for pid, key, name, role in session.execute(query)
    ]


def list_users(session: Session) -> list[User]:
    """The users with a role in the session's practice, by name."""
    query = _with_role().order_by(t.UserRow.username)
    return [User(row.id, row.username, Role(role)) for row, role in session.execute(query)]


def create_token(session: Session, user: User, name: str) -> Secret:
    """A new API token for ``user`` in the session's practice; only its hash is kept, so this is
    the one chance to see it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        t.ApiTokenRow(user_id=user.id, name=name, token_sha256=_digest(token), created_at=utcnow())
    )
    session.flush()
    return Secret(token)


def user_for_token(session: Session, token: str) -> TokenOwner | None:
    """The practice an unrevoked ``token`` belongs to and its active user with their role there,
    or None (read in a session across practices: the token says which)."""
    query = (
        select(t.ApiTokenRow.practice_id, t.UserRow, t.PracticeMemberRow.role)
        .join(t.UserRow, t.ApiTokenRow.user_id == t.UserRow.id)
        .join(
            t.PracticeMemberRow,
            (t.PracticeMemberRow.user_id == t.UserRow.id)
            & (t.PracticeMemberRow.practice_id == t.ApiTokenRow.practice_id),
        )
        .where(t.ApiTokenRow.token_sha256 == _digest(token), t.ApiTokenRow.revoked_at.is_(None))
    )
    found = session.execute(query).first()
    if found is None or not found[1].active:
        return None
    practice_id, row, role = found
    return TokenOwner(practice_id, User(row.id, row.username, Role(role)))


def record_audit(
    session: Session,
    username: str,
    action: str,
    entity: str,
    entity_key: str,
    patient_key: str | None = None,
    detail: str | None = None,
) -> None:
    """Write who viewed or changed what; ``action`` is 'view', 'change', 'submit' or 'poll'."""
    session.add(
        t.AuditRow(
            at=utcnow(),
            username=username,
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


def _with_role() -> Select[t.UserRow, str]:
    return select(t.UserRow, t.PracticeMemberRow.role).join(
        t.PracticeMemberRow, t.PracticeMemberRow.user_id == t.UserRow.id
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
