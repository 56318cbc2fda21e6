"""The claims worklist and the claim page (CMS-1500 fields, timeline, what was sent)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from claimbridge.domain.patient_money import WRITE_OFF_REASONS
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.balances import claim_balances
from claimbridge.services.claim_bulk import resubmit_many, selection, submit_refusal
from claimbridge.services.claim_fix import actions_for, rejected_alongside
from claimbridge.services.claim_search import SEARCH_KEYS, Search, SearchKey
from claimbridge.services.claim_x12 import claim_x12
from claimbridge.services.claims import create_claims
from claimbridge.services.eob import claim_eobs
from claimbridge.services.follow_ups import claim_follow_up, members
from claimbridge.services.jobs import JobKind
from claimbridge.services.patient_money import claim_by_number, claim_money
from claimbridge.services.reposting import needs_balance_review
from claimbridge.services.users import Role
from claimbridge.services.worklist import (
    PAGE_SIZES,
    SORT_CAP,
    ClaimFilter,
    Paging,
    SortKey,
    WorklistPage,
    claim_detail,
    providers,
    worklist,
)
from claimbridge.store.payers import list_payers
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import BadRequest, Conflict
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


def claim_filter(params: Mapping[str, str]) -> ClaimFilter:
    """The worklist filter from query parameters (status, payer, provider, from, to, age, q
    with by, unbalanced, waiting, reason)."""
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
        search=search_of(params),
        unbalanced=params.get("unbalanced", "") not in {"", "0"},
        waiting=params.get("waiting", "") not in {"", "0"},
        reason=params.get("reason") or None,
    )


def search_of(params: Mapping[str, str]) -> Search | None:
    """The search from ``q`` (the text) and ``by`` (a ``SearchKey``; empty: any key)."""
    text = (params.get("q") or "").strip()
    by = params.get("by") or None
    if by is not None and by not in {key.value for key in SearchKey}:
        raise BadRequest(f"{by!r} is not something to search by")
    return Search(text, SearchKey(by) if by else None) if text else None


def paging_of(params: Mapping[str, str]) -> Paging:
    """The page and its order from ``sort`` (a ``SortKey``), ``dir`` (asc, desc), ``page`` and
    ``size``. Unsorted, the newest dates of service come first: that is where new work is."""
    sort = params.get("sort") or SortKey.SERVICE_DATE.value
    if sort not in {key.value for key in SortKey}:
        raise BadRequest(f"{sort!r} is not a column to sort on")
    way = params.get("dir") or ("asc" if params.get("sort") else "desc")
    if way not in ("asc", "desc"):
        raise BadRequest(f"sort direction {way!r}: say asc or desc")
    number = optional_int(params.get("page"), "page") or 1
    size = optional_int(params.get("size"), "page size") or Paging().size
    return Paging(SortKey(sort), way == "desc", number, size)


def page_link(path: str, params: Mapping[str, str], **changes: object) -> str:
    """``path`` with ``params`` changed by ``changes`` (None or empty drops one)."""
    merged: dict[str, object] = {**params, **changes}
    kept = {name: value for name, value in merged.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def worklist_page(request: Request) -> WorklistPage:
    """The page of the worklist the request's query asks for."""
    params = request.query_params
    with store_of(request).read() as session:
        return worklist(session, claim_filter(params), today(), paging_of(params))


@router.get("/claims", response_class=HTMLResponse)
def claims(request: Request) -> HTMLResponse:
    """The worklist: search, filters, sort, a page of it; HTMX requests get the same page and
    swap in its table. Every choice is in the address."""
    params = {k: v for k, v in request.query_params.items() if k != "select"}
    found = worklist_page(request)
    with store_of(request).read() as session:
        payers = list_payers(session)
        choices = providers(session)
    return page(
        request,
        "claims.html",
        found=found,
        params=params,
        link=lambda **changes: page_link("/claims", params, **changes),
        selected_all=request.query_params.get("select") == "page",
        payers=payers,
        providers=choices,
        statuses=list(ClaimStatus),
        search_keys=SEARCH_KEYS,
        page_sizes=PAGE_SIZES,
        sort_cap=SORT_CAP,
    )


@router.post("/claims/bulk", response_class=HTMLResponse)
def bulk(request: Request, form: CheckedForm) -> Response:
    """Submit or resubmit the claims selected in the worklist (``services.claim_bulk``)."""
    user = require(request, Role.BILLER)
    picked = selection([str(value) for value in form.getlist("clm01")])
    action = field(form, "action")
    if action == "submit":
        with store_of(request).read() as session:
            refusal = submit_refusal(session, picked)
        if refusal is not None:
            raise Conflict(f"Not sent: {refusal}")
        return jobs.start(request, JobKind.SUBMIT, Role.BILLER, claims=picked)
    if action != "resubmit":
        raise BadRequest("say what to do with the selected claims: submit or resubmit")
    with store_of(request).transaction() as session:
        done = resubmit_many(session, picked, user.username, today())
    for checked in done.checked:
        audit(request, "change", "claim", checked.patient_control_number, None, "resubmitted")
    htmx = request.headers.get("HX-Request") == "true"
    answer = page(request, "_resubmitted.html" if htmx else "claims_resubmitted.html", done=done)
    if done.checked:
        answer.headers["HX-Trigger"] = "worklist-changed"
    return answer


@router.post("/claims/print", response_class=HTMLResponse)
def print_claims(request: Request, form: CheckedForm) -> HTMLResponse:
    """The selected claims on one printable page, as the claim page lays each out; every
    claim printed is written to the audit log."""
    picked = selection([str(value) for value in form.getlist("clm01")])
    with store_of(request).read() as session:
        details = [claim_detail(session, clm01) for clm01 in picked]
    for detail in details:
        audit(request, "view", "claim", detail.clm01, detail.patient_key, "printed")
    return page(request, "claims_print.html", claims=details)


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
        following, people = claim_follow_up(session, clm01, today()), members(session)
        row = claim_by_number(session, clm01)
        balance = claim_balances(session, [row.id])[row.id]
        money = claim_money(session, row.id)
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
        notes=following.notes,
        follow=following.follow_up,
        filing=following.filing,
        members=people,
        balance=balance,
        money=money,
        has_appointment=row.appointment_id is not None,
        write_off_reasons=WRITE_OFF_REASONS,
    )


@router.get("/claims/{clm01}/eob", response_class=HTMLResponse)
def claim_eob(request: Request, clm01: str) -> HTMLResponse:
    """The EOB of one claim: what every ERA said about it."""
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
        eobs = claim_eobs(session, clm01)
    audit(request, "view", "eob", clm01, detail.patient_key)
    return page(request, "eob.html", claim=detail, eobs=eobs)
