"""Patient statements: what each patient owes, as a PDF to print and a CSV to mail.

::

    run = run_statements(session, date(2026, 12, 1), "biller")
    statement_file(session, run.id, "pdf")   # one page (or more) per patient
    statement_file(session, run.id, "csv")   # one row per open item, with the mailing address

A run on a cycle date bills every patient who owes something (``services.balances``: who
owes, and how much, is found set-wise, ``patient_dues``, then only their statements are made,
a chunk of patients at a time): one statement each, listing their open items (one per
appointment whose balance is not 0: its date, services, charge, what insurance paid, what the
patient paid, what they owe), the amount due, and when they were last billed before. The run
keeps its PDF and CSV as made, and ``patient_statements`` the date each patient was billed, so
the next run shows it. One run per cycle date: running it again is refused (download the one
made).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimbridge.errors import InputError, RecordNotFound, StoreError
from claimbridge.services.balances import (
    claim_balances,
    patient_claim_ids,
    patient_dues,
    unapplied,
)
from claimbridge.services.changes import chunks
from claimbridge.services.reports import spreadsheet_safe
from claimbridge.store import tables as t
from claimbridge.store.practices import practice_row
from claimbridge.store.repositories import utcnow

ZERO = Decimal("0.00")
STATEMENTS_AT_ONCE = 200  # patients whose statements are made together
FILE_KINDS = ("pdf", "csv")
CSV_HEADERS = (
    "statement_date", "patient_id", "patient_name", "address_line1", "address_line2", "city",
    "state", "zip", "last_billed", "amount_due", "service_date", "claims", "services", "charge",
    "insurance_paid", "patient_paid", "patient_owes",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StatementItem:
    """One open item: an appointment whose balance is not 0 (or money on none, a credit)."""

    service_date: date | None
    claims: tuple[str, ...]
    services: str
    charge: Decimal
    insurance_paid: Decimal
    patient_paid: Decimal
    patient_owes: Decimal


@dataclass(frozen=True, slots=True)
class PatientStatement:
    """A patient's statement: who, where to mail it, their open items and what is due."""

    patient_id: int
    key: str
    name: str
    address: tuple[str, ...]  # line 1, line 2 (maybe ''), city, state, zip
    items: tuple[StatementItem, ...]
    last_billed: date | None

    @property
    def due(self) -> Decimal:
        """What the patient owes in all."""
        return sum((item.patient_owes for item in self.items), ZERO)


@dataclass(frozen=True, slots=True)
class StatementRun:
    """A statement run: its cycle date, who ran it, how many patients were billed, how much."""

    id: int
    cycle_date: date
    created_at: datetime
    created_by: str
    patients: int
    total: Decimal

    def __str__(self) -> str:
        return (
            f"statement run {self.id} for {self.cycle_date}: {self.patients} patients billed, "
            f"{self.total} due in all"
        )


@dataclass
class _Appointment:
    service_date: date | None = None
    claims: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    charge: Decimal = ZERO
    insurance_paid: Decimal = ZERO
    patient_paid: Decimal = ZERO
    patient_owes: Decimal = ZERO


def patient_statements(session: Session, patient_ids: Sequence[int]) -> list[PatientStatement]:
    """The statement of each of these patients as it stands now, with what they owe."""
    claims = patient_claim_ids(session, patient_ids)
    items = _items(session, claims)
    credits = unapplied(session, patient_ids)
    billed = last_billed(session, patient_ids)
    found = []
    for patient in session.scalars(
        select(t.PatientRow).where(t.PatientRow.id.in_(list(patient_ids))).order_by(t.PatientRow.id)
    ):
        own = items.get(patient.id, [])
        if credits.get(patient.id):
            credit = credits[patient.id]
            own.append(StatementItem(None, (), "payment on account", ZERO, ZERO, -credit, credit))
        found.append(_statement(patient, own, billed.get(patient.id)))
    return found


def _statement(
    patient: t.PatientRow, items: list[StatementItem], billed: date | None
) -> PatientStatement:
    address = (
        patient.address_line1,
        patient.address_line2 or "",
        patient.address_city,
        patient.address_state,
        patient.address_zip,
    )
    name = f"{patient.first_name} {patient.last_name}"
    return PatientStatement(patient.id, patient.key, name, address, tuple(items), billed)


def _items(session: Session, claims: dict[int, list[int]]) -> dict[int, list[StatementItem]]:
    """Each patient's open items, one per appointment whose patient balance is not 0."""
    every = [claim_id for ids in claims.values() for claim_id in ids]
    balances = claim_balances(session, every)
    by_visit: dict[int, dict[int, _Appointment]] = defaultdict(dict)
    patient_of = {claim_id: patient for patient, ids in claims.items() for claim_id in ids}
    codes: dict[int, list[str]] = defaultdict(list)
    lines = select(t.ClaimLineRow.claim_id, t.ClaimLineRow.code).where(
        t.ClaimLineRow.claim_id.in_(every)
    )
    for claim_id, code in session.execute(lines.order_by(t.ClaimLineRow.line_number)):
        codes[claim_id].append(code)
    for row, paid, own in _claim_rows(session, every):
        visit = by_visit[patient_of[row.id]].setdefault(row.appointment_id or 0, _Appointment())
        visit.service_date = row.service_date
        visit.claims.append(row.clm01)
        visit.services += codes[row.id]
        visit.charge = max(visit.charge, row.total_charge)
        visit.insurance_paid += paid
        visit.patient_paid += own
        visit.patient_owes += balances[row.id].patient
    return {
        patient: [
            StatementItem(v.service_date, tuple(v.claims), ", ".join(dict.fromkeys(v.services)),
                          v.charge, v.insurance_paid, v.patient_paid, v.patient_owes)
            for v in visits.values() if v.patient_owes != 0
        ]
        for patient, visits in by_visit.items()
    }  # fmt: skip


def _claim_rows(
    session: Session, claim_ids: list[int]
) -> list[tuple[t.ClaimRow, Decimal, Decimal]]:
    """Each claim with what its payer paid and what the patient paid on it (less refunds)."""
    if not claim_ids:
        return []
    paid = dict(
        session.execute(
            select(t.PaymentRow.claim_id, func.sum(t.PaymentRow.paid))
            .where(t.PaymentRow.claim_id.in_(claim_ids))
            .group_by(t.PaymentRow.claim_id)
        ).all()
    )
    money = t.PatientMoneyRow
    own: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for claim_id, kind, amount in session.execute(
        select(money.claim_id, money.kind, money.amount).where(
            money.claim_id.in_(claim_ids), money.undone_at.is_(None), money.kind != "write_off"
        )
    ):
        if claim_id is not None:  # never: only money on these claims is read
            own[claim_id] += Decimal(amount) if kind == "payment" else -Decimal(amount)
    rows = session.scalars(
        select(t.ClaimRow).where(t.ClaimRow.id.in_(claim_ids)).order_by(t.ClaimRow.id)
    )
    return [(row, Decimal(str(paid.get(row.id) or 0)), own[row.id]) for row in rows]


def last_billed(session: Session, patient_ids: Sequence[int]) -> dict[int, date]:
    """The cycle date each of these patients was last billed on, by patient id (never: left out)."""
    statement = t.PatientStatementRow
    query = (
        select(statement.patient_id, func.max(statement.billed_on))
        .where(statement.patient_id.in_(list(patient_ids)))
        .group_by(statement.patient_id)
    )
    return {patient_id: billed for patient_id, billed in session.execute(query)}


@dataclass(frozen=True, slots=True)
class OwingPatient:
    """A patient who owes something now: who, on how many open items, how much in all, and
    when they were last billed."""

    patient_id: int
    key: str
    name: str
    open_items: int
    due: Decimal
    last_billed: date | None


def owing_patients(session: Session) -> list[OwingPatient]:
    """The patients who owe something now (more than 0), by id: what the Statements page
    lists and a run bills, found set-wise (``balances.patient_dues``)."""
    dues = [due for due in patient_dues(session) if due.due > 0]
    found = []
    for part in chunks(dues):
        ids = [due.patient_id for due in part]
        patient = t.PatientRow
        query = select(patient.id, patient.key, patient.first_name, patient.last_name)
        names = {
            row.id: (row.key, f"{row.first_name} {row.last_name}")
            for row in session.execute(query.where(patient.id.in_(ids)))
        }
        billed = last_billed(session, ids)
        found += [
            OwingPatient(due.patient_id, *names[due.patient_id], due.open_items, due.due,
                         billed.get(due.patient_id))
            for due in part
        ]  # fmt: skip
    return sorted(found, key=lambda owing: owing.patient_id)


def run_statements(session: Session, cycle_date: date, actor: str) -> StatementRun:
    """Bill every patient who owes something on ``cycle_date`` (see the module docstring)."""
    existing = session.scalars(
        select(t.StatementRunRow.id).where(t.StatementRunRow.cycle_date == cycle_date)
    ).first()
    if existing is not None:
        raise StoreError(
            f"statements for {cycle_date} were already run (run {existing}); download them, "
            "or run another cycle date"
        )
    owing = [due.patient_id for due in patient_dues(session) if due.due > 0]
    statements: list[PatientStatement] = []
    for part in chunks(owing, STATEMENTS_AT_ONCE):
        statements += [s for s in patient_statements(session, part) if s.due > 0]
    total = sum((s.due for s in statements), ZERO)
    row = t.StatementRunRow(
        cycle_date=cycle_date,
        created_at=utcnow(),
        created_by=actor,
        patients=len(statements),
        total=total,
        pdf=statement_pdf(session, statements, cycle_date),
        csv=statement_csv(statements, cycle_date),
    )
    session.add(row)
    session.flush()
    session.add_all(
        t.PatientStatementRow(run_id=row.id, patient_id=s.patient_id, billed_on=cycle_date,
                              balance=s.due, items=len(s.items))
        for s in statements
    )  # fmt: skip
    session.flush()
    return _run(row)


def statement_runs(session: Session) -> list[StatementRun]:
    """Every statement run, newest cycle date first."""
    query = select(t.StatementRunRow).order_by(t.StatementRunRow.cycle_date.desc())
    return [_run(row) for row in session.scalars(query)]


def statement_file(session: Session, run_id: int, kind: str) -> bytes:
    """The PDF or CSV (``kind``) of run ``run_id``, as it was made."""
    if kind not in FILE_KINDS:
        raise InputError(f"a statement file is pdf or csv, not {kind!r}")
    row = session.get(t.StatementRunRow, run_id)
    if row is None:
        raise RecordNotFound(f"no statement run {run_id} (the Statements page lists them)")
    return bytes(row.pdf) if kind == "pdf" else row.csv.encode("utf-8")


def _run(row: t.StatementRunRow) -> StatementRun:
    return StatementRun(row.id, row.cycle_date, row.created_at, row.created_by, row.patients,
                        row.total)  # fmt: skip


def statement_csv(statements: Sequence[PatientStatement], cycle_date: date) -> str:
    """One row per open item, with the patient's mailing address and amount due."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    for s in statements:
        head = (cycle_date.isoformat(), s.key, s.name, *s.address,
                s.last_billed.isoformat() if s.last_billed else "", str(s.due))  # fmt: skip
        for item in s.items:
            day = item.service_date.isoformat() if item.service_date else ""
            money = (item.charge, item.insurance_paid, item.patient_paid, item.patient_owes)
            cells = (*head, day, " ".join(item.claims), item.services, *map(str, money))
            writer.writerow(spreadsheet_safe(cell) for cell in cells)
    return buffer.getvalue()


_COLUMNS = (("Date", 24), ("Claim", 30), ("Charge", 26), ("Insurance paid", 30),
            ("You paid", 26), ("You owe", 26))  # fmt: skip


def statement_pdf(
    session: Session, statements: Sequence[PatientStatement], cycle_date: date
) -> bytes:
    """A printable statement per patient, each starting a page."""
    practice = practice_row(session)
    pdf = FPDF(format="letter")
    pdf.set_title(f"Patient statements {cycle_date}")
    pdf.set_creator("claimbridge")
    for statement in statements:
        pdf.add_page()
        _pdf_header(pdf, practice, statement, cycle_date)
        _pdf_items(pdf, statement)
    if not statements:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        _line(pdf, f"No patient owes anything on {cycle_date:%m/%d/%Y}.")
    return bytes(pdf.output())


def _pdf_header(
    pdf: FPDF, practice: t.PracticeRow | None, statement: PatientStatement, cycle_date: date
) -> None:
    pdf.set_font("Helvetica", "B", 14)
    _line(pdf, practice.name if practice else "Statement")
    pdf.set_font("Helvetica", size=10)
    if practice is not None:
        _line(pdf, practice.address_line1)
        _line(pdf, f"{practice.address_city}, {practice.address_state} {practice.address_zip}")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 12)
    _line(pdf, "PATIENT STATEMENT")
    pdf.set_font("Helvetica", size=10)
    _line(pdf, f"Statement date: {cycle_date:%m/%d/%Y}")
    billed = f"{statement.last_billed:%m/%d/%Y}" if statement.last_billed else "none"
    _line(pdf, f"Previous statement: {billed}")
    _line(pdf, f"Account: {statement.key}")
    pdf.ln(4)
    line1, line2, city, state, zip_code = statement.address
    for text in (statement.name, line1, line2, f"{city}, {state} {zip_code}"):
        if text:
            _line(pdf, text)
    pdf.ln(6)


def _pdf_items(pdf: FPDF, statement: PatientStatement) -> None:
    pdf.set_font("Helvetica", "B", 10)
    for title, width in _COLUMNS:
        pdf.cell(width, 7, title, border="B")
    pdf.ln(7)
    pdf.set_font("Helvetica", size=10)
    for item in statement.items:
        day = f"{item.service_date:%m/%d/%Y}" if item.service_date else ""
        money = (item.charge, item.insurance_paid, item.patient_paid, item.patient_owes)
        cells = (day, " ".join(item.claims) or item.services, *map(str, money))
        for (_, width), text in zip(_COLUMNS, cells, strict=True):
            pdf.cell(width, 6, _latin(text))
        pdf.ln(6)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    _line(pdf, f"Amount due: {statement.due}")


def _line(pdf: FPDF, text: str) -> None:
    pdf.cell(0, 6, _latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _latin(text: str) -> str:
    """``text`` in the PDF's core font's character set (Latin-1); others become '?'."""
    return text.encode("latin-1", errors="replace").decode("latin-1")
