"""The job functions: ``poll_account``, ``submit_ready``, ``test_connection`` and
``refresh_reports``.

Each takes the process's ``Runtime``, the practice and the job's row (``services.jobs``), runs
the one service that does the work (``services.ingest.poll``, ``services.submit.submit``,
``services.account.check_connection``, ``services.reports.make_reports``; a poll that
applied a file and a submission that sent claims make the reports again too) and keeps the row
up to date: running, how far, and how it ended, in words and as JSON. A worker's task, the web
process's thread and ``claimbridge watch`` all call these; nothing else polls, submits or tests
for a job.

A failure that the retry policy tries again puts the row back to ``queued`` with the reason and
is raised again (the caller schedules the next try); any other failure ends the row ``failed``
and is raised too. A rejected login also stops the practice's jobs (``services.jobs``): the
row says so, the dashboard shows it, and nothing dials that account until a person resumes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from claimbridge.errors import AuthenticationFailed
from claimbridge.jobs.runtime import OfficeAlly, Runtime, failure_text, office_ally, store_for
from claimbridge.services.account import check_connection, explain
from claimbridge.services.claims import Checked
from claimbridge.services.ingest import FileReport, poll, poll_summary
from claimbridge.services.jobs import (
    Job,
    JobKind,
    finish_job,
    record_progress,
    requeue_job,
    schedule_of,
    start_job,
    stop_account,
)
from claimbridge.services.reports import REPORT_KEYS, KeptReport, make_reports
from claimbridge.services.submit import (
    Resumed,
    SubmitResult,
    ready_ids,
    submit,
    unconfirmed_batches,
)
from claimbridge.services.users import record_audit
from claimbridge.store.db import Store

PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True, slots=True)
class Result:
    """How a job ended: ``ok``, in words, and as JSON for the page that shows it; ``value`` is
    what the service returned, for a caller in the same process (``claimbridge watch``)."""

    ok: bool
    text: str
    detail: dict[str, Any] | None = None
    stops_account: bool = False
    value: Any = None


class Progress:
    """Counts a job's steps and writes them to its row at most every ``PROGRESS_EVERY_S``."""

    def __init__(self, store: Store, job_id: int) -> None:
        self.store, self.job_id = store, job_id
        self.done = 0
        self.total: int | None = None
        self._written = 0.0

    def expect(self, total: int) -> None:
        """The job will take ``total`` steps."""
        self.total = total
        self.write()

    def step(self, count: int = 1) -> None:
        """``count`` more steps done."""
        self.done += count
        if time.monotonic() - self._written >= PROGRESS_EVERY_S:
            self.write()

    def write(self) -> None:
        """Write the counts now."""
        record_progress(self.store, self.job_id, self.done, self.total)
        self._written = time.monotonic()


Work = Callable[[Runtime, Store, Job, Progress], Result]


def poll_account(runtime: Runtime, practice_id: int, job_id: int) -> Result:
    """Fetch what Office Ally returned for ``practice_id`` and apply it (``services.ingest``)."""
    return _run(runtime, practice_id, job_id, _poll)


def submit_ready(runtime: Runtime, practice_id: int, job_id: int) -> Result:
    """Send ``practice_id``'s ready claims to Office Ally (``services.submit``)."""
    return _run(runtime, practice_id, job_id, _submit)


def test_connection(runtime: Runtime, practice_id: int, job_id: int) -> Result:
    """Log in to ``practice_id``'s account once and say how it went (``services.account``)."""
    return _run(runtime, practice_id, job_id, _test)


def refresh_reports(runtime: Runtime, practice_id: int, job_id: int) -> Result:
    """Make ``practice_id``'s reports again from its ledger and keep them (``services.reports``)."""
    return _run(runtime, practice_id, job_id, _reports, dials=False)


JOB_FUNCTIONS: dict[JobKind, Callable[[Runtime, int, int], Result]] = {
    JobKind.POLL: poll_account,
    JobKind.SUBMIT: submit_ready,
    JobKind.TEST: test_connection,
    JobKind.REPORTS: refresh_reports,
}


def _run(runtime: Runtime, practice_id: int, job_id: int, work: Work, dials: bool = True) -> Result:
    """Run ``work`` for the job; one that ``dials`` Office Ally does not run while the
    account's background work is stopped."""
    store = store_for(runtime.store, practice_id)
    job = start_job(store, job_id, runtime.clock())
    with store.read() as session:
        schedule = schedule_of(session, practice_id)
    if schedule.stopped and dials:
        result = Result(False, f"Not run: background work on this account is stopped "
                        f"({schedule.stopped_reason}). Resume it on the dashboard.")  # fmt: skip
        return _finish(runtime, store, job, result)
    progress = Progress(store, job_id)
    try:
        result = work(runtime, store, job, progress)
    except AuthenticationFailed as error:
        _finish(runtime, store, job, Result(False, explain(error), stops_account=True))
        raise
    except (Exception, KeyboardInterrupt) as error:  # a stop signal ends the row too
        _failed(runtime, store, job, error)
        raise
    progress.write()
    return _finish(runtime, store, job, result)


def _finish(runtime: Runtime, store: Store, job: Job, result: Result) -> Result:
    now = runtime.clock()
    if result.stops_account:
        stop_account(store, job.practice_id, result.text, now)
    finish_job(store, job.id, result.ok, result.text, result.detail, now)
    return result


def _failed(runtime: Runtime, store: Store, job: Job, error: BaseException) -> None:
    text = failure_text(error)
    wait = runtime.retry.wait_s(error, job.attempts)
    if wait is None:
        finish_job(store, job.id, False, text, None, runtime.clock())
        return
    tries = f"attempt {job.attempts} of {runtime.retry.attempts}"
    requeue_job(store, job.id, f"{tries} failed: {text} Trying again in {wait} s.")


def _poll(runtime: Runtime, store: Store, job: Job, progress: Progress) -> Result:
    with office_ally(runtime, store) as connected:
        reports = _collect(runtime, store, job, connected, progress)
    if reports:  # what was applied changes the billing reports
        _make_reports(runtime, store)
    detail = {"reports": [_report(report) for report in reports]}
    return Result(True, poll_summary(reports), detail, value=reports)


def _reports(runtime: Runtime, store: Store, job: Job, progress: Progress) -> Result:
    progress.expect(len(REPORT_KEYS))
    made = _make_reports(runtime, store)
    progress.step(len(made))
    seconds = sum(kept.seconds for kept in made)
    text = f"{len(made)} reports made again from the ledger in {seconds:.1f} s."
    detail = {"reports": [{"key": kept.report.key, "title": kept.report.title,
                           "rows": len(kept.report.rows), "seconds": kept.seconds}
                          for kept in made]}  # fmt: skip
    return Result(True, text, detail, value=made)


def _make_reports(runtime: Runtime, store: Store) -> list[KeptReport]:
    now = runtime.clock()
    return make_reports(store, now.date(), runtime.settings.fee_policy, now)


def _report(report: FileReport) -> dict[str, str]:
    return {
        "name": report.name,
        "kind": report.kind.value,
        "outcome": report.outcome.value,
        "detail": report.detail,
    }


def _submit(runtime: Runtime, store: Store, job: Job, progress: Progress) -> Result:
    with store.read() as session:
        progress.expect(len(ready_ids(session, job.claims)))
        unconfirmed = unconfirmed_batches(session)
    with office_ally(runtime, store) as connected:
        collected = _collect(runtime, store, job, connected) if unconfirmed else []
        result = submit(
            store,
            connected.transport,
            job.asked_by,
            runtime.clock(),
            progress=progress.step,
            only=job.claims,
        )
    _audit(store, job, "submit", "batch", [(b.file_name, None) for b in result.batches])
    if result.batches or collected:  # claims sent or answers applied change the reports
        _make_reports(runtime, store)
    text = submit_summary(result)
    if collected:
        text += (
            f" First collected what Office Ally had answered ({poll_summary(collected)}): an "
            "earlier run stopped before it confirmed its upload."
        )
    detail = submit_detail(result) | {"collected": [_report(report) for report in collected]}
    return Result(True, text, detail, value=result)


def _collect(
    runtime: Runtime,
    store: Store,
    job: Job,
    connected: OfficeAlly,
    progress: Progress | None = None,
) -> list[FileReport]:
    """Fetch and apply what Office Ally returned into the practice's own archive; audited.

    A submission that finds a batch an earlier run left unconfirmed (a worker killed after its
    upload) collects first: Office Ally takes a file out of ``inbound`` once it has processed
    it, and its answers, applied now, move the batch on, so the submission that follows does not
    take the file's absence for a lost upload and send its claims again."""
    reports = poll(
        store,
        connected.transport,
        runtime.archive_of(job.practice_id),
        now=runtime.clock(),
        actor=job.asked_by,
        source=connected.source,
        progress=progress.step if progress is not None else None,
    )
    _audit(store, job, "poll", "file", [(r.name, r.outcome.value) for r in reports])
    return reports


def submit_summary(result: SubmitResult) -> str:
    """What a submission did, in one line, and what it finished of an earlier one that stopped
    part way (a worker killed after it recorded a file)."""
    return " ".join([_sent(result), *(_resumed(resumed) for resumed in result.resumed)])


def _sent(result: SubmitResult) -> str:
    files = len(result.batches)
    if not files:
        held = len(result.held)
        needs = "1 held claim needs" if held == 1 else f"{held} held claims need"
        return "No claim is ready to send." + (f" {needs} a fix first." if held else "")
    return (
        f"Sent {result.claims_sent} claim{'' if result.claims_sent == 1 else 's'} to Office Ally "
        f"in {files} file{'' if files == 1 else 's'}."
    )


def _resumed(resumed: Resumed) -> str:
    count = resumed.claim_count
    what = f"{resumed.file_name} ({count} claim{'' if count == 1 else 's'})"
    if resumed.found:
        return (
            f"{what}, left unconfirmed by an earlier run, was on Office Ally: recorded, not "
            "sent again."
        )
    return f"{what}, recorded by an earlier run that did not upload it, was uploaded now."


def submit_detail(result: SubmitResult) -> dict[str, Any]:
    """A submission as JSON: what went in which file, what was held and what was refused."""
    return {
        "claims_sent": result.claims_sent,
        "batches": [
            {"file_name": b.file_name, "claims": list(b.patient_control_numbers)}
            for b in result.batches
        ],
        "held": [_held(checked) for checked in result.held],
        "refused": list(result.refused),
        "resumed": [
            {"file_name": r.file_name, "claims": r.claim_count, "found_on_server": r.found}
            for r in result.resumed
        ],
    }


def _held(checked: Checked) -> dict[str, Any]:
    return {
        "clm01": checked.patient_control_number,
        "status": checked.status.value,
        "edits": list(checked.result.edits),
    }


def _test(runtime: Runtime, store: Store, job: Job, progress: Progress) -> Result:
    with store.read() as session:
        account = runtime.account(session)
    checked = check_connection(store, account, runtime.connect)
    detail = {"ok": checked.ok, "message": checked.message}
    rejected = checked.rejected_login
    return Result(checked.ok, checked.message, detail, stops_account=rejected, value=checked)


def _audit(
    store: Store, job: Job, action: str, entity: str, keys: list[tuple[str, str | None]]
) -> None:
    """One audit row per file sent or fetched, in the name of whoever asked for the job."""
    if not keys:
        return
    with store.transaction() as session:
        for key, detail in keys:
            record_audit(session, job.asked_by, action, entity, key, None, detail)
