"""``claimbridge serve`` runs the web app; ``claimbridge users`` manages the people who sign in
(add, list, disable, enable, a new password) and their API tokens (make, list, revoke).

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
from claimbridge.cli.ledger import DbOption, PracticeOption, open_ledger, open_store
from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError, InputError, RecordNotFound, Stopped
from claimbridge.services.users import (
    TOKEN_DAYS_DEFAULT,
    TOKEN_DAYS_MAX,
    Role,
    TokenScope,
    add_user,
    create_token,
    find_user_id,
    get_user,
    hash_password,
    is_user,
    list_tokens,
    list_users,
    revoke_token,
    set_active,
    set_password_hash,
)
from claimbridge.stopping import stop_on_signals
from claimbridge.store.practices import choose_practice, practice_row
from claimbridge.store.repositories import utcnow

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


@users_app.command("list")
@report_errors
def list_command(db: DbOption = None, practice: PracticeOption = None) -> None:
    """List the practice's users: role, whether they may sign in, their last sign-in.

    One user a line, the fields separated by tabs.

    Example:

    claimbridge users list --practice cedar-valley
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        users = list_users(session)
    for u in users:
        state = "active" if u.active else "disabled"
        last = f"{u.last_sign_in_at:%Y-%m-%d %H:%M} UTC" if u.last_sign_in_at else "never"
        print(f"{u.username}\t{u.role.value}\t{state}\tlast sign-in {last}")


@users_app.command("disable")
@report_errors
def disable(
    username: Annotated[str, typer.Argument(help="The user to disable.")],
    db: DbOption = None,
) -> None:
    """Stop a person signing in, in every practice: their sessions end, their tokens stop.

    Example:

    claimbridge users disable dana
    """
    _set_active(username, False, db)


@users_app.command("enable")
@report_errors
def enable(
    username: Annotated[str, typer.Argument(help="The user to let sign in again.")],
    db: DbOption = None,
) -> None:
    """Let a disabled person sign in again.

    Example:

    claimbridge users enable dana
    """
    _set_active(username, True, db)


def _set_active(username: str, active: bool, db: str | None) -> None:
    _, ledger = open_ledger(db)
    with ledger.across_practices(write=True) as session:
        set_active(session, find_user_id(session, username), active)
    console.print(f"{username} {'may sign in again' if active else 'is disabled'}")


@users_app.command("password")
@report_errors
def password(
    username: Annotated[str, typer.Argument(help="Whose password to set.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Give a person a new password, asked for without echo; their sessions end.

    Example:

    claimbridge users password dana
    """
    _, ledger = open_ledger(db)
    with ledger.across_practices() as session:
        user_id = find_user_id(session, username)
    hashed = hash_password(Secret(_new_password(password_stdin)))
    with ledger.across_practices(write=True) as session:
        set_password_hash(session, user_id, hashed)
    console.print(f"{username} has a new password; their sessions ended")


@users_app.command("token")
@report_errors
def token(
    username: Annotated[str, typer.Argument(help="Whom the token acts as.")],
    role: Annotated[
        TokenScope, typer.Option("--role", help="read (GET only) or write.")
    ] = TokenScope.READ,
    expires: Annotated[
        int, typer.Option("--expires", help=f"Days it lasts, 1 to {TOKEN_DAYS_MAX}.")
    ] = TOKEN_DAYS_DEFAULT,
    name: Annotated[str, typer.Option("--name", help="What it is for.")] = "api",
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Make an API token for a user in a practice and print it (shown this once).

    Example:

    claimbridge users token dana --role read --expires 30 --name ehr
    """
    _, store = open_store(db, practice)
    with store.across_practices() as session:
        user_id = find_user_id(session, username)
    with store.transaction() as session:
        user = get_user(session, user_id)
        if user is None:
            raise RecordNotFound(f"{username} has no role in this practice, or is disabled")
        made = create_token(session, user, name, role, expires)
    print(made.reveal())


@users_app.command("tokens")
@report_errors
def tokens(db: DbOption = None, practice: PracticeOption = None) -> None:
    """List the practice's API tokens: id, name, user, read or write, made, expiry, last use.

    One token a line, the fields separated by tabs.

    Example:

    claimbridge users tokens
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        found = list_tokens(session)
    now = utcnow()
    for k in found:
        used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never"
        print(
            f"{k.id}\t{k.name}\t{k.username}\t{k.scope.value}\t{k.state(now)}"
            f"\tmade {k.created_at:%Y-%m-%d}\texpires {k.expires_at:%Y-%m-%d}\tlast used {used}"
        )


@users_app.command("revoke-token")
@report_errors
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id ('claimbridge users tokens').")],
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Revoke an API token: it stops working at once.

    Example:

    claimbridge users revoke-token 3
    """
    _, store = open_store(db, practice)
    with store.transaction() as session:
        revoked = revoke_token(session, token_id)
    console.print(f"token {revoked.id} ({revoked.name}, {revoked.username}) is revoked")
