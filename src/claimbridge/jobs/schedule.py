"""The schedule: once a minute, the jobs each account is due for.

For every practice with an Office Ally account whose background work is not stopped: a poll
when its interval (``account_schedules.poll_every_minutes``, 15 by default) has passed since the
last one the schedule queued, and a submission when the practice sends its ready claims by
themselves (``auto_submit``, off by default) and some are ready. A kind of job that is still
queued or running for the account is not queued again, so a slow account never piles up jobs.
A worker runs this as Procrastinate's periodic task (``jobs.queue``); it hands the jobs to any
``Runner``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from claimbridge.jobs.runner import Runner, ask
from claimbridge.jobs.runtime import store_for
from claimbridge.services.claims import ready_claim_ids
from claimbridge.services.jobs import (
    Job,
    JobKind,
    Schedule,
    mark_poll_queued,
    practices_with_account,
    schedule_of,
    unfinished_job,
)
from claimbridge.store.db import Store

ASKED_BY = "schedule"


def schedule_round(store: Store, runner: Runner, now: datetime) -> list[Job]:
    """Queue the jobs every account is due for at ``now``; the jobs queued."""
    practices = practices_with_account(store)
    queued: list[Job] = []
    for practice_id in practices:
        queued += _due(store_for(store, practice_id), runner, practice_id, now)
    return queued


def _due(store: Store, runner: Runner, practice_id: int, now: datetime) -> list[Job]:
    with store.read() as session:
        schedule = schedule_of(session, practice_id)
        wanted = _wanted(schedule, now, lambda: bool(ready_claim_ids(session)))
        kinds = [kind for kind in wanted if unfinished_job(session, practice_id, kind) is None]
    jobs = []
    for kind in kinds:
        if kind is JobKind.POLL:
            with store.transaction() as session:
                mark_poll_queued(session, practice_id, now)
        jobs.append(ask(store, runner, practice_id, kind, ASKED_BY, now))
    return jobs


def _wanted(schedule: Schedule, now: datetime, claims_ready: Callable[[], bool]) -> list[JobKind]:
    if schedule.stopped:
        return []
    wanted = [JobKind.POLL] if schedule.poll_due(now) else []
    if schedule.auto_submit and claims_ready():
        wanted.append(JobKind.SUBMIT)
    return wanted
