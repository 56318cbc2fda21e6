"""Every dollar's path in the web: a paper EOB typed in (ERAs page), a patient's payment, refund
or write-off on a claim, a line or its appointment (claim page), and patient statements (the
Statements page: run a cycle, list the runs, download each run's PDF and CSV)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from claimbridge.domain.paper_eob import GROUPS
from claimbridge.domain.patient_money import read_money
from claimbridge.errors import InputError
from claimbridge.services.paper import post_paper
from claimbridge.services.patient_money import claim_by_number, record_money, undo_money
from claimbridge.services.statements import (
    owing_patients,
    run_statements,
    statement_file,
    statement_runs,
)
from claimbridge.services.users import Role
from claimbridge.store import tables as t
from claimbridge.store.payers import list_payers
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.render import page
from claimbridge.web.views.common import RecordId, optional_date, store_of, today

router = APIRouter()
PAPER_ROWS = 8  # claim lines the paper EOB form offers
ADJUSTMENTS_PER_ROW = 3


@router.get("/eras/paper", response_class=HTMLResponse)
def paper_form(request: Request) -> HTMLResponse:
    """The form a biller types a paper EOB into; ``?claim=CLM01`` (the claim page's link)
    fills in that claim's payer and a row for each of its lines."""
    number = request.query_params.get("claim")
    values: dict[str, str] = {}
    if number:
        with store_of(request).read() as session:
            values = _claim_values(session, claim_by_number(session, number))
    return _paper_page(request, values, None)


def _claim_values(session: Session, claim: t.ClaimRow) -> dict[str, str]:
    payer = session.get_one(t.PayerRow, claim.payer_id)
    values = {"payer": payer.payer_id}
    lines = session.scalars(
        select(t.ClaimLineRow.line_number)
        .where(t.ClaimLineRow.claim_id == claim.id)
        .order_by(t.ClaimLineRow.line_number)
    )
    for row, number in enumerate(list(lines)[:PAPER_ROWS]):
        values |= {f"claim_{row}": claim.clm01, f"line_{row}": str(number)}
    return values


def _paper_page(
    request: Request, values: dict[str, str], error: InputError | None, status_code: int = 200
) -> HTMLResponse:
    with store_of(request).read() as session:
        payers = list_payers(session)
    return page(
        request,
        "paper_eob.html",
        status_code=status_code,
        payers=payers,
        values=values,
        error=error,
        rows=range(PAPER_ROWS),
        adjustments=range(ADJUSTMENTS_PER_ROW),
        groups=GROUPS,
    )


@router.post("/eras/paper", response_class=HTMLResponse)
def post_paper_form(request: Request, form: CheckedForm) -> Response:
    """Post the paper EOB of the form; a problem shows the form again, as typed."""
    user = require(request, Role.BILLER)
    try:
        with store_of(request).transaction() as session:
            done = post_paper(session, paper_from_form(form), user.username)
    except InputError as error:
        values = {key: value for key, value in form.items() if isinstance(value, str)}
        return _paper_page(request, values, error, status_code=400)
    audit(request, "change", "remittance", str(done.remittance_id), None, f"paper: {done}")
    return RedirectResponse(f"/eras?check={field(form, 'check_number')}", status_code=303)


def paper_from_form(form: FormData) -> dict[str, object]:
    """The paper EOB's JSON (``domain.paper_eob``) from the form's fields: one row per claim
    line, rows of one claim gathered in the order the claim first appears."""
    claims: dict[str, dict[str, object]] = {}
    for row in range(PAPER_ROWS):
        number = field(form, f"claim_{row}")
        if not number:
            continue
        claim = claims.setdefault(number, {"claim": number, "lines": []})
        if field(form, f"payer_claim_{row}"):
            claim["payer_claim_number"] = field(form, f"payer_claim_{row}")
        line: dict[str, object] = {"line": _whole(field(form, f"line_{row}")) or 1,
                                   "paid": field(form, f"paid_{row}") or "0.00",
                                   "adjustments": _adjustments(form, row),
                                   "remarks": field(form, f"remarks_{row}").split()}  # fmt: skip
        if field(form, f"allowed_{row}"):
            line["allowed"] = field(form, f"allowed_{row}")
        lines = claim["lines"]
        assert isinstance(lines, list)
        lines.append(line)
    paper: dict[str, object] = {
        "payer": field(form, "payer"),
        "check_number": field(form, "check_number"),
        "check_date": field(form, "check_date"),
        "claims": list(claims.values()),
    }
    if field(form, "amount"):
        paper["amount"] = field(form, "amount")
    return paper


def _whole(text: str) -> int | str | None:
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 4 else text


def _adjustments(form: FormData, row: int) -> list[dict[str, str]]:
    found = []
    for index in range(ADJUSTMENTS_PER_ROW):
        amount = field(form, f"adj_amount_{row}_{index}")
        if amount:
            found.append({"group": field(form, f"adj_group_{row}_{index}"),
                          "reason": field(form, f"adj_reason_{row}_{index}"),
                          "amount": amount})  # fmt: skip
    return found


@router.post("/claims/{clm01}/patient-money")
def add_money(request: Request, clm01: str, form: CheckedForm) -> Response:
    """Record a patient payment, refund or write-off from the claim page."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        claim = claim_by_number(session, clm01)
        appointment = session.get(t.AppointmentRow, claim.appointment_id or 0)
        entry = read_money(_money_fields(form, claim.clm01, appointment), today())
        recorded = record_money(session, entry, user.username)
    audit(request, "change", "claim", clm01, None, f"patient money: {recorded}")
    return RedirectResponse(f"/claims/{clm01}#patient-money", status_code=303)


def _money_fields(
    form: FormData, clm01: str, appointment: t.AppointmentRow | None
) -> dict[str, object]:
    kind = field(form, "kind")
    fields: dict[str, object] = {"kind": kind, "amount": field(form, "amount"),
                                 "note": field(form, "note") or None,
                                 "received_on": field(form, "received_on") or None}  # fmt: skip
    if kind == "write_off":
        fields["reason"] = field(form, "reason")
    else:
        fields["method"] = field(form, "method")
        fields["reference"] = field(form, "reference") or None
    where = field(form, "on", "claim")
    if where == "appointment" and appointment is not None:
        fields["appointment"] = appointment.key
    else:
        fields["claim"] = clm01
        if where.startswith("line-"):
            fields["line"] = _whole(where.removeprefix("line-"))
    return fields


@router.post("/patient-money/{entry_id}/undo")
def undo(request: Request, entry_id: RecordId, form: CheckedForm) -> Response:
    """Undo a patient payment, refund or write-off, with why; back to its claim's page."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        entry = undo_money(session, entry_id, user.username, field(form, "reason"))
    audit(request, "change", "patient_money", str(entry_id), None, f"undone: {entry}")
    target = f"/claims/{entry.clm01}#patient-money" if entry.clm01 else "/statements"
    return RedirectResponse(target, status_code=303)


@router.get("/statements", response_class=HTMLResponse)
def statements(request: Request) -> HTMLResponse:
    """Statement runs, and the patients who owe something now."""
    with store_of(request).read() as session:
        runs = statement_runs(session)
        owing = owing_patients(session)
    audit(request, "view", "statements", "owing", None, f"{len(owing)} patients owing")
    return page(request, "statements.html", runs=runs, owing=owing, today=today())


@router.post("/statements/run")
def run(request: Request, form: CheckedForm) -> Response:
    """Run the statements of a cycle date (today when left empty)."""
    user = require(request, Role.BILLER)
    cycle: date = optional_date(field(form, "cycle_date"), "cycle date") or today()
    with store_of(request).transaction() as session:
        done = run_statements(session, cycle, user.username)
    audit(request, "change", "statement_run", str(done.id), None, str(done))
    return RedirectResponse("/statements", status_code=303)


@router.get("/statements/{run_id}/statements.pdf")
def run_pdf(request: Request, run_id: RecordId) -> Response:
    """The run's statements as one PDF, to print."""
    return _file(request, run_id, "pdf", "application/pdf")


@router.get("/statements/{run_id}/statements.csv")
def run_csv(request: Request, run_id: RecordId) -> Response:
    """The run's statements as CSV, one row per open item with the mailing address."""
    return _file(request, run_id, "csv", "text/csv; charset=utf-8")


def _file(request: Request, run_id: int, kind: str, media_type: str) -> Response:
    with store_of(request).read() as session:
        content = statement_file(session, run_id, kind)
    audit(request, "view", "statement_run", str(run_id), None, f"downloaded the {kind}")
    name = f"statements-{run_id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=media_type, headers=headers)
