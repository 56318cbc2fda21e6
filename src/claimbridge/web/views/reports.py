"""Reports: A/R aging, denials by CARC, payments by payer and month, Non-Par fees; CSV export.

The pages, the CSV files and the API show each report as last made (``services.reports``): a
poll that applied something makes them again, and **Refresh** does it as a job, since over a
million claims that takes seconds. A report never made is made on its first view.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from claimbridge.services.jobs import JobKind
from claimbridge.services.reports import (
    PATIENTS,
    REPORT_KEYS,
    KeptReport,
    Report,
    kept_report,
    report_note,
)
from claimbridge.services.users import Role
from claimbridge.web.auth import CheckedForm
from claimbridge.web.errors import NotFound
from claimbridge.web.render import page
from claimbridge.web.views import jobs
from claimbridge.web.views.claims import page_link
from claimbridge.web.views.common import now, store_of

router = APIRouter()


def build(request: Request, key: str) -> KeptReport:
    """The report named ``key`` as last made; ``NotFound`` for another name."""
    if key not in REPORT_KEYS:
        raise NotFound(f"there is no report {key!r}")
    policy = request.app.state.settings.fee_policy
    at = now()
    return kept_report(store_of(request), key, at.date(), policy, at)


def claims_link(report: Report, row: Sequence[str], column: int) -> str | None:
    """The worklist of the claims behind a cell, where the report has one: A/R aging's payer
    ID opens that payer's claims, the largest balances first."""
    if report.key != "ar-aging" or report.headers[column] != "Payer ID":
        return None
    payer_id = row[column]
    if not payer_id or payer_id == PATIENTS[1]:
        return None
    return page_link("/claims", {"payer": payer_id, "sort": "balance", "dir": "desc"})


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request) -> HTMLResponse:
    """Every report on one page, with when each was made."""
    kept = [build(request, key) for key in REPORT_KEYS]
    policy = request.app.state.settings.fee_policy
    notes = {key: report_note(key, policy) for key in REPORT_KEYS}
    oldest = min(k.made_at for k in kept)
    return page(
        request, "reports.html", reports=kept, notes=notes, oldest=oldest, claims_link=claims_link
    )


@router.post("/reports/refresh", response_class=HTMLResponse)
def refresh(request: Request, form: CheckedForm) -> HTMLResponse:
    """Make every report again from the ledger (a job): its panel now, the result when done."""
    return jobs.start(request, JobKind.REPORTS, Role.VIEWER)


@router.get("/reports/{key}.csv")
def report_csv(request: Request, key: str) -> Response:
    """One report as a CSV download, named by the day it was made."""
    kept = build(request, key)
    name = f"claimbridge-{key}-{kept.made_at:%Y-%m-%d}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(kept.report.to_csv(), media_type="text/csv; charset=utf-8", headers=headers)
