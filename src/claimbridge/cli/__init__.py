"""The ``claimbridge`` command: thin commands over the library.

Each command module defines its own ``typer.Typer`` (or functions) and is registered here, so
commands for separate areas live in separate files. Errors become messages and exit codes in
``claimbridge.cli.common.report_errors``.
"""

from __future__ import annotations

import typer

from claimbridge.cli import claims, cycle, demo, eras, ledger, sftp, sim, web, x12

app = typer.Typer(
    name="claimbridge",
    help="Office Ally claims for a medical practice: 837P out, acknowledgments and ERAs back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(x12.app, name="x12")
app.add_typer(sftp.app, name="sftp")
app.command("demo")(demo.demo)
app.command("sim")(sim.sim)
ledger.register(app)
claims.register(app)
cycle.register(app)
eras.register(app)
web.register(app)


def main() -> None:
    """Entry point of the ``claimbridge`` script."""
    app()
