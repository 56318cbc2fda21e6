"""The ERA list with the filters billers know, the received and deposit dates, and the held
files (undoing and posting are in ``views.posting``)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.services.eob import remittance_eob
from claimbridge.services.eras import (
    EraFilter,
    EraPage,
    claims_of_remittances,
    era_list,
    set_dates,
)
from claimbridge.services.reposting import held_files
from claimbridge.services.users import Role
from claimbridge.services.worklist import PAGE_SIZE, PAGE_SIZES
from claimbridge.store.payers import list_payers
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import BadRequest
from claimbridge.web.render import page
from claimbridge.web.views.claims import page_link
from claimbridge.web.views.common import RecordId, optional_date, optional_int, store_of
from claimbridge.web.views.posting import ERA_DONE

router = APIRouter()
CLAIMS_SHOWN = 10  # per ERA in the list; the rest are counted


def era_filter(params: Mapping[str, str]) -> EraFilter:
    """The ERA filter from query parameters (from, to, payer, check, era)."""
    return EraFilter(
        received_from=optional_date(params.get("from"), "received from"),
        received_to=optional_date(params.get("to"), "received to"),
        payer_id=params.get("payer") or None,
        check_number=params.get("check") or None,
        era_number=optional_int(params.get("era"), "ERA number"),
    )


def era_page(request: Request) -> EraPage:
    """The page of the ERA list the request's query asks for (``page``, ``size``)."""
    params = request.query_params
    number = optional_int(params.get("page"), "page") or 1
    size = optional_int(params.get("size"), "page size") or PAGE_SIZE
    with store_of(request).read() as session:
        return era_list(session, era_filter(params), number, size)


@router.get("/eras", response_class=HTMLResponse)
def eras(request: Request) -> HTMLResponse:
    """Remittances, newest first, a page at a time, with the claims each paid and how its
    deposit reconciles with them."""
    params = dict(request.query_params)
    done = ERA_DONE.get(params.pop("done", ""))  # said once, not carried into the page links
    found = era_page(request)
    with store_of(request).read() as session:
        paid = claims_of_remittances(session, [row.id for row in found.rows], CLAIMS_SHOWN)
        payers = list_payers(session)
        held = held_files(session)
    return page(
        request,
        "eras.html",
        found=found,
        paid=paid,
        params=params,
        link=lambda **changes: page_link("/eras", params, **changes),
        page_sizes=PAGE_SIZES,
        payers=payers,
        held=held,
        done=done,
    )


@router.get("/eras/{remittance_id}/eob", response_class=HTMLResponse)
def check_eob(request: Request, remittance_id: RecordId) -> HTMLResponse:
    """The EOB of a whole check or EFT: every claim it paid, the provider adjustments and how
    they make the deposit, to reconcile it with the bank; printable."""
    with store_of(request).read() as session:
        eob = remittance_eob(session, remittance_id)
    audit(request, "view", "remittance", str(remittance_id), None, "whole EOB")
    return page(request, "check_eob.html", eob=eob)


@router.post("/eras/{remittance_id}/dates")
def dates(request: Request, remittance_id: RecordId, form: CheckedForm) -> Response:
    """Keep the received and deposit dates a biller entered."""
    user = require(request, Role.BILLER)
    received = optional_date(field(form, "received_on"), "received date")
    if received is None:
        raise BadRequest("the received date is required")
    deposit = optional_date(field(form, "deposit_on"), "deposit date")
    with store_of(request).transaction() as session:
        set_dates(session, remittance_id, received, deposit, user.username)
    audit(request, "change", "remittance", str(remittance_id), None, "received/deposit dates")
    if request.headers.get("HX-Request"):
        return HTMLResponse('<span class="ok">saved</span>')
    return RedirectResponse("/eras", status_code=303)
