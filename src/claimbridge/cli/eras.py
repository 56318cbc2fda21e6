"""``claimbridge eras …``: a person's say over posting, as on the web's ERAs and Unmatched pages.

::

    claimbridge eras undo EFT55501 --reason "posted to the wrong practice"
    claimbridge eras post EFT55501
    claimbridge eras post-held 31 --reason "payer confirmed the total by phone"
    claimbridge eras dismiss-held 31 --reason "the payer sends a corrected 835"
    claimbridge eras match 4 CB000123
    claimbridge eras match 4 CB000124 --override "payer's EOB names this visit"
    claimbridge eras dismiss 5 --reason "another practice's patient"
    claimbridge eras post-payment 6 --reason "payer confirmed both checks"
    claimbridge eras refund 7 --reason "check 4417 returned to the payer"
    claimbridge eras post-paper uhc-check-40017.json

``post-paper`` posts a paper EOB typed into a JSON file (the format is in
``claimbridge.domain.paper_eob`` and docs/paper-eobs.md); it is undone and posted again with
``undo`` and ``post`` like an ERA.

``claimbridge unmatched`` lists the ids ``match`` and ``dismiss`` take, and likely CLM01s; and
the payments held for review (beyond what their claim can take), which ``post-payment`` and
``refund`` take.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.common import actor, report_errors
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store
from claimbridge.errors import InputError
from claimbridge.services.eob import remittance_by_reference
from claimbridge.services.reposting import dismiss_held, post_again, post_held, undo_posting
from claimbridge.services.unmatched import (
    dismiss_unmatched,
    match_by_hand,
    post_held_payment,
    refund_held_payment,
)

app = typer.Typer(
    help="Undo or redo an ERA's posting, match ERA claims, post or refund held payments."
)
PaperFile = Annotated[
    Path, typer.Argument(help="The paper EOB as JSON (docs/paper-eobs.md).", dir_okay=False)
]
console = Console(highlight=False, soft_wrap=True)

ReasonOption = Annotated[str, typer.Option("--reason", help="Why; kept in the claims' history.")]


def register(root: typer.Typer) -> None:
    """Add ``eras …`` to the ``claimbridge`` command."""
    root.add_typer(app, name="eras")


@app.command("undo")
@report_errors
def undo_command(
    remittance: str, reason: ReasonOption, db: DbOption = None, practice: PracticeOption = None
) -> None:
    """Undo the posting of REMITTANCE (its id or check/EFT number); the 835 stays."""
    _, store = open_store(db, practice)
    with store.transaction() as session:
        remittance_id = remittance_by_reference(session, remittance).id
        console.print(str(undo_posting(session, remittance_id, actor(), reason)))


@app.command("post")
@report_errors
def post_command(remittance: str, db: DbOption = None, practice: PracticeOption = None) -> None:
    """Post an undone REMITTANCE (its id or check/EFT number) again from the kept 835."""
    _, store = open_store(db, practice)
    with store.transaction() as session:
        remittance_id = remittance_by_reference(session, remittance).id
        console.print(str(post_again(session, remittance_id, actor())))


@app.command("post-held")
@report_errors
def post_held_command(
    inbound_file: int, reason: ReasonOption, db: DbOption = None, practice: PracticeOption = None
) -> None:
    """Post a held 835 (its totals do not balance) anyway: file INBOUND_FILE, with why."""
    _, store = open_store(db, practice)
    with store.transaction() as session:
        for posted in post_held(session, inbound_file, actor(), reason):
            console.print(str(posted))


@app.command("dismiss-held")
@report_errors
def dismiss_held_command(
    inbound_file: int, reason: ReasonOption, db: DbOption = None, practice: PracticeOption = None
) -> None:
    """Set a held 835 aside without posting what is held of it: file INBOUND_FILE, with why."""
    _, store = open_store(db, practice)
    with store.transaction() as session:
        dismiss_held(session, inbound_file, actor(), reason)
    console.print(f"held file {inbound_file} dismissed; nothing more of it is posted")


@app.command("match")
@report_errors
def match_command(
    unmatched_id: int,
    clm01: str,
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help="Why it is right although the claim is settled or its patient, member ID or "
            "charge disagree with the ERA's; kept in the claim's history.",
        ),
    ] = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Post unmatched ERA claim UNMATCHED_ID to our claim CLM01, as ingest would have.

    A claim that is settled, or whose patient, member ID or charge disagree with the ERA
    claim's, is refused, saying why, unless --override gives a reason.
    """
    _, store = open_store(db, practice)
    with store.transaction() as session:
        console.print(str(match_by_hand(session, unmatched_id, clm01, actor(), override)))


@app.command("dismiss")
@report_errors
def dismiss_command(
    unmatched_id: int, reason: ReasonOption, db: DbOption = None, practice: PracticeOption = None
) -> None:
    """Take unmatched ERA claim UNMATCHED_ID off the queue: it is none of ours."""
    _, store = open_store(db, practice)
    with store.transaction() as session:
        dismiss_unmatched(session, unmatched_id, actor(), reason)
    console.print(f"unmatched ERA claim {unmatched_id} dismissed")


@app.command("post-payment")
@report_errors
def post_payment_command(held_id: int, reason: ReasonOption, db: DbOption = None) -> None:
    """Post payment HELD_ID, held for review as beyond its claim, onto that claim, with why."""
    _, store = open_store(db)
    with store.transaction() as session:
        console.print(str(post_held_payment(session, held_id, actor(), reason)))


@app.command("refund")
@report_errors
def refund_command(held_id: int, reason: ReasonOption, db: DbOption = None) -> None:
    """Mark payment HELD_ID, held for review, refunded to the payer; nothing is posted."""
    _, store = open_store(db)
    with store.transaction() as session:
        refund_held_payment(session, held_id, actor(), reason)
    console.print(f"held payment {held_id} marked refunded; nothing posted")


@app.command("post-paper")
@report_errors
def post_paper_command(
    eob: PaperFile, db: DbOption = None, practice: PracticeOption = None
) -> None:
    """Post a paper EOB from a JSON file: check number and date, payer, amounts per claim line.

    The same rules as an ERA: every line must balance, a claim is never paid beyond its
    charge, and 'eras undo' takes it back. Example:

        claimbridge eras post-paper uhc-check-40017.json
    """
    from claimbridge.services.paper import post_paper

    data = _read_json(eob)
    _, store = open_store(db, practice)
    with store.transaction() as session:
        console.print(str(post_paper(session, data, actor())))


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path} is not JSON: {error}") from None
