"""``claimbridge files …``: the returned files kept in the ledger and what became of each.

::

    claimbridge files list --held --failed
    claimbridge files list --unknown --json

A held 835 is posted anyway or dismissed with ``claimbridge eras post-held ID`` or
``claimbridge eras dismiss-held ID``; a failed or unknown file is kept for a person to read.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from claimbridge.cli.common import report_errors
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store
from claimbridge.cli.tables import print_table
from claimbridge.services.ingest import Outcome, ReturnedFile, returned_files

app = typer.Typer(help="Returned files kept in the ledger.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)


def register(root: typer.Typer) -> None:
    """Add ``files …`` to the ``claimbridge`` command."""
    root.add_typer(app, name="files")


@app.command("list")
@report_errors
def list_command(
    held: Annotated[bool, typer.Option("--held", help="835s held for a person.")] = False,
    failed: Annotated[bool, typer.Option("--failed", help="Files that could not be read.")] = False,
    unknown: Annotated[
        bool, typer.Option("--unknown", help="Files claimbridge does not recognise.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for scripts.")] = False,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """List the returned files, newest first: id, name, kind, outcome and what happened.

    The flags keep only files held, failed or unknown (any of those named). Example:

        claimbridge files list --held --failed
    """
    wanted = [o for o, on in ((Outcome.HELD, held), (Outcome.FAILED, failed),
                              (Outcome.UNKNOWN, unknown)) if on]  # fmt: skip
    _, store = open_store(db, practice)
    with store.read() as session:
        found = returned_files(session, wanted, limit)
    if as_json:
        print(json.dumps([_as_json(item) for item in found], indent=2))
        return
    if not found:
        console.print("No such file in the ledger.")
        return
    table = Table("ID", "Received", "Name", "Kind", "Outcome", "Detail")
    for item in found:
        table.add_row(
            str(item.id), f"{item.received_at:%Y-%m-%d %H:%M} UTC", item.name, item.kind,
            item.outcome, item.detail,
        )  # fmt: skip
    print_table(console, table, wrap={"Detail"})
    if any(item.outcome == Outcome.HELD for item in found):
        console.print(
            "'claimbridge eras post-held ID --reason WHY' posts a held file anyway; "
            "'claimbridge eras dismiss-held ID --reason WHY' sets it aside."
        )


def _as_json(item: ReturnedFile) -> dict[str, object]:
    return {
        "id": item.id,
        "name": item.name,
        "kind": item.kind,
        "outcome": item.outcome,
        "detail": item.detail,
        "received_at": item.received_at.isoformat(),
        "remote_path": item.remote_path,
    }
