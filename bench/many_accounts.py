"""Many Office Ally accounts worked in the background: 1,000 practices, 1, 2 and 4 workers.

One PostgreSQL ledger (a throw-away cluster, as the tests make them) holds ``--accounts``
practices, each loaded from the shared example, its first claims sent and answered (999,
277CA, ERAs waiting in its account's ``outbound``), more claims ready, and sending by itself
switched on. One ``claimbridge sim --accounts N`` serves every account over SFTP. For each worker
count, a fresh copy of that ledger and of the simulator's folders is worked by that many
``claimbridge worker`` processes: the schedule queues every account's poll and submission at
once (every account is due), and the bench follows the job rows until all have ended.

It reports accounts polled per minute per worker, the time from the answers appearing in
``outbound`` (all at once, when the round is queued) to their payments posted (the end of the
poll that applied the ERA), p50 and p95, and how long the whole round took, against the target
of every account worked within its 15-minute window. The table goes into docs/performance.md
under ``## Many Office Ally accounts`` (only that section is replaced)::

    .venv/bin/python bench/many_accounts.py                        # 1,000 accounts; 1, 2, 4 workers
    .venv/bin/python bench/many_accounts.py --accounts 20 --quick  # a smoke run, docs untouched

The data is synthetic: the shared example practice (five visits), its visits repeated two weeks
later for the second claims.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import func, select, update

from claimbridge.domain.models import Secret
from claimbridge.domain.practice_file import parse_practice_text
from claimbridge.jobs.queue import QueueRunner, install_queue_schema, queue_app
from claimbridge.jobs.schedule import schedule_round
from claimbridge.services.claims import create_claims
from claimbridge.services.jobs import DEFAULT_POLL_MINUTES, practices_with_account, set_schedule
from claimbridge.services.submit import submit
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.store import tables as t
from claimbridge.store.crypto import Cipher
from claimbridge.store.db import Store
from claimbridge.store.practice import known_keys, write_practice_file
from claimbridge.store.practices import store_for_load
from claimbridge.store.repositories import set_password
from claimbridge.transport import LocalDirTransport

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))
import pg_support  # noqa: E402  (the tests' throw-away cluster)
from performance_doc import DOC, write_section  # noqa: E402

SECTION = "## Many Office Ally accounts"
OUT = BENCH / "out"
EXAMPLE = ROOT.parent / "shared" / "examples" / "practice.json"
SIM_USER, SIM_PASSWORD = "bench", "bench-password"
ACTOR = "bench"
RUN_MAIN = "import sys; from claimbridge.cli import main; sys.argv[0] = 'claimbridge'; main()"
WINDOW_MIN = DEFAULT_POLL_MINUTES


def example() -> dict[str, Any]:
    """The shared example practice file."""
    if not EXAMPLE.is_file():
        sys.exit(f"the example practice file is not at {EXAMPLE}")
    loaded: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return loaded


def with_later_visits(practice: dict[str, Any], days: int = 14) -> dict[str, Any]:
    """The practice file with each visit repeated ``days`` later: the next claims to send."""
    later = copy.deepcopy(practice)
    for visit in practice["appointments"]:
        again = copy.deepcopy(visit)
        again["id"] = f"{visit['id']}-later"
        again["date"] = (date.fromisoformat(visit["date"]) + timedelta(days=days)).isoformat()
        later["appointments"].append(again)
    return later


def load(store: Store, practice: dict[str, Any]) -> None:
    """Load a practice file as ``claimbridge load`` does."""
    with store.transaction() as session:
        write_practice_file(session, parse_practice_text(json.dumps(practice), known_keys(session)))


def add_account(
    store: Store, number: int, sim: SimConfig, port: int, key: str, now: datetime
) -> Store:
    """Practice ``number`` in ``store``: loaded, its first claims sent into its account's
    ``inbound`` (``<user>-<number>`` of ``sim``) and answered there, its next claims ready, its
    account pointed at the simulator's ``port`` with the password stored under ``key``, sending by
    itself switched on. The practice's store."""
    first = example()
    practice = store_for_load(store, f"practice-{number:04d}")
    user = f"{sim.user}-{number}"
    account = sim.for_user(user)
    load(practice, first)
    with practice.transaction() as session:
        create_claims(session, ACTOR, now.date())
    account.inbound.mkdir(parents=True, exist_ok=True)
    submit(practice, LocalDirTransport(account.root), ACTOR, now)
    process_inbound_once(account.root, account, now.replace(tzinfo=None))  # the answers wait
    load(practice, with_later_visits(first))
    with practice.transaction() as session:
        create_claims(session, ACTOR, now.date())
        session.execute(
            update(t.ClearinghouseAccountRow).values(
                sftp_host=sim.host, sftp_port=port, username=user
            )
        )
        set_password(session, Secret(sim.password), Cipher(Secret(key)))
        set_schedule(session, practice.practice_id, WINDOW_MIN, auto_submit=True)
    return practice


def build_accounts(
    url: str, numbers: list[int], sim: SimConfig, port: int, key: str, now: datetime
) -> None:
    """``add_account`` for each of ``numbers``, in a process of its own."""
    store = Store(url)
    try:
        for number in numbers:
            add_account(store, number, sim, port, key, now)
    finally:
        store.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Run:
    """One worker count's round over every account."""

    workers: int
    concurrency: int
    accounts: int
    queue_s: float
    cycle_s: float
    polls: int
    submits: int
    failed: int
    eras_posted: int
    payments: int
    latency_p50_s: float
    latency_p95_s: float
    cpu_load: float
    cpu_s: float = 0.0

    @property
    def cpu_per_account_s(self) -> float:
        """Processor seconds of the workers and the simulator per account and round."""
        return self.cpu_s / self.accounts

    @property
    def polled_per_minute_per_worker(self) -> float:
        return self.polls / (self.cycle_s / 60) / self.workers if self.cycle_s else 0.0

    @property
    def in_window(self) -> bool:
        return self.failed == 0 and self.cycle_s <= WINDOW_MIN * 60


class Bench:
    """The cluster, the template ledger and simulator folders, and the runs over copies."""

    def __init__(self, accounts: int, work: Path) -> None:
        self.accounts = accounts
        self.work = work
        self.key = Fernet.generate_key().decode()
        self.port = free_port()
        self.sim = SimConfig(root=work / "sim-template", port=self.port, user=SIM_USER,
                             password=SIM_PASSWORD, accounts=accounts)  # fmt: skip
        self.cluster = pg_support.PostgresCluster()

    def start(self) -> None:
        pg_support.SERVER_OPTIONS = pg_support.SERVER_OPTIONS.replace(
            "max_connections=60", "max_connections=300"
        )
        self.cluster.start()

    def stop(self) -> None:
        self.cluster.stop()

    def build(self, jobs: int) -> float:
        """The template ledger and simulator folders, in ``jobs`` processes; seconds taken."""
        started = time.perf_counter()
        self.cluster.execute("CREATE DATABASE bench_template")
        url = self.cluster.url("bench_template")
        store = Store(url)
        store.upgrade()
        install_queue_schema(store)
        store.dispose()
        now = datetime.now(UTC)
        build_accounts(url, [1], self.sim, self.port, self.key, now)  # the shared payers, once
        numbers = list(range(2, self.accounts + 1))
        shares = [numbers[index::jobs] for index in range(jobs)]
        with ProcessPoolExecutor(jobs) as pool:
            done = [pool.submit(build_accounts, url, share, self.sim, self.port, self.key, now)
                    for share in shares]  # fmt: skip
            for future in done:
                future.result()
        return time.perf_counter() - started

    def run(self, workers: int, concurrency: int, timeout_s: float) -> Run:
        name = f"run_{workers}"
        self.cluster.execute(f"CREATE DATABASE {name} TEMPLATE bench_template")
        url = self.cluster.url(name)
        root = self.work / f"sim-{workers}"
        shutil.copytree(self.sim.root, root)
        store = Store(url)
        home = self.work / f"home-{workers}"  # the copy's host key is its own
        before = _children_cpu_s()
        try:
            with self._simulator(root):
                run = self._round(store, home, workers, concurrency, timeout_s)
        finally:
            store.dispose()
        run.cpu_s = _children_cpu_s() - before  # the workers and the simulator, once ended
        return run

    def _round(
        self, store: Store, home: Path, workers: int, concurrency: int, timeout_s: float
    ) -> Run:
        """Queue every account's jobs, then start the workers (so that their own schedule
        finds nothing due) and follow the rows until all have ended."""
        runner = QueueRunner(queue_app(store.url, schedule=False))
        load_before = os.getloadavg()[0]
        t0 = datetime.now(UTC)
        started = time.perf_counter()
        try:
            jobs = schedule_round(store, runner, t0)
        finally:
            runner.close()
        queue_s = time.perf_counter() - started
        ids = [job.id for job in jobs]
        with self._workers(store.url, home, workers, concurrency):
            rows = self._follow(store, ids, started + timeout_s)
        ended = [row for row in rows if row.finished_at is not None]
        after = {row.id: ((row.finished_at or t0) - t0).total_seconds() for row in ended}
        cycle_s = max(after.values(), default=0.0)
        latencies = sorted(
            after[row.id] for row in ended if row.kind == "poll" and _applied_eras(row.detail)
        )
        payments = 0
        for practice_id in practices_with_account(store):
            with store.scoped(practice_id).read() as session:
                payments += session.scalar(select(func.count()).select_from(t.PaymentRow)) or 0
        return Run(
            workers=workers,
            concurrency=concurrency,
            accounts=self.accounts,
            queue_s=queue_s,
            cycle_s=cycle_s if len(ended) == len(ids) else float("inf"),
            polls=sum(1 for row in ended if row.kind == "poll" and row.state == "done"),
            submits=sum(1 for row in ended if row.kind == "submit" and row.state == "done"),
            failed=sum(1 for row in rows if row.state != "done"),
            eras_posted=sum(_applied_eras(row.detail) for row in ended if row.kind == "poll"),
            payments=payments,
            latency_p50_s=_quantile(latencies, 0.5),
            latency_p95_s=_quantile(latencies, 0.95),
            cpu_load=max(load_before, os.getloadavg()[0]),
        )

    def _follow(self, store: Store, ids: list[int], deadline: float) -> list[t.JobRow]:
        """The job rows once every one has ended (or at the deadline)."""
        while True:
            with store.across_practices() as session:
                rows = list(session.scalars(select(t.JobRow).where(t.JobRow.id.in_(ids))))
                session.expunge_all()
            left = sum(1 for row in rows if row.state not in ("done", "failed"))
            if not left or time.perf_counter() > deadline:
                return rows
            time.sleep(2)

    @contextmanager
    def _simulator(self, root: Path) -> Iterator[None]:
        command = [sys.executable, "-c", RUN_MAIN, "sim", "--root", str(root), "--port",
                   str(self.port), "--user", SIM_USER, "--accounts", str(self.accounts),
                   "--delay", "0", "--poll-interval", "2"]  # fmt: skip
        env = {**os.environ, "CLAIMBRIDGE_SIM_PASSWORD": SIM_PASSWORD, "COLUMNS": "200"}
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as process:
            assert process.stdout is not None
            first = process.stdout.readline()
            if "listening" not in first:
                process.kill()
                raise SystemExit(f"the simulator did not start: {first}")
            try:
                yield
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()

    @contextmanager
    def _workers(self, url: str, home: Path, count: int, concurrency: int) -> Iterator[None]:
        env = {**os.environ, "CLAIMBRIDGE_DB": url, "CLAIMBRIDGE_SECRET_KEY": self.key,
               "CLAIMBRIDGE_HOME": str(home), "COLUMNS": "200"}  # fmt: skip
        command = [sys.executable, "-c", RUN_MAIN, "worker", "--concurrency", str(concurrency)]
        started: list[subprocess.Popen[str]] = []
        try:
            for _ in range(count):
                process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
                started.append(process)
                assert process.stdout is not None
                process.stdout.readline()  # "worker: N jobs at once"
            yield
        finally:
            for process in started:
                process.send_signal(signal.SIGTERM)
            for process in started:
                try:
                    process.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    process.kill()


def _children_cpu_s() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _applied_eras(detail: str | None) -> int:
    reports = json.loads(detail).get("reports", []) if detail else []
    return sum(1 for r in reports if r["kind"] == "835" and r["outcome"] == "applied")


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def report(runs: list[Run], accounts: int, build_s: float, target: int) -> str:
    rows = [
        f"| {run.workers} × {run.concurrency} | {run.polls:,} | {run.submits:,} | {run.failed} "
        f"| {run.cycle_s / 60:.1f} | {run.polled_per_minute_per_worker:.1f} "
        f"| {run.latency_p50_s / 60:.1f} | {run.latency_p95_s / 60:.1f} "
        f"| {run.cpu_per_account_s:.2f} | {run.cycle_s / accounts * target / 60:.0f} |"
        for run in runs
    ]
    cpu = statistics.median(run.cpu_per_account_s for run in runs)
    cores = os.cpu_count() or 1
    lines = [
        SECTION,
        "",
        f"Measured by `bench/many_accounts.py` on {date.today().isoformat()}: Python "
        f"{platform.python_version()}, PostgreSQL {_pg_version()}, {platform.machine()}, "
        f"{cores} cores shared by the database, the simulator, the workers and other "
        f"work (load average up to {max(run.cpu_load for run in runs):.1f}). {accounts:,} "
        "practices in one ledger, each with its own Office Ally account served by one "
        f"`claimbridge sim --accounts {accounts}` over SFTP on this machine; each account has "
        "its first claims' answers waiting in `outbound` (File Summary, 999, 277CA, EDI status, "
        "ERAs) and four more claims ready, and sends by itself. The schedule queues every "
        "account's poll and submission at once (all due), then the workers start; a round ends "
        "when every job has. Building the ledger took "
        f"{build_s / 60:.1f} min.",
        "",
        "| workers × jobs each | polls | submissions | failed | round (min) "
        "| polled/min/worker | outbound → posted p50 (min) | p95 (min) "
        f"| CPU s/account | {target:,} accounts at this pace (min) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        *_projection_note(accounts, target),
        "CPU s/account is the processor time of the workers and the simulator (not PostgreSQL's) "
        "for one account's poll and submission. The last column scales the round linearly to "
        f"{target:,} accounts. At the median {cpu:.2f} CPU s per account, {target:,} accounts "
        f"need {cpu * target / 60:.0f} CPU-minutes a round: "
        f"{cpu * target / (WINDOW_MIN * 60):.1f} cores busy all the time to stay within "
        f"{WINDOW_MIN} minutes, before the database's share.",
        "",
    ]
    return "\n".join(lines)


def _projection_note(accounts: int, target: int) -> list[str]:
    if accounts >= target:
        return []
    return [
        f"Measured with {accounts:,} accounts, not {target:,}: the last column is a linear "
        "projection, not a measurement.",
        "",
    ]


def _pg_version() -> str:
    found = re.search(r"/(\d+)/bin", str(pg_support.postgres_bin() or ""))
    return found.group(1) if found else "?"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma separated")
    parser.add_argument("--concurrency", type=int, default=4, help="jobs at once per worker")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per round at most")
    parser.add_argument("--quick", action="store_true", help="leave docs/performance.md as it is")
    parser.add_argument("--build-jobs", type=int, default=3, help="processes building the ledger")
    args = parser.parse_args()
    if pg_support.missing_reason():
        sys.exit(f"cannot run: {pg_support.missing_reason()}")
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cb-many-"))
    bench = Bench(args.accounts, work)
    runs: list[Run] = []
    try:
        bench.start()
        print(f"building {args.accounts} accounts …", flush=True)
        build_s = bench.build(args.build_jobs)
        for workers in (int(part) for part in args.workers.split(",")):
            print(f"{workers} worker(s) …", flush=True)
            run = bench.run(workers, args.concurrency, args.timeout)
            print(f"  {asdict(run)}", flush=True)
            runs.append(run)
    finally:
        bench.stop()
        shutil.rmtree(work, ignore_errors=True)
    text = report(runs, args.accounts, build_s, max(args.accounts, 1_000))
    print(text)
    (OUT / "many_accounts.md").write_text(text)
    (OUT / "many_accounts.json").write_text(json.dumps([asdict(run) for run in runs], indent=2))
    if not args.quick:
        write_section(SECTION, text)
        print(f"written to {DOC}")


if __name__ == "__main__":
    main()
