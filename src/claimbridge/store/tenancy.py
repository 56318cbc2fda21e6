"""The practice seam: a ledger holds many practices, and a session sees one of them.

Every per-practice table inherits ``TenantScoped``: a ``practice_id`` column whose value on
INSERT is the practice of the running transaction. A session opened for a practice
(``Store.scoped``) adds ``practice_id = <that practice>`` to every ORM SELECT, UPDATE and
DELETE it runs (``with_loader_criteria``), so services never name the practice; on PostgreSQL
each transaction also sets ``claimbridge.practice``, which the row-level security policies of
migration 0010 compare with every row, a second wall under the first.

::

    with store.scoped(practice_id).transaction() as session:
        session.scalars(select(ClaimRow))   # this practice's claims only
        session.add(PatientRow(...))        # practice_id filled in

The payer master list, control numbers, users and the practices themselves are shared by the
deployment. A session opened with ``ALL_PRACTICES`` (listing practices, a worker's schedule)
sees every practice.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Final

from sqlalchemy import ForeignKey, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    with_loader_criteria,
)

from claimbridge.errors import ConfigError

SCOPE_KEY: Final = "claimbridge_practice"
ALL_PRACTICES: Final = "all"
PG_SETTING: Final = "claimbridge.practice"

Scope = int | str | None  # a practice id, ALL_PRACTICES, or None (the ledger has no practice)
_inserting_for: ContextVar[int | None] = ContextVar("claimbridge_practice", default=None)


def current_practice_id() -> int:
    """The practice new rows belong to: the one of the running transaction."""
    practice_id = _inserting_for.get()
    if practice_id is None:
        raise ConfigError(
            "no practice is chosen for this change: load a practice file first, or choose one "
            "with --practice KEY (CLAIMBRIDGE_PRACTICE)"
        )
    return practice_id


class TenantScoped:
    """A table whose rows belong to one practice; see the module's text."""

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id"), index=True, default=current_practice_id
    )


def open_scope(session: Session, scope: Scope) -> object:
    """Mark ``session`` as working in ``scope``; returns the token ``close_scope`` takes."""
    session.info[SCOPE_KEY] = scope
    return _inserting_for.set(scope if isinstance(scope, int) else None)


def close_scope(token: object) -> None:
    """End what ``open_scope`` began."""
    _inserting_for.reset(token)  # type: ignore[arg-type]


def session_practice(session: Session) -> int:
    """The practice ``session`` works in; ``ConfigError`` when it sees all or none."""
    scope = session.info.get(SCOPE_KEY)
    if not isinstance(scope, int):
        raise ConfigError("this needs one practice: choose one with --practice KEY")
    return scope


@event.listens_for(Session, "do_orm_execute")
def _only_this_practice(state: ORMExecuteState) -> None:
    scope = state.session.info.get(SCOPE_KEY)
    if not isinstance(scope, int) or state.is_column_load or state.is_relationship_load:
        return
    if state.is_select or state.is_update or state.is_delete:
        practice_id = scope
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantScoped,
                lambda cls: cls.practice_id == practice_id,
                include_aliases=True,
            )
        )


def tell_postgresql(connection: Any, scope: Scope) -> None:
    """Say the transaction's practice (an id, ``ALL_PRACTICES`` or None: nothing) to the
    row-level security policies of PostgreSQL, until the transaction ends; nothing elsewhere."""
    if connection.dialect.name != "postgresql":
        return
    value = "" if scope is None else str(scope)
    connection.exec_driver_sql("SELECT set_config(%s, %s, true)", (PG_SETTING, value))


@event.listens_for(Session, "after_begin")
def _tell_postgresql(session: Session, _transaction: SessionTransaction, connection: Any) -> None:
    if SCOPE_KEY in session.info:
        tell_postgresql(connection, session.info[SCOPE_KEY])


def adopt_practice(session: Session, practice_id: int) -> None:
    """From now on ``session`` works in ``practice_id``: the first load into an empty ledger
    makes the practice, then writes its rows in the same transaction."""
    session.info[SCOPE_KEY] = practice_id
    _inserting_for.set(practice_id)  # the session's close_scope resets it
    tell_postgresql(session.connection(), practice_id)
