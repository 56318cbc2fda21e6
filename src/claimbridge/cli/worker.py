"""``claimbridge worker``: work the background jobs on a PostgreSQL ledger.

A thin shell over ``claimbridge.jobs.queue.run_worker``: the settings, the ledger, how to reach
Office Ally, then the worker until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.claims import KnownHostsOption
from claimbridge.cli.common import report_errors
from claimbridge.cli.connect import job_runtime
from claimbridge.cli.cycle import ArchiveOption
from claimbridge.cli.ledger import DbOption, open_store
from claimbridge.jobs.runtime import STALLED_AFTER_S

console = Console(highlight=False, soft_wrap=True)


def register(root: typer.Typer) -> None:
    """Add ``worker`` to the ``claimbridge`` command."""
    root.command("worker")(worker_command)


@report_errors
def worker_command(
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, max=64, help="How many jobs it runs at once."),
    ] = 4,
    stalled_after: Annotated[
        float,
        typer.Option(
            "--stalled-after",
            min=1.0,
            max=3600.0,
            help="Seconds without a heartbeat after which a worker is taken for dead and its "
            "jobs run again elsewhere.",
        ),
    ] = STALLED_AFTER_S,
    archive: ArchiveOption = None,
    known_hosts: KnownHostsOption = None,
    db: DbOption = None,
) -> None:
    """Work the background jobs on PostgreSQL: polls, submissions, tests and the schedule.

        Any number of workers may run, on any number of machines, against one ledger; no two ever
        work the same Office Ally account at once. Every minute one of them queues each account's
        due poll (and its ready claims, when the practice sends them by themselves: 'claimbridge
        account schedule'). SIGTERM or Ctrl-C stops it once the jobs in hand have ended; the jobs
    of a worker that was killed run again on another within a minute (--stalled-after). Example:

            claimbridge worker --concurrency 8
    """
    from claimbridge.jobs.queue import conninfo, run_worker
    from claimbridge.jobs.runtime import Liveness

    settings, store = open_store(db)
    conninfo(store.url)  # refuses a SQLite ledger in words before anything starts
    settings = settings.with_paths(archive=archive, known_hosts=known_hosts)
    console.print(f"worker: {concurrency} jobs at once; SIGTERM or Ctrl-C stops")
    liveness = Liveness(stalled_after)
    run_worker(job_runtime(settings, store, None), concurrency, liveness=liveness)
    console.print("worker stopped; the jobs in hand ended first.")
