"""``claimbridge practices list``: the practices of the ledger and their accounts' state."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from claimbridge.cli.common import report_errors
from claimbridge.cli.ledger import DbOption, open_ledger
from claimbridge.cli.tables import print_table
from claimbridge.store.practices import PracticeSummary, list_practices

console = Console(highlight=False, soft_wrap=True)
app = typer.Typer(help="The practices of the ledger.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add ``practices``."""
    root.add_typer(app, name="practices")


@app.command("list")
@report_errors
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for scripts.")] = False,
    db: DbOption = None,
) -> None:
    """List the practices: key, name, Office Ally mode, last poll, held and rejected claims.

    Example:

    claimbridge practices list --json
    """
    _, ledger = open_ledger(db)
    practices = list_practices(ledger)
    if as_json:
        print(json.dumps([_as_json(p) for p in practices], indent=2))
        return
    if not practices:
        console.print("no practice yet: load one with 'claimbridge load FILE --practice KEY'")
        return
    table = Table("key", "name", "mode", "last poll")
    table.add_column("held", justify="right")
    table.add_column("rejected", justify="right")
    for p in practices:
        table.add_row(
            p.key, p.name, p.mode or "no account", _last_poll(p), str(p.held), str(p.rejected)
        )
    print_table(console, table, wrap={"name"})


def _last_poll(practice: PracticeSummary) -> str:
    if practice.last_poll is None:
        return "never"
    outcome = "ok" if practice.last_poll_ok else "failed"
    return f"{practice.last_poll:%Y-%m-%d %H:%M} UTC ({outcome})"


def _as_json(practice: PracticeSummary) -> dict[str, object]:
    return {
        "key": practice.key,
        "name": practice.name,
        "mode": practice.mode,
        "last_poll": practice.last_poll.isoformat() if practice.last_poll else None,
        "last_poll_ok": practice.last_poll_ok,
        "held": practice.held,
        "rejected": practice.rejected,
    }
