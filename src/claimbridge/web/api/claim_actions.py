"""The claim actions of ``/api/v1``: correct, resubmit, replace, void, submit, poll.

The same services as the claim page and the dashboard buttons; every change needs the biller
role and is written to the audit log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from claimbridge.domain.money import to_money, to_units
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError
from claimbridge.jobs.runner import ask
from claimbridge.services.claim_bulk import MOST_SELECTED, selection, submit_refusal
from claimbridge.services.claim_fix import (
    LINE_FIELDS,
    RESENT_AS,
    ClaimAction,
    ClaimFix,
    LineFix,
    Problem,
    current_fix,
    fix_claim,
    line_names,
)
from claimbridge.services.claims import Checked, create_claims, resubmit, take_off_edi
from claimbridge.services.jobs import Job, JobKind
from claimbridge.services.users import Role
from claimbridge.services.worklist import claim_detail
from claimbridge.web.api.encode import to_json
from claimbridge.web.api.posting import ReasonIn
from claimbridge.web.audit import audit
from claimbridge.web.auth import require
from claimbridge.web.errors import Conflict
from claimbridge.web.views.common import RecordId, now, practice_id_of, store_of, today
from claimbridge.web.views.jobs import find_job

router = APIRouter(prefix="/api/v1", tags=["api"])


class LineIn(BaseModel):
    """A service line's correction, by ``number``; fields left out keep their value, and
    ``remove`` takes the line off the claim. Without a ``number`` it is a line to add: ``code``
    and ``charge`` are needed, ``units`` is 1 unless given (service date, line number and
    REF*6R follow the claim)."""

    number: int | None = Field(None, description="the line to change or remove; none: add one")
    code: str | None = None
    modifiers: list[str] | None = None
    units: Decimal | str | None = Field(None, description='e.g. "1" or 1.5')
    charge: Decimal | str | None = Field(
        None,
        description='text as a biller types it ("95.00", "$1,095.00") or a number; '
        "a third decimal is refused, never rounded",
    )
    diagnosis_pointers: list[int] | None = None
    remove: bool = Field(False, description="take the numbered line off the claim")


class CorrectionIn(BaseModel):
    """A claim's correction; fields left out keep their value (see ``services.claim_fix``)."""

    member_id: str | None = None
    patient_first_name: str | None = None
    patient_last_name: str | None = None
    patient_dob: date | None = None
    rendering_npi: str | None = None
    place_of_service: str | None = None
    diagnoses: list[str] | None = None
    lines: list[LineIn] = []
    group_number: str | None = Field(None, description='box 11 (SBR03); "" takes it off')
    insured_first_name: str | None = Field(
        None, description="box 4, when the insured is not the patient (refused otherwise)"
    )
    insured_last_name: str | None = None


class How(StrEnum):
    """How a claim goes again (the values of ``ClaimAction`` that send it)."""

    RESUBMIT = ClaimAction.RESUBMIT.value  # a rejected claim, as it is
    REPLACE = ClaimAction.REPLACE.value  # frequency 7, of a claim the payer accepted
    VOID = ClaimAction.VOID.value  # frequency 8


class ResubmitIn(BaseModel):
    """How to send a claim again."""

    how: How


def _merged(before: ClaimFix, body: CorrectionIn) -> tuple[ClaimFix, list[Problem]]:
    """``before`` with what ``body`` gives laid over it, and the problems of the amounts and
    units that are not ones (read as the form and the practice file read them)."""
    given = body.model_dump(exclude_unset=True, exclude={"lines"})
    given = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
    lines = {line.number: line for line in before.lines}
    added: list[LineFix] = []
    unread: list[Problem] = []
    for position, change in enumerate(body.lines, start=1):
        values = change.model_dump(exclude_unset=True, exclude={"number"})
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        key, box = line_names(change.number, len(added) + 1)
        _read_amounts(values, key, box, unread)
        if change.number is None:
            added.append(_new_line(values, position))
        elif change.number not in lines:
            raise InputError(f"the claim has no line {change.number}", path="lines")
        else:
            lines[change.number] = replace(lines[change.number], **values)
    return replace(before, **given, lines=(*lines.values(), *added)), unread


def _read_amounts(values: dict[str, Any], key: str, box: str, unread: list[Problem]) -> None:
    """``units`` and ``charge`` of ``values`` as numbers, in place; one that is not a number
    is left out of ``values`` (the line keeps its own) and its problem added to ``unread``."""
    for name, read in (("units", to_units), ("charge", to_money)):
        if values.get(name) is None:
            continue
        try:
            values[name] = read(values[name])
        except ValueError as problem:
            unread.append(Problem(f"{key}.{name}", f"{box} {LINE_FIELDS[name]}", str(problem)))
            if key.startswith("added"):
                values[name] = Decimal(0)  # a placeholder: the correction is refused
            else:
                del values[name]


def _new_line(values: dict[str, Any], position: int) -> LineFix:
    """A line to add from the fields given; ``InputError`` naming the item when it lacks one."""
    missing = [name for name in ("code", "charge") if values.get(name) is None]
    if missing:
        raise InputError("a line to add needs " + " and ".join(missing), path=f"lines[{position}]")
    if values.get("remove"):
        raise InputError("a line without a number is not on the claim", path=f"lines[{position}]")
    units = values.get("units")
    return LineFix(
        number=None,
        code=values["code"],
        modifiers=values.get("modifiers") or (),
        units=Decimal(1) if units is None else units,
        charge=values["charge"],
        diagnosis_pointers=values.get("diagnosis_pointers") or (),
    )


def _checked(checked: Checked) -> dict[str, Any]:
    return {
        "clm01": checked.patient_control_number,
        "status": checked.status.value,
        "edits": list(checked.result.edits),
    }


@router.get("/claims/{clm01}/correction")
def get_correction(request: Request, clm01: str) -> Any:
    """The fields of a claim that may be corrected, as they are now."""
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
        fix = current_fix(session, clm01)
    audit(request, "view", "claim", clm01, detail.patient_key, "api: correction")
    return to_json(fix)


@router.patch("/claims/{clm01}")
def correct_claim(request: Request, clm01: str, body: CorrectionIn) -> Any:
    """Correct a claim that has not reached the payer (or was rejected before adjudication)
    and check it again; a rejected claim is queued to go again. Answers the claim's status and
    the scrubber's edits (none when it is ready)."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        detail = claim_detail(session, clm01)
        fix, unread = _merged(current_fix(session, clm01), body)
        checked = fix_claim(session, clm01, fix, user.username, today(), unread=unread)
    audit(request, "change", "claim", clm01, detail.patient_key, "api: corrected")
    return _checked(checked)


@router.post("/claims/{clm01}/resubmit")
def resubmit_claim(request: Request, clm01: str, body: ResubmitIn) -> Any:
    """Send a rejected claim again as it is, or make a replacement or void of an accepted one.
    Answers the claim that will go (a replacement or void is a new claim)."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        detail = claim_detail(session, clm01)
        checked = resubmit(session, clm01, RESENT_AS[ClaimAction(body.how)], user.username, today())
    going = checked.patient_control_number
    audit(request, "change", "claim", clm01, detail.patient_key, f"api: {body.how}: {going}")
    return _checked(checked)


@router.post("/claims/{clm01}/cancel")
def cancel_claim(request: Request, clm01: str, body: ReasonIn) -> Any:
    """Cancel a claim not yet sent (draft, held, ready; a replacement or void too): it is
    never sent. Answers the claim and its status."""
    return _off_edi(request, clm01, ClaimStatus.CANCELLED, body.reason)


@router.post("/claims/{clm01}/billed-on-paper")
def billed_on_paper(request: Request, clm01: str, body: ReasonIn) -> Any:
    """Mark a claim not yet sent as billed on paper: it is never sent electronically, and an
    ERA that names it is still posted to it. Answers the claim and its status."""
    return _off_edi(request, clm01, ClaimStatus.BILLED_ON_PAPER, body.reason)


def _off_edi(request: Request, clm01: str, target: ClaimStatus, reason: str) -> Any:
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        detail = claim_detail(session, clm01)
        take_off_edi(session, clm01, target, reason, user.username)
    audit(request, "change", "claim", clm01, detail.patient_key, f"api: {target.value}")
    return {"clm01": detail.clm01, "status": target.value, "edits": []}


@router.post("/claims/create")
def make_claims(request: Request) -> Any:
    """A claim for every appointment that has none, each checked (held with the reasons, or
    ready); held claims are checked again. Answers the claims made, those checked again and
    the appointments that could not be billed, with why."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        result = create_claims(session, user.username, today())
    for checked in result.created:
        audit(request, "change", "claim", checked.patient_control_number, None, "api: created")
    return {
        "created": [_checked(checked) for checked in result.created],
        "rechecked": [_checked(checked) for checked in result.rechecked],
        "skipped": list(result.skipped),
    }


class SubmitIn(BaseModel):
    """Which claims to send: their CLM01s (every one must be ready); none means every ready
    claim."""

    claims: list[str] | None = Field(default=None, max_length=MOST_SELECTED)


@router.post("/submit", status_code=202)
def submit_ready(request: Request, response: Response, body: SubmitIn | None = None) -> Any:
    """Send every ready claim to Office Ally, or those of ``claims`` only, as a job: answers 202
    at once with the job and its URL (``GET`` it for the state, then the batches sent, the
    claims held and refused). A claim of ``claims`` that is not ready is a 409, naming it."""
    picked = None
    if body is not None and body.claims is not None:
        picked = selection(body.claims)
        with store_of(request).read() as session:
            refusal = submit_refusal(session, picked)
        if refusal is not None:
            raise Conflict(f"Not sent: {refusal}")
    return _start(request, response, JobKind.SUBMIT, claims=picked)


@router.post("/poll", status_code=202)
def poll_now(request: Request, response: Response) -> Any:
    """Fetch what Office Ally returned and apply it, as a job: answers 202 at once with the job
    and its URL (``GET`` it for the state, then one report per new file). The poll is recorded
    (``GET /api/v1/polls``), failed or not."""
    return _start(request, response, JobKind.POLL)


@router.post("/reports/refresh", status_code=202)
def refresh_reports(request: Request, response: Response) -> Any:
    """Make every report again from the ledger, as a job: answers 202 at once with the job and
    its URL (``GET`` it until it has ended, then ``GET /api/v1/reports/{key}``)."""
    return _start(request, response, JobKind.REPORTS, Role.VIEWER)


@router.get("/jobs/{job_id}")
def get_job(request: Request, job_id: RecordId) -> Any:
    """A job: its kind, state (queued, running, done, failed), progress and result."""
    return _job_json(find_job(request, job_id))


def _start(
    request: Request,
    response: Response,
    kind: JobKind,
    role: Role = Role.BILLER,
    claims: list[str] | None = None,
) -> Any:
    user = require(request, role)
    runner = request.app.state.runner
    practice = practice_id_of(request)
    job = ask(store_of(request), runner, practice, kind, user.username, now(), claims)
    response.headers["Location"] = _job_url(job)
    return _job_json(job)


def _job_url(job: Job) -> str:
    return f"/api/v1/jobs/{job.id}"


def _job_json(job: Job) -> dict[str, Any]:
    return {**to_json(job), "finished": job.finished, "url": _job_url(job)}
