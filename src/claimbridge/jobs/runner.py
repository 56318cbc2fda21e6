"""Asking for a job: its row first, then whoever runs jobs in this deployment is handed it.

On PostgreSQL that is the queue (``jobs.queue.QueueRunner``: any worker picks it up); on SQLite
the process that asked (``jobs.inprocess.InProcessRunner``). Callers (the web's buttons and
API, ``claimbridge watch``) see one function, ``ask``, and follow the job by its row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from claimbridge.jobs.runtime import failure_text, store_for
from claimbridge.services.jobs import Job, JobKind, finish_job, queue_job
from claimbridge.store.db import Store


class Runner(Protocol):
    """Runs a queued job, now or when a worker is free."""

    def run(self, job: Job) -> object:
        """Hand ``job`` over; it must not wait for the job to end."""


def ask(
    store: Store,
    runner: Runner,
    practice_id: int,
    kind: JobKind,
    asked_by: str,
    now: datetime,
    claims: Sequence[str] | None = None,
) -> Job:
    """Queue a job of ``kind`` for ``practice_id`` and hand it to ``runner``; the queued job.

    ``ConfigError`` at once when the practice has no Office Ally account. When the hand-over
    fails, the job's row says so and the error is raised.
    """
    scoped = store_for(store, practice_id)
    job = queue_job(scoped, practice_id, kind, asked_by, now, claims)
    try:
        runner.run(job)
    except Exception as error:
        finish_job(scoped, job.id, False, f"not queued: {failure_text(error)}", None, now)
        raise
    return job
