"""``claimbridge account show|production|test|schedule``: the Office Ally account's mode, the
switch, and its background schedule.

::

    claimbridge account show
    claimbridge account production            # checks, lists what is unmet, asks, records
    claimbridge account production --yes      # no question, for automation
    claimbridge account test --reason "a new billing provider to test"

In test mode every upload carries ``OATEST`` in its name and Office Ally forwards nothing to
payers; in production the claims reach the payers. ``production`` refuses (exit 1) while any
rule of ``services.account_mode`` is unmet, naming each.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.common import actor, err_console, report_errors
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store
from claimbridge.domain.account_mode import AccountMode
from claimbridge.errors import InputError
from claimbridge.services.account_mode import (
    ModeChange,
    ModeStatus,
    mode_status,
    switch_to_production,
    switch_to_test,
)

app = typer.Typer(
    help="The Office Ally account: its mode (test or production) and its background schedule.",
    no_args_is_help=True,
)
console = Console(highlight=False, soft_wrap=True)

YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for automation).")
]


def register(root: typer.Typer) -> None:
    """Add ``account …`` to the ``claimbridge`` command."""
    root.add_typer(app, name="account")


@app.command("show")
@report_errors
def show_command(db: DbOption = None, practice: PracticeOption = None) -> None:
    """Print the mode, who switched it and when, and what keeps it from production."""
    _, store = open_store(db, practice)
    with store.read() as session:
        status = mode_status(session)
    for line in describe(status):
        console.print(line)


@app.command("production")
@report_errors
def production_command(
    yes: YesOption = False, db: DbOption = None, practice: PracticeOption = None
) -> None:
    """Switch the account to production: claims uploaded from then on go to the payers."""
    _, store = open_store(db, practice)
    with store.read() as session:
        status = mode_status(session)
    if status.mode is AccountMode.PRODUCTION:
        console.print(describe(status)[0])
        err_console().print(
            "Nothing changed: the account is already in production.", soft_wrap=True
        )
        raise typer.Exit(1)
    if status.unmet:
        err_console().print("The account cannot go to production yet:", soft_wrap=True)
        for reason in status.unmet:
            err_console().print(f"  - {reason}", soft_wrap=True)
        raise typer.Exit(1)
    question = (
        "Switch the Office Ally account to PRODUCTION? Uploads will no longer carry OATEST "
        "and Office Ally will send their claims to the payers."
    )
    _confirm(question, yes)
    with store.transaction() as session:
        change = switch_to_production(session, actor(), datetime.now(UTC))
    console.print(_done(change))


@app.command("test")
@report_errors
def test_command(
    reason: Annotated[str, typer.Option("--reason", help="Why the practice tests again; kept.")],
    yes: YesOption = False,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Switch the account back to test: uploads carry OATEST and reach no payer."""
    _, store = open_store(db, practice)
    with store.read() as session:
        status = mode_status(session)
    if status.mode is AccountMode.TEST:
        console.print(describe(status)[0])
        err_console().print("Nothing changed: the account is already in test mode.", soft_wrap=True)
        raise typer.Exit(1)
    question = (
        "Switch the Office Ally account back to TEST? Uploads will carry OATEST and Office "
        "Ally will send none of their claims to payers."
    )
    _confirm(question, yes)
    with store.transaction() as session:
        change = switch_to_test(session, actor(), datetime.now(UTC), reason)
    console.print(_done(change))


@app.command("schedule")
@report_errors
def schedule_command(
    every: Annotated[
        str | None,
        typer.Option("--every", help="How often the workers poll the account: 15m, 30m, 1h."),
    ] = None,
    auto_submit: Annotated[
        bool | None,
        typer.Option(
            "--auto-submit/--no-auto-submit",
            help="Whether the workers send ready claims by themselves (off unless asked).",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="After a rejected login, once the credentials were checked: allow logins "
            "again and let background work run again.",
        ),
    ] = False,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Show or change the account's background work: how often it is polled, whether ready
    claims go by themselves, and whether a rejected login stopped it.

    Example:

        claimbridge account schedule --every 30m --auto-submit
    """
    from claimbridge.cli.cycle import parse_interval
    from claimbridge.services.account import allow_logins_again, login_refused
    from claimbridge.services.jobs import require_account, schedule_of, set_schedule

    _, store = open_store(db, practice)
    practice_id = store.practice_id
    with store.transaction() as session:
        require_account(session)
        current = schedule_of(session, practice_id)
        minutes = parse_interval(every) / 60 if every else current.poll_every_minutes
        if every or auto_submit is not None:
            if minutes != int(minutes):
                raise InputError(f"--every {every}: give whole minutes (5m to 24h)")
            sending = current.auto_submit if auto_submit is None else auto_submit
            set_schedule(session, practice_id, int(minutes), sending)
        if resume and allow_logins_again(session, practice_id):
            console.print("Logins are allowed again; background work on the account resumed.")
        schedule = schedule_of(session, practice_id)
        refused = login_refused(session)
    console.print(
        f"Polled every {schedule.poll_every_minutes} minutes by 'claimbridge worker'; ready "
        f"claims {'go by themselves' if schedule.auto_submit else 'wait for a person'}."
    )
    if schedule.stopped:
        console.print(f"STOPPED since {schedule.stopped_at:%Y-%m-%d %H:%M} UTC: "
                      f"{schedule.stopped_reason} Resume with --resume.", markup=False)  # fmt: skip
    if refused is not None:
        console.print(f"LOGINS REFUSED: Office Ally rejected the SFTP login {refused.account} at "
                      f"{refused.when} ({refused.detail}); nothing dials it until --resume.",
                      markup=False)  # fmt: skip


def describe(status: ModeStatus) -> list[str]:
    """The status as lines: the mode and its last switch, then what is unmet."""
    lines = [f"Office Ally account: {status.mode.value.upper()}{_since(status.last_change)}"]
    if status.last_change is not None and status.last_change.reason:
        lines.append(f"  why: {status.last_change.reason}")
    lines.append(f"Test batches accepted by Office Ally: {status.accepted_test_batches}")
    if status.mode is AccountMode.PRODUCTION:
        return lines
    if status.unmet:
        lines.append("Not ready for production:")
        lines += [f"  - {reason}" for reason in status.unmet]
    else:
        lines.append("Ready for production: run 'claimbridge account production'.")
    return lines


def _since(change: ModeChange | None) -> str:
    if change is None:
        return " (no switch recorded)"
    return f" since {change.changed_at:%Y-%m-%d %H:%M} UTC, switched by {change.changed_by}"


def _confirm(question: str, yes: bool) -> None:
    if yes or typer.confirm(question, default=False):
        return
    err_console().print("Nothing changed.", soft_wrap=True)
    raise typer.Exit(1)


def _done(change: ModeChange) -> str:
    return (
        f"The Office Ally account is now in {change.mode.value.upper()} mode "
        f"(recorded {change.changed_at:%Y-%m-%d %H:%M} UTC, by {change.changed_by})."
    )
