"""Following claims up: a note or a follow-up on the claim page, and the Follow-ups page (my
follow-ups, everyone's, and claims near their payer's timely filing limit)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.domain.timely_filing import WARN_DAYS
from claimbridge.services.follow_ups import add_note, filing_due, follow_ups, set_follow_up
from claimbridge.services.users import Role
from claimbridge.services.worklist import claim_detail
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, current_user, field, require
from claimbridge.web.render import page
from claimbridge.web.views.common import now, optional_date, store_of, today

router = APIRouter()


@router.post("/claims/{clm01}/notes")
def write_note(request: Request, clm01: str, form: CheckedForm) -> Response:
    """Write a note on the claim."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        patient_key = claim_detail(session, clm01).patient_key
        add_note(session, clm01, field(form, "text"), user.username, now())
    audit(request, "change", "claim", clm01, patient_key, "note")
    return RedirectResponse(f"/claims/{clm01}?done=noted#notes", status_code=303)


@router.post("/claims/{clm01}/follow-up")
def follow_up(request: Request, clm01: str, form: CheckedForm) -> Response:
    """Give the claim to a person to look at again on a date (or to nobody)."""
    user = require(request, Role.BILLER)
    when = optional_date(field(form, "follow_up_on"), "follow-up date")
    with store_of(request).transaction() as session:
        patient_key = claim_detail(session, clm01).patient_key
        set_follow_up(session, clm01, field(form, "assigned_to"), when, user.username, now())
    audit(request, "change", "claim", clm01, patient_key, "follow-up")
    return RedirectResponse(f"/claims/{clm01}?done=follow_up#follow-up", status_code=303)


@router.get("/follow-ups", response_class=HTMLResponse)
def follow_ups_page(request: Request) -> HTMLResponse:
    """My follow-ups (or everyone's, ``?who=all``), and claims near their filing limit."""
    user = current_user(request)
    everyone = request.query_params.get("who") == "all"
    on = today()
    with store_of(request).read() as session:
        listed = follow_ups(session, on, None if everyone else user.username)
        due = filing_due(session, on)
    return page(
        request,
        "follow_ups.html",
        listed=listed,
        everyone=everyone,
        due=due,
        today=on,
        warn_days=WARN_DAYS,
    )
