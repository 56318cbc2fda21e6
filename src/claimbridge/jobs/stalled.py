"""Jobs whose worker died while running them: found by the workers' heartbeats, run again.

A worker killed by SIGKILL, the OOM killer or a lost machine leaves its jobs ``doing`` in
Procrastinate's table, and a job that holds the lock ``account-<id>`` would keep every later
job of that account waiting for ever. Each worker therefore writes a heartbeat to
``procrastinate_workers`` every ``Liveness.heartbeat_s``; a worker silent for
``stalled_after_s`` is taken for dead. Every live worker looks for such jobs every
``check_every_s`` (and once as it starts), under an advisory lock so that only one looks at a
time, and hands each back to the queue with Procrastinate's ``retry_job``: it runs again, first
among its account's jobs, on whichever worker fetches it. Claimbridge's own row of the job goes
back to ``queued`` with the reason, or ends ``failed`` when the retry policy's attempts are used
up (a job that kills its worker every time must not do so for ever).

A run that died part way is safe to run again: a submission resumes the batch whose intent it
committed (``services.submit``) and a poll skips the files already applied
(``services.ingest``). docs/design.md#background-work gives the bound.
"""

from __future__ import annotations

import asyncio
import logging

import psycopg
from procrastinate import App
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Job as QueuedJob
from procrastinate.jobs import Status

from claimbridge.jobs.runtime import Liveness, Runtime, store_for
from claimbridge.services.jobs import get_job, release_stalled_job

log = logging.getLogger(__name__)

_GUARD = 0x636C_6273_746C  # the advisory lock of the one worker looking for stalled jobs


async def watch_stalled(app: App, runtime: Runtime, liveness: Liveness, conninfo: str) -> None:
    """Look for stalled jobs now and every ``check_every_s`` until cancelled."""
    while True:
        try:
            await rescue_stalled(app, runtime, liveness, conninfo)
        except (OSError, psycopg.Error, ConnectorException) as error:
            log.warning("could not look for stalled jobs: %s", type(error).__name__)
        await asyncio.sleep(liveness.check_every_s)


async def rescue_stalled(app: App, runtime: Runtime, liveness: Liveness, conninfo: str) -> int:
    """Hand every job of a dead worker back to the queue (or fail it); how many were found.
    Only one worker at a time does this (a transaction's advisory lock), so a job retried by one
    and already started again is never retried by another."""
    async with await psycopg.AsyncConnection.connect(conninfo) as guard, guard.transaction():
        cursor = await guard.execute("SELECT pg_try_advisory_xact_lock(%s)", (_GUARD,))
        found = await cursor.fetchone()
        if not found or not found[0]:
            return 0
        stalled = list(
            await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=liveness.stalled_after_s)
        )
        for job in stalled:
            await _rescue(app, runtime, job)
        return len(stalled)


async def _rescue(app: App, runtime: Runtime, job: QueuedJob) -> None:
    runs = job.attempts + 1  # the run the dead worker had in hand, and the failed ones before
    give_up = runs >= runtime.retry.attempts
    row = await asyncio.to_thread(_row_attempts, runtime, job)
    assert job.id is not None
    # The ledger's row first, the queue's job second: a worker that dies between the two leaves
    # the queue's job with a dead worker, so the next look does both again (the row's update is
    # guarded by its attempt and state, so the second time it changes nothing). The other order
    # could leave the row ``running`` for ever behind a job the queue had already ended.
    if row is not None:
        text = stalled_text(runs, runtime.retry.attempts, give_up)
        await asyncio.to_thread(_release, runtime, job, row, text, give_up)
    if give_up:
        await app.job_manager.finish_job_by_id_async(job.id, Status.FAILED, delete_job=False)
    else:
        await app.job_manager.retry_job(job)
    log.warning("job %s (%s): its worker stopped; %s", job.id, job.task_name,
                "given up" if give_up else "queued again")  # fmt: skip


def stalled_text(runs: int, attempts: int, give_up: bool) -> str:
    """What the job's row says once its worker died during attempt ``runs``."""
    said = f"attempt {runs} of {attempts}: the worker running it stopped before it ended"
    if give_up:
        return f"{said}, {attempts} times in all; nothing more is tried. Ask for it again."
    return f"{said} (killed, or its machine lost). Another worker runs it again."


def _ids(job: QueuedJob) -> tuple[int, int] | None:
    practice_id, job_id = job.task_kwargs.get("practice_id"), job.task_kwargs.get("job_id")
    if isinstance(practice_id, int) and isinstance(job_id, int):
        return practice_id, job_id
    return None  # the schedule's own task has no row


def _row_attempts(runtime: Runtime, job: QueuedJob) -> int | None:
    ids = _ids(job)
    if ids is None:
        return None
    with store_for(runtime.store, ids[0]).read() as session:
        found = get_job(session, ids[1])
    return found.attempts if found is not None else None


def _release(runtime: Runtime, job: QueuedJob, attempts: int, text: str, give_up: bool) -> None:
    ids = _ids(job)
    assert ids is not None
    store = store_for(runtime.store, ids[0])
    release_stalled_job(store, ids[1], attempts, text, give_up, runtime.clock())
