"""``claimbridge serve`` runs the web app; ``claimbridge users add`` adds a person who may sign in.

The session secret comes from ``CLAIMBRIDGE_WEB_SECRET`` (else a random one: sessions end when
the server restarts); the SFTP known-hosts file and the archive from the settings
(``CLAIMBRIDGE_SFTP_KNOWN_HOSTS``, ``CLAIMBRIDGE_ARCHIVE``, else in the claimbridge home).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.common import report_errors
from claimbridge.cli.ledger import DbOption, open_ledger
from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError, InputError, Stopped
from claimbridge.services.users import Role, add_user, is_user
from claimbridge.stopping import stop_on_signals
from claimbridge.store.practices import choose_practice, practice_row

console = Console(highlight=False, soft_wrap=True)
users_app = typer.Typer(help="People who sign in to the web app.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``users`` to the ``claimbridge`` command."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")


@report_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    insecure_cookies: Annotated[
        bool, typer.Option(help="Send the session cookie over plain HTTP (not on localhost).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Run the web app for billing staff and the JSON API under /api/v1.

    Ctrl-C or SIGTERM stops it once the requests in flight are answered (exit 0). Example:

    claimbridge serve --host 127.0.0.1 --port 8000
    """
    import uvicorn

    from claimbridge.web.app import WebConfig, create_app

    settings, store = open_ledger(db)
    config = WebConfig(
        session_secret=os.environ.get("CLAIMBRIDGE_WEB_SECRET", ""),
        secure_cookies=not insecure_cookies,
        known_hosts=settings.known_hosts_path,
        archive=settings.archive_path,
    )
    console.print(f"claimbridge on http://{host}:{port}/ (Ctrl-C or SIGTERM stops it)")
    app = create_app(settings, store, config=config)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port))
    # The server answers SIGINT and SIGTERM itself: it stops taking connections, lets the
    # requests in flight finish, then sends the signal again to the handler it found, ours,
    # which raises Stopped. (uvicorn.run would swallow it, and without our handler the second
    # SIGTERM would kill the process: exit 143.)
    try:
        with stop_on_signals():
            server.run()
    except Stopped as stopped:
        console.print(f"stopped by {stopped.how}.")
        return
    if not server.started:
        raise ConfigError(
            f"the web app did not start on {host}:{port} (uvicorn's log above says why); "
            "fix that, or choose another --host or --port"
        )


@users_app.command("add")
@report_errors
def add(
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[Role, typer.Option("--role", help="admin, biller or viewer.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
    practices: Annotated[
        list[str] | None,
        typer.Option(
            "--practice",
            help="A practice to give the role in (repeat for several); default "
            "CLAIMBRIDGE_PRACTICE, else the ledger's only practice.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Give a person a role in practices; a new person's password is asked for without echo.

    Someone who is already a user keeps their password and gets the role in the practices
    named. Example:

    claimbridge users add dana --role biller --practice cedar-valley --practice oak-grove
    """
    settings, ledger = open_ledger(db)
    keys: list[str | None] = [*practices] if practices else [settings.practice]
    stores = [choose_practice(ledger, key) for key in keys]
    with ledger.across_practices() as session:
        known = is_user(session, username)
    password = None if known else Secret(_new_password(password_stdin))
    for store in stores:
        with store.transaction() as session:
            user = add_user(session, username, role, password)
            where = practice_row(session)
        console.print(f"{user.username} is a {user.role.value} in {where.key if where else '?'}")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InputError("the password is empty")
    return password
