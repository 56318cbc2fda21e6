"""What a biller does to one claim: correct it (and send a rejected one again), resubmit it as
it is, replace or void one the payer accepted. The rules are in ``services.claim_fix`` and
``services.claims``; this module reads forms and answers with pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from claimbridge.errors import InputError
from claimbridge.services.claim_fix import (
    RESENT_AS,
    ClaimAction,
    ClaimFix,
    LineFix,
    current_fix,
    fix_claim,
)
from claimbridge.services.claims import resubmit
from claimbridge.services.users import Role
from claimbridge.services.worklist import ClaimDetail, claim_detail
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import BadRequest
from claimbridge.web.render import page
from claimbridge.web.views.common import optional_date, store_of, today

router = APIRouter()

MAX_DIAGNOSES = 12
NEW = "new_"  # the prefix of the empty row's fields, a line to add


def form_values(fix: ClaimFix) -> dict[str, str]:
    """The correction form's fields, filled from ``fix``."""
    values = {
        "member_id": fix.member_id,
        "first_name": fix.patient_first_name,
        "last_name": fix.patient_last_name,
        "dob": fix.patient_dob.isoformat(),
        "rendering_npi": fix.rendering_npi,
        "place_of_service": fix.place_of_service,
    }
    values |= {f"dx{n}": code for n, code in enumerate(fix.diagnoses, start=1)}
    values[NEW + "units"] = "1"
    for line in fix.lines:
        prefix = f"line{line.number}_"
        values |= {
            prefix + "code": line.code,
            prefix + "modifiers": " ".join(line.modifiers),
            prefix + "units": f"{line.units.normalize():f}",
            prefix + "charge": f"{line.charge:.2f}",
            prefix + "pointers": " ".join(str(p) for p in line.diagnosis_pointers),
        }
    return values


def parse_fix(form: FormData, lines: Sequence[LineFix]) -> ClaimFix:
    """The correction from the submitted form, whose rows are ``lines`` (a ticked **Remove**
    takes one off) and the empty row (a line to add, when anything but units is typed in it);
    ``BadRequest`` naming the box on a bad value."""
    dob = optional_date(field(form, "dob"), "3 Patient's birth date")
    if dob is None:
        raise BadRequest("3 Patient's birth date: may not be empty")
    return ClaimFix(
        member_id=field(form, "member_id"),
        patient_first_name=field(form, "first_name"),
        patient_last_name=field(form, "last_name"),
        patient_dob=dob,
        rendering_npi=field(form, "rendering_npi"),
        place_of_service=field(form, "place_of_service"),
        diagnoses=tuple(field(form, f"dx{n}") for n in range(1, MAX_DIAGNOSES + 1)),
        lines=(*(_kept_or_removed(form, line) for line in lines), *_added(form)),
    )


def _kept_or_removed(form: FormData, line: LineFix) -> LineFix:
    prefix = f"line{line.number}_"
    if field(form, prefix + "remove"):
        return replace(line, remove=True)
    return _line(form, prefix, line.number)


def _added(form: FormData) -> tuple[LineFix, ...]:
    if not any(field(form, NEW + name) for name in ("code", "modifiers", "pointers", "charge")):
        return ()
    return (_line(form, NEW, None),)


def _line(form: FormData, prefix: str, number: int | None) -> LineFix:
    where = f"24 Line {number}" if number is not None else "24 New line 1"
    pointers = field(form, prefix + "pointers").replace(":", " ").replace(",", " ").split()
    if not all(p.isdigit() for p in pointers):
        raise BadRequest(f"{where}: diagnosis pointers are numbers 1–12, like '1 2'")
    return LineFix(
        number=number,
        code=field(form, prefix + "code"),
        modifiers=tuple(field(form, prefix + "modifiers").replace(":", " ").split()),
        units=_decimal(field(form, prefix + "units"), f"{where} units"),
        charge=_decimal(field(form, prefix + "charge").replace(",", ""), f"{where} charge"),
        diagnosis_pointers=tuple(int(p) for p in pointers),
    )


def _decimal(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadRequest(f"{where}: {text!r} is not a number") from None
    if not value.is_finite():
        raise BadRequest(f"{where}: {text!r} is not a number")
    return value


@router.get("/claims/{clm01}/correct", response_class=HTMLResponse)
def correction_form(request: Request, clm01: str) -> HTMLResponse:
    """The correction form, filled with the claim as it is."""
    require(request, Role.BILLER)
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
        fix = current_fix(session, clm01)
    audit(request, "view", "claim", clm01, detail.patient_key, "correction form")
    return _form(request, detail, fix, form_values(fix))


def _form(
    request: Request,
    detail: ClaimDetail,
    fix: ClaimFix,
    values: dict[str, str],
    error: str | None = None,
) -> HTMLResponse:
    status = 400 if error else 200
    return page(
        request,
        "claim_correct.html",
        status_code=status,
        claim=detail,
        lines=[line.number for line in fix.lines],
        values=values,
        max_diagnoses=MAX_DIAGNOSES,
        error=error,
    )


@router.post("/claims/{clm01}/correct", response_class=HTMLResponse)
def correct(request: Request, clm01: str, form: CheckedForm) -> Response:
    """Save the correction and scrub the claim; a rejected claim is queued to go again. A bad
    value shows the form again with what was typed and the box it is in."""
    user = require(request, Role.BILLER)
    store = store_of(request)
    with store.read() as session:
        detail = claim_detail(session, clm01)
        before = current_fix(session, clm01)
    typed = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        fix = parse_fix(form, before.lines)
        with store.transaction() as session:
            fix_claim(session, clm01, fix, user.username, today())
    except (BadRequest, InputError) as error:
        return _form(request, detail, before, typed, str(error))
    audit(request, "change", "claim", clm01, detail.patient_key, "corrected")
    return RedirectResponse(f"/claims/{clm01}?done=corrected", status_code=303)


@router.post("/claims/{clm01}/resubmit")
def resend(request: Request, clm01: str, form: CheckedForm) -> Response:
    """Resubmit a rejected claim as it is, or make a replacement or void of an accepted one;
    shows the claim that will go."""
    user = require(request, Role.BILLER)
    asked = field(form, "how")
    try:
        how = RESENT_AS[ClaimAction(asked)]
    except (ValueError, KeyError):  # not an action, or one that does not send the claim
        raise BadRequest("say how to send it again: resubmit, replace or void") from None
    store = store_of(request)
    with store.transaction() as session:
        patient_key = claim_detail(session, clm01).patient_key
        checked = resubmit(session, clm01, how, user.username, today())
    going = checked.patient_control_number
    audit(request, "change", "claim", clm01, patient_key, f"{field(form, 'how')}: {going}")
    return RedirectResponse(f"/claims/{going}?done={field(form, 'how')}", status_code=303)
