"""The dashboard: claims by status, money in flight, the last poll and file, alerts."""

from __future__ import annotations

from contextlib import suppress

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import TransportError
from claimbridge.services.dashboard import dashboard
from claimbridge.services.ingest import FileReport, poll
from claimbridge.services.polls import recent_polls
from claimbridge.services.users import Role
from claimbridge.web.app_support import office_ally_transport
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, require
from claimbridge.web.render import page
from claimbridge.web.views.common import now, store_of

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def show(request: Request) -> HTMLResponse:
    """The dashboard."""
    config = request.app.state.config
    with store_of(request).read() as session:
        board = dashboard(session, now(), config.known_hosts, config.era_silence_days)
    return page(request, "dashboard.html", board=board, statuses=list(ClaimStatus))


@router.post("/poll", response_class=HTMLResponse)
def poll_now(request: Request, form: CheckedForm) -> HTMLResponse:
    """Fetch what Office Ally returned and apply it now (the ingest service), then say what."""
    user = require(request, Role.BILLER)
    store = store_of(request)
    reports: list[FileReport] | None = None
    # a failure is recorded with its reason as the last poll, which the partial shows
    with office_ally_transport(request) as office_ally, suppress(TransportError):
        reports = poll(
            store,
            office_ally.transport,
            request.app.state.config.archive,
            now=now(),
            actor=user.username,
            source=office_ally.source,
        )
    for report in reports or ():
        audit(request, "poll", "file", report.name, detail=report.outcome.value)
    with store.read() as session:
        [last] = recent_polls(session, 1)
    return page(request, "_polled.html", reports=reports, last_poll=last)
