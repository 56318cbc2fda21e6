"""People who sign in to the web app, their roles, their API tokens, and the audit log.

A user is one person across the deployment; what they may do is a role per practice
(``practice_members``): in a session of a practice, ``get_user`` gives the user with their role
there, or None when they have none. Disabling a user or giving them a new password is for the
whole deployment, so in the web only an admin of every practice they work in may do it
(``check_may_manage``). Each user has a session generation, carried in their session cookies:
``end_sessions`` raises it, and every cookie from before stops working.

A token belongs to the practice it was made in, reads only or also writes (``TokenScope``), and
stops working when it expires (``TOKEN_DAYS_DEFAULT``, at most ``TOKEN_DAYS_MAX`` days) or is
revoked. Passwords are kept as argon2id hashes with the ``ARGON2_*`` parameters (a hash made with
other parameters still verifies and is replaced at the next sign-in); API tokens as their
SHA-256 (a token is shown once, when it is made). ``record_audit`` writes one row per view or
change of a claim, a patient's EOB, a payer or the account; it holds keys (CLM01, the patient
key), never names or member IDs.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from claimbridge.domain.models import Secret
from claimbridge.errors import InputError, RecordNotFound
from claimbridge.store import tables as t
from claimbridge.store.repositories import utcnow

ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 32 * 1024
ARGON2_PARALLELISM = 1
"""argon2id: 3 passes over 32 MiB on one thread, about 0.1 s on one core of a small server;
docs/operations.md#sign-in-and-api-tokens says why, ``bench/sign_in.py`` measures it."""
_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    type=Type.ID,
)
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cb_"
TOKEN_DAYS_DEFAULT = 90
TOKEN_DAYS_MAX = 365
LAST_USE_EVERY = timedelta(minutes=1)
"""A token's last use is written at most this often (not on every request)."""


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


class TokenScope(StrEnum):
    """What an API token may do: ``read`` only (GET), or ``write`` as its user's role allows."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class UserListing:
    """A user of a practice as the Admin page lists them."""

    id: int
    username: str
    role: Role
    active: bool
    last_sign_in_at: datetime | None


@dataclass(frozen=True, slots=True)
class PasswordChecked:
    """A password that matched: whose, and their new hash when theirs has old parameters."""

    user_id: int
    rehashed: str | None


@dataclass(frozen=True, slots=True)
class TokenListing:
    """An API token of the practice, without the token itself."""

    id: int
    name: str
    username: str
    scope: TokenScope
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """``revoked``, ``expired`` or ``active``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


@dataclass(frozen=True, slots=True)
class Membership:
    """A practice a user has a role in."""

    practice_id: int
    key: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """Who an API token acts for, in which practice, and whether it may write."""

    practice_id: int
    user: User
    scope: TokenScope
    token_id: int
    last_used_at: datetime | None


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
    id: int = 0  # its place in the log: a page of older entries starts below it


AUDIT_PAGE = 50


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
            username=name,
            password_hash=hash_password(password),
            active=True,
            created_at=utcnow(),
            session_generation=0,
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


def check_password(session: Session, username: str, password: Secret) -> PasswordChecked | None:
    """Whose ``password`` this is among the active users, else None. As slow for a name that is
    no user as for a wrong password, so names cannot be probed; a hash made with other
    parameters than ``ARGON2_PARAMETERS`` comes back rehashed, for ``record_sign_in``."""
    row = _user_row(session, username.strip())
    if row is None or not row.active:
        _HASHER.hash("timing-equaliser")
        return None
    if not verify_password(row.password_hash, password):
        return None
    stale = _HASHER.check_needs_rehash(row.password_hash)
    return PasswordChecked(row.id, _HASHER.hash(password.reveal()) if stale else None)


def verify_password(password_hash: str, password: Secret) -> bool:
    """True when ``password`` matches ``password_hash`` (whatever its argon2 parameters)."""
    try:
        return _HASHER.verify(password_hash, password.reveal())
    except (VerificationError, InvalidHashError):
        return False


def verify_user_password(session: Session, user_id: int, password: Secret) -> bool:
    """True when ``password`` is the current one of ``user_id``."""
    row = session.get(t.UserRow, user_id)
    return row is not None and verify_password(row.password_hash, password)


def record_sign_in(session: Session, checked: PasswordChecked) -> int:
    """Note the sign-in (and store the new hash); the user's session generation, for the
    cookie. Run in its own short transaction, after the slow check."""
    row = session.get(t.UserRow, checked.user_id)
    if row is None:
        raise RecordNotFound("that user no longer exists")
    row.last_sign_in_at = utcnow()
    if checked.rehashed is not None:
        row.password_hash = checked.rehashed
    session.flush()
    return row.session_generation


def session_generation(session: Session, user_id: int) -> int | None:
    """The session generation of the active user ``user_id``; None when disabled or gone."""
    query = select(t.UserRow.session_generation).where(
        t.UserRow.id == user_id, t.UserRow.active.is_(True)
    )
    return session.execute(query).scalar_one_or_none()


def end_sessions(session: Session, user_id: int) -> int:
    """End every session of ``user_id`` at once (their cookies carry the old generation);
    the new generation."""
    row = session.get(t.UserRow, user_id)
    if row is None:
        raise RecordNotFound("that user no longer exists")
    row.session_generation += 1
    session.flush()
    return row.session_generation


def set_password_hash(session: Session, user_id: int, password_hash: str) -> int:
    """Give ``user_id`` the password of ``password_hash`` (from ``hash_password``, made
    outside the transaction) and end their sessions; the new session generation."""
    row = session.get(t.UserRow, user_id)
    if row is None:
        raise RecordNotFound("that user no longer exists")
    row.password_hash = password_hash
    session.flush()
    return end_sessions(session, user_id)


def set_active(session: Session, user_id: int, active: bool) -> None:
    """Disable (ending their sessions; their tokens stop working) or enable ``user_id``."""
    row = session.get(t.UserRow, user_id)
    if row is None:
        raise RecordNotFound("that user no longer exists")
    row.active = active
    session.flush()
    if not active:
        end_sessions(session, user_id)


def find_user_id(session: Session, username: str) -> int:
    """The id of the user ``username`` of the deployment; ``RecordNotFound`` otherwise."""
    row = _user_row(session, username.strip())
    if row is None:
        raise RecordNotFound(f"no user {username!r}: 'claimbridge users list' shows them")
    return row.id


def check_may_manage(session: Session, acting_id: int, practice_id: int, target_id: int) -> str:
    """The username of ``target_id`` when the admin ``acting_id`` may disable them or reset
    their password from ``practice_id``: the target has a role there, is not the admin
    themself, and works in no practice where ``acting_id`` is not an admin. Read in a
    session across practices; ``RecordNotFound`` or ``InputError`` otherwise."""
    target = session.get(t.UserRow, target_id)
    theirs = {m.practice_id: m for m in memberships(session, target_id)}
    if target is None or practice_id not in theirs:
        raise RecordNotFound("no such user in this practice")
    if target_id == acting_id:
        raise InputError("you cannot do this to yourself: another admin can")
    mine = {m.practice_id for m in memberships(session, acting_id) if m.role is Role.ADMIN}
    beyond = sorted(m.key for pid, m in theirs.items() if pid not in mine)
    if beyond:
        raise InputError(
            f"{target.username} also works in {', '.join(beyond)}, where you are not an admin: "
            f"an admin of every practice they work in, or 'claimbridge users' on the server, "
            "can do this"
        )
    return target.username


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


def list_users(session: Session) -> list[UserListing]:
    """The users with a role in the session's practice (disabled ones too), by name."""
    query = select(t.UserRow, t.PracticeMemberRow.role).join(
        t.PracticeMemberRow, t.PracticeMemberRow.user_id == t.UserRow.id
    )
    return [
        UserListing(row.id, row.username, Role(role), row.active, row.last_sign_in_at)
        for row, role in session.execute(query.order_by(t.UserRow.username))
    ]


def set_role(session: Session, acting_id: int, user_id: int, role: Role) -> str:
    """Give ``user_id`` the ``role`` in the session's practice; the user's name. Nobody
    changes their own role (so a practice keeps an admin)."""
    member = session.scalars(
        select(t.PracticeMemberRow).where(t.PracticeMemberRow.user_id == user_id)
    ).first()
    row = session.get(t.UserRow, user_id)
    if member is None or row is None:
        raise RecordNotFound("no such user in this practice")
    if user_id == acting_id:
        raise InputError("you cannot change your own role: another admin can")
    member.role = role.value
    session.flush()
    return row.username


def create_token(
    session: Session,
    user: User,
    name: str,
    scope: TokenScope = TokenScope.WRITE,
    days: int = TOKEN_DAYS_DEFAULT,
) -> Secret:
    """A new API token for ``user`` in the session's practice, good for ``days``; only its hash
    is kept, so this is the one chance to see it."""
    label = name.strip()
    if not label or len(label) > 60:
        raise InputError("a token needs a name of 1 to 60 characters (what it is for)")
    if not 1 <= days <= TOKEN_DAYS_MAX:
        raise InputError(f"a token lasts 1 to {TOKEN_DAYS_MAX} days, not {days}")
    if scope is TokenScope.WRITE and user.role is Role.VIEWER:
        raise InputError(f"{user.username} is a viewer: their tokens can only read")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        t.ApiTokenRow(
            user_id=user.id,
            name=label,
            token_sha256=_digest(token),
            created_at=now,
            scope=scope.value,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return Secret(token)


def list_tokens(session: Session) -> list[TokenListing]:
    """The API tokens of the session's practice, newest first."""
    query = (
        select(t.ApiTokenRow, t.UserRow.username)
        .join(t.UserRow, t.ApiTokenRow.user_id == t.UserRow.id)
        .order_by(t.ApiTokenRow.id.desc())
    )
    return [_listing(row, username) for row, username in session.execute(query)]


def revoke_token(session: Session, token_id: int) -> TokenListing:
    """Revoke the token ``token_id`` of the session's practice (at once; again is no change)."""
    found = session.execute(
        select(t.ApiTokenRow, t.UserRow.username)
        .join(t.UserRow, t.ApiTokenRow.user_id == t.UserRow.id)
        .where(t.ApiTokenRow.id == token_id)
    ).first()
    if found is None:
        raise RecordNotFound(f"no API token {token_id} in this practice")
    row, username = found
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return _listing(row, username)


def token_use_due(owner: TokenOwner) -> bool:
    """True when ``owner``'s token was not noted as used in the last minute."""
    last = owner.last_used_at
    return last is None or utcnow() - last >= LAST_USE_EVERY


def note_token_use(session: Session, owner: TokenOwner) -> None:
    """Write that ``owner``'s token was used now."""
    session.execute(
        update(t.ApiTokenRow)
        .where(t.ApiTokenRow.id == owner.token_id)
        .values(last_used_at=utcnow())
    )


def _listing(row: t.ApiTokenRow, username: str) -> TokenListing:
    return TokenListing(
        row.id,
        row.name,
        username,
        TokenScope(row.scope),
        row.created_at,
        row.expires_at,
        row.last_used_at,
        row.revoked_at,
    )


def user_for_token(session: Session, token: str) -> TokenOwner | None:
    """The practice an unrevoked, unexpired ``token`` belongs to and its active user with their
    role there, or None (read in a session across practices: the token says which)."""
    query = (
        select(t.ApiTokenRow, t.UserRow, t.PracticeMemberRow.role)
        .join(t.UserRow, t.ApiTokenRow.user_id == t.UserRow.id)
        .join(
            t.PracticeMemberRow,
            (t.PracticeMemberRow.user_id == t.UserRow.id)
            & (t.PracticeMemberRow.practice_id == t.ApiTokenRow.practice_id),
        )
        .where(
            t.ApiTokenRow.token_sha256 == _digest(token),
            t.ApiTokenRow.revoked_at.is_(None),
            t.ApiTokenRow.expires_at > utcnow(),
        )
    )
    found = session.execute(query).first()
    if found is None or not found[1].active:
        return None
    token_row, row, role = found
    user = User(row.id, row.username, Role(role))
    scope = TokenScope(token_row.scope)
    return TokenOwner(token_row.practice_id, user, scope, token_row.id, token_row.last_used_at)


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


def audit_entries(
    session: Session, limit: int = AUDIT_PAGE, before: int | None = None
) -> list[AuditEntry]:
    """Entries of the audit log, newest first: the newest ``limit``, or, with ``before`` (an
    entry's ``id``), the ``limit`` written just before that one."""
    query = select(t.AuditRow).order_by(t.AuditRow.id.desc()).limit(limit)
    if before is not None:
        query = query.where(t.AuditRow.id < before)
    return [
        AuditEntry(
            r.at, r.username, r.action, r.entity, r.entity_key, r.patient_key, r.detail, r.id
        )
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
