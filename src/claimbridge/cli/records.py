"""``claimbridge put patient|appointment ID FILE``: one record from the EHR, as the API's
``PUT /api/v1/patients/{id}`` and ``PUT /api/v1/appointments/{id}`` take it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.common import report_errors
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store, read_file
from claimbridge.domain.practice_file import parse_appointment, parse_patient, read_json
from claimbridge.store.practice import known_keys, write_appointment, write_patient
from claimbridge.store.sync import Tally

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
    _, store = open_store(db, practice)
    data = read_json(read_file(path))
    with store.transaction() as session:
        tally = write_patient(session, parse_patient(data, key, known_keys(session)))
    _say(f"patient {key}", "patients", tally)


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
    _, store = open_store(db, practice)
    data = read_json(read_file(path))
    with store.transaction() as session:
        tally = write_appointment(session, parse_appointment(data, key, known_keys(session)))
    _say(f"appointment {key}", "appointments", tally)


def _say(record: str, kind: str, tally: Tally) -> None:
    outcome = next((name for name in ("added", "changed") if getattr(tally, name)[kind]), None)
    console.print(f"{record}: {outcome or 'unchanged'}", markup=False)
    for line in tally.lines():
        console.print(f"  {line}", markup=False)
