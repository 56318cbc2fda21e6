"""The record of background work: each job's state and progress, and each account's schedule.

A job is one poll, submission or connection test of a practice's Office Ally account, run by
``claimbridge.jobs`` (a worker on PostgreSQL, a thread of the web process on SQLite). Its row
goes ``queued`` → ``running`` → ``done`` or ``failed``, counting ``done`` of ``total`` as it
goes (``total`` None when not known up front), and ends with its result in words (``result``)
and as JSON for the page that shows it (``detail``). A failed attempt that will be tried again
goes back to ``queued`` with the reason in ``result``; so does a job whose worker died while
running it (``release_stalled_job``), once another worker finds it. Each change is its own short
transaction, so a page polling the row sees it move while the work goes on.

Both tables belong to a practice (``store.tenancy``): the functions taking a session or a store
work in its practice; only ``practices_with_account`` looks across them.

An account's schedule (``account_schedules``; no row means the defaults) says how often it is
polled (``DEFAULT_POLL_MINUTES``) and whether ready claims are sent without a person
(``auto_submit``, off by default). A rejected login stops the account's jobs (``stop_account``)
until a person resumes them (``resume_account``); the dashboard shows the stop. The same row
keeps the rejected-login mark that keeps every process from dialling the account
(``mark_login_refused``, ``login_mark``, ``clear_login_mark``; ``services.account`` hands it to
the transport).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from claimbridge.errors import ConfigError, InputError
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.transport.lockout import AuthFailure, failure_at

DEFAULT_POLL_MINUTES = 15
MOST_LISTED = 200


class JobKind(StrEnum):
    """What a job does to the account."""

    POLL = "poll"
    SUBMIT = "submit"
    TEST = "test"
    REPORTS = "reports"


class JobState(StrEnum):
    """Where a job is; ``done`` and ``failed`` are final."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Job:
    """One job as its row holds it; ``detail`` is the decoded JSON."""

    id: int
    practice_id: int
    kind: JobKind
    state: JobState
    done: int
    total: int | None
    attempts: int
    result: str | None
    detail: dict[str, Any] | None
    asked_by: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    claims: tuple[str, ...] | None = None  # a submission of these CLM01s only

    @property
    def finished(self) -> bool:
        """True once the job is done or failed."""
        return self.state in (JobState.DONE, JobState.FAILED)


@dataclass(frozen=True, slots=True)
class Schedule:
    """How the background work treats one practice's account."""

    practice_id: int
    poll_every_minutes: int = DEFAULT_POLL_MINUTES
    auto_submit: bool = False
    last_poll_at: datetime | None = None
    stopped_at: datetime | None = None
    stopped_reason: str | None = None

    @property
    def stopped(self) -> bool:
        """True while a rejected login keeps the account's jobs from running."""
        return self.stopped_at is not None

    def poll_due(self, now: datetime) -> bool:
        """True when the account was never polled on schedule, or its interval has passed."""
        if self.stopped:
            return False
        every = timedelta(minutes=self.poll_every_minutes)
        return self.last_poll_at is None or now - self.last_poll_at >= every


def practices_with_account(store: Store) -> list[int]:
    """The practices of the ledger that have an Office Ally account, by id: the ones the
    workers serve."""
    account = t.ClearinghouseAccountRow
    with store.across_practices() as session:
        query = select(account.practice_id).distinct().order_by(account.practice_id)
        return list(session.scalars(query))


def require_account(session: Session) -> None:
    """``ConfigError`` in words unless the session's practice has an Office Ally account."""
    if session.scalar(select(exists(select(t.ClearinghouseAccountRow.id)))) is not True:
        raise ConfigError("no Office Ally account yet: load the practice file first")


def queue_job(
    store: Store,
    practice_id: int,
    kind: JobKind,
    asked_by: str,
    now: datetime,
    claims: Sequence[str] | None = None,
) -> Job:
    """A new ``queued`` job of ``kind`` for ``practice_id`` (``store`` scoped to it), asked by
    ``asked_by``; a submission of ``claims`` (CLM01s) sends those of them that are ready only."""
    with store.transaction() as session:
        require_account(session)
        row = t.JobRow(
            practice_id=practice_id,
            kind=kind.value,
            state=JobState.QUEUED.value,
            done=0,
            total=None,
            attempts=0,
            asked_by=asked_by[:60],
            queued_at=now,
            claims=json.dumps(list(claims)) if claims is not None else None,
        )
        session.add(row)
        session.flush()
        return _job(row)


def unfinished_job(session: Session, practice_id: int, kind: JobKind) -> Job | None:
    """The oldest job of ``kind`` for ``practice_id`` that is queued or running, if any."""
    row = t.JobRow
    query = (
        select(row)
        .where(row.practice_id == practice_id, row.kind == kind.value)
        .where(row.state.in_((JobState.QUEUED.value, JobState.RUNNING.value)))
        .order_by(row.id)
        .limit(1)
    )
    found = session.scalars(query).first()
    return _job(found) if found else None


def get_job(session: Session, job_id: int) -> Job | None:
    """The job ``job_id``, or None."""
    row = session.get(t.JobRow, job_id)
    return _job(row) if row else None


def recent_jobs(session: Session, practice_id: int, limit: int = 20) -> list[Job]:
    """The newest ``limit`` jobs of ``practice_id`` (1 to ``MOST_LISTED``), newest first."""
    if not 1 <= limit <= MOST_LISTED:
        raise InputError(f"limit must be between 1 and {MOST_LISTED}")
    row = t.JobRow
    query = select(row).where(row.practice_id == practice_id).order_by(row.id.desc()).limit(limit)
    return [_job(found) for found in session.scalars(query)]


def start_job(store: Store, job_id: int, now: datetime) -> Job:
    """Mark the job running, one more attempt; ``ConfigError`` when the ledger lacks it."""
    with store.transaction() as session:
        row = _row(session, job_id)
        row.state, row.started_at, row.attempts = JobState.RUNNING.value, now, row.attempts + 1
        row.result, row.finished_at = None, None
        return _job(row)


def record_progress(store: Store, job_id: int, done: int, total: int | None) -> None:
    """How far the running job got: ``done`` of ``total`` (None: not known)."""
    with store.transaction() as session:
        session.execute(
            update(t.JobRow).where(t.JobRow.id == job_id).values(done=done, total=total)
        )


def finish_job(
    store: Store,
    job_id: int,
    ok: bool,
    result: str,
    detail: dict[str, Any] | None,
    now: datetime,
) -> None:
    """The job ended: ``done`` when ``ok``, else ``failed``; its result in words and as JSON."""
    with store.transaction() as session:
        row = _row(session, job_id)
        row.state = (JobState.DONE if ok else JobState.FAILED).value
        row.result, row.finished_at = result, now
        row.detail = json.dumps(detail, sort_keys=True) if detail is not None else None


def requeue_job(store: Store, job_id: int, result: str) -> None:
    """A failed attempt will be tried again: back to ``queued``, the reason in ``result``."""
    with store.transaction() as session:
        row = _row(session, job_id)
        row.state, row.result = JobState.QUEUED.value, result


_STALLED_STATES = {
    False: (JobState.RUNNING.value,),
    True: (JobState.RUNNING.value, JobState.QUEUED.value),
}


def release_stalled_job(
    store: Store, job_id: int, attempts: int, result: str, failed: bool, now: datetime
) -> bool:
    """The worker running attempt ``attempts`` of the job died: back to ``queued`` (``failed``
    when it is not tried again, also from ``queued`` if it died before it started), the reason in
    ``result``. Nothing, and False, when the row has moved on since (another attempt started,
    or the job ended)."""
    row = t.JobRow
    state = JobState.FAILED if failed else JobState.QUEUED
    values: dict[str, Any] = {"state": state.value, "result": result}
    if failed:
        values["finished_at"] = now
    with store.transaction() as session:
        changed = session.execute(
            update(row)
            .where(row.id == job_id, row.attempts == attempts)
            .where(row.state.in_(_STALLED_STATES[failed]))
            .values(**values)
        )
        return bool(getattr(changed, "rowcount", 0))


def schedule_of(session: Session, practice_id: int) -> Schedule:
    """The schedule of ``practice_id``'s account; the defaults when none was set."""
    row = session.get(t.AccountScheduleRow, practice_id)
    if row is None:
        return Schedule(practice_id)
    return Schedule(
        practice_id,
        row.poll_every_minutes,
        row.auto_submit,
        row.last_poll_at,
        row.stopped_at,
        row.stopped_reason,
    )


def set_schedule(
    session: Session, practice_id: int, poll_every_minutes: int, auto_submit: bool
) -> Schedule:
    """Poll ``practice_id``'s account every ``poll_every_minutes`` (5 to 1440), and send its
    ready claims by themselves when ``auto_submit``."""
    if not 5 <= poll_every_minutes <= 1440:
        raise InputError("poll every 5 to 1440 minutes (Office Ally asks for no more than 12/h)")
    row = _schedule_row(session, practice_id)
    row.poll_every_minutes, row.auto_submit = poll_every_minutes, auto_submit
    return schedule_of(session, practice_id)


def mark_poll_queued(session: Session, practice_id: int, now: datetime) -> None:
    """The scheduler queued a poll of ``practice_id`` at ``now``; the next is due a full
    interval later."""
    _schedule_row(session, practice_id).last_poll_at = now


def stop_account(store: Store, practice_id: int, reason: str, now: datetime) -> None:
    """Stop ``practice_id``'s jobs: the scheduler skips it and its queued jobs fail at once."""
    with store.transaction() as session:
        row = _schedule_row(session, practice_id)
        row.stopped_at, row.stopped_reason = now, reason


def resume_account(session: Session, practice_id: int) -> bool:
    """Let ``practice_id``'s jobs run again; True when they were stopped."""
    row = session.get(t.AccountScheduleRow, practice_id)
    if row is None or row.stopped_at is None:
        return False
    row.stopped_at, row.stopped_reason = None, None
    return True


def login_mark(session: Session, practice_id: int) -> AuthFailure | None:
    """The rejected-login mark of ``practice_id``'s account, whichever account it names."""
    row = session.get(t.AccountScheduleRow, practice_id)
    if row is None or row.login_refused_at is None:
        return None
    account, detail = row.login_refused_account or "", row.login_refused_detail or ""
    return failure_at(account, row.login_refused_at, detail)


def mark_login_refused(
    session: Session, practice_id: int, account: str, when: datetime, detail: str
) -> None:
    """Office Ally rejected the login ``account`` (``user@host:port``) of ``practice_id`` at
    ``when``, saying ``detail``: no process dials it until the mark is cleared."""
    row = _schedule_row(session, practice_id)
    row.login_refused_at, row.login_refused_account = when, account[:400]
    row.login_refused_detail = detail


def clear_login_mark(session: Session, practice_id: int) -> bool:
    """Forget ``practice_id``'s rejected-login mark; True when there was one."""
    row = session.get(t.AccountScheduleRow, practice_id)
    if row is None or row.login_refused_at is None:
        return False
    row.login_refused_at = row.login_refused_account = row.login_refused_detail = None
    return True


def _schedule_row(session: Session, practice_id: int) -> t.AccountScheduleRow:
    row = session.get(t.AccountScheduleRow, practice_id)
    if row is None:
        row = t.AccountScheduleRow(
            practice_id=practice_id, poll_every_minutes=DEFAULT_POLL_MINUTES, auto_submit=False
        )
        session.add(row)
    return row


def _row(session: Session, job_id: int) -> t.JobRow:
    row = session.get(t.JobRow, job_id)
    if row is None:
        raise ConfigError(f"job {job_id} is not in the ledger (was the ledger restored?)")
    return row


def _job(row: t.JobRow) -> Job:
    return Job(
        id=row.id,
        practice_id=row.practice_id,
        kind=JobKind(row.kind),
        state=JobState(row.state),
        done=row.done,
        total=row.total,
        attempts=row.attempts,
        result=row.result,
        detail=json.loads(row.detail) if row.detail else None,
        asked_by=row.asked_by,
        queued_at=row.queued_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        claims=tuple(json.loads(row.claims)) if row.claims is not None else None,
    )
