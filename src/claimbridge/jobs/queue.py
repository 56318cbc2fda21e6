"""The queue on PostgreSQL: Procrastinate on the ledger's database, and ``claimbridge worker``.

::

    install_queue_schema(store)                 # claimbridge init, on PostgreSQL
    runner = QueueRunner(queue_app(store.url))  # the web app: ask(...) defers a task
    run_worker(runtime, concurrency=4)          # claimbridge worker, until SIGTERM or Ctrl-C

Each job function of ``jobs.work`` is a task of the same name, deferred with the practice and
the job's row and the lock ``account-<practice id>``: Procrastinate never starts a job while
another job with the same lock is running, so two workers (on any machines) never work one
account at once, and an account's jobs run in the order they were asked for. A failed run is
tried again as the runtime's ``RetryPolicy`` says (never after a rejected login). The periodic
task ``schedule_accounts`` runs every minute on one worker and queues what each account is
due for (``jobs.schedule``). A job whose worker died while running it is run again by a live
worker (``jobs.stalled``).

Procrastinate's own tables and functions live in the ledger's database beside claimbridge's;
``install_queue_schema`` creates them and brings them to the installed Procrastinate's version
(docs/design.md#background-work).
"""

from __future__ import annotations

import asyncio
import re
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

import psycopg
from procrastinate import App, BaseRetryStrategy, JobContext, PsycopgConnector, RetryDecision
from procrastinate import __version__ as procrastinate_version
from procrastinate.jobs import Job as QueuedJob
from procrastinate.schema import SchemaManager
from sqlalchemy import text
from sqlalchemy.engine import make_url

from claimbridge.errors import ConfigError
from claimbridge.jobs.runtime import Liveness, RetryPolicy, Runtime
from claimbridge.jobs.schedule import schedule_round
from claimbridge.jobs.stalled import watch_stalled
from claimbridge.jobs.work import JOB_FUNCTIONS, Result
from claimbridge.services.jobs import Job, JobKind
from claimbridge.store.db import Store

TASKS = {kind: work.__name__ for kind, work in JOB_FUNCTIONS.items()}  # poll_account, …
SCHEDULE_TASK = "schedule_accounts"
SCHEDULE_CRON = "* * * * *"  # every minute; each account's own interval decides what is due
SCHEMA_MARK = "claimbridge: procrastinate {version}"
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def account_lock(practice_id: int) -> str:
    """The lock every job of one account carries."""
    return f"account-{practice_id}"


def conninfo(url: str) -> str:
    """The ledger's SQLAlchemy URL as the libpq connection string Procrastinate takes;
    ``ConfigError`` for a database other than PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError(
            "background workers need a PostgreSQL ledger (CLAIMBRIDGE_DB=postgresql+psycopg://…); "
            "on SQLite the web app runs its jobs itself and 'claimbridge watch' polls"
        )
    params: dict[str, object] = {
        "dbname": parsed.database,
        "user": parsed.username,
        "password": parsed.password,
        "host": parsed.host,
        "port": parsed.port,
        **parsed.query,  # host, port, sslmode, … given as query parameters
    }
    given = {key: str(value) for key, value in params.items() if value is not None}
    return psycopg.conninfo.make_conninfo(**given)


class _Retry(BaseRetryStrategy):
    """Procrastinate's retry decision taken by claimbridge's ``RetryPolicy``."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def get_retry_decision(
        self, *, exception: BaseException, job: QueuedJob
    ) -> RetryDecision | None:
        wait = self.policy.wait_s(exception, job.attempts + 1)  # attempts: runs before this one
        return None if wait is None else RetryDecision(retry_in={"seconds": wait})


def queue_app(url: str, retry: RetryPolicy | None = None, schedule: bool = True) -> App:
    """The Procrastinate app on the ledger at ``url``, with claimbridge's tasks; its workers run
    the schedule every minute unless ``schedule`` is False."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(url)))
    strategy = _Retry(retry or RetryPolicy())
    for kind, name in TASKS.items():
        app.task(name=name, pass_context=True, retry=strategy)(_task(kind))
    scheduler = app.task(name=SCHEDULE_TASK, pass_context=True)(_schedule)
    if schedule:
        app.periodic(cron=SCHEDULE_CRON)(scheduler)
    return app


def _runtime(context: JobContext) -> Runtime:
    runtime: Runtime = context.additional_context["runtime"]
    return runtime


def _task(kind: JobKind) -> Any:
    work = JOB_FUNCTIONS[kind]

    def run(context: JobContext, practice_id: int, job_id: int) -> str:
        result: Result = work(_runtime(context), practice_id, job_id)
        return result.text

    run.__name__ = run.__qualname__ = TASKS[kind]
    return run


def _schedule(context: JobContext, timestamp: int) -> int:
    """Queue what every account is due for; how many jobs that was."""
    runtime = _runtime(context)
    return len(schedule_round(runtime.store, QueueRunner(context.app), runtime.clock()))


class QueueRunner:
    """Hands jobs to the queue: a task deferred with the account's lock, for any worker."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._opened = False
        self._guard = threading.Lock()

    def run(self, job: Job) -> int:
        """Defer ``job``'s task; Procrastinate's id of it."""
        self._open()
        task = self.app.tasks[TASKS[job.kind]]
        deferrer = task.configure(lock=account_lock(job.practice_id))
        return deferrer.defer(practice_id=job.practice_id, job_id=job.id)

    def close(self) -> None:
        """Close the connections this runner opened."""
        with self._guard:
            if self._opened:
                self.app.close()
                self._opened = False

    def _open(self) -> None:
        """Open the app's connections on first use, unless a worker has it open already."""
        with self._guard:
            if not self._opened and not _open_async(self.app):
                self.app.open()
                self._opened = True


def _open_async(app: App) -> bool:
    connector = app.connector
    return isinstance(connector, PsycopgConnector) and connector.get_sync_connector() is connector


def run_worker(
    runtime: Runtime, concurrency: int, name: str | None = None, liveness: Liveness | None = None
) -> None:
    """Work jobs until SIGTERM or Ctrl-C; then let the jobs in hand end, and return."""
    asyncio.run(work(runtime, concurrency, name=name, liveness=liveness or Liveness()))


async def work(
    runtime: Runtime,
    concurrency: int,
    *,
    name: str | None = None,
    liveness: Liveness,
    install_signal_handlers: bool = True,
    schedule: bool = True,
    keep_finished: bool = False,
) -> None:
    """A worker in this event loop until stopped: the jobs, its heartbeat, and the look for
    jobs of dead workers (``jobs.stalled``) beside them. A job that succeeded leaves the queue's
    table unless ``keep_finished``; claimbridge's own row of it stays."""
    app = queue_app(runtime.store.url, runtime.retry, schedule=schedule)
    async with app.open_async():
        watcher = asyncio.create_task(
            watch_stalled(app, runtime, liveness, conninfo(runtime.store.url))
        )
        try:
            await app.run_worker_async(
                concurrency=concurrency,
                name=name or "worker",
                additional_context={"runtime": runtime},
                install_signal_handlers=install_signal_handlers,
                delete_jobs="never" if keep_finished else "successful",
                update_heartbeat_interval=liveness.heartbeat_s,
                stalled_worker_timeout=liveness.stalled_after_s,
                fetch_job_polling_interval=liveness.fetch_every_s,
            )
        finally:
            watcher.cancel()
            with suppress(asyncio.CancelledError):
                await watcher


def install_queue_schema(store: Store) -> str:
    """Create Procrastinate's tables in the ledger's PostgreSQL database, or bring them to the
    installed version; what was done, in words."""
    with store.engine.begin() as connection:
        installed = connection.execute(
            text("SELECT obj_description(to_regclass('procrastinate_jobs'), 'pg_class')")
        ).scalar_one_or_none()
        exists = connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
        if exists is None:
            _execute_script(connection, SchemaManager.get_schema())
            done = f"created (procrastinate {procrastinate_version})"
        else:
            applied = _migrate(connection, _version_of(installed))
            done = f"upgraded by {applied} migrations" if applied else "up to date"
        mark = SCHEMA_MARK.format(version=procrastinate_version)
        connection.exec_driver_sql(f"COMMENT ON TABLE procrastinate_jobs IS '{mark}'")
    return f"job queue {done}"


def _version_of(mark: str | None) -> tuple[int, ...]:
    found = _VERSION.search(mark or "")
    if found is None:
        raise ConfigError(
            "the job queue's tables exist but do not say which Procrastinate made them; apply its "
            "migrations by hand (procrastinate schema --migrations-path) up to "
            f"{procrastinate_version}, then run 'claimbridge init' again"
        )
    return tuple(int(part) for part in found.groups())


def _migrate(connection: Any, installed: tuple[int, ...]) -> int:
    """Apply Procrastinate's migrations newer than ``installed``, oldest first; how many."""
    folder = Path(SchemaManager.get_migrations_path())
    newer = [
        path for path in sorted(folder.glob("*.sql")) if _version_of(path.name[:8]) > installed
    ]
    for path in newer:
        _execute_script(connection, path.read_text(encoding="utf-8"))
    return len(newer)


def _execute_script(connection: Any, script: str) -> None:
    """Run an SQL script of many statements; its ``%`` signs are text, not parameters."""
    connection.exec_driver_sql(script.replace("%", "%%"))
