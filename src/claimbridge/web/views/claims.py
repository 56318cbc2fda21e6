"""The claims worklist and the claim page (CMS-1500 fields, timeline, what was sent)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claim_fix import actions_for, rejected_alongside
from claimbridge.services.claim_x12 import claim_x12
from claimbridge.services.claims import create_claims
from claimbridge.services.eob import claim_eobs
from claimbridge.services.follow_ups import filing_of, follow_up_of, members, notes_of
from claimbridge.services.jobs import JobKind
from claimbridge.services.reposting import needs_balance_review
from claimbridge.services.users import Role
from claimbridge.services.worklist import ClaimFilter, claim_detail, providers, worklist
from claimbridge.store.payers import list_payers
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, require
from claimbridge.web.errors import BadRequest
from claimbridge.web.render import page
from claimbridge.web.views import jobs
from claimbridge.web.views.common import optional_date, optional_int, store_of, today

router = APIRouter()

DONE = {
    "corrected": "Corrected and checked again.",
    "resubmit": "Queued to go again as an original with the next submission.",
    "replace": "This replacement (frequency 7) goes with the next submission; correct it first "
    "if its lines must change.",
    "void": "This void (frequency 8) goes with the next submission.",
    "reviewed": "Marked reviewed: it leaves the dashboard's alert.",
    "cancelled": "Cancelled: it is never sent.",
    "noted": "Note added.",
    "follow_up": "Follow-up saved.",
    "billed_on_paper": "Marked billed on paper: it is not sent electronically; an ERA that "
    "names it is still posted to it.",
}


def claim_filter(params: dict[str, str]) -> ClaimFilter:
    """The worklist filter from query parameters (status, payer, provider, from, to, age, q,
    unbalanced, reason)."""
    status = params.get("status") or None
    if status is not None and status not in {s.value for s in ClaimStatus}:
        raise BadRequest(f"{status!r} is not a claim status")
    return ClaimFilter(
        status=ClaimStatus(status) if status else None,
        payer_id=params.get("payer") or None,
        provider_npi=params.get("provider") or None,
        service_from=optional_date(params.get("from"), "date of service from"),
        service_to=optional_date(params.get("to"), "date of service to"),
        min_age_days=optional_int(params.get("age"), "age in days"),
        text=params.get("q") or None,
        unbalanced=params.get("unbalanced", "") not in {"", "0"},
        reason=params.get("reason") or None,
    )


@router.get("/claims", response_class=HTMLResponse)
def claims(request: Request) -> HTMLResponse:
    """The worklist; HTMX requests get the same page and swap in its table."""
    params = dict(request.query_params)
    wanted = claim_filter(params)
    with store_of(request).read() as session:
        rows = worklist(session, wanted, today())
        payers = list_payers(session)
        choices = providers(session)
    return page(
        request,
        "claims.html",
        rows=rows,
        params=params,
        payers=payers,
        providers=choices,
        statuses=list(ClaimStatus),
    )


@router.post("/claims/create", response_class=HTMLResponse)
def make_claims(request: Request, form: CheckedForm) -> HTMLResponse:
    """A claim for every appointment that has none, each checked; held claims checked again."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        result = create_claims(session, user.username, today())
    for checked in result.created:
        audit(request, "change", "claim", checked.patient_control_number, None, "created")
    held = [c for c in result.created if c.status is ClaimStatus.HELD]
    ready = [c for c in result.created if c.status is ClaimStatus.READY]
    released = [c for c in result.rechecked if c.status is ClaimStatus.READY]
    return page(request, "_created.html", result=result, held=held, ready=ready, released=released)


@router.post("/claims/submit", response_class=HTMLResponse)
def submit_ready(request: Request, form: CheckedForm) -> HTMLResponse:
    """Send every ready claim to Office Ally (a job): its panel now, what went when it ends."""
    return jobs.start(request, JobKind.SUBMIT, Role.BILLER)


@router.get("/claims/{clm01}", response_class=HTMLResponse)
def claim(request: Request, clm01: str) -> HTMLResponse:
    """One claim; the view is written to the audit log."""
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
        sent = claim_x12(session, clm01)
        alongside = rejected_alongside(session, clm01)
        balance_review = needs_balance_review(session, clm01)
        notes, follow = notes_of(session, clm01), follow_up_of(session, clm01)
        filing, people = filing_of(session, clm01, today()), members(session)
    audit(request, "view", "claim", clm01, detail.patient_key)
    done = DONE.get(request.query_params.get("done", ""))
    actions = actions_for(detail.status)
    return page(
        request,
        "claim.html",
        claim=detail,
        sent=sent,
        actions=actions,
        done=done,
        alongside=alongside,
        balance_review=balance_review,
        notes=notes,
        follow=follow,
        filing=filing,
        members=people,
    )


@router.get("/claims/{clm01}/eob", response_class=HTMLResponse)
def claim_eob(request: Request, clm01: str) -> HTMLResponse:
    """The EOB of one claim: what every ERA said about it."""
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
        eobs = claim_eobs(session, clm01)
    audit(request, "view", "eob", clm01, detail.patient_key)
    return page(request, "eob.html", claim=detail, eobs=eobs)
