"""Insurances: the payer master list, one payer's form, and the Office Ally CSV import."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from claimbridge.domain.models import EnrollmentStatus, Payer, Transaction
from claimbridge.domain.payer_list import decode_payer_list
from claimbridge.domain.payers import CLAIM_FILING_INDICATORS
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import Checked, recheck_held
from claimbridge.services.payer_admin import (
    EnrollmentForm,
    build_payer,
    import_payer_csv,
    save_payer,
)
from claimbridge.services.users import Role
from claimbridge.store.payers import get_payer, list_payers
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import BadRequest
from claimbridge.web.render import page
from claimbridge.web.views.common import optional_date, optional_int, store_of, today

router = APIRouter()
MAX_CSV_BYTES = 5 * 1024 * 1024


def _form_page(request: Request, payer: Payer | None, problem: str | None = None) -> HTMLResponse:
    return page(
        request,
        "payer_form.html",
        400 if problem else 200,
        payer=payer,
        indicators=CLAIM_FILING_INDICATORS,
        statuses=list(EnrollmentStatus),
        transactions=list(Transaction),
        problem=problem,
    )


@router.get("/payers", response_class=HTMLResponse)
def payers(request: Request) -> HTMLResponse:
    """The payer master list."""
    with store_of(request).read() as session:
        found = list_payers(session)
    saved = request.query_params.get("saved")
    released = optional_int(request.query_params.get("released"), "released") or 0
    return page(
        request,
        "payers.html",
        payers=found,
        indicators=CLAIM_FILING_INDICATORS,
        saved=saved,
        released=released,
    )


@router.get("/payers/new", response_class=HTMLResponse)
def new_payer(request: Request) -> HTMLResponse:
    """An empty payer form."""
    require(request, Role.BILLER)
    return _form_page(request, None)


@router.get("/payers/{payer_id}", response_class=HTMLResponse)
def edit_payer(request: Request, payer_id: str) -> HTMLResponse:
    """One payer's form."""
    with store_of(request).read() as session:
        payer = get_payer(session, payer_id)
    return _form_page(request, payer)


def _enrollment(form: FormData, transaction: Transaction) -> EnrollmentForm:
    prefix = f"e{transaction.value}_"
    status = field(form, prefix + "status", "not_started")
    if status not in {s.value for s in EnrollmentStatus}:
        raise BadRequest(f"{status!r} is not an enrollment status")
    return EnrollmentForm(
        transaction=transaction,
        required=field(form, prefix + "required") == "on",
        status=EnrollmentStatus(status),
        submitted_on=optional_date(field(form, prefix + "submitted_on"), "submitted on"),
        approved_on=optional_date(field(form, prefix + "approved_on"), "approved on"),
        office_ally_notified=field(form, prefix + "notified") == "on",
    )


@router.post("/payers")
def save(request: Request, form: CheckedForm) -> Response:
    """Add or update a payer from the form."""
    user = require(request, Role.BILLER)
    payer = build_payer(
        payer_id=field(form, "payer_id"),
        name=field(form, "name"),
        filing_indicator=field(form, "claim_filing_indicator"),
        par=field(form, "par") == "par",
        enrollments=tuple(_enrollment(form, t) for t in Transaction),
        notes=field(form, "notes"),
        timely_filing_days=optional_int(field(form, "timely_filing_days"), "timely filing days"),
    )
    with store_of(request).transaction() as session:
        save_payer(session, payer, user.username)
        released = _released(recheck_held(session, user.username, today()))
    audit(request, "change", "payer", payer.payer_id)
    return RedirectResponse(f"/payers?saved={payer.payer_id}&released={released}", status_code=303)


def _released(checked: list[Checked]) -> int:
    return sum(claim.status is ClaimStatus.READY for claim in checked)


@router.post("/payers/import", response_class=HTMLResponse)
def import_csv(request: Request, form: CheckedForm) -> HTMLResponse:
    """Merge an Office Ally payer list CSV; shows what changed and which rows were skipped."""
    require(request, Role.BILLER)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise BadRequest("choose a CSV file to import")
    with upload.file:
        data = upload.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise BadRequest("the file is larger than 5 MB")
    with store_of(request).transaction() as session:
        tally, skipped = import_payer_csv(session, decode_payer_list(data))
    audit(request, "change", "payer", "*", None, f"imported {upload.filename}")
    with store_of(request).read() as session:
        found = list_payers(session)
    return page(
        request,
        "payers.html",
        payers=found,
        indicators=CLAIM_FILING_INDICATORS,
        imported=tally.lines(),
        skipped=skipped,
    )
