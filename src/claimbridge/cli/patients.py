"""``claimbridge patients …`` and ``claimbridge statements …``: money between the practice and
its patients, and the statements that bill them.

::

    claimbridge patients pay --claim CB000001 --amount 25.00 --method check --reference 1042
    claimbridge patients pay --appointment appt-5001 --amount 20.00 --method cash
    claimbridge patients refund --claim CB000001 --amount 5.00 --method card --reference R-88
    claimbridge patients write-off --claim CB000001 --amount 3.50 --reason small_balance
    claimbridge patients undo 7 --reason "the check bounced"
    claimbridge patients balance pt-1001
    claimbridge statements run --cycle-date 2026-12-01 --out statements/
    claimbridge statements list
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from claimbridge.cli.common import actor, report_errors
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store

app = typer.Typer(help="Patient payments, refunds and write-offs, and what each patient owes.")
statements_app = typer.Typer(help="Patient statements: run a cycle, list the runs.")
console = Console(highlight=False, soft_wrap=True)

ClaimOption = Annotated[str | None, typer.Option("--claim", help="The claim (CLM01) it goes on.")]
LineOption = Annotated[
    int | None, typer.Option("--line", help="One of the claim's lines, by number.")
]
AppointmentOption = Annotated[
    str | None,
    typer.Option("--appointment", help="The appointment (its id in the practice) it goes on."),
]
AmountOption = Annotated[str, typer.Option("--amount", help="How much, e.g. 25.00.")]
MethodOption = Annotated[str, typer.Option("--method", help="cash, check or card.")]
ReferenceOption = Annotated[
    str | None,
    typer.Option("--reference", help="The check number, or the card payment's reference."),
]
OnOption = Annotated[
    str | None,
    typer.Option("--on", help="The day it was received (YYYY-MM-DD); today if left out."),
]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note kept with it.")]


def register(root: typer.Typer) -> None:
    """Add ``patients …`` and ``statements …`` to the ``claimbridge`` command."""
    root.add_typer(app, name="patients")
    root.add_typer(statements_app, name="statements")


def _record(fields: dict[str, Any], db: str | None, practice: str | None) -> None:
    from claimbridge.domain.patient_money import read_money
    from claimbridge.services.patient_money import record_money

    entry = read_money({k: v for k, v in fields.items() if v is not None}, date.today())
    _, store = open_store(db, practice)
    with store.transaction() as session:
        console.print(str(record_money(session, entry, actor())))


@app.command("pay")
@report_errors
def pay_command(
    amount: AmountOption,
    method: MethodOption,
    claim: ClaimOption = None,
    line: LineOption = None,
    appointment: AppointmentOption = None,
    reference: ReferenceOption = None,
    on: OnOption = None,
    note: NoteOption = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Record a patient's payment on a claim, one of its lines, or an appointment.

    Example:

        claimbridge patients pay --claim CB000001 --amount 25.00 --method check --reference 1042
    """
    fields = {"kind": "payment", "amount": amount, "method": method, "reference": reference,
              "claim": claim, "line": line, "appointment": appointment, "received_on": on,
              "note": note}  # fmt: skip
    _record(fields, db, practice)


@app.command("refund")
@report_errors
def refund_command(
    amount: AmountOption,
    method: MethodOption,
    claim: ClaimOption = None,
    line: LineOption = None,
    appointment: AppointmentOption = None,
    reference: ReferenceOption = None,
    on: OnOption = None,
    note: NoteOption = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Record money paid back to a patient, on a claim, one of its lines, or an appointment.

    Example:

        claimbridge patients refund --claim CB000001 --amount 5.00 --method check --reference 311
    """
    fields = {"kind": "refund", "amount": amount, "method": method, "reference": reference,
              "claim": claim, "line": line, "appointment": appointment, "received_on": on,
              "note": note}  # fmt: skip
    _record(fields, db, practice)


@app.command("write-off")
@report_errors
def write_off_command(
    amount: AmountOption,
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="small_balance, charity, bad_debt, timely_filing or contractual.",
        ),
    ],
    claim: ClaimOption = None,
    line: LineOption = None,
    appointment: AppointmentOption = None,
    note: NoteOption = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Write off a balance on a claim (or an appointment's claim), with why.

    Example:

        claimbridge patients write-off --claim CB000001 --amount 3.50 --reason small_balance
    """
    fields = {"kind": "write_off", "amount": amount, "reason": reason, "claim": claim,
              "line": line, "appointment": appointment, "note": note}  # fmt: skip
    _record(fields, db, practice)


@app.command("undo")
@report_errors
def undo_command(
    entry: int,
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the claim's history.")],
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Undo patient payment, refund or write-off ENTRY, with why; it stays, counting for nothing.

    Example:

        claimbridge patients undo 7 --reason "the check bounced"
    """
    from claimbridge.services.patient_money import undo_money

    _, store = open_store(db, practice)
    with store.transaction() as session:
        console.print(str(undo_money(session, entry, actor(), reason)))


@app.command("balance")
@report_errors
def balance_command(patient: str, db: DbOption = None, practice: PracticeOption = None) -> None:
    """Show what PATIENT (their id in the practice) owes, item by item, and their money.

    Example:

        claimbridge patients balance pt-1001
    """
    from claimbridge.services.patient_money import find_patient, patient_money
    from claimbridge.services.statements import patient_statements

    _, store = open_store(db, practice)
    with store.read() as session:
        row = find_patient(session, patient)
        [statement] = patient_statements(session, [row.id])
        entries = patient_money(session, row.id)
    billed = statement.last_billed.isoformat() if statement.last_billed else "never"
    console.print(f"{statement.name} ({statement.key}) owes {statement.due}; last billed {billed}")
    for item in statement.items:
        day = item.service_date.isoformat() if item.service_date else ""
        console.print(
            f"  {day} {' '.join(item.claims)}: charge {item.charge}, insurance paid "
            f"{item.insurance_paid}, patient paid {item.patient_paid}, owes {item.patient_owes}"
        )
    for entry in entries:
        console.print(f"  {entry}")


@statements_app.command("run")
@report_errors
def run_command(
    cycle_date: Annotated[
        str | None,
        typer.Option("--cycle-date", help="The statement date (YYYY-MM-DD); today if left out."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="A folder to write the run's PDF and CSV into.", file_okay=False
        ),
    ] = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Bill every patient who owes something: one statement each, as a PDF and a mailing CSV.

    Example:

        claimbridge statements run --cycle-date 2026-12-01 --out statements/
    """
    from claimbridge.errors import InputError
    from claimbridge.services.statements import run_statements, statement_file

    try:
        day = date.fromisoformat(cycle_date) if cycle_date else date.today()
    except ValueError:
        raise InputError(f"--cycle-date: {cycle_date!r} is not a date (YYYY-MM-DD)") from None
    _, store = open_store(db, practice)
    with store.transaction() as session:
        run = run_statements(session, day, actor())
        files = {kind: statement_file(session, run.id, kind) for kind in ("pdf", "csv")}
    console.print(str(run))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for kind, content in files.items():
            path = out / f"statements-{day.isoformat()}.{kind}"
            path.write_bytes(content)
            console.print(f"wrote {path}")


@statements_app.command("list")
@report_errors
def list_command(db: DbOption = None, practice: PracticeOption = None) -> None:
    """List the statement runs, newest cycle date first.

    Example:

        claimbridge statements list
    """
    from claimbridge.services.statements import statement_runs

    _, store = open_store(db, practice)
    with store.read() as session:
        runs = statement_runs(session)
    for run in runs:
        console.print(f"{run}; by {run.created_by}")
    if not runs:
        console.print("no statement run yet")
