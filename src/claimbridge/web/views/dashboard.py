"""The dashboard: claims by status, money in flight, the last poll and file, alerts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.dashboard import dashboard
from claimbridge.services.jobs import JobKind
from claimbridge.services.users import Role
from claimbridge.web.auth import CheckedForm
from claimbridge.web.render import page
from claimbridge.web.views import jobs
from claimbridge.web.views.common import now, store_of

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def show(request: Request) -> HTMLResponse:
    """The dashboard."""
    config = request.app.state.config
    with store_of(request).read() as session:
        board = dashboard(session, now(), config.era_silence_days)
    return page(request, "dashboard.html", board=board, statuses=list(ClaimStatus))


@router.post("/poll", response_class=HTMLResponse)
def poll_now(request: Request, form: CheckedForm) -> HTMLResponse:
    """Fetch what Office Ally returned and apply it (a job): its panel now, what came back when
    it ends."""
    return jobs.start(request, JobKind.POLL, Role.BILLER)
