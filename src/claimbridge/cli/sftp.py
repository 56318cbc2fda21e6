"""``claimbridge sftp …``: check an SFTP account, and undo a pinned host key.

The password is read from ``CLAIMBRIDGE_SFTP_PASSWORD`` or asked for without echo; it is never
an option, so it never appears in the process list or the shell history. A rejected login of
the stored account is marked in the ledger (``claimbridge account schedule --resume`` allows
logins again); one of an account given with ``--host`` and ``--user`` is stored nowhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.common import report_errors
from claimbridge.cli.connect import stored_account
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store, settings_for
from claimbridge.domain.models import Secret
from claimbridge.errors import InputError
from claimbridge.services.account import LedgerLoginMarks
from claimbridge.transport.hostkeys import KnownHosts
from claimbridge.transport.lockout import LoginMarks, UnkeptMarks
from claimbridge.transport.sftp import SftpSettings, SftpTransport

app = typer.Typer(
    help="Check the SFTP account and manage what claimbridge pinned.", no_args_is_help=True
)
console = Console(highlight=False, soft_wrap=True)
PASSWORD_VARIABLE = "CLAIMBRIDGE_SFTP_PASSWORD"


def register(root: typer.Typer) -> None:
    """Add ``sftp …`` to the ``claimbridge`` command."""
    root.add_typer(app, name="sftp")


Host = Annotated[str, typer.Option("--host", help="SFTP server, e.g. ftp10.officeally.com.")]
Port = Annotated[int, typer.Option("--port", help="SFTP port.")]
KnownHostsOption = Annotated[
    Path | None,
    typer.Option(
        "--known-hosts",
        help="The known-hosts file claimbridge pins host keys in; default "
        "CLAIMBRIDGE_SFTP_KNOWN_HOSTS, else known_hosts in the claimbridge home.",
        show_default=False,
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option("--key", exists=True, dir_okay=False, help="Unencrypted OpenSSH private key."),
]


@app.command("test")
@report_errors
def test_command(
    host: Annotated[
        str | None,
        typer.Option("--host", help="SFTP server, e.g. ftp10.officeally.com; default: stored."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help="SFTP username (not the Service Center one); default: stored."),
    ] = None,
    known_hosts: KnownHostsOption = None,
    port: Port = 22,
    key: KeyOption = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Log in once, list inbound and outbound, and report; pins the host key on first use.

    Without --host and --user it tests the account stored in the ledger, with its stored
    password (a rejected login is marked in the ledger, and the account is not dialled again
    until 'claimbridge account schedule --resume'); with them, an account not stored yet.
    Examples:

        claimbridge sftp test

        CLAIMBRIDGE_SFTP_PASSWORD=… claimbridge sftp test --host ftp10.officeally.com
        --user practice --known-hosts var/known_hosts
    """
    known_hosts = known_hosts_file(known_hosts)
    marks: LoginMarks
    if host is None and user is None:
        settings, store = open_store(db, practice)
        sftp = stored_account(settings, store, known_hosts)
        marks = LedgerLoginMarks(store, known_hosts)
    elif host is None or user is None:
        raise InputError("give both --host and --user, or neither to test the stored account")
    else:
        sftp = SftpSettings(
            host=host,
            port=port,
            username=user,
            password=_password(required=key is None),
            client_key=key,
            known_hosts=known_hosts,
        )
        marks = UnkeptMarks()
    with SftpTransport(sftp, marks=marks) as transport:
        folders = (sftp.folders.inbound, sftp.folders.outbound)
        counts = {folder: len(transport.list(folder)) for folder in folders}
    listed = ", ".join(f"{folder}: {count} files" for folder, count in counts.items())
    console.print(f"connected to {sftp.account}; {listed}")
    console.print(f"host key pinned in {known_hosts}")


@app.command("forget-host-key")
@report_errors
def forget_host_key(host: Host, known_hosts: KnownHostsOption = None, port: Port = 22) -> None:
    """Remove the pinned host key of a server, after Office Ally confirmed its new key.

    The next connection pins whatever key the server then shows. Example:

        claimbridge sftp forget-host-key --host ftp10.officeally.com --known-hosts var/known_hosts
    """
    known_hosts = known_hosts_file(known_hosts)
    removed = KnownHosts(known_hosts).forget(host, port)
    if removed:
        console.print(f"removed {removed} pinned key(s) of {host}:{port} from {known_hosts}")
    else:
        console.print(f"no key was pinned for {host}:{port} in {known_hosts}")


def known_hosts_file(given: Path | None) -> Path:
    """``--known-hosts`` when given, else the one of the settings; absolute."""
    return settings_for(None).with_paths(known_hosts=given).known_hosts_path


def _password(*, required: bool) -> Secret | None:
    value = os.environ.get(PASSWORD_VARIABLE)
    if value is None and required:
        value = typer.prompt("SFTP password", hide_input=True)
    return Secret(value) if value is not None else None
