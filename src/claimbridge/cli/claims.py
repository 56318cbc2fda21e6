"""``claimbridge claims create|list|show|resubmit|reviewed`` and ``claimbridge submit``.

Each command opens the ledger, calls one service and prints what happened and what to do next.
``submit`` uploads over SFTP with the stored Office Ally account (password from
``claimbridge set-password``), or into a local folder with ``--to``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from claimbridge.cli.common import actor, report_errors
from claimbridge.cli.connect import connect
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store
from claimbridge.cli.tables import print_table
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ConfigError
from claimbridge.services.claim_view import list_claims, show_claim
from claimbridge.services.claims import Checked, Resubmission, create_claims, resubmit
from claimbridge.services.reposting import mark_balance_reviewed
from claimbridge.services.submit import Resumed, SubmitResult, submit
from claimbridge.store.db import Store
from claimbridge.transport.base import Transport

app = typer.Typer(help="Claims: create and check, list, show, resubmit.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
KnownHostsOption = Annotated[
    Path | None,
    typer.Option(
        "--known-hosts",
        help="The known-hosts file claimbridge pins Office Ally's host key in; default "
        "CLAIMBRIDGE_SFTP_KNOWN_HOSTS, else known_hosts in the claimbridge home.",
        show_default=False,
    ),
]


def register(root: typer.Typer) -> None:
    """Add ``claims …`` and ``submit`` to the ``claimbridge`` command."""
    root.add_typer(app, name="claims")
    root.command("submit")(submit_command)


@app.command("create")
@report_errors
def create_command(db: DbOption = None, practice: PracticeOption = None) -> None:
    """Make claims from appointments that have none, and check them.

    Each claim goes to the patient's primary policy; the scrubber holds a claim with every
    reason in words, or marks it ready to submit. Held claims are checked again. Example:

        claimbridge claims create
    """
    _, store = open_store(db, practice)
    with store.transaction() as session:
        result = create_claims(session, actor(), datetime.now(UTC).date())
    for checked in (*result.created, *result.rechecked):
        _print_checked(checked)
    for reason in result.skipped:
        console.print(f"  not billed: {reason}")
    ready = sum(c.status is ClaimStatus.READY for c in (*result.created, *result.rechecked))
    console.print(f"{len(result.created)} claims created; {ready} ready to submit.")
    if ready:
        console.print("Next: 'claimbridge submit --dry-run' shows what would go.")


def _print_checked(checked: Checked) -> None:
    mark = "[green]ready[/]" if checked.status is ClaimStatus.READY else "[yellow]held[/]"
    console.print(f"  {checked.patient_control_number}: {mark}", markup=True)
    for edit in checked.result.edits:
        console.print(f"      - {edit}", markup=False)


@app.command("list")
@report_errors
def list_command(
    status: Annotated[
        ClaimStatus | None, typer.Option("--status", help="Only claims in this status.")
    ] = None,
    unbalanced: Annotated[
        bool,
        typer.Option(
            "--unbalanced",
            help="Only claims whose latest ERA did not add up and nobody marked reviewed.",
        ),
    ] = False,
    waiting: Annotated[
        bool,
        typer.Option(
            "--waiting",
            help="Only claims to a next payer that wait for it to accept them before their "
            "replacement or void is made.",
        ),
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """List claims with what was charged, paid, adjusted and is owed.

    Example:

    claimbridge claims list --status held
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        claims = list_claims(session, status, unbalanced=unbalanced, waiting=waiting)
    if as_json:
        typer.echo(json.dumps(claims, indent=2))
        return
    print_table(console, claims_table(claims))


def claims_table(claims: list[dict[str, Any]]) -> Table:
    """Claims as a table: one row each, money right-aligned."""
    table = Table("id", "CLM01", "appointment", "payer", "status", title="Claims")
    for column in ("charge", "paid", "adjusted", "patient", "balance"):
        table.add_column(column, justify="right")
    for claim in claims:
        table.add_row(
            str(claim["id"]),
            claim["patient_control_number"],
            claim["appointment_id"] or "",
            claim["payer_id"],
            claim["status"],
            claim["charge"],
            claim["paid"],
            claim["adjusted"],
            claim["patient_responsibility"],
            claim["balance"],
        )
    return table


@app.command("show")
@report_errors
def show_command(
    claim: Annotated[str, typer.Argument(help="The claim's id or CLM01.")],
    as_json: JsonOption = False,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Show one claim: lines, history, acknowledgments and payments.

    Example:

    claimbridge claims show CB000001
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        shown = show_claim(session, claim)
    if as_json:
        typer.echo(json.dumps(shown, indent=2))
        return
    _print_claim(shown)


def _print_claim(shown: dict[str, Any]) -> None:
    print_table(console, claims_table([shown]))
    if shown["status_reason"]:
        console.print(f"why: {shown['status_reason']}", markup=False)
    for line in shown["lines"]:
        console.print(
            f"  line {line['line_number']}: {line['procedure_code']} {line['charge']} "
            f"paid {line['paid']} adjusted {line['adjusted']} "
            f"patient {line['patient_responsibility']}"
        )
    for event in shown["events"]:
        move = f"{event['from_status'] or '-'} → {event['to_status']}" if event["to_status"] else ""
        console.print(
            f"  {event['at'][:19]} {event['what']} {move} {event['why'] or ''}", markup=False
        )


@app.command("resubmit")
@report_errors
def resubmit_command(
    claim: Annotated[str, typer.Argument(help="The claim's id or CLM01.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replacement claim (frequency 7) to the payer.")
    ] = False,
    void: Annotated[bool, typer.Option("--void", help="Void claim (frequency 8).")] = False,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Let a claim go out again: a rejected one as an original; a claim the payer accepted as
    a replacement (--replace) or a void (--void) carrying the payer's claim number. Example:

        claimbridge claims resubmit CB000004
    """
    if replace and void:
        raise ConfigError("choose --replace or --void, not both")
    how = Resubmission.ORIGINAL
    if replace or void:
        how = Resubmission.REPLACEMENT if replace else Resubmission.VOID
    _, store = open_store(db, practice)
    with store.transaction() as session:
        checked = resubmit(session, claim, how, actor(), datetime.now(UTC).date())
    _print_checked(checked)
    if checked.status is ClaimStatus.READY:
        console.print("Next: 'claimbridge submit' sends it.")


@app.command("reviewed")
@report_errors
def reviewed_command(
    claim: Annotated[str, typer.Argument(help="The claim's CLM01.")],
    found: Annotated[
        str, typer.Option("--found", help="What the comparison with the payer's EOB found.")
    ],
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Mark a claim whose latest ERA did not add up as compared with the payer's EOB; it then
    leaves the dashboard's alert and 'claims list --unbalanced'. Example:

        claimbridge claims reviewed CB000004 --found "matches the paper EOB"
    """
    _, store = open_store(db, practice)
    with store.transaction() as session:
        mark_balance_reviewed(session, claim, actor(), found)
    console.print(f"{claim}: marked reviewed; the note is on its timeline.", markup=False)


@report_errors
def submit_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would go; write and upload nothing.")
    ] = False,
    to: Annotated[
        Path | None,
        typer.Option("--to", file_okay=False, help="Write into this folder instead of SFTP."),
    ] = None,
    known_hosts: KnownHostsOption = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Send every ready claim to Office Ally as 837P files.

    Uploads over SFTP with the stored account (see 'claimbridge set-password'), or into a local
    folder with --to. A claim already sent goes again only after 'claimbridge claims
    resubmit'. Example:

        claimbridge submit --dry-run
    """
    settings, store = open_store(db, practice)
    settings = settings.with_paths(known_hosts=known_hosts)
    transport = None if dry_run else connect(settings, store, to, settings.known_hosts_path)
    try:
        result = run_submit(store, transport, dry_run=dry_run)
    finally:
        if transport is not None:
            transport.close()
    print_submit(result)


def run_submit(store: Store, transport: Transport | None, *, dry_run: bool) -> SubmitResult:
    """Submit with a progress bar."""
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("sending claims", total=None)
        return submit(
            store,
            transport,
            actor(),
            datetime.now(UTC),
            dry_run=dry_run,
            progress=lambda done: progress.advance(task, done),
        )


def resumed_line(resumed: Resumed, *, dry_run: bool) -> str:
    """What became of a batch an earlier submit recorded but did not see uploaded."""
    what = f"{resumed.file_name} (batch B{resumed.batch_id}, {resumed.claim_count} claims)"
    if dry_run:
        return f"{what}: recorded earlier, its upload unconfirmed; submit finishes it"
    if resumed.found:
        return f"{what}: already on the server from an earlier submit; recorded, not sent again"
    return f"{what}: recorded by an earlier submit that did not upload it; uploaded now"


def print_submit(result: SubmitResult) -> None:
    """What went (or would go), what was held and what was refused."""
    verb = "would send" if result.dry_run else "sent"
    for resumed in result.resumed:
        console.print(f"  {resumed_line(resumed, dry_run=result.dry_run)}", markup=False)
    for batch in result.batches:
        console.print(
            f"  {batch.file_name}: {len(batch.patient_control_numbers)} claims "
            f"({', '.join(batch.patient_control_numbers[:5])}"
            f"{' …' if len(batch.patient_control_numbers) > 5 else ''})"
        )
    for checked in result.held:
        _print_checked(checked)
    for reason in result.refused:
        console.print(f"  refused: {reason}", markup=False)
    console.print(f"{verb} {result.claims_sent} claims in {len(result.batches)} files.")
    if result.dry_run and result.claims_sent:
        console.print("Next: 'claimbridge submit' sends them.")
    elif result.claims_sent:
        console.print("Next: 'claimbridge poll' collects Office Ally's answers.")
