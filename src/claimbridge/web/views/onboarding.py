"""Onboarding: the checklist, the SFTP-access e-mail, go-live date and ERA split."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.domain.models import EraSplit
from claimbridge.services.account import update_go_live, update_service_center_username
from claimbridge.services.claims import recheck_held
from claimbridge.services.onboarding import checklist, mark_done, sftp_email
from claimbridge.services.users import Role
from claimbridge.store.repositories import get_account
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import BadRequest
from claimbridge.web.render import page
from claimbridge.web.views.common import optional_date, store_of, today

router = APIRouter()

ERA_SPLIT_LABELS = {
    EraSplit.NONE: "No splitting (Office Ally's default)",
    EraSplit.BY_PROVIDER: "By Provider",
    EraSplit.BY_PAYER: "By Payer",
    EraSplit.BY_PROVIDER_AND_PAYER: "Both Provider and Payer",
    EraSplit.BY_CHECK: "By Check (recommended)",
    EraSplit.BY_PAYER_TRN03: "By Payer, with TRN03 in the file name",
}


@router.get("/onboarding", response_class=HTMLResponse)
def onboarding(request: Request) -> HTMLResponse:
    """The checklist, in the order a practice takes the steps."""
    with store_of(request).read() as session:
        steps = checklist(session)
        email = sftp_email(session)
        account = get_account(session)
    return page(
        request,
        "onboarding.html",
        steps=steps,
        email=email,
        account=account,
        era_splits=ERA_SPLIT_LABELS,
        done=sum(step.done for step in steps),
    )


@router.post("/onboarding/steps/{step}")
def step_done(request: Request, step: str, form: CheckedForm) -> Response:
    """Mark a step the ledger cannot see (the OA account, the e-mail) as done."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        mark_done(session, step, user.username, today())
    return RedirectResponse(f"/onboarding#{step}", status_code=303)


@router.post("/onboarding/service-center-username")
def service_center_username(request: Request, form: CheckedForm) -> Response:
    """Set the Office Ally Service Center username the SFTP-access e-mail names."""
    user = require(request, Role.BILLER)
    username = field(form, "service_center_username").strip() or None
    with store_of(request).transaction() as session:
        update_service_center_username(session, username, user.username)
    audit(request, "change", "account", "office_ally", None, "Service Center username")
    return RedirectResponse("/onboarding#sftp_email", status_code=303)


@router.post("/onboarding/go-live")
def go_live(request: Request, form: CheckedForm) -> Response:
    """Set the go-live date and the ERA split."""
    user = require(request, Role.ADMIN)
    split = field(form, "era_split")
    if split not in {s.value for s in EraSplit}:
        raise BadRequest(f"{split!r} is not an ERA split option")
    go_live_on = optional_date(field(form, "go_live"), "go-live date")
    with store_of(request).transaction() as session:
        update_go_live(session, go_live_on, EraSplit(split), user.username)
        recheck_held(session, user.username, today())  # claims held for the go-live date
    audit(request, "change", "account", "office_ally", None, "go-live date and ERA split")
    return RedirectResponse("/onboarding#go_live", status_code=303)
