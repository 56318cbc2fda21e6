"""Reports: A/R aging, denials by CARC, payments by payer and month, Non-Par fees; CSV export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from claimbridge.services.reports import REPORT_KEYS, Report, report
from claimbridge.web.errors import NotFound
from claimbridge.web.render import page
from claimbridge.web.views.common import store_of, today

router = APIRouter()


def build(request: Request, key: str) -> Report:
    """The report named ``key``; ``NotFound`` for another name."""
    if key not in REPORT_KEYS:
        raise NotFound(f"there is no report {key!r}")
    policy = request.app.state.settings.fee_policy
    with store_of(request).read() as session:
        return report(session, key, today(), policy)


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request) -> HTMLResponse:
    """Every report on one page."""
    return page(request, "reports.html", reports=[build(request, key) for key in REPORT_KEYS])


@router.get("/reports/{key}.csv")
def report_csv(request: Request, key: str) -> Response:
    """One report as a CSV download."""
    found = build(request, key)
    headers = {"Content-Disposition": f'attachment; filename="claimbridge-{key}-{today()}.csv"'}
    return Response(found.to_csv(), media_type="text/csv; charset=utf-8", headers=headers)
