"""``claimbridge put patient|appointment ID FILE``: one record from the EHR, as the API's
``PUT /api/v1/patients/{id}`` and ``PUT /api/v1/appointments/{id}`` take it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.common import report_errors
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store, read_file
from claimbridge.domain.practice_file import read_json
from claimbridge.services.records import RecordKind, outcome, put_record

console = Console(highlight=False, soft_wrap=True)
app = typer.Typer(
    help="Add or update one patient or appointment from a JSON file, as an EHR sends it.",
    no_args_is_help=True,
)
RecordFile = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, readable=True, help="One record (JSON)."),
]


def register(root: typer.Typer) -> None:
    """Add ``put``."""
    root.add_typer(app, name="put")


@app.command("patient")
@report_errors
def put_patient(
    key: Annotated[str, typer.Argument(help="The patient's id in the EHR.")],
    path: RecordFile,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Add or update one patient and their policies (a patient of the practice file).

    Example:

        claimbridge put patient pt-1001 patient.json
    """
    _put(RecordKind.PATIENT, key, path, db, practice)


@app.command("appointment")
@report_errors
def put_appointment(
    key: Annotated[str, typer.Argument(help="The appointment's id in the EHR.")],
    path: RecordFile,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Add or update one appointment with its diagnoses and lines; refused, naming the claim,
    when it already has a claim and would change.

    Example:

        claimbridge put appointment appt-5001 appointment.json
    """
    _put(RecordKind.APPOINTMENT, key, path, db, practice)


def _put(kind: RecordKind, key: str, path: Path, db: str | None, practice: str | None) -> None:
    _, store = open_store(db, practice)
    data = read_json(read_file(path))
    with store.transaction() as session:
        tally = put_record(session, kind, key, data)
    console.print(f"{kind.noun} {key}: {outcome(tally, kind)}", markup=False)
    for line in tally.lines():
        console.print(f"  {line}", markup=False)
