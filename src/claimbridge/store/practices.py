"""The practices of a ledger: find, add and list them, and the row of a session's practice.

A practice is named by its ``key`` (``cedar-valley``): ``--practice KEY`` on the command line,
``CLAIMBRIDGE_PRACTICE`` in the environment. The first practice file loaded into an empty ledger
makes a practice keyed by the practice's name; ``claimbridge load FILE --practice KEY`` makes a
practice with that key when there is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ConfigError, InputError
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.tenancy import SCOPE_KEY, adopt_practice, session_practice

_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@dataclass(frozen=True, slots=True)
class PracticeSummary:
    """A practice and its Office Ally account's state, as ``claimbridge practices list`` shows."""

    key: str
    name: str
    mode: str | None  # 'test', 'production', or None without an account
    last_poll: datetime | None
    last_poll_ok: bool | None
    held: int
    rejected: int


def practice_key(name: str) -> str:
    """The key a practice gets from its name: lower case, words joined by '-'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64] or "practice"


def check_key(key: str) -> str:
    """``key`` when it may name a practice; ``InputError`` in words otherwise."""
    if not _KEY.fullmatch(key):
        raise InputError(
            f"{key!r} is not a practice key: lower-case letters, digits and '-', up to 64, "
            "starting with a letter or digit"
        )
    return key


def practice_row(session: Session) -> t.PracticeRow | None:
    """The row of the practice ``session`` works in; None in a ledger without one, and for a
    practice made (``--practice KEY``) whose practice file is not loaded yet."""
    row = _scope_row(session)
    return row if row is not None and row.name else None


def _scope_row(session: Session) -> t.PracticeRow | None:
    scope = session.info.get(SCOPE_KEY)
    return session.get(t.PracticeRow, scope) if isinstance(scope, int) else None


def practice_keys(store: Store) -> dict[str, int]:
    """Every practice's id by its key."""
    with store.across_practices() as session:
        return dict(session.execute(select(t.PracticeRow.key, t.PracticeRow.id)).all())


def choose_practice(store: Store, key: str | None) -> Store:
    """``store`` working in the practice ``key``; without a key, in the ledger's only one."""
    if key is None:
        return store
    known = practice_keys(store)
    if key not in known:
        listed = ", ".join(sorted(known)) or "none yet"
        raise ConfigError(f"no practice {key!r} in the ledger (practices: {listed})")
    return store.scoped(known[key])


def store_for_load(store: Store, key: str | None) -> Store:
    """Where ``claimbridge load`` writes: the practice ``key``, made when new; without a key,
    the ledger's only practice (or, in an empty ledger, the one the file makes)."""
    if key is None:
        return store
    check_key(key)
    known = practice_keys(store)
    if key in known:
        return store.scoped(known[key])
    with store.across_practices(write=True) as session:
        row = _new_practice(session, key)
    return store.scoped(row.id)


def ensure_practice(session: Session, name: str) -> t.PracticeRow:
    """The session's practice; in an empty ledger, a new one keyed by ``name``, which the
    session then works in."""
    row = _scope_row(session)
    if row is not None:
        return row
    if session.info.get(SCOPE_KEY) is not None:
        session_practice(session)  # works across practices: refused in words
    row = _new_practice(session, practice_key(name))
    adopt_practice(session, row.id)
    return row


def _new_practice(session: Session, key: str) -> t.PracticeRow:
    row = t.PracticeRow(
        key=key,
        name="",
        tax_id="",
        npi="",
        taxonomy="",
        address_line1="",
        address_city="",
        address_state="",
        address_zip="",
    )
    session.add(row)
    session.flush()
    return row


def list_practices(store: Store) -> list[PracticeSummary]:
    """Every practice with its account's mode, last poll, held and rejected claim counts."""
    with store.across_practices() as session:
        practices = session.execute(
            select(t.PracticeRow.id, t.PracticeRow.key, t.PracticeRow.name).order_by(
                t.PracticeRow.key
            )
        ).all()
        modes = dict(
            session.execute(
                select(t.ClearinghouseAccountRow.practice_id, t.ClearinghouseAccountRow.test_mode)
            ).all()
        )
        last_polls = _last_polls(session)
        counts = _claim_counts(session)
    return [
        PracticeSummary(
            key=key,
            name=name,
            mode=None if pid not in modes else ("test" if modes[pid] else "production"),
            last_poll=last_polls.get(pid, (None, None))[0],
            last_poll_ok=last_polls.get(pid, (None, None))[1],
            held=counts.get((pid, ClaimStatus.HELD.value), 0),
            rejected=sum(
                counts.get((pid, status.value), 0)
                for status in (ClaimStatus.CLEARINGHOUSE_REJECTED, ClaimStatus.PAYER_REJECTED)
            ),
        )
        for pid, key, name in practices
    ]


def _last_polls(session: Session) -> dict[int, tuple[datetime, bool]]:
    newest = (
        select(t.PollRow.practice_id, func.max(t.PollRow.id).label("id"))
        .group_by(t.PollRow.practice_id)
        .subquery()
    )
    query = select(t.PollRow.practice_id, t.PollRow.started_at, t.PollRow.ok).join(
        newest, newest.c.id == t.PollRow.id
    )
    return {pid: (at, ok) for pid, at, ok in session.execute(query)}


def _claim_counts(session: Session) -> dict[tuple[int, str], int]:
    query = select(t.ClaimRow.practice_id, t.ClaimRow.status, func.count()).group_by(
        t.ClaimRow.practice_id, t.ClaimRow.status
    )
    return {(pid, status): count for pid, status, count in session.execute(query)}
