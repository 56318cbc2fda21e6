"""The ``/api/v1`` routes of every dollar's path: post a paper EOB, record or undo a patient's
payment, refund or write-off, read a claim's and a patient's balances, and run and fetch
patient statements. Billers and admins change; each change is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from claimbridge.domain.patient_money import read_money
from claimbridge.services.balances import claim_balances
from claimbridge.services.paper import post_paper
from claimbridge.services.patient_money import (
    claim_by_number,
    claim_money,
    find_patient,
    patient_money,
    record_money,
    undo_money,
)
from claimbridge.services.statements import (
    patient_statements,
    run_statements,
    statement_file,
    statement_runs,
)
from claimbridge.services.users import Role
from claimbridge.web.api.encode import to_json
from claimbridge.web.audit import audit
from claimbridge.web.auth import require
from claimbridge.web.views.common import RecordId, store_of, today

router = APIRouter(prefix="/api/v1", tags=["api"])


class PaperAdjustmentIn(BaseModel):
    """An adjustment of a line: group code (CO, PR, OA, PI, CR), CARC, amount."""

    group: str = Field(max_length=2)
    reason: str = Field(max_length=5)
    amount: Decimal


class PaperLineIn(BaseModel):
    """What the payer said of one of the claim's lines, by its number on our claim."""

    line: int = Field(ge=1, le=50)
    allowed: Decimal | None = None
    paid: Decimal
    adjustments: list[PaperAdjustmentIn] = Field(default=[], max_length=20)
    remarks: list[str] = Field(default=[], max_length=20)


class PaperClaimIn(BaseModel):
    """What the payer said of one claim (``claim``: its CLM01). ``status`` is CLP02 (1, 2, 3
    processed as primary, secondary, tertiary; 4 denied; 22 reversal); by default from the
    amounts and the claim's payer sequence."""

    claim: str = Field(max_length=38)
    status: str | None = Field(default=None, max_length=2)
    payer_claim_number: str | None = Field(default=None, max_length=50)
    lines: list[PaperLineIn] = Field(max_length=50)
    remarks: list[str] = Field(default=[], max_length=5)


class PaperEobIn(BaseModel):
    """A paper EOB: the payer (its payer ID), the check's number and date, the amount of the
    check (optional; it must be what the lines pay) and the claims it pays."""

    payer: str = Field(max_length=80)
    check_number: str = Field(max_length=50)
    check_date: date
    amount: Decimal | None = None
    claims: list[PaperClaimIn] = Field(max_length=500)


class MoneyIn(BaseModel):
    """A patient payment, refund or write-off, on ``claim`` (its CLM01; ``line`` one of its
    line numbers) or ``appointment`` (its id in the practice). A payment or refund has a
    ``method`` (cash, check with its number in ``reference``, card with its reference); a
    write-off a ``reason``."""

    kind: Literal["payment", "refund", "write_off"]
    amount: Decimal
    method: Literal["cash", "check", "card"] | None = None
    reference: str | None = Field(default=None, max_length=50)
    reason: (
        Literal["small_balance", "charity", "bad_debt", "timely_filing", "contractual"] | None
    ) = None
    received_on: date | None = None
    note: str | None = Field(default=None, max_length=500)
    claim: str | None = Field(default=None, max_length=20)
    line: int | None = Field(default=None, ge=1, le=50)
    appointment: str | None = Field(default=None, max_length=64)


class UndoIn(BaseModel):
    """Why the entry is undone: kept in the claim's history."""

    reason: str = Field(max_length=500)


class RunIn(BaseModel):
    """The cycle date of a statement run; today when left out."""

    cycle_date: date | None = None


@router.post("/remittances/manual", status_code=201)
def post_manual_remittance(request: Request, body: PaperEobIn) -> Any:
    """Post a paper EOB as an ERA would be posted: every line must balance (billed − paid =
    its adjustments), each claim must be ours, billed to that payer and sent (or billed on
    paper), and never paid beyond its charge; a problem is a 400 naming its place
    (``claims[0].lines[1].paid``). Undo it with ``POST /api/v1/eras/{remittance_id}/undo``."""
    user = require(request, Role.BILLER)
    data = body.model_dump(mode="json", exclude_none=True)
    with store_of(request).transaction() as session:
        done = post_paper(session, data, user.username)
    audit(request, "change", "remittance", str(done.remittance_id), None, f"api: {done}")
    return to_json(done)


@router.post("/patient-money", status_code=201)
def post_patient_money(request: Request, body: MoneyIn) -> Any:
    """Record a patient's payment, a refund or a write-off; it appears in its claim's history."""
    user = require(request, Role.BILLER)
    entry = read_money(body.model_dump(mode="json", exclude_none=True), today())
    with store_of(request).transaction() as session:
        recorded = record_money(session, entry, user.username)
    audit(request, "change", "patient_money", str(recorded.id), None, f"api: {recorded}")
    return to_json(recorded)


@router.post("/patient-money/{entry_id}/undo")
def post_undo_money(request: Request, entry_id: RecordId, body: UndoIn) -> Any:
    """Undo a patient payment, refund or write-off with why; it stays, counting for nothing."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        undone = undo_money(session, entry_id, user.username, body.reason)
    audit(request, "change", "patient_money", str(entry_id), None, f"api: {undone}")
    return to_json(undone)


@router.get("/claims/{clm01}/balance")
def get_claim_balance(request: Request, clm01: str) -> Any:
    """A claim's insurance and patient balances and its patient payments, refunds and
    write-offs (undone ones too)."""
    with store_of(request).read() as session:
        claim = claim_by_number(session, clm01)
        balance = claim_balances(session, [claim.id])[claim.id]
        entries = claim_money(session, claim.id)
    return {
        "clm01": claim.clm01,
        "insurance_balance": to_json(balance.insurance),
        "patient_balance": to_json(balance.patient),
        "adjudicated": balance.adjudicated,
        "patient_money": to_json(entries),
    }


@router.get("/patients/{patient_id}/balance")
def get_patient_balance(request: Request, patient_id: str) -> Any:
    """What a patient (their id in the practice) owes across their claims, item by item, when
    they were last billed, and their payments, refunds and write-offs."""
    with store_of(request).read() as session:
        patient = find_patient(session, patient_id)
        [statement] = patient_statements(session, [patient.id])
        entries = patient_money(session, patient.id)
    audit(request, "view", "patient", patient_id, patient_id, "api: balance")
    return to_json(statement) | {"due": to_json(statement.due), "patient_money": to_json(entries)}


@router.get("/statements")
def get_statement_runs(request: Request) -> Any:
    """The statement runs, newest cycle date first."""
    with store_of(request).read() as session:
        return to_json(statement_runs(session))


@router.post("/statements", status_code=201)
def post_statement_run(request: Request, body: RunIn) -> Any:
    """Run the statements of a cycle date: every patient who owes gets one; 409 when that
    cycle date was run already."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        run = run_statements(session, body.cycle_date or today(), user.username)
    audit(request, "change", "statement_run", str(run.id), None, f"api: {run}")
    return to_json(run)


@router.get("/statements/{run_id}/statements.pdf")
def get_statement_pdf(request: Request, run_id: RecordId) -> Response:
    """A run's statements as one PDF."""
    return _file(request, run_id, "pdf", "application/pdf")


@router.get("/statements/{run_id}/statements.csv")
def get_statement_csv(request: Request, run_id: RecordId) -> Response:
    """A run's statements as CSV: one row per open item, with the mailing address."""
    return _file(request, run_id, "csv", "text/csv; charset=utf-8")


def _file(request: Request, run_id: int, kind: str, media_type: str) -> Response:
    with store_of(request).read() as session:
        content = statement_file(session, run_id, kind)
    audit(request, "view", "statement_run", str(run_id), None, f"api: the {kind}")
    return Response(content, media_type=media_type)
