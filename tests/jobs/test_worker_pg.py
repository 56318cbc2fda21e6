"""Workers on PostgreSQL (a throw-away cluster): ``claimbridge worker`` as installed sends and
collects over SFTP against ``claimbridge sim``; two workers never work one account at once;
a failure that may pass is tried again by the queue; a rejected login stops the account.

The jobs are asked for as the web app asks (``jobs.runner.ask`` with the queue's runner) and
followed by their rows, as its pages follow them.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from jobs_support import Connections
from sqlalchemy import select, text

from claimbridge.domain.models import Secret
from claimbridge.errors import AuthenticationFailed, ConfigError, TransportTimeout
from claimbridge.jobs.queue import (
    QueueRunner,
    conninfo,
    install_queue_schema,
    queue_app,
    work,
)
from claimbridge.jobs.runner import ask
from claimbridge.jobs.runtime import Liveness, RetryPolicy, Runtime
from claimbridge.jobs.schedule import schedule_round
from claimbridge.jobs.stalled import rescue_stalled, stalled_text
from claimbridge.services.claims import create_claims
from claimbridge.services.dashboard import dashboard
from claimbridge.services.jobs import Job, JobKind, JobState, get_job, schedule_of, start_job
from claimbridge.settings import Settings
from claimbridge.sim import SimConfig, start_simulator
from claimbridge.sim.server import RunningSimulator
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from crash_at import HOOKED_MAIN
from cycle_support import NOW, point_at_simulator, statuses
from ledger_db import postgres_url
from ledger_fixtures import load_example
from support import RUN_MAIN

KEY = Fernet.generate_key().decode()
PRACTICE = 1  # the example practice, the only one in the ledger
WAIT_S = 90.0
STALLED_AFTER_S = 2.0  # the workers' --stalled-after: a killed worker's jobs run again soon
TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[RunningSimulator]:
    with start_simulator(SimConfig(root=tmp_path / "sim", port=0)) as running:
        yield running


@pytest.fixture
def ledger(request: pytest.FixtureRequest, simulator: RunningSimulator) -> Iterator[Store]:
    """A PostgreSQL ledger with the job queue's tables and the example practice, its Office Ally
    account pointed at the simulator with the password stored."""
    for url in postgres_url(request):
        store = Store(url)
        assert install_queue_schema(store).startswith("job queue created")
        assert install_queue_schema(store) == "job queue up to date"
        load_example(store)
        point_at_simulator(store, simulator, KEY)
        yield store
        store.dispose()


def _ask(store: Store, kind: JobKind) -> Job:
    """Queue a job as the web app does."""
    runner = QueueRunner(queue_app(store.url))
    try:
        return ask(store, runner, PRACTICE, kind, "dana", datetime.now(UTC))
    finally:
        runner.close()


def _ended(store: Store, job: Job) -> Job:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with store.read() as session:
            found = get_job(session, job.id)
        assert found is not None
        if found.finished:
            return found
        time.sleep(0.1)
    raise AssertionError(f"job {job.id} did not end in {WAIT_S} s: {found}")


@contextmanager
def _workers(
    store: Store, home: Path, count: int, crash_at: str | None = None
) -> Iterator[list[subprocess.Popen[str]]]:
    """``count`` workers running as installed, each started (its first line read); each dies by
    SIGKILL at ``crash_at`` (a step of ``crash_at.py``) when one is given."""
    env = {**os.environ, "CLAIMBRIDGE_DB": store.url, "CLAIMBRIDGE_SECRET_KEY": KEY,
           "CLAIMBRIDGE_HOME": str(home), "COLUMNS": "200"}  # fmt: skip
    main = RUN_MAIN
    if crash_at is not None:
        env |= {"CLAIMBRIDGE_CRASH_AT": crash_at, "PYTHONPATH": str(TESTS)}
        main = HOOKED_MAIN
    command = [sys.executable, "-c", main, "worker", "--concurrency", "2", "--stalled-after",
               str(STALLED_AFTER_S)]  # fmt: skip
    started: list[subprocess.Popen[str]] = []
    try:
        for _ in range(count):
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            started.append(process)
            assert process.stdout is not None
            assert "worker: 2 jobs at once" in process.stdout.readline()
        yield started
    finally:
        for process in started:
            process.kill()  # nothing when it has ended
            process.communicate()


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=120)
    return process.returncode, out


def test_a_worker_sends_and_collects_over_sftp(
    ledger: Store, simulator: RunningSimulator, tmp_path: Path
) -> None:
    with ledger.transaction() as session:
        create_claims(session, "test", NOW.date())
    with _workers(ledger, tmp_path / "home", 1) as [worker]:
        sent = _ended(ledger, _ask(ledger, JobKind.SUBMIT))
        assert sent.state is JobState.DONE
        assert sent.result == "Sent 4 claims to Office Ally in 1 file."
        assert sent.detail
        [batch] = sent.detail["batches"]  # in inbound, or processed by the simulator by now
        assert list(simulator.root.rglob(f"*{batch['file_name']}"))
        assert sent.done == sent.total == 4

        simulator.process_now()  # Office Ally answers: reports, 999, 277CA, ERAs
        polled = _ended(ledger, _ask(ledger, JobKind.POLL))  # the schedule's may come first
        assert polled.state is JobState.DONE
        assert "paid" in statuses(ledger).values()

        code, out = _stop(worker)
    assert code == 0 and "worker stopped" in out


def test_a_job_left_running_by_a_killed_worker_runs_again(
    ledger: Store, simulator: RunningSimulator, tmp_path: Path
) -> None:
    with ledger.transaction() as session:
        create_claims(session, "test", NOW.date())
    home = tmp_path / "home"
    with _workers(ledger, home, 1, crash_at="before_commit") as [doomed]:
        job = _ask(ledger, JobKind.SUBMIT)  # the worker dies with the file uploaded
        assert doomed.wait(timeout=WAIT_S) == -signal.SIGKILL
    with ledger.read() as session:
        left = get_job(session, job.id)
    assert left is not None and (left.state, left.attempts) == (JobState.RUNNING, 1)
    assert ("submit_ready", "doing", 0) in _queue_status(ledger)  # the account's lock held
    with _workers(ledger, home, 1):
        started = time.monotonic()
        sent = _ended(ledger, job)
        waited = time.monotonic() - started
        assert Liveness(STALLED_AFTER_S).bound_s + 5 > waited
        polled = _ended(ledger, _ask(ledger, JobKind.POLL))  # the account is worked again
    assert (sent.state, sent.attempts) == (JobState.DONE, 2)
    assert sent.detail is not None
    collected = {report["kind"]: report["outcome"] for report in sent.detail["collected"]}
    assert collected.get("999") == "applied"  # Office Ally's answer moved the batch on first
    assert sent.result is not None and "earlier run stopped before it confirmed" in sent.result
    assert sent.detail["resumed"] == []  # so the file was not taken for lost and sent again
    assert polled.state is JobState.DONE
    # each batch uploaded once (a later one carries the Medigap claim Medicare's ERA made)
    uploads = sorted(
        p.name.split("_", 1)[1] for p in simulator.config.state_dir.glob("processed/*")
    )
    with ledger.read() as session:
        assert uploads == sorted(session.scalars(select(t.BatchRow.file_name)))
    assert "paid" in statuses(ledger).values()


def test_a_stalled_job_goes_back_to_the_queue_with_the_reason(
    ledger: Store, tmp_path: Path
) -> None:
    job = _ask(ledger, JobKind.POLL)
    _left_by_a_dead_worker(ledger, job)
    connections = Connections()
    runtime = _runtime(ledger, tmp_path, connections)
    app = queue_app(ledger.url, schedule=False)

    async def rescue() -> int:
        async with app.open_async():
            return await rescue_stalled(app, runtime, Liveness(1.0), conninfo(ledger.url))

    assert asyncio.run(rescue()) == 1
    with ledger.read() as session:
        requeued = get_job(session, job.id)
    assert requeued is not None and requeued.state is JobState.QUEUED
    assert requeued.result == stalled_text(1, 3, give_up=False)
    assert "attempt 1 of 3: the worker running it stopped" in (requeued.result or "")
    assert _queue_status(ledger) == [("poll_account", "todo", 1)]
    assert asyncio.run(rescue()) == 0  # nothing is stalled any more
    with _worker_in_thread(runtime):
        polled = _ended(ledger, job)
    assert (polled.state, polled.attempts, polled.result) == (JobState.DONE, 2, "nothing new")
    assert _queue_status(ledger) == [("poll_account", "succeeded", 2)]  # the second run ended


def test_a_job_whose_workers_keep_dying_is_given_up(ledger: Store, tmp_path: Path) -> None:
    job = _ask(ledger, JobKind.POLL)
    _left_by_a_dead_worker(ledger, job, attempts_before=2)  # the third of three runs died
    later = _ask(ledger, JobKind.POLL)  # waits behind it for the account's lock
    runtime = _runtime(ledger, tmp_path, Connections())
    with _worker_in_thread(runtime):
        given_up = _ended(ledger, job)
        tested = _ended(ledger, later)  # the lock is free again
    assert given_up.state is JobState.FAILED and given_up.finished_at is not None
    assert given_up.result == stalled_text(3, 3, give_up=True)
    assert tested.state is JobState.DONE
    assert _queue_status(ledger) == [("poll_account", "failed", 3), ("poll_account",
                                      "succeeded", 1)]  # fmt: skip


class _Crash(BaseException):
    """A worker dying half way through its look for stalled jobs."""


@pytest.mark.parametrize("dies_at", ["the ledger's row", "the queue's job"])
def test_a_worker_dying_while_it_gives_up_a_job_leaves_nothing_running(
    ledger: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dies_at: str
) -> None:
    """Giving up a stalled job changes two things, the ledger's row and the queue's job; a
    worker killed after the first must not leave the other for ever: the row ``running`` would
    keep the account's jobs from ever being asked for again."""
    job = _ask(ledger, JobKind.POLL)
    _left_by_a_dead_worker(ledger, job, attempts_before=2)  # the third of three runs died
    runtime = _runtime(ledger, tmp_path, Connections())
    app = queue_app(ledger.url, schedule=False)

    def dies(*args: object, **kwargs: object) -> None:
        raise _Crash

    async def rescue() -> int:
        async with app.open_async():
            return await rescue_stalled(app, runtime, Liveness(1.0), conninfo(ledger.url))

    with monkeypatch.context() as patched:
        if dies_at == "the ledger's row":
            patched.setattr("claimbridge.jobs.stalled.release_stalled_job", dies)
        else:
            patched.setattr(app.job_manager, "finish_job_by_id_async", dies)
        with pytest.raises(_Crash):
            asyncio.run(rescue())
    assert asyncio.run(rescue()) == 1  # the next look finds the job again
    with ledger.read() as session:
        given_up = get_job(session, job.id)
    assert given_up is not None and given_up.state is JobState.FAILED
    assert given_up.result == stalled_text(3, 3, give_up=True)
    assert _queue_status(ledger) == [("poll_account", "failed", 3)]
    assert asyncio.run(rescue()) == 0


def _left_by_a_dead_worker(store: Store, job: Job, attempts_before: int = 0) -> None:
    """What a worker killed while running ``job`` leaves: the queue's job ``doing`` for a worker
    whose last heartbeat is long past (after ``attempts_before`` failed runs), and the job's row
    ``running``."""
    with store.engine.begin() as connection:
        dead = connection.execute(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - interval '1 hour') RETURNING id"
            )
        ).scalar_one()
        connection.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :dead, "
                "attempts = :attempts WHERE args ->> 'job_id' = :job"
            ),
            {"dead": dead, "attempts": attempts_before, "job": str(job.id)},
        )
    scoped = store.scoped(job.practice_id)
    for _ in range(attempts_before + 1):
        start_job(scoped, job.id, datetime.now(UTC))


def test_two_workers_never_work_one_account_at_once(ledger: Store, tmp_path: Path) -> None:
    with _workers(ledger, tmp_path / "home", 2) as workers:
        jobs = [_ask(ledger, kind) for kind in [JobKind.POLL, JobKind.TEST] * 4]
        ended = [_ended(ledger, job) for job in jobs]
        assert {job.state for job in ended} == {JobState.DONE}
        for process in workers:
            assert _stop(process)[0] == 0
    runs = sorted((job.started_at, job.finished_at) for job in ended)
    for (_, finished), (started, _) in itertools.pairwise(runs):
        assert finished is not None and started is not None and started >= finished
    assert [job.id for job in sorted(ended, key=lambda job: job.started_at or NOW)] == [
        job.id for job in jobs
    ]  # one account's jobs run in the order they were asked for


@contextmanager
def _worker_in_thread(runtime: Runtime, liveness: Liveness | None = None) -> Iterator[None]:
    """A worker of the queue's app in a thread of this process, with ``runtime``."""
    loop = asyncio.new_event_loop()
    running: list[asyncio.Task[None]] = []
    worker = work(runtime, 2, liveness=liveness or Liveness(1.0), install_signal_handlers=False,
                  schedule=False, keep_finished=True)  # fmt: skip

    def run() -> None:
        running.append(loop.create_task(worker))
        with suppress(asyncio.CancelledError):
            loop.run_until_complete(running[0])
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        while not running:
            time.sleep(0.01)
        loop.call_soon_threadsafe(running[0].cancel)
        thread.join(timeout=60)


def _runtime(store: Store, tmp_path: Path, connections: Connections) -> Runtime:
    return Runtime(
        store,
        Settings(db_url=store.url, home=tmp_path / "home"),
        connections,
        tmp_path / "archive",
        reads_password=False,
        retry=RetryPolicy(attempts=3, first_wait_s=1),
    )


def _queue_status(store: Store) -> list[tuple[str, str, int]]:
    """The queue's jobs: task, status and how many runs they took."""
    query = text("SELECT task_name, status, attempts FROM procrastinate_jobs ORDER BY id")
    with store.read() as session:
        return [(row[0], row[1], row[2]) for row in session.execute(query)]


def test_the_queue_tries_a_lost_connection_again(ledger: Store, tmp_path: Path) -> None:
    connections = Connections(TransportTimeout("the server did not answer"), failing=1)
    with _worker_in_thread(_runtime(ledger, tmp_path, connections)):
        polled = _ended(ledger, _ask(ledger, JobKind.POLL))
    assert (polled.state, polled.attempts, polled.result) == (JobState.DONE, 2, "nothing new")
    assert len(connections.made) == 2
    assert _queue_status(ledger) == [("poll_account", "succeeded", 2)]  # retried once


def test_a_rejected_login_stops_the_account_on_the_queue(ledger: Store, tmp_path: Path) -> None:
    connections = Connections(AuthenticationFailed("Permission denied"), failing=1)
    with _worker_in_thread(_runtime(ledger, tmp_path, connections)):
        rejected = _ended(ledger, _ask(ledger, JobKind.POLL))
        time.sleep(2)  # longer than the first retry's wait: none comes
    assert (rejected.state, rejected.attempts) == (JobState.FAILED, 1)
    assert _queue_status(ledger) == [("poll_account", "failed", 1)]  # never tried again
    assert len(connections.made) == 1
    with ledger.read() as session:
        assert schedule_of(session, PRACTICE).stopped
        board = dashboard(session, datetime.now(UTC))
    assert board.jobs_stopped and "stopped" in board.alerts[0].text
    runner = QueueRunner(queue_app(ledger.url))
    try:
        assert schedule_round(ledger, runner, datetime.now(UTC)) == []  # the schedule skips it
    finally:
        runner.close()


@pytest.mark.parametrize("empty_store_url", ["postgresql"], indirect=True)
def test_init_creates_the_job_queue_on_postgresql(empty_store_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from claimbridge.cli import app

    runner = CliRunner()
    env = {"CLAIMBRIDGE_SECRET_KEY": KEY}
    first = runner.invoke(app, ["init", "--db", empty_store_url], env=env)
    assert first.exit_code == 0, first.output
    assert "job queue created (procrastinate 3." in first.output
    again = runner.invoke(app, ["init", "--db", empty_store_url], env=env)
    assert again.exit_code == 0 and "job queue up to date" in again.output
    store = Store(empty_store_url)
    try:
        with store.engine.begin() as connection:  # tables made by hand, of no known version
            connection.exec_driver_sql("COMMENT ON TABLE procrastinate_jobs IS NULL")
        with pytest.raises(ConfigError, match="do not say which Procrastinate made them"):
            install_queue_schema(store)
    finally:
        store.dispose()


def test_the_web_app_on_postgresql_queues_its_jobs_for_the_workers(
    ledger: Store, tmp_path: Path
) -> None:
    from claimbridge.web.app import WebConfig, create_app

    settings = Settings(db_url=ledger.url, secret_key=Secret(KEY), home=tmp_path / "home")
    app = create_app(settings, ledger, None, WebConfig(session_secret="s", secure_cookies=False))
    runner = app.state.runner
    assert isinstance(runner, QueueRunner)
    try:
        job = ask(ledger, runner, PRACTICE, JobKind.SUBMIT, "dana", datetime.now(UTC))
    finally:
        runner.close()
    query = text("SELECT task_name, status, lock, args FROM procrastinate_jobs")
    with ledger.read() as session:
        [queued] = session.execute(query).all()
    assert tuple(queued) == (
        "submit_ready", "todo", "account-1", {"practice_id": PRACTICE, "job_id": job.id}
    )  # fmt: skip
    assert job.state is JobState.QUEUED  # no worker runs: it waits in the queue
