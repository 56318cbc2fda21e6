"""The ``claimbridge`` command: thin commands over the library.

Each command module defines its commands and a ``register(root)`` that adds them, so commands
for separate areas live in separate files. The ``claimbridge`` script imports a module only when
one of its commands runs (``claimbridge x12 json`` never loads SQLAlchemy, FastAPI or asyncssh):
``COMMANDS`` names each top-level command's module and the line ``claimbridge --help`` shows for
it, and a test keeps those lines equal to the commands' own. Errors become messages and exit
codes in ``claimbridge.cli.common.report_errors``.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable, Iterable
from typing import Annotated, NamedTuple

import typer


class CommandEntry(NamedTuple):
    """Where a top-level command lives, and its line in ``claimbridge --help``."""

    module: str
    summary: str


def _entries(module: str, *commands: tuple[str, str]) -> dict[str, CommandEntry]:
    return {name: CommandEntry(f"claimbridge.cli.{module}", summary) for name, summary in commands}


COMMANDS: dict[str, CommandEntry] = {
    **_entries(
        "demo", ("demo", "Run the whole claim cycle against the built-in Office Ally simulator.")
    ),
    **_entries(
        "sim",
        ("sim", "Run an SFTP server that answers 837P uploads as Office Ally does, until stopped."),
    ),
    **_entries(
        "ledger",
        ("init", "Create the ledger database, or upgrade it to this version's schema."),
        ("load", "Load a practice file (format claimbridge-practice/1) into the ledger."),
        (
            "set-password",
            "Store the Office Ally SFTP password, encrypted; asks for it without echo.",
        ),
        ("fees", "Show Office Ally's Non-Par fee exposure per month and (tax ID, rendering NPI)."),
        ("payers", "The payer master list."),
    ),
    **_entries(
        "records",
        ("put", "Add or update one patient or appointment from a JSON file, as an EHR sends it."),
    ),
    **_entries(
        "backup",
        (
            "backup",
            "Copy the ledger, archive and known-hosts file into a new folder; the key stays apart.",
        ),
        (
            "restore",
            "Put a backup back: the ledger, archive and known-hosts file; the key with --key-from.",
        ),
    ),
    **_entries(
        "claims",
        ("submit", "Send every ready claim to Office Ally as 837P files."),
        ("claims", "Claims: create and check, list, show, resubmit."),
    ),
    **_entries(
        "cycle",
        ("poll", "Fetch what Office Ally returned and apply it: acknowledgments, reports, ERAs."),
        ("import", "Apply files brought by hand (999, 277CA, 835, Office Ally reports, zips)."),
        ("watch", "Keep polling Office Ally; Ctrl-C or SIGTERM stops cleanly."),
        (
            "polls",
            "List the recent polls: when, by whom, from where, how many files, and the result.",
        ),
        ("eob", "Print an ERA as a paper EOB reads."),
        (
            "unmatched",
            "List ERA claims not posted, with why and likely claims; payments held for review.",
        ),
        (
            "appointments",
            "Show each appointment with a claim: billed, paid by insurance, owed by the patient.",
        ),
    ),
    **_entries(
        "worker",
        (
            "worker",
            "Work the background jobs on PostgreSQL: polls, submissions, tests and the schedule.",
        ),
    ),
    **_entries(
        "account",
        (
            "account",
            "The Office Ally account: its mode (test or production) and its background schedule.",
        ),
    ),
    **_entries(
        "eras",
        ("eras", "Undo or redo an ERA's posting, match ERA claims, post or refund held payments."),
    ),
    **_entries("files", ("files", "Returned files kept in the ledger.")),
    **_entries(
        "web",
        ("serve", "Run the web app for billing staff and the JSON API under /api/v1."),
        ("users", "People who sign in to the web app."),
    ),
    **_entries(
        "patients",
        ("patients", "Patient payments, refunds and write-offs, and what each patient owes."),
        ("statements", "Patient statements: run a cycle, list the runs."),
    ),
    **_entries("practices", ("practices", "The practices of the ledger.")),
    **_entries("x12", ("x12", "Read, check and convert X12 files.")),
    **_entries("sftp", ("sftp", "Check the SFTP account and manage what claimbridge pinned.")),
}


def build_app(names: Iterable[str] | None = None) -> typer.Typer:
    """The ``claimbridge`` command, with the real commands of ``names`` (all when None).

    The modules of the other commands are not imported: those commands appear only by name and
    summary, which is all ``claimbridge --help`` needs.
    """
    app = typer.Typer(
        name="claimbridge",
        help="Office Ally claims for a medical practice: 837P out, acknowledgments and ERAs back.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Plain help, as click writes it: rich's help panels load a Markdown parser, a third of
        # the start-up time of `claimbridge --help` (docs/performance.md#start-up).
        rich_markup_mode=None,
    )
    app.callback()(_root)
    wanted = COMMANDS if names is None else names
    modules = dict.fromkeys(COMMANDS[name].module for name in wanted)
    for module in modules:
        register: Callable[[typer.Typer], None] = importlib.import_module(module).register
        register(app)
    for name, entry in COMMANDS.items():
        if entry.module not in modules:
            app.command(name, help=entry.summary, short_help=entry.summary)(_listed_only)
    return app


def _listed_only() -> None:  # pragma: no cover - main() loads a command before it can run
    raise AssertionError("a command listed for --help was run before its module was loaded")


def _print_version(value: bool) -> None:
    if value:
        from claimbridge import __version__

        print(f"claimbridge {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print claimbridge's version and exit.",
        ),
    ] = False,
) -> None:
    """Office Ally claims for a medical practice: 837P out, acknowledgments and ERAs back."""


_whole_app: typer.Typer | None = None


def __getattr__(name: str) -> typer.Typer:
    """``claimbridge.cli.app``: every command, loaded (for tests and for embedding)."""
    global _whole_app
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _whole_app is None:
        _whole_app = build_app()
    return _whole_app


def quiet_third_party_warnings() -> None:
    """Keep libraries' deprecation notices off a biller's terminal.

    They speak to developers, and the test suite turns every warning into an error, so they are
    seen there. ``PYTHONWARNINGS`` or ``-W`` still wins: with either set, nothing is filtered.
    """
    if sys.warnoptions:
        return
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
    # asyncssh names cryptography's deprecated DSA types at import (a UserWarning subclass).
    warnings.filterwarnings("ignore", message="DSA is deprecated", module="asyncssh")


def main() -> None:
    """Entry point of the ``claimbridge`` script: loads only the command being run."""
    quiet_third_party_warnings()
    command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in COMMANDS else None
    build_app([command] if command else [])()
