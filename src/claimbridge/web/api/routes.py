"""The ``/api/v1`` routes. Each one calls a service and returns its values as JSON."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from claimbridge.domain.models import EnrollmentStatus, Transaction
from claimbridge.services.claims import recheck_held
from claimbridge.services.dashboard import dashboard
from claimbridge.services.eob import claim_eobs
from claimbridge.services.eras import set_dates
from claimbridge.services.onboarding import checklist, sftp_email
from claimbridge.services.payer_admin import EnrollmentForm, build_payer, save_payer, set_payer
from claimbridge.services.users import Role
from claimbridge.services.worklist import claim_detail
from claimbridge.store.payers import get_payer, list_payers
from claimbridge.web.api.encode import to_json
from claimbridge.web.audit import audit
from claimbridge.web.auth import require
from claimbridge.web.views.claims import page_link, worklist_page
from claimbridge.web.views.common import RecordId, now, store_of, today
from claimbridge.web.views.eras import era_page
from claimbridge.web.views.reports import build

router = APIRouter(prefix="/api/v1", tags=["api"])


class EnrollmentIn(BaseModel):
    """One transaction's enrollment."""

    required: bool = False
    status: EnrollmentStatus = EnrollmentStatus.NOT_STARTED
    submitted_on: date | None = None
    approved_on: date | None = None
    office_ally_notified: bool = False


class PayerIn(BaseModel):
    """A payer as the API takes it."""

    name: str
    claim_filing_indicator: str
    par: bool = True
    notes: str | None = None
    timely_filing_days: int | None = None  # None: the default (90 days, Medicare 365)
    enrollments: dict[Transaction, EnrollmentIn] = {}


class PayerSettingsIn(BaseModel):
    """What ``PATCH /payers/{payer_id}`` sets; what is left out stays."""

    claim_filing_indicator: str | None = None
    enrollments: dict[Transaction, EnrollmentStatus] = {}


class DatesIn(BaseModel):
    """A remittance's received and deposit dates."""

    received_on: date
    deposit_on: date | None = None


@router.get("/dashboard")
def get_dashboard(request: Request) -> Any:
    """Claims by status, money in flight, the last file and the alerts."""
    config = request.app.state.config
    with store_of(request).read() as session:
        board = dashboard(session, now(), config.era_silence_days)
    return to_json(board)


@router.get("/claims")
def get_claims(request: Request, response: Response) -> Any:
    """A page of the worklist; query parameters status, payer, provider, from, to, age,
    unbalanced, waiting, q (search) with by, sort with dir, page and size. ``X-Total-Count``
    says how many claims match (``X-Total-Count-More: true`` when at least that many),
    ``Link`` the next and previous pages."""
    found = worklist_page(request)
    response.headers["X-Total-Count"] = str(found.total)
    if found.more:
        response.headers["X-Total-Count-More"] = "true"
    _link_pages(request, response, found.paging.number, found.has_next)
    return to_json(found.rows)


@router.get("/claims/{clm01}")
def get_claim(request: Request, clm01: str) -> Any:
    """One claim: CMS-1500 fields, lines, timeline; the view is audited."""
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
    audit(request, "view", "claim", clm01, detail.patient_key, "api")
    return to_json(detail)


@router.get("/claims/{clm01}/eob")
def get_eob(request: Request, clm01: str) -> Any:
    """What every ERA said about a claim; the view is audited."""
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
        eobs = claim_eobs(session, clm01)
    audit(request, "view", "eob", clm01, detail.patient_key, "api")
    return to_json(eobs)


@router.get("/eras")
def get_eras(request: Request, response: Response) -> Any:
    """A page of remittances, newest first, each with what it paid and its PLB adjustments;
    query parameters from, to, payer, check, era, page and size. ``X-Total-Count`` says how
    many match, ``Link`` the next and previous pages."""
    found = era_page(request)
    response.headers["X-Total-Count"] = str(found.total)
    _link_pages(request, response, found.number, found.has_next)
    return to_json(found.rows)


def _link_pages(request: Request, response: Response, number: int, has_next: bool) -> None:
    """The ``Link`` header naming the next and previous pages, when there are any."""
    params = dict(request.query_params)
    links = [(number + 1, "next")] if has_next else []
    links += [(number - 1, "prev")] if number > 1 else []
    if links:
        response.headers["Link"] = ", ".join(
            f'<{page_link(request.url.path, params, page=n)}>; rel="{rel}"' for n, rel in links
        )


@router.put("/eras/{remittance_id}/dates")
def put_dates(request: Request, remittance_id: RecordId, dates: DatesIn) -> Any:
    """Set a remittance's received and deposit dates."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        set_dates(session, remittance_id, dates.received_on, dates.deposit_on, user.username)
    audit(request, "change", "remittance", str(remittance_id), None, "api: dates")
    return {"remittance_id": remittance_id, **to_json(dates.model_dump())}


@router.get("/payers")
def get_payers(request: Request) -> Any:
    """The payer master list with enrollments."""
    with store_of(request).read() as session:
        return to_json(list_payers(session))


@router.put("/payers/{payer_id}")
def put_payer(request: Request, payer_id: str, body: PayerIn) -> Any:
    """Add or update a payer."""
    user = require(request, Role.BILLER)
    forms = tuple(
        EnrollmentForm(transaction, **item.model_dump())
        for transaction, item in body.enrollments.items()
    )
    payer = build_payer(
        payer_id,
        body.name,
        body.claim_filing_indicator,
        body.par,
        forms,
        body.notes,
        body.timely_filing_days,
    )
    with store_of(request).transaction() as session:
        save_payer(session, payer, user.username)
        recheck_held(session, user.username, today())  # an enrollment may release holds
        saved = get_payer(session, payer.payer_id)
    audit(request, "change", "payer", payer.payer_id, None, "api")
    return to_json(saved)


@router.patch("/payers/{payer_id}")
def patch_payer(request: Request, payer_id: str, body: PayerSettingsIn) -> Any:
    """Set a payer's claim filing indicator and enrollment statuses (``{"837P": "approved"}``);
    the rest of the payer stays, and held claims are checked again."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        saved = set_payer(
            session, payer_id, user.username, today(), body.claim_filing_indicator,
            body.enrollments,
        )  # fmt: skip
        recheck_held(session, user.username, today())  # an enrollment may release holds
    audit(request, "change", "payer", payer_id, None, "api: set")
    return to_json(saved)


@router.get("/reports/{key}")
def get_report(request: Request, key: str) -> Any:
    """A report: ar-aging, denials, payments or non-par-fees, as last made (``as_of``: the day
    its aging counts from; ``made_at``; ``seconds`` it took). ``POST /api/v1/reports/refresh``
    makes them again."""
    kept = build(request, key)
    return to_json(kept.report) | {
        "as_of": kept.as_of.isoformat(),
        "made_at": to_json(kept.made_at),
        "seconds": kept.seconds,
    }


@router.get("/onboarding")
def get_onboarding(request: Request) -> Any:
    """The onboarding checklist and the SFTP-access e-mail."""
    with store_of(request).read() as session:
        return {"steps": to_json(checklist(session)), "sftp_email": to_json(sftp_email(session))}
