"""What a biller does to one claim: correct it (and send a rejected one again), resubmit it as
it is, replace or void one the payer accepted. The rules are in ``services.claim_fix`` and
``services.claims``; this module reads forms and answers with pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from claimbridge.domain.money import to_money, to_units
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError
from claimbridge.services.claim_fix import (
    LINE_FIELDS,
    RESENT_AS,
    ClaimAction,
    ClaimFix,
    LineFix,
    Problem,
    actions_for,
    current_fix,
    fix_claim,
    line_names,
)
from claimbridge.services.claims import resubmit, take_off_edi
from claimbridge.services.users import Role
from claimbridge.services.worklist import ClaimDetail, claim_detail
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import BadRequest
from claimbridge.web.render import page
from claimbridge.web.views.common import store_of, today

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
        "group_number": fix.group_number,
        "insured_first_name": fix.insured_first_name,
        "insured_last_name": fix.insured_last_name,
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


def parse_fix(form: FormData, before: ClaimFix) -> tuple[ClaimFix, list[Problem]]:
    """The correction from the submitted form, whose rows are ``before``'s lines (a ticked
    **Remove** takes one off) and the empty row (a line to add, when anything but units is
    typed in it), and the problems of the values that are not a date or a number (each such
    field keeps its value from ``before``, or none). Box 4 is read only when the insured is
    not the patient: only then has the form its fields."""
    unread: list[Problem] = []
    dob = _read(unread, "patient_dob", "3 Patient's birth date", field(form, "dob"), _date)
    someone_else = not before.insured_is_patient
    return ClaimFix(
        member_id=field(form, "member_id"),
        patient_first_name=field(form, "first_name"),
        patient_last_name=field(form, "last_name"),
        patient_dob=dob or date.min,
        rendering_npi=field(form, "rendering_npi"),
        place_of_service=field(form, "place_of_service"),
        diagnoses=tuple(field(form, f"dx{n}") for n in range(1, MAX_DIAGNOSES + 1)),
        lines=(
            *(_kept_or_removed(form, line, unread) for line in before.lines),
            *_added(form, unread),
        ),
        group_number=field(form, "group_number"),
        insured_first_name=field(form, "insured_first_name") if someone_else else "",
        insured_last_name=field(form, "insured_last_name") if someone_else else "",
        insured_is_patient=before.insured_is_patient,
    ), unread


T = TypeVar("T")


def _read(
    unread: list[Problem], name: str, box: str, text: str, read: Callable[[str], T]
) -> T | None:
    """``text`` read by ``read``; None with a problem when it raises ``ValueError``."""
    try:
        return read(text)
    except ValueError as problem:
        unread.append(Problem(name, box, str(problem)))
        return None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (YYYY-MM-DD)" if text else "may not be empty"
        ) from None


def _pointers(text: str) -> tuple[int, ...]:
    pointers = text.replace(":", " ").replace(",", " ").split()
    if not all(p.isdigit() for p in pointers):
        raise ValueError(f"{text!r}: diagnosis pointers are numbers 1–12, like '1 2'")
    return tuple(int(p) for p in pointers)


def _kept_or_removed(form: FormData, line: LineFix, unread: list[Problem]) -> LineFix:
    prefix = f"line{line.number}_"
    if field(form, prefix + "remove"):
        return replace(line, remove=True)
    return _line(form, prefix, line, unread)


def _added(form: FormData, unread: list[Problem]) -> tuple[LineFix, ...]:
    if not any(field(form, NEW + name) for name in ("code", "modifiers", "pointers", "charge")):
        return ()
    return (_line(form, NEW, LineFix(None, "", (), Decimal(1), Decimal(0), ()), unread),)


def _line(form: FormData, prefix: str, was: LineFix, unread: list[Problem]) -> LineFix:
    """The line typed in the row of ``prefix``; a value that cannot be read keeps ``was``'s."""
    key, box = line_names(was.number, 1)

    def read(name: str, reader: Callable[[str], T]) -> T | None:
        text = field(form, prefix + FORM_NAMES[name])
        return _read(unread, f"{key}.{name}", f"{box} {LINE_FIELDS[name]}", text, reader)

    units, charge = read("units", to_units), read("charge", to_money)
    pointers = read("diagnosis_pointers", _pointers)
    return LineFix(
        number=was.number,
        code=field(form, prefix + "code"),
        modifiers=tuple(field(form, prefix + "modifiers").replace(":", " ").split()),
        units=was.units if units is None else units,
        charge=was.charge if charge is None else charge,
        diagnosis_pointers=was.diagnosis_pointers if pointers is None else pointers,
    )


FORM_NAMES = {"code": "code", "modifiers": "modifiers", "units": "units", "charge": "charge",
              "diagnosis_pointers": "pointers"}  # fmt: skip
_TOP = {"patient_first_name": "first_name", "patient_last_name": "last_name", "patient_dob": "dob"}


def input_name(name: str) -> str:
    """The form field a correction's field name is typed in: ``lines.2.charge`` →
    ``line2_charge``, ``added.1.code`` → ``new_code``, ``diagnoses.3`` → ``dx3``; a line as a
    whole is its **Remove** box (or the new row's procedure)."""
    parts = name.split(".")
    if parts[0] == "diagnoses":
        return f"dx{parts[1] if len(parts) > 1 else 1}"
    if parts[0] in ("lines", "added"):
        prefix = f"line{parts[1]}_" if parts[0] == "lines" else NEW
        if len(parts) > 2:
            return prefix + FORM_NAMES[parts[2]]
        return prefix + ("remove" if parts[0] == "lines" else "code")
    return _TOP.get(name, name)


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
    error: InputError | None = None,
) -> HTMLResponse:
    """The form; after a refusal, each problem next to its field and all of them above."""
    errors = {input_name(name): why for name, why in error.fields.items()} if error else {}
    return page(
        request,
        "claim_correct.html",
        status_code=400 if error else 200,
        claim=detail,
        lines=[line.number for line in fix.lines],
        fix=fix,
        values=values,
        max_diagnoses=MAX_DIAGNOSES,
        error=error,
        errors=errors,
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
    fix, unread = parse_fix(form, before)
    try:
        with store.transaction() as session:
            fix_claim(session, clm01, fix, user.username, today(), unread=unread)
    except InputError as error:
        return _form(request, detail, before, typed, error)
    audit(request, "change", "claim", clm01, detail.patient_key, "corrected")
    return RedirectResponse(f"/claims/{clm01}?done=corrected", status_code=303)


@router.get("/claims/{clm01}/replace", response_class=HTMLResponse)
def replace_form(request: Request, clm01: str) -> HTMLResponse:
    """What **Replace…** will do, and the button that does it."""
    require(request, Role.BILLER)
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
    if ClaimAction.REPLACE not in actions_for(detail.status):
        raise BadRequest(f"claim {clm01} is {detail.status.value}: only a claim the payer "
                         "accepted is replaced")  # fmt: skip
    return page(request, "claim_replace.html", claim=detail)


@router.post("/claims/{clm01}/off-edi")
def off_edi(request: Request, clm01: str, form: CheckedForm) -> Response:
    """Cancel a claim not yet sent, or mark it billed on paper, with the reason typed."""
    user = require(request, Role.BILLER)
    try:
        target = ClaimStatus(field(form, "status"))
    except ValueError:
        raise BadRequest("say whether the claim is cancelled or billed on paper") from None
    store = store_of(request)
    with store.transaction() as session:
        patient_key = claim_detail(session, clm01).patient_key
        take_off_edi(session, clm01, target, field(form, "reason"), user.username)
    audit(request, "change", "claim", clm01, patient_key, target.value)
    return RedirectResponse(f"/claims/{clm01}?done={target.value}", status_code=303)


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
