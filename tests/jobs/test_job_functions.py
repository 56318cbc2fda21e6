"""The job functions run in this process (the web app's way on SQLite), on SQLite and PostgreSQL:
a job's row follows it, failures that may pass are tried again with growing waits, and a
rejected login stops the account's jobs until a person resumes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jobs_support import Connections
from sqlalchemy import select, update

from claimbridge.domain.fees import FeePolicy
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import (
    AuthenticationFailed,
    ConfigError,
    HostKeyMismatch,
    StoreError,
    TransportError,
    TransportTimeout,
)
from claimbridge.jobs.inprocess import InProcessRunner
from claimbridge.jobs.runtime import RetryPolicy, Runtime
from claimbridge.services.claims import create_claims
from claimbridge.services.dashboard import dashboard
from claimbridge.services.jobs import (
    Job,
    JobKind,
    JobState,
    get_job,
    practices_with_account,
    queue_job,
    resume_account,
    schedule_of,
    stop_account,
)
from claimbridge.services.polls import recent_polls
from claimbridge.services.reports import REPORT_KEYS, KeptReport, kept_report
from claimbridge.settings import Settings
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import NOW
from ledger_fixtures import load_example


@pytest.fixture
def practice(store: Store) -> int:
    """The example practice, loaded; its id."""
    load_example(store)
    [practice_id] = practices_with_account(store)
    return practice_id


def _runner(store: Store, tmp_path: Path, connections: Connections) -> Iterator[InProcessRunner]:
    runtime = Runtime(
        store,
        Settings(db_url=store.url, home=tmp_path / "home"),
        connections,
        tmp_path / "archive",
        reads_password=False,  # a memory transport needs no password
        retry=RetryPolicy(attempts=3, first_wait_s=0),
    )
    runner = InProcessRunner(runtime)
    yield runner
    runner.close()


def _run(store: Store, runner: InProcessRunner, practice: int, kind: JobKind) -> Job:
    job = queue_job(store, practice, kind, "dana", NOW)
    assert job.state is JobState.QUEUED and job.attempts == 0
    runner.run(job).result(timeout=60)
    with store.read() as session:
        ended = get_job(session, job.id)
    assert ended is not None
    return ended


def test_a_poll_that_loses_its_connection_is_tried_again(
    store: Store, practice: int, tmp_path: Path
) -> None:
    connections = Connections(TransportTimeout("the server did not answer"), failing=1)
    for runner in _runner(store, tmp_path, connections):
        job = _run(store, runner, practice, JobKind.POLL)
    assert (job.state, job.attempts, job.result) == (JobState.DONE, 2, "nothing new")
    assert job.detail == {"reports": []} and job.finished_at is not None
    assert len(connections.made) == 2 and all(made.closed for made in connections.made)
    with store.read() as session:
        polls = recent_polls(session, 5)
    assert [poll.ok for poll in polls] == [True, False]  # both attempts recorded, newest first


def test_a_job_that_keeps_failing_ends_failed_after_its_attempts(
    store: Store, practice: int, tmp_path: Path
) -> None:
    connections = Connections(TransportTimeout("the server did not answer"), failing=99)
    for runner in _runner(store, tmp_path, connections):
        job = _run(store, runner, practice, JobKind.POLL)
    assert (job.state, job.attempts) == (JobState.FAILED, 3)
    assert job.result == "the server did not answer"
    assert len(connections.made) == 3


def test_a_rejected_login_stops_the_account_until_resumed(
    store: Store, practice: int, tmp_path: Path
) -> None:
    connections = Connections(AuthenticationFailed("Permission denied"), failing=1)
    for runner in _runner(store, tmp_path, connections):
        rejected = _run(store, runner, practice, JobKind.POLL)
        assert (rejected.state, rejected.attempts) == (JobState.FAILED, 1)  # never tried again
        assert rejected.result and "Office Ally refused the username or password" in rejected.result
        with store.read() as session:
            schedule = schedule_of(session, practice)
            board = dashboard(session, datetime.now(UTC))
        assert schedule.stopped and schedule.stopped_reason == rejected.result
        assert board.jobs_stopped
        assert any("Background work on the Office Ally account is stopped" in alert.text
                   for alert in board.alerts)  # fmt: skip

        skipped = _run(store, runner, practice, JobKind.SUBMIT)
        assert skipped.state is JobState.FAILED and skipped.result
        assert skipped.result.startswith("Not run: background work on this account is stopped")
        assert len(connections.made) == 1  # the account was not dialled again

        with store.transaction() as session:
            assert resume_account(session, practice)
        assert _run(store, runner, practice, JobKind.POLL).state is JobState.DONE
    with store.read() as session:
        assert not dashboard(session, datetime.now(UTC)).jobs_stopped


def test_a_submission_counts_its_claims_and_audits_its_files(
    store: Store, practice: int, tmp_path: Path
) -> None:
    with store.transaction() as session:
        created = create_claims(session, "test", NOW.date()).created
    ready = [checked for checked in created if not checked.result.edits]
    connections = Connections()
    for runner in _runner(store, tmp_path, connections):
        job = _run(store, runner, practice, JobKind.SUBMIT)
    assert (job.state, job.done, job.total) == (JobState.DONE, len(ready), len(ready))
    assert job.detail is not None and job.detail["claims_sent"] == len(ready)
    [batch] = job.detail["batches"]
    assert sorted(batch["claims"]) == sorted(c.patient_control_number for c in ready)
    assert [held["clm01"] for held in job.detail["held"]] == []  # held at creation, not ready
    [uploaded] = [path for path in connections.made[0].files if path.startswith("inbound/")]
    assert uploaded.endswith(batch["file_name"])
    with store.read() as session:
        audited = session.execute(select(t.AuditRow.username, t.AuditRow.entity_key)).all()
    assert ("dana", batch["file_name"]) in [tuple(row) for row in audited]


def test_a_connection_test_says_what_is_missing(
    store: Store, practice: int, tmp_path: Path
) -> None:
    connections = Connections()
    for runner in _runner(store, tmp_path, connections):
        job = _run(store, runner, practice, JobKind.TEST)
    assert job.state is JobState.FAILED and job.result
    assert job.result.startswith("No SFTP password is stored yet")  # none read for a folder
    assert job.detail == {"ok": False, "message": job.result}
    assert connections.made == []


def test_a_job_needs_an_account(store: Store) -> None:
    with pytest.raises(ConfigError, match="load the practice file first"):
        queue_job(store, 1, JobKind.POLL, "dana", NOW)


@pytest.mark.parametrize(
    ("error", "waits"),
    [
        (TransportTimeout("slow"), [30, 60, 120, 240, None]),
        (TransportError("lost"), [30, 60, 120, 240, None]),
        (StoreError("busy"), [30, 60, 120, 240, None]),
        (AuthenticationFailed("refused"), [None] * 5),
        (HostKeyMismatch("changed"), [None] * 5),
        (ConfigError("no password"), [None] * 5),
        (ValueError("a bug"), [None] * 5),
    ],
)
def test_retries_wait_longer_each_time_and_only_for_what_may_pass(
    error: Exception, waits: list[int | None]
) -> None:
    policy = RetryPolicy()
    assert [policy.wait_s(error, attempts) for attempts in range(1, 6)] == waits


def _aging(store: Store, at: datetime) -> KeptReport:
    return kept_report(store, "ar-aging", at.date(), FeePolicy(), at)


def test_reports_are_kept_until_a_submission_or_their_job_makes_them_again(
    store: Store, practice: int, tmp_path: Path
) -> None:
    first = _aging(store, NOW)  # never made: made and kept on its first view
    assert first.made_at == NOW and first.report.rows == ()
    with store.transaction() as session:
        create_claims(session, "test", NOW.date())
    assert _aging(store, NOW.replace(hour=23)).made_at == NOW  # kept, not made again
    connections = Connections()
    for runner in _runner(store, tmp_path, connections):
        _run(store, runner, practice, JobKind.SUBMIT)
        after_submit = _aging(store, NOW)
        assert after_submit.made_at > NOW and after_submit.report.rows  # the sent claims
        with store.transaction() as session:  # claims move on without a job
            session.execute(update(t.ClaimRow).values(status=ClaimStatus.PAID.value))
        assert _aging(store, NOW).report.rows == after_submit.report.rows
        job = _run(store, runner, practice, JobKind.REPORTS)
    assert job.state is JobState.DONE and job.result
    assert job.result.startswith("4 reports made again from the ledger in ")
    assert job.detail is not None
    assert [made["key"] for made in job.detail["reports"]] == list(REPORT_KEYS)
    assert _aging(store, NOW).report.rows == ()  # every claim is paid now
    assert connections.made and len(connections.made) == 1  # the submission's, not the job's


def test_the_reports_job_runs_while_the_accounts_work_is_stopped(
    store: Store, practice: int, tmp_path: Path
) -> None:
    stop_account(store, practice, "Office Ally refused the username or password", NOW)
    connections = Connections()
    for runner in _runner(store, tmp_path, connections):
        job = _run(store, runner, practice, JobKind.REPORTS)
    assert job.state is JobState.DONE and connections.made == []
