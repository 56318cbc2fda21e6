"""``claimbridge demo`` (``make demo``): the claim cycle end to end, on synthetic data.

In a temporary folder: a SQLite ledger; the example practice loaded (``../shared/examples/
practice.json`` beside the checkout, else the copy shipped in ``claimbridge/demo_data``); the
Office Ally simulator on 127.0.0.1 (a free port, no delay); claims created and checked (the
Blue Shield claim is held for enrollment, with the reason); the ready claims submitted over
real SFTP to the simulator; its answers collected from ``outbound`` until the ERAs are in,
each applied by the ingest service (``services.ingest.poll``); then the claims those answers
made to the next payers (Medicare's ERA makes the Medigap claim) submitted and their ERAs
collected the same way; and a table of claims by status with the money billed, paid, adjusted
and owed by patients, all read back from the ledger.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from claimbridge.atomic import private_folder
from claimbridge.cli.common import report_errors
from claimbridge.cli.tables import print_table
from claimbridge.domain.models import Secret
from claimbridge.domain.practice_file import parse_practice_text
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claim_view import list_claims
from claimbridge.services.claims import CreateResult, create_claims
from claimbridge.services.ingest import Outcome, poll
from claimbridge.services.submit import SubmitResult, submit
from claimbridge.settings import Settings
from claimbridge.sim import SimConfig, start_simulator
from claimbridge.sim.config import EraSplit
from claimbridge.store.db import Store
from claimbridge.store.practice import known_keys, write_practice_file
from claimbridge.transport.base import Transport
from claimbridge.transport.lockout import UnkeptMarks
from claimbridge.transport.sftp import SftpSettings, SftpTransport
from claimbridge.x12.sniff import FileKind

ACTOR = "demo"
SHARED_PRACTICE = Path(__file__).resolve().parents[4] / "shared" / "examples" / "practice.json"
ANSWER_TIMEOUT_S = 30.0
QUIET_ROUNDS = 2  # rounds without a new file, after the ERAs, before the demo stops polling
NEXT_PAYERS = "made from the ERAs for the next payer (a secondary claim)"

KeepOption = Annotated[
    Path | None,
    typer.Option(
        "--keep",
        file_okay=False,
        help="Run in this folder and keep it (ledger, simulator, archive) to explore afterwards.",
    ),
]

PracticeOption = Annotated[
    Path | None,
    typer.Option(
        "--practice", exists=True, dir_okay=False, help="A claimbridge-practice/1 JSON file."
    ),
]


@dataclass
class DemoSummary:
    """What the demo did, and the claims as the ledger holds them at the end."""

    created: CreateResult | None = None
    submitted: SubmitResult | None = None
    next_payers: SubmitResult | None = None  # the claims the ERAs made to the next payers
    collected: Counter[str] = field(default_factory=Counter)
    applied: int = 0
    claims: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, Decimal]:
        """Money billed, paid, adjusted and owed by patients over every claim."""
        keys = {"billed": "charge", "paid": "paid", "adjusted": "adjusted"}
        keys["owed by patients"] = "patient_responsibility"
        return {
            name: sum((Decimal(claim[key]) for claim in self.claims), Decimal("0.00"))
            for name, key in keys.items()
        }


def register(root: typer.Typer) -> None:
    """Add ``demo`` to the ``claimbridge`` command."""
    root.command("demo")(demo)


@report_errors
def demo(practice: PracticeOption = None, keep: KeepOption = None) -> None:
    """Run the whole claim cycle against the built-in Office Ally simulator.

    Example:

    claimbridge demo --keep demo-run
    """
    console = Console(highlight=False, soft_wrap=True)
    started = time.monotonic()
    if keep is not None:
        keep = keep.absolute()
        private_folder(keep)
        summary = run_demo(keep, practice_source(practice), console)
    else:
        with tempfile.TemporaryDirectory(prefix="claimbridge-demo-") as folder:
            summary = run_demo(Path(folder), practice_source(practice), console)
    print_summary(summary, keep, console)
    console.print(f"Done in {time.monotonic() - started:.1f} s.")


def practice_source(given: Path | None) -> bytes:
    """The practice file: the one given, the shared example, or the copy in the package."""
    if given is not None:
        return given.read_bytes()
    if SHARED_PRACTICE.is_file():
        return SHARED_PRACTICE.read_bytes()
    return (files("claimbridge") / "demo_data" / "practice.json").read_bytes()


def run_demo(workdir: Path, practice: bytes, console: Console) -> DemoSummary:
    """The cycle in ``workdir``, laid out as a claimbridge home: ledger, practice, simulator,
    create, submit, collect. ``CLAIMBRIDGE_HOME=workdir`` then opens what it left."""
    summary = DemoSummary()
    home = Settings.from_env({"CLAIMBRIDGE_HOME": str(workdir)})
    store = Store(home.db_url)
    try:
        store.upgrade()
        era_split = _load(store, practice)
        console.print(f"Ledger in {home.home}: practice loaded.")
        config = SimConfig(root=workdir / "sim", port=0, delay=0, era_split=era_split)
        with start_simulator(config) as sim:
            console.print(f"Office Ally simulator listening on {sim.host}:{sim.port}.")
            summary.created = _create(store, console)
            with _sftp(config, sim.port, home.known_hosts_path) as transport:
                summary.submitted = _submit(store, transport, console)
                _collect(store, transport, home.archive_path, summary, console)
                summary.next_payers = _submit(store, transport, console, NEXT_PAYERS)
                if summary.next_payers.claims_sent:
                    _collect(store, transport, home.archive_path, summary, console)
        with store.read() as session:
            summary.claims = list_claims(session)
    finally:
        store.dispose()
    return summary


def _load(store: Store, practice: bytes) -> EraSplit:
    with store.transaction() as session:
        practice_file = parse_practice_text(practice, known_keys(session))
        write_practice_file(session, practice_file)
    account = practice_file.clearinghouse
    return EraSplit(account.era_split.value) if account else EraSplit.NONE


def _create(store: Store, console: Console) -> CreateResult:
    with store.transaction() as session:
        result = create_claims(session, ACTOR, datetime.now(UTC).date())
    ready = [c for c in result.created if c.status is ClaimStatus.READY]
    console.print(f"Claims created and checked: {len(result.created)}, {len(ready)} ready.")
    for held in (c for c in result.created if c.status is ClaimStatus.HELD):
        console.print(f"  {held.patient_control_number} held: {held.result.reason}", markup=False)
    return result


def _sftp(config: SimConfig, port: int, known_hosts: Path) -> SftpTransport:
    settings = SftpSettings(
        host=config.host,
        port=port,
        username=config.user,
        password=Secret(config.password),
        known_hosts=known_hosts,
    )
    return SftpTransport(settings, marks=UnkeptMarks())  # the simulator's account is not stored


def _submit(store: Store, transport: Transport, console: Console, what: str = "") -> SubmitResult:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("submitting 837P over SFTP", total=None)
        result = submit(
            store,
            transport,
            ACTOR,
            datetime.now(UTC),
            progress=lambda done: progress.advance(task, done),
        )
    for batch in result.batches:
        count = len(batch.patient_control_numbers)
        claims = f"{count} claim{'' if count == 1 else 's'}{' ' + what if what else ''}"
        console.print(f"Uploaded {batch.file_name}: {claims}.")
    return result


def _collect(
    store: Store, transport: SftpTransport, archive: Path, summary: DemoSummary, console: Console
) -> None:
    """Poll ``outbound`` (the ingest service) until new ERAs are in and nothing new comes."""
    deadline, quiet = time.monotonic() + ANSWER_TIMEOUT_S, 0
    collected, applied = Counter[str](), 0  # this round's, printed; the summary keeps the sums
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("collecting and applying Office Ally's answers", total=None)
        while time.monotonic() < deadline and quiet < QUIET_ROUNDS:
            reports = poll(
                store,
                transport,
                archive,
                now=datetime.now(UTC),
                actor=ACTOR,
                source=transport.settings.account,
            )
            for report in reports:
                collected[report.kind.value] += 1
                applied += report.outcome is Outcome.APPLIED
                progress.advance(task)
            eras_in = collected[FileKind.X835.value] > 0
            quiet = quiet + 1 if eras_in and not reports else 0
            time.sleep(0.5)
    summary.collected.update(collected)
    summary.applied += applied
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(collected.items()))
    console.print(f"Collected from outbound: {kinds or 'nothing'}; {applied} applied.")


def print_summary(summary: DemoSummary, kept: Path | None, console: Console) -> None:
    """Claims by status, the money, and where to look further."""
    print_table(console, _status_table(summary.claims))
    for name, amount in summary.totals().items():
        console.print(f"  {name:>17}: {amount:>10}")
    console.print(next_steps(kept, command_name()), markup=False)


def next_steps(kept: Path | None, claimbridge: str) -> str:
    """The commands to run next, each as it can be typed (``claimbridge`` is how to run it)."""
    if kept is None:
        return (
            f"Look further: run '{claimbridge} demo --keep demo-run' to keep this run's ledger, "
            f"then '{claimbridge} claims list', '{claimbridge} eob CHECK', "
            f"'{claimbridge} serve' on it."
        )
    home = f"CLAIMBRIDGE_HOME={shlex.quote(str(kept.resolve()))}"
    return (
        f"Look further: the kept folder is a claimbridge home; name it, then run commands on it:\n"
        f"  export {home}\n"
        f"  {claimbridge} claims list\n"
        f"  {claimbridge} claims show CLM01\n"
        f"  {claimbridge} appointments\n"
        f"  {claimbridge} users add admin --role admin\n"
        f"  {claimbridge} serve   # then open http://127.0.0.1:8000\n"
        f"To store an SFTP password in it, first make the key that encrypts the password:\n"
        f"  {claimbridge} init\n"
        f"  {claimbridge} set-password"
    )


def command_name() -> str:
    """``claimbridge`` when that runs this very script from the PATH, else the script's path.

    After ``make demo`` the script is in ``.venv/bin``, which is not on the PATH until the
    virtual environment is activated: printed hints must work as printed.
    """
    script = _running_script()
    if script is None:
        return f"{shlex.quote(sys.executable)} -m claimbridge"
    found = shutil.which("claimbridge")
    if found is not None and Path(found).resolve() == script:
        return "claimbridge"
    return shlex.quote(str(script))


def _running_script() -> Path | None:
    """The ``claimbridge`` script being run, else the one installed beside this Python."""
    for candidate in (Path(sys.argv[0]), Path(sys.executable).parent / "claimbridge"):
        if candidate.name == "claimbridge" and candidate.is_file():
            return candidate.resolve()
    return None


def _status_table(claims: list[dict[str, Any]]) -> Table:
    table = Table("status", title="Claims by status")
    for column in ("claims", "billed", "paid", "adjusted", "owed by patients"):
        table.add_column(column, justify="right")
    for status in ClaimStatus:
        mine = [claim for claim in claims if claim["status"] == status.value]
        if mine:
            table.add_row(status.value, str(len(mine)), *_sums(mine))
    return table


def _sums(claims: list[dict[str, Any]]) -> list[str]:
    keys = ("charge", "paid", "adjusted", "patient_responsibility")
    return [str(sum((Decimal(claim[key]) for claim in claims), Decimal("0.00"))) for key in keys]
