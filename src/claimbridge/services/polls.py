"""The record of every poll: when, by whom, from where, how many files, and how it ended.

``services.ingest.poll`` writes one ``polls`` row per call — from ``claimbridge poll``, each
``claimbridge watch`` cycle and the dashboard's button alike — in its own transaction, after the
poll ended or failed, so a refused SFTP login or a lost connection is recorded with its reason.
The dashboard shows the last one; ``claimbridge polls`` and ``GET /api/v1/polls`` list them.
The source names the SFTP account (``user@host:port``) or the folder, never a password.

A poll that brought nothing and ended well says little once it is old: those older than
``EMPTY_POLLS_KEPT_DAYS`` are deleted when a poll is recorded (``watch`` every 15 minutes
writes 96 a day). Polls that brought files or failed are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from claimbridge.domain.models import ClearinghouseAccount
from claimbridge.errors import InputError
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.transport.lockout import account_name

MOST_LISTED = 1000
EMPTY_POLLS_KEPT_DAYS = 30


@dataclass(frozen=True, slots=True)
class Poll:
    """One poll: ``files`` ingested, ``failed`` of them unreadable; ``ok`` if it ran to the end."""

    started_at: datetime
    finished_at: datetime | None
    actor: str
    source: str
    files: int
    failed: int
    ok: bool
    detail: str | None


def sftp_source(account: ClearinghouseAccount) -> str:
    """The SFTP account a poll fetched from, as polls name it: ``user@host:port``."""
    return account_name(account.username, account.sftp_host, account.sftp_port)


def folder_source(folder: Path) -> str:
    """A local folder a poll read Office Ally's files from, as polls name it."""
    return f"folder {folder.resolve()}"


def record_poll(store: Store, poll: Poll) -> None:
    """Write ``poll`` in its own transaction, and forget old empty ones (module docstring)."""
    with store.transaction() as session:
        forget_before = poll.started_at - timedelta(days=EMPTY_POLLS_KEPT_DAYS)
        row = t.PollRow
        session.execute(
            delete(row).where(row.ok.is_(True), row.files == 0, row.started_at < forget_before)
        )
        session.add(
            t.PollRow(
                started_at=poll.started_at,
                finished_at=poll.finished_at,
                actor=poll.actor[:60],
                source=poll.source[:255],
                files=poll.files,
                failed=poll.failed,
                ok=poll.ok,
                detail=poll.detail,
            )
        )


def recent_polls(session: Session, limit: int = 20) -> tuple[Poll, ...]:
    """The newest ``limit`` polls, newest first."""
    if not 1 <= limit <= MOST_LISTED:
        raise InputError(f"a list of polls holds 1 to {MOST_LISTED} polls, not {limit}")
    query = select(t.PollRow).order_by(t.PollRow.started_at.desc(), t.PollRow.id.desc())
    return tuple(_poll(row) for row in session.scalars(query.limit(limit)))


def last_successful_poll(session: Session) -> Poll | None:
    """The newest poll that ran to the end, or None."""
    query = select(t.PollRow).where(t.PollRow.ok.is_(True))
    row = session.scalars(query.order_by(t.PollRow.started_at.desc()).limit(1)).first()
    return None if row is None else _poll(row)


def _poll(row: t.PollRow) -> Poll:
    return Poll(
        row.started_at,
        row.finished_at,
        row.actor,
        row.source,
        row.files,
        row.failed,
        row.ok,
        row.detail,
    )
