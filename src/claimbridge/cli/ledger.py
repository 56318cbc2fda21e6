"""The ledger commands: ``init``, ``load``, ``set-password``, ``payers import|list|set``,
``fees``.

Each command reads the settings (``CLAIMBRIDGE_*``, then ``--db``), opens the ``Store`` and
calls one library function. ``DbOption`` is the one definition of ``--db``; other command
modules may import it, and ``settings_for`` is how every command reads its settings.
"""

from __future__ import annotations

import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.atomic import private_folder
from claimbridge.cli.common import actor, err_console, report_errors
from claimbridge.domain.fees import FeeExposure, FeePolicy, exposures, total_fees
from claimbridge.domain.models import Enrollment, Payer, Secret, Transaction
from claimbridge.domain.payer_list import decode_payer_list, parse_payer_csv
from claimbridge.domain.practice_file import parse_practice_text
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ConfigError, InputError
from claimbridge.services.account import import_file_marks
from claimbridge.services.claims import Checked, recheck_held
from claimbridge.services.payer_admin import enrollment_setting, set_payer
from claimbridge.settings import Settings, parse_fee_amount, parse_fee_rule
from claimbridge.store.crypto import Cipher, create_key_file, resolve_key
from claimbridge.store.db import Store, display_url
from claimbridge.store.payers import apply_payer_list, list_payers
from claimbridge.store.practice import known_keys, write_practice_file
from claimbridge.store.practices import choose_practice, store_for_load
from claimbridge.store.repositories import (
    fee_counts,
    forget_password,
    get_account,
    has_stored_password,
    set_password,
    utcnow,
)
from claimbridge.store.sync import Tally

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy URL of the ledger; default CLAIMBRIDGE_DB, else "
        "claimbridge.db in the claimbridge home (CLAIMBRIDGE_HOME).",
        show_default=False,
    ),
]
PracticeOption = Annotated[
    str | None,
    typer.Option(
        "--practice",
        help="The key of the practice to work in; default CLAIMBRIDGE_PRACTICE. Needed only "
        "when the ledger holds several ('claimbridge practices list').",
        show_default=False,
    ),
]
JsonFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A practice file.")
]
CsvFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A payer list (CSV).")
]

console = Console(highlight=False, soft_wrap=True)
payers_app = typer.Typer(help="The payer master list.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ledger commands to the ``claimbridge`` command."""
    app.command("init")(init)
    app.command("load")(load)
    app.command("set-password")(set_password_command)
    app.command("fees")(fees)
    app.add_typer(payers_app, name="payers")


def settings_for(db: str | None, practice: str | None = None) -> Settings:
    """Settings from the environment, with ``--db`` and ``--practice`` taking precedence."""
    return Settings.from_env(os.environ).with_db(db).with_practice(practice)


def open_ledger(db: str | None) -> tuple[Settings, Store]:
    """The settings and the whole ledger, every practice, whose schema is current (else
    ``ConfigError``): for what serves them all (the web app, workers)."""
    settings = settings_for(db)
    store = Store(settings.db_url)
    store.require_current()
    return settings, store


def open_store(db: str | None, practice: str | None = None) -> tuple[Settings, Store]:
    """The settings and a store whose schema is current (else ``ConfigError``), working in the
    chosen practice (``--practice``, ``CLAIMBRIDGE_PRACTICE``, else the ledger's only one)."""
    settings, store = open_ledger(db)
    settings = settings.with_practice(practice)
    return settings, choose_practice(store, settings.practice)


def cipher_for(settings: Settings) -> Cipher:
    """The Fernet cipher of the configured key (environment, else key file)."""
    return Cipher(resolve_key(settings.secret_key, settings.key_path))


@report_errors
def init(
    db: DbOption = None,
    replace_lost_key: Annotated[
        bool,
        typer.Option(
            "--replace-lost-key",
            help="Only when the key is lost for good: make a new key and erase the stored SFTP "
            "password, to be set again with 'claimbridge set-password'.",
        ),
    ] = False,
) -> None:
    """Create the ledger database, or upgrade it to this version's schema.

    On PostgreSQL it also creates or upgrades the job queue's tables (Procrastinate's), which
    'claimbridge worker' needs. Rejected-login marks an earlier version kept beside the
    known-hosts file are read into the ledger. Also creates the key that encrypts the SFTP
    password, unless CLAIMBRIDGE_SECRET_KEY is set: a key file with mode 0600, claimbridge.key
    in the claimbridge home (or CLAIMBRIDGE_KEY_FILE). It refuses to make a new key while the
    ledger holds a password that another key encrypted, and says how to restore that key.
    Example:

        claimbridge init --db sqlite:///var/claimbridge/ledger.db
    """
    settings = settings_for(db)
    _make_home(settings.home)
    store = Store(settings.db_url)
    try:
        _init(settings, store, replace_lost_key)
    finally:
        store.dispose()


def _init(settings: Settings, store: Store, replace_lost_key: bool) -> None:
    revision = store.upgrade()
    console.print(f"ledger {display_url(settings.db_url)} is at revision {revision}")
    marked = import_file_marks(store, settings.known_hosts_path)
    if marked:
        console.print(f"rejected SFTP logins read into the ledger: {marked} account(s) marked; "
                      "see the dashboard", markup=False)  # fmt: skip
    if store.dialect == "postgresql":
        from claimbridge.jobs.queue import install_queue_schema

        console.print(install_queue_schema(store))
    if settings.secret_key is not None:
        Cipher(settings.secret_key)
        console.print("secret key: CLAIMBRIDGE_SECRET_KEY")
        return
    key_file = settings.key_path
    if not key_file.exists():
        _keep_the_stored_password_readable(store, key_file, replace_lost_key)
    created = create_key_file(key_file)
    _warn_unless_the_key_opens_the_password(store, cipher_for(settings), key_file)
    console.print(f"secret key: {key_file} ({'created, ' if created else ''}mode 0600)")


def _warn_unless_the_key_opens_the_password(store: Store, cipher: Cipher, key_file: Path) -> None:
    try:
        with store.read() as session:
            get_account(session, cipher)
    except ConfigError:
        err_console().print(
            f"warning: the key in {key_file} does not open the stored SFTP password: restore "
            "the key that does ('claimbridge restore BACKUP --key-from KEYFILE --force', or "
            "copy it there), or set the password again ('claimbridge set-password')",
            markup=False,
            soft_wrap=True,
        )


def _make_home(home: Path) -> None:
    """Create the home 0700; warn when an existing one is open to other users."""
    private_folder(home)
    if stat.S_IMODE(home.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO):
        err_console().print(
            f"warning: the claimbridge home {home} is open to other users: chmod 700 it",
            markup=False,
            soft_wrap=True,
        )


def _keep_the_stored_password_readable(store: Store, key_file: Path, replace: bool) -> None:
    """Refuse a new key while the ledger holds a password the lost key encrypted, unless
    ``replace``: then erase that password, which no key can read any more."""
    with store.transaction() as session:
        if not has_stored_password(session):
            return
        if not replace:
            raise ConfigError(
                f"no key file at {key_file}, but the ledger holds an SFTP password encrypted "
                "with a key; a new key could never read it, so none was made. Restore the key: "
                "'claimbridge restore BACKUP --key-from KEYFILE', or copy the key file to "
                f"{key_file}, or set CLAIMBRIDGE_KEY_FILE or CLAIMBRIDGE_SECRET_KEY, then run "
                "'claimbridge init' again. Only if the key is lost for good: 'claimbridge init "
                "--replace-lost-key', then 'claimbridge set-password'"
            )
        forget_password(session)
    err_console().print(
        "the stored SFTP password was erased (its key is lost): "
        "run 'claimbridge set-password' next",
        markup=False,
        soft_wrap=True,
    )


@report_errors
def load(path: JsonFile, db: DbOption = None, practice: PracticeOption = None) -> None:
    """Load a practice file (format claimbridge-practice/1) into the ledger.

    The whole file is checked first; any problem refuses it, nothing is written, and every
    problem is listed with its JSON path. Loading the same file again changes nothing. A
    patient's name or birth date, an insured's ID, a payer's enrollment or the Office Ally
    account's settings changed in claimbridge are kept over a file with another value, and
    listed. Held claims are checked again, and those the file releases are named. Example:

        claimbridge load practice.json

    With --practice KEY (or CLAIMBRIDGE_PRACTICE) it loads into that practice, made on the
    first load; the first load into an empty ledger makes a practice keyed by the name.
    """
    settings, ledger = open_ledger(db)
    settings = settings.with_practice(practice)
    store = store_for_load(ledger, settings.practice)
    data = read_file(path)
    with store.transaction() as session:
        practice_file = parse_practice_text(data, known_keys(session))
        account = practice_file.clearinghouse
        cipher = cipher_for(settings) if account and account.password else None
        tally = write_practice_file(session, practice_file, cipher)
        rechecked = recheck_held(session, actor(), datetime.now(UTC).date())
    _print_tally(tally)
    _print_released(rechecked)


@report_errors
def set_password_command(
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Store the Office Ally SFTP password, encrypted; asks for it without echo.

    With --password-stdin it reads the first line of standard input instead (for automation).
    The password is never shown again, logged or written in clear. Example:

        claimbridge set-password
    """
    settings, store = open_store(db, practice)
    cipher = cipher_for(settings)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("SFTP password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InputError("the password is empty")
    with store.transaction() as session:
        set_password(session, Secret(password), cipher)
    console.print("SFTP password stored (encrypted)")


@payers_app.command("import")
@report_errors
def import_payers(path: CsvFile, db: DbOption = None, practice: PracticeOption = None) -> None:
    """Merge an Office Ally payer list (CSV) into the payer master list, without duplicates.

    Reads Payer ID, Payer Name, a Type (P/NP) or Non-Par mark, enrollment marks per transaction
    (837P, ERA/835) and Notes; header spellings may vary. Rows that cannot be read are listed
    with their row number and skipped. Example:

        claimbridge payers import docs/examples/officeally-payers.csv
    """
    _, store = open_store(db, practice)
    payer_list = parse_payer_csv(decode_payer_list(read_file(path)))
    with store.transaction() as session:
        tally = apply_payer_list(session, payer_list, utcnow())
    _print_tally(tally)
    for problem in payer_list.problems:
        err_console().print(f"skipped {problem}", markup=False)


@payers_app.command("list")
@report_errors
def list_payers_command(db: DbOption = None, practice: PracticeOption = None) -> None:
    """Show the payer master list: filing indicator, Par status and enrollments.

    Example:

    claimbridge payers list
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        payers = list_payers(session)
    headers = ("PAYER ID", "NAME", "SBR09", "PAR", "837P ENROLLMENT", "835 ENROLLMENT")
    console.print(_table(headers, [_payer_cells(payer) for payer in payers]), markup=False)


@payers_app.command("set")
@report_errors
def set_payer_command(
    payer_id: Annotated[str, typer.Argument(help="The payer's Office Ally payer ID.")],
    filing_indicator: Annotated[
        str | None,
        typer.Option(
            "--filing-indicator", help="The claim filing indicator (SBR09): CI, BL, MB, MC …"
        ),
    ] = None,
    enrollment: Annotated[
        list[str] | None,
        typer.Option(
            "--enrollment",
            help="TRANSACTION=STATUS: 837P or 835 (ERA), not_started, submitted, approved or "
            "rejected; may be given twice.",
        ),
    ] = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Set a payer's claim filing indicator and enrollment statuses; held claims are checked again.

    What is set is kept over a later practice file that says otherwise. Example:

        claimbridge payers set 62308 --filing-indicator CI --enrollment 837P=approved
    """
    settings = dict(enrollment_setting(text) for text in enrollment or [])
    _, store = open_store(db, practice)
    today = datetime.now(UTC).date()
    with store.transaction() as session:
        payer = set_payer(session, payer_id, actor(), today, filing_indicator, settings)
        rechecked = recheck_held(session, actor(), today)
    headers = ("PAYER ID", "NAME", "SBR09", "PAR", "837P ENROLLMENT", "835 ENROLLMENT")
    console.print(_table(headers, [_payer_cells(payer)]), markup=False)
    _print_released(rechecked)


@report_errors
def fees(
    month: Annotated[
        str | None, typer.Option(help="Only this month of submission, YYYY-MM.")
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option(help="fifty_percent or any_claim; default CLAIMBRIDGE_NON_PAR_FEE_RULE."),
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option(help="Fee per month and combination; default CLAIMBRIDGE_NON_PAR_FEE_AMOUNT."),
    ] = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Show Office Ally's Non-Par fee exposure per month and (tax ID, rendering NPI).

    Counts submitted claims by the month they were first submitted (UTC). The sources
    disagree on the rule: OA's Par/Non-Par articles charge when 50% or more of a month's claims
    go to Non-Par payers (fifty_percent, the default); another version of the article charges
    when any Non-Par claim is sent (any_claim). And on the amount: 35.00 on OA's Separate
    Username Request form (the default); 39.95 flat since 2024-02-01 according to zHealth.
    Example:

        claimbridge fees --month 2026-11 --rule any_claim --amount 39.95
    """
    settings, store = open_store(db, practice)
    policy = FeePolicy(
        parse_fee_rule(rule, "--rule") if rule else settings.fee_rule,
        parse_fee_amount(amount, "--amount") if amount else settings.fee_amount,
    )
    with store.read() as session:
        lines = exposures(fee_counts(session, month), policy)
    _print_fees(lines, policy)


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read the file: {error.strerror}", path=str(path.absolute())
        ) from None


def _print_released(rechecked: list[Checked]) -> None:
    """Say which held claims the load released (an enrollment or the go-live date changed)."""
    released = [c.patient_control_number for c in rechecked if c.status is ClaimStatus.READY]
    if released:
        shown = ", ".join(released[:10]) + (" …" if len(released) > 10 else "")
        claims = "claim" if len(released) == 1 else "claims"
        console.print(
            f"{len(released)} held {claims} now ready to send: {shown}; next: claimbridge submit",
            markup=False,
        )


def _print_tally(tally: Tally) -> None:
    for line in tally.lines():
        console.print(line, markup=False)
    console.print("nothing changed" if tally.writes == 0 else f"{tally.writes} records written")


def _payer_cells(payer: Payer) -> tuple[str, ...]:
    return (
        payer.payer_id,
        payer.name,
        payer.claim_filing_indicator or "?",
        "par" if payer.par else "non-par",
        _enrollment_cell(payer.enrollment(Transaction.CLAIMS)),
        _enrollment_cell(payer.enrollment(Transaction.ERA)),
    )


def _enrollment_cell(enrollment: Enrollment) -> str:
    if not enrollment.required:
        return "not required"
    status = enrollment.status.value.replace("_", " ")
    return f"{status}, OA notified" if enrollment.office_ally_notified else status


def _print_fees(lines: list[FeeExposure], policy: FeePolicy) -> None:
    if not lines:
        console.print("no submitted claims in that period", markup=False)
        return
    headers = ("MONTH", "TAX ID", "RENDERING NPI", "CLAIMS", "PAR", "NON-PAR", "NON-PAR %", "FEE")
    rows = [_fee_cells(line) for line in lines]
    console.print(_table(headers, rows), markup=False)
    console.print(
        f"rule {policy.rule.value}, {policy.amount} per month and combination; "
        f"total {total_fees(lines)}",
        markup=False,
    )


def _fee_cells(line: FeeExposure) -> tuple[str, ...]:
    return (
        line.month,
        line.tax_id,
        line.rendering_npi,
        str(line.claims),
        str(line.par_claims),
        str(line.non_par_claims),
        str(line.non_par_percent),
        str(line.fee) if line.fee_applies else "-",
    )


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = (
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in (headers, *rows)
    )
    return "\n".join(line.rstrip() for line in lines)
