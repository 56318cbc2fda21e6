"""Collecting and reading back: ``poll``, ``import``, ``watch``, ``polls``, ``eob`` and
``unmatched``.

``poll``, ``import`` and ``watch`` all go through ``services.ingest``: archive, identify by
content, apply once by SHA-256, one transaction per file. Every poll is recorded; ``polls``
lists the records.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from claimbridge.cli.claims import KnownHostsOption, print_submit
from claimbridge.cli.common import report_errors
from claimbridge.cli.connect import connect, job_runtime
from claimbridge.cli.ledger import DbOption, PracticeOption, open_store
from claimbridge.cli.tables import print_table
from claimbridge.errors import ConfigError, InputError, Stopped
from claimbridge.jobs.runtime import Runtime, practice_archive
from claimbridge.jobs.work import JOB_FUNCTIONS
from claimbridge.services.changes import ClaimIndex
from claimbridge.services.eob import find_eob, render_html, render_text
from claimbridge.services.ingest import FileReport, Outcome, ingest_paths, poll
from claimbridge.services.jobs import JobKind, practices_with_account, queue_job, schedule_of
from claimbridge.services.polls import folder_source, recent_polls, sftp_source
from claimbridge.services.post import (
    UnmatchedClaim,
    appointment_totals,
    appointments_with_claims,
    held_payments,
    unmatched,
)
from claimbridge.services.unmatched import Candidate, disagreements, likely_claims
from claimbridge.settings import Settings
from claimbridge.stopping import finish_first, stop_on_signals
from claimbridge.store.db import Store
from claimbridge.store.repositories import get_account

console = Console(highlight=False, soft_wrap=True)

ArchiveOption = Annotated[
    Path | None,
    typer.Option(
        "--archive",
        file_okay=False,
        help="Where every downloaded file's raw bytes are kept, with a manifest, each "
        "practice's in practice-<id>/; default CLAIMBRIDGE_ARCHIVE, else archive in the "
        "claimbridge home.",
        show_default=False,
    ),
]
FromOption = Annotated[
    Path | None,
    typer.Option(
        "--from",
        exists=True,
        file_okay=False,
        help="Read Office Ally's 'outbound' from this local folder instead of SFTP.",
    ),
]
_INTERVAL = re.compile(r"(\d+)\s*([smh]?)")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}


def register(root: typer.Typer) -> None:
    """Add ``poll``, ``import``, ``watch``, ``polls``, ``eob``, ``unmatched``, ``appointments``."""
    root.command("poll")(poll_command)
    root.command("import")(import_command)
    root.command("watch")(watch_command)
    root.command("polls")(polls_command)
    root.command("eob")(eob_command)
    root.command("unmatched")(unmatched_command)
    root.command("appointments")(appointments_command)


def _with_progress(
    label: str, run: Callable[[Callable[[int], None]], list[FileReport]]
) -> list[FileReport]:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=None)
        return run(lambda done: progress.advance(task, done))


def run_poll(
    settings: Settings,
    store: Store,
    source: Path | None,
    known_hosts: Path,
    archive: Path,
    actor: str = "cli",
) -> list[FileReport]:
    """Fetch new files (SFTP, or ``source``'s outbound folder) and ingest them; recorded."""
    transport = connect(settings, store, source, known_hosts)
    name = _source_name(store, source)
    try:
        now = datetime.now(UTC)
        return _with_progress(
            "collecting files",
            lambda step: poll(
                store, transport, archive, now=now, actor=actor, source=name, progress=step
            ),
        )
    finally:
        transport.close()


def _source_name(store: Store, source: Path | None) -> str:
    if source is not None:
        return folder_source(source)
    with store.read() as session:
        account = get_account(session)
    if account is None:
        raise ConfigError("no Office Ally account in the ledger: load a practice file first")
    return sftp_source(account)


@report_errors
def poll_command(
    source: FromOption = None,
    archive: ArchiveOption = None,
    known_hosts: KnownHostsOption = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Fetch what Office Ally returned and apply it: acknowledgments, reports, ERAs.

    Each new file is archived first, identified by its content and applied exactly once.
    Example:

        claimbridge poll --from ./sim-root
    """
    settings, store = open_store(db, practice)
    settings = settings.with_paths(archive=archive, known_hosts=known_hosts)
    kept_in = practice_archive(settings.archive_path, store.practice_id)
    print_reports(run_poll(settings, store, source, settings.known_hosts_path, kept_in))


@report_errors
def import_command(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="Files.")],
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Apply files brought by hand (999, 277CA, 835, Office Ally reports, zips).

    The same bytes imported twice change nothing and are reported as a duplicate. Exits 1 when
    a file failed, is unknown or is held, each named with the file id the next command takes.
    Example:

        claimbridge import ~/Downloads/ERA_835_0412.835
    """
    _, store = open_store(db, practice)
    reports = _with_progress("importing files", lambda step: ingest_paths(store, files, step))
    print_reports(reports)
    if any(report.outcome in NEEDS_A_PERSON for report in reports):
        raise typer.Exit(1)


def parse_interval(text: str) -> float:
    """'15m', '90s', '1h' or a number of seconds, as seconds."""
    match = _INTERVAL.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise InputError(f"{text!r} is not an interval (e.g. 15m, 90s, 1h)")
    return int(match.group(1)) * _SECONDS[match.group(2)]


@report_errors
def watch_command(
    every: Annotated[str, typer.Option("--every", help="How often to poll: 15m, 30m, 1h.")] = "15m",
    once: Annotated[bool, typer.Option("--once", help="Poll once and stop.")] = False,
    source: FromOption = None,
    archive: ArchiveOption = None,
    known_hosts: KnownHostsOption = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Keep polling Office Ally; Ctrl-C or SIGTERM stops cleanly.

    Between polls it stops at once; during a poll the file being applied is finished first.
    Example:

    claimbridge watch --every 30m
    """
    seconds = parse_interval(every)
    settings, store = open_store(db, practice)
    settings = settings.with_paths(archive=archive, known_hosts=known_hosts)
    runtime = job_runtime(settings, store, source)
    try:
        with stop_on_signals():
            while True:
                reports = watch_round(runtime)
                with finish_first():  # never half a line: a signal waits until they are out
                    print_reports(reports)
                    if not once:
                        console.print(f"next poll in {every}; Ctrl-C or SIGTERM stops")
                if once:
                    return
                time.sleep(seconds)
    except Stopped as stopped:
        console.print(f"stopped by {stopped.how}.")


def watch_round(runtime: Runtime) -> list[FileReport]:
    """One round of ``watch`` for the practice of its store: a poll job, run here, then a
    submission when the practice sends its ready claims by themselves."""
    practice_id = runtime.store.practice_id
    if practice_id not in practices_with_account(runtime.store):
        raise ConfigError("no Office Ally account in the ledger: load a practice file first")
    reports: list[FileReport] = _run_here(runtime, practice_id, JobKind.POLL) or []
    with runtime.store.read() as session:
        automatic = schedule_of(session, practice_id).auto_submit
    if automatic and (sent := _run_here(runtime, practice_id, JobKind.SUBMIT)):
        print_submit(sent)
    return reports


def _run_here(runtime: Runtime, practice_id: int, kind: JobKind) -> Any:
    """Run a job of ``kind`` in this process; what its service returned, or None (said why)
    when the job did not run."""
    job = queue_job(runtime.store, practice_id, kind, "watch", runtime.clock())
    result = JOB_FUNCTIONS[kind](runtime, practice_id, job.id)
    if result.value is None:
        console.print(result.text, markup=False)
    return result.value


@report_errors
def polls_command(
    limit: Annotated[int, typer.Option("--limit", help="How many polls, newest first.")] = 20,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """List the recent polls: when, by whom, from where, how many files, and the result.

    Example:

    claimbridge polls --limit 5
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        polls = recent_polls(session, limit)
    if not polls:
        console.print("No poll yet; 'claimbridge poll' fetches what Office Ally returned.")
        return
    table = Table("Started", "By", "Source")
    table.add_column("Files", justify="right")
    table.add_column("Unreadable", justify="right")
    table.add_column("Result")
    for item in polls:
        result = ("ok" if item.ok else "FAILED") + (f": {item.detail}" if item.detail else "")
        table.add_row(
            f"{item.started_at:%Y-%m-%d %H:%M:%S} UTC", item.actor, item.source,
            str(item.files), str(item.failed), result,
        )  # fmt: skip
    print_table(console, table, wrap={"Result"})


NEEDS_A_PERSON = frozenset({Outcome.FAILED, Outcome.UNKNOWN, Outcome.HELD})


def print_reports(reports: list[FileReport]) -> None:
    """One line per file (with the file id commands take), then what to do next."""
    for report in reports:
        file_id = f" (file {report.inbound_file_id})" if report.inbound_file_id else ""
        console.print(
            f"  {report.name}{file_id}: {report.kind.value} {report.outcome.value}"
            f" — {report.detail}",
            markup=False,
        )
    counted = {o: sum(1 for r in reports if r.outcome is o) for o in Outcome}
    summary = ", ".join(f"{n} {o.value}" for o, n in counted.items() if n) or "nothing new"
    console.print(f"{len(reports)} files: {summary}.")
    if any(counted[outcome] for outcome in NEEDS_A_PERSON):
        console.print(
            "Files failed, unknown or held are kept in the ledger for a person to look at: "
            "'claimbridge files list --held --failed --unknown' lists them."
        )
    for report in reports:
        if report.outcome is Outcome.HELD:
            console.print(
                f"File {report.inbound_file_id} is held: 'claimbridge eras post-held "
                f"{report.inbound_file_id} --reason WHY' posts it anyway, 'claimbridge eras "
                f"dismiss-held {report.inbound_file_id} --reason WHY' sets it aside.",
                markup=False,
            )
    if reports:
        console.print(
            "Next: 'claimbridge claims list' shows each claim; "
            "'claimbridge unmatched' the ERA claims we could not match."
        )


@report_errors
def eob_command(
    remittance: Annotated[str, typer.Argument(help="The remittance's id or check/EFT number.")],
    html_file: Annotated[
        Path | None, typer.Option("--html", dir_okay=False, help="Also write the EOB as HTML.")
    ] = None,
    db: DbOption = None,
    practice: PracticeOption = None,
) -> None:
    """Print an ERA as a paper EOB reads.

    Example:

    claimbridge eob 70000001 --html eob.html
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        eob = find_eob(session, remittance)
    console.print(render_text(eob), markup=False, end="")
    if html_file is not None:
        try:
            html_file.write_text(render_html(eob), encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot write {html_file}: {error.strerror}") from None
        console.print(f"written to {html_file}")


@report_errors
def unmatched_command(db: DbOption = None, practice: PracticeOption = None) -> None:
    """List ERA claims not posted, with why and likely claims; payments held for review.

    Not posted: their patient control number names none of our claims, a claim never sent,
    or one sent to another payer. Held for review: payments beyond what their claim can take.

    Example:

        claimbridge unmatched
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        queue = unmatched(session)
        likely = likely_claims(session, [item.id for item in queue])
        held = held_payments(session)
        index = ClaimIndex(session)
        against = {
            item.id: disagreements(session, item.id, ref)
            for item in queue
            if likely[item.id] and (ref := index.get(likely[item.id][0].clm01)) is not None
        }
    if not queue:
        console.print("No unmatched ERA claims.")
    for item in queue:
        lines = _unmatched_lines(item, likely[item.id], against.get(item.id, []))
        console.print("\n".join(lines), markup=False)
    if queue:
        console.print(
            f"{len(queue)} unmatched. 'claimbridge eob CHECK' shows the ERA; 'claimbridge eras "
            "dismiss ID --reason WHY' takes one that is none of ours off the queue."
        )
    _print_held(held)


def _print_held(held: list[UnmatchedClaim]) -> None:
    """The payments held for review, and the commands that decide them."""
    if not held:
        return
    console.print(f"\nHeld for review ({len(held)}): payments beyond what their claim can take")
    for item in held:
        console.print(
            f"{item.id}  {item.clm01}  paid {item.paid:.2f}  check {item.trace_number}  "
            f"{item.payer}\n    {item.detail}",
            markup=False,
        )
    console.print(
        "'claimbridge eras post-payment ID --reason WHY' posts one to its claim; 'claimbridge "
        "eras refund ID --reason WHY' marks it refunded."
    )


def _unmatched_lines(
    item: UnmatchedClaim, likely: list[Candidate], against: list[str]
) -> list[str]:
    """An unmatched ERA claim, its likely claims of ours (most counts first) and how to match:
    a command to run as it is only when the likeliest claim agrees with the ERA claim."""
    if not likely:
        hint = [f"    match: claimbridge eras match {item.id} CLM01"]
    elif against:
        hint = [
            f"    {likely[0].clm01} disagrees with the ERA claim: {'; '.join(against)}",
            f"    check the EOB first; to match anyway: claimbridge eras match {item.id} "
            f"{likely[0].clm01} --override REASON",
        ]
    else:
        hint = [f"    match: claimbridge eras match {item.id} {likely[0].clm01}"]
    return [_era_claim_line(item), *_likely_lines(likely), *hint, ""]


def _era_claim_line(item: UnmatchedClaim) -> str:
    payer_claim = item.payer_claim_control_number
    return (
        f"{item.id}  {item.patient_control_number}"
        + (f" (payer claim {payer_claim})" if payer_claim else "")
        + f"  status {item.status_code}  charge {item.charge:.2f}  paid {item.paid:.2f}"
        + f"  check {item.trace_number}  {item.payer}  file {item.file_name}"
        + (f"\n    not posted: {item.detail}" if item.detail else "")
    )


def _likely_lines(likely: list[Candidate]) -> list[str]:
    """Likely claims in aligned columns: CLM01, status, charge, service date, why."""
    if not likely:
        return ["    no likely claim of ours"]
    rows = [
        (c.clm01, c.status.value, f"{c.total_charge:.2f}", c.service_date.isoformat(), c.why)
        for c in likely
    ]
    number, status, charge = (max(len(row[i]) for row in rows) for i in range(3))
    return ["    likely claims of ours (CLM01, status, charge, service date, why):"] + [
        f"      {clm01:<{number}}  {state:<{status}}  {money:>{charge}}  {day}  {why}"
        for clm01, state, money, day, why in rows
    ]


@report_errors
def appointments_command(db: DbOption = None, practice: PracticeOption = None) -> None:
    """Show each appointment with a claim: billed, paid by insurance, owed by the patient.

    Totals are the sums of everything posted to the appointment's claims, reversals included.

    Example:

    claimbridge appointments
    """
    _, store = open_store(db, practice)
    with store.read() as session:
        totals = appointment_totals(session, appointments_with_claims(session))
    if not totals:
        console.print("No appointment has a claim yet; run 'claimbridge claims create'.")
        return
    table = Table("Appointment", "Date")
    for money in ("Billed", "Insurance paid", "Patient owes"):
        table.add_column(money, justify="right")
    for row in totals:
        table.add_row(
            row.appointment_key, row.service_date.isoformat(), str(row.charge),
            str(row.insurance_paid), str(row.patient_owes),
        )  # fmt: skip
    print_table(console, table)
