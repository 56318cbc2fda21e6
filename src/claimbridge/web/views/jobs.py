"""The long actions as background jobs: Submit ready claims, Poll Office Ally now and Test
connection answer at once with a panel that follows the job (``GET /jobs/{id}``) and shows its
result in the panel's place once it has ended; ``POST /jobs/resume`` lets a practice's stopped
jobs run again (admins only)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.jobs.runner import ask
from claimbridge.services.account import allow_logins_again
from claimbridge.services.jobs import Job, JobKind, JobState, get_job
from claimbridge.services.polls import recent_polls
from claimbridge.services.users import Role
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import NotFound
from claimbridge.web.render import page
from claimbridge.web.views.common import RecordId, now, practice_id_of, store_of

router = APIRouter()

TITLES = {
    "submit": "Sending ready claims",
    "poll": "Polling Office Ally",
    "test": "Testing the connection",
    "reports": "Making the reports",
}
UNITS = {"submit": "claims sent", "poll": "files applied", "test": "steps", "reports": "reports"}
RESULT_IDS = {"submit": "submit-result", "poll": "poll-result", "test": "connection-result",
              "reports": "reports-result"}  # fmt: skip


def start(
    request: Request, kind: JobKind, role: Role, claims: Sequence[str] | None = None
) -> HTMLResponse:
    """Queue a job of ``kind`` for the current practice as the signed-in person (who needs
    ``role``), a submission of ``claims`` only when given, and answer with its panel."""
    user = require(request, role)
    runner = request.app.state.runner
    practice = practice_id_of(request)
    job = ask(store_of(request), runner, practice, kind, user.username, now(), claims)
    return panel(request, job)


def find_job(request: Request, job_id: int) -> Job:
    """The job ``job_id`` of the current practice; ``NotFound`` for any other."""
    with store_of(request).read() as session:
        job = get_job(session, job_id)
    if job is None or job.practice_id != practice_id_of(request):
        raise NotFound(f"there is no job {job_id}")
    return job


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_panel(request: Request, job_id: RecordId) -> HTMLResponse:
    """The job's panel while it is queued or running, then its result."""
    return panel(request, find_job(request, job_id))


@router.post("/jobs/resume")
def resume(request: Request, form: CheckedForm) -> Response:
    """After a rejected login, once the credentials were checked with Office Ally: allow logins
    again and let the current practice's stopped jobs run again (admins only)."""
    require(request, Role.ADMIN)
    with store_of(request).transaction() as session:
        resumed = allow_logins_again(session, practice_id_of(request))
    if resumed:
        audit(request, "change", "account", "office_ally", None, "logins allowed again")
    back = "/provider?allowed=1#sftp" if field(form, "back") == "provider" else "/"
    return RedirectResponse(back, status_code=303)


def panel(request: Request, job: Job) -> HTMLResponse:
    """The running panel, or the result the job ended with."""
    if not job.finished:
        return page(request, "_job.html", job=job, job_titles=TITLES, job_units=UNITS)
    if job.kind is JobKind.POLL:
        with store_of(request).read() as session:
            last = next(iter(recent_polls(session, 1)), None)
        reports = job.detail["reports"] if job.detail and job.state is JobState.DONE else None
        answer = page(request, "_polled.html", reports=reports, last_poll=last)
        if reports:  # the dashboard's counts and alerts load again, in place
            answer.headers["HX-Trigger"] = "board-changed"
        return answer
    if job.detail is None:
        result_id = RESULT_IDS[job.kind.value]
        return page(request, "_job_failed.html", job=job, result_id=result_id, job_titles=TITLES)
    if job.kind is JobKind.REPORTS:
        return page(request, "_reports_made.html", result_text=job.result)
    if job.kind is JobKind.TEST:
        return page(request, "_connection.html", result=job.detail)
    answer = page(request, "_submitted.html", result=job.detail)
    if job.detail.get("claims_sent"):  # the worklist shows them submitted, in place
        answer.headers["HX-Trigger"] = "worklist-changed"
    return answer
