"""SIGKILL ``claimbridge worker`` at random moments of its jobs; the ledger ends as if it never
died.

Several practices share one PostgreSQL ledger, each with its own account on one simulator
(``claimbridge sim`` serving many users) that has answers waiting in ``outbound`` and claims
ready to send: the setup of ``bench/many_accounts.py``. The test asks for every account's
submission and poll, as the schedule does, and kills the worker with SIGKILL a random time
after one of its jobs started, at least ``KILLS`` times, starting a fresh worker each time; the
fresh one runs the killed jobs again once the dead worker's heartbeat is ``STALLED_AFTER_S``
old (``jobs.stalled``). Then it works every account until nothing is left and compares the
ledger with that of a run that was never interrupted: claim statuses, payments, remittances,
batches and the files applied, each file applied once and each claim sent in one file only,
on the server too.

CI kills 20 times (about three minutes on two loaded cores). The long form sets
``CLAIMBRIDGE_CRASH_KILLS``, as the ingest's crash test does (``tests/services/
test_crash_safety.py``), e.g. to 100.
"""

from __future__ import annotations

import importlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from claimbridge.jobs.queue import QueueRunner, install_queue_schema, queue_app
from claimbridge.jobs.runner import ask
from claimbridge.services.claims import ready_claim_ids
from claimbridge.services.jobs import JobKind, JobState, unfinished_job
from claimbridge.services.submit import unconfirmed_batches
from claimbridge.sim import SimConfig, start_simulator
from claimbridge.sim.server import RunningSimulator
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import BENCH, NOW
from ledger_db import postgres_url
from support import RUN_MAIN

KILLS = int(os.environ.get("CLAIMBRIDGE_CRASH_KILLS", "20"))
ACCOUNTS = 6
STALLED_AFTER_S = 2.0
LONGEST_JOB_S = 1.5  # a kill lands within this long after a job started
WAIT_S = 120.0
KEY = Fernet.generate_key().decode()


def _bench() -> Any:
    sys.path.insert(0, str(BENCH))
    return importlib.import_module("many_accounts")


@pytest.fixture
def ledgers(request: pytest.FixtureRequest) -> Iterator[tuple[Store, Store]]:
    """Two fresh PostgreSQL ledgers with the job queue: the reference and the one killed."""
    made = [postgres_url(request), postgres_url(request)]
    stores = [Store(next(urls)) for urls in made]
    for store in stores:
        install_queue_schema(store)
    yield stores[0], stores[1]
    for store, urls in zip(stores, made, strict=True):
        store.dispose()
        next(urls, None)  # drops the database


class Deployment:
    """A ledger, the simulator its accounts point at, and its workers (one at a time)."""

    def __init__(self, store: Store, sim: RunningSimulator, folder: Path) -> None:
        self.store, self.sim, self.folder = store, sim, folder
        bench = _bench()
        self.accounts = {
            number: bench.add_account(store, number, sim.config, sim.port, KEY, NOW).practice_id
            for number in range(1, ACCOUNTS + 1)
        }  # each practice's account on the simulator: <user>-<number>
        self.runner = QueueRunner(queue_app(store.url, schedule=False))
        self.worker: subprocess.Popen[str] | None = None
        self.started = 0

    def start_worker(self) -> None:
        self.started += 1
        env = {**os.environ, "CLAIMBRIDGE_DB": self.store.url, "CLAIMBRIDGE_SECRET_KEY": KEY,
               "CLAIMBRIDGE_HOME": str(self.folder / "home"), "COLUMNS": "200"}  # fmt: skip
        log = (self.folder / f"worker-{self.started}.log").open("w")
        command = [sys.executable, "-c", RUN_MAIN, "worker", "--concurrency", "2",
                   "--stalled-after", str(STALLED_AFTER_S)]  # fmt: skip
        self.worker = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log,
                                       text=True)  # fmt: skip
        log.close()
        assert self.worker.stdout is not None
        assert "worker: 2 jobs at once" in self.worker.stdout.readline()

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        assert self.worker.wait(timeout=30) == -signal.SIGKILL
        self._close()

    def stop_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGTERM)
        try:
            code = self.worker.wait(timeout=120)
        finally:
            self._close()
        # 0: it stopped once its jobs had ended; -SIGTERM: the signal came before its loop had
        # started (and installed its handler), when no job was in its hands yet
        assert code in (0, -signal.SIGTERM)

    def _close(self) -> None:
        if self.worker is not None and self.worker.stdout is not None:
            self.worker.stdout.close()

    def ask_all(self, kinds: tuple[JobKind, ...]) -> None:
        """Ask for ``kinds`` of every account that has none of that kind under way."""
        for practice_id in self.accounts.values():
            scoped = self.store.scoped(practice_id)
            for kind in kinds:
                with scoped.read() as session:
                    if unfinished_job(session, practice_id, kind) is not None:
                        continue
                ask(self.store, self.runner, practice_id, kind, "test", datetime.now(UTC))

    def running_kinds(self) -> set[str]:
        with self.store.across_practices() as session:
            query = select(t.JobRow.kind).where(t.JobRow.state == JobState.RUNNING)
            return set(session.scalars(query))

    def jobs(self, state: JobState) -> int:
        with self.store.across_practices() as session:
            query = select(func.count()).select_from(t.JobRow).where(t.JobRow.state == state)
            return session.scalar(query) or 0

    def unfinished(self) -> list[tuple[Any, ...]]:
        """The jobs not ended yet, as the ledger has them, with the queue's view of each."""
        states = (JobState.QUEUED, JobState.RUNNING)
        with self.store.across_practices() as session:
            rows = session.scalars(select(t.JobRow).where(t.JobRow.state.in_(states)))
            mine = [(row.id, row.kind, row.state, row.attempts, row.result) for row in rows]
            queue = text("SELECT args ->> 'job_id', status, attempts FROM procrastinate_jobs")
            queued = {row[0]: (row[1], row[2]) for row in session.execute(queue)}
        return [(*row, queued.get(str(row[0]))) for row in mine]

    def wait_for_a_running_job(self) -> bool:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if self.jobs(JobState.RUNNING):
                return True
            if not self.jobs(JobState.QUEUED):
                return False
            time.sleep(0.02)
        raise AssertionError(f"no job started in {WAIT_S} s")

    def wait_until_idle(self) -> None:
        deadline = time.monotonic() + WAIT_S
        while self.jobs(JobState.QUEUED) or self.jobs(JobState.RUNNING):
            assert time.monotonic() < deadline, (f"jobs still under way after {WAIT_S} s",
                                                 self.unfinished())  # fmt: skip
            time.sleep(0.1)

    def finish(self) -> None:
        """Poll (and send) until no account has anything left to collect or send."""
        for _ in range(10):
            self.wait_until_idle()
            self.sim.process_now()
            if self._settled():
                return
            self.ask_all((JobKind.SUBMIT, JobKind.POLL))
        raise AssertionError("the accounts did not settle in ten rounds")

    def _settled(self) -> bool:
        for number, practice_id in self.accounts.items():
            with self.store.scoped(practice_id).read() as session:
                if ready_claim_ids(session) or unconfirmed_batches(session):
                    return False
                taken = set(session.scalars(select(t.InboundFileRow.name)))
            if {path.name for path in self.account(number).outbound.iterdir()} - taken:
                return False
        return True

    def account(self, number: int) -> SimConfig:
        """The simulator's settings of account ``number``."""
        return self.sim.config.for_user(f"{self.sim.config.user}-{number}")


def _deployment(store: Store, folder: Path) -> Iterator[Deployment]:
    config = SimConfig(root=folder / "sim", port=0, accounts=ACCOUNTS, poll_interval=0.1)
    with start_simulator(config) as sim:
        deployment = Deployment(store, sim, folder)
        try:
            yield deployment
        finally:
            deployment.runner.close()
            if deployment.worker is not None and deployment.worker.poll() is None:
                deployment.worker.kill()
                deployment.worker.wait()


def test_sigkilled_workers_lose_nothing_and_send_nothing_twice(
    ledgers: tuple[Store, Store], tmp_path: Path
) -> None:
    reference, killed = ledgers
    for expected in _deployment(reference, tmp_path / "reference"):
        expected.start_worker()
        expected.ask_all((JobKind.SUBMIT, JobKind.POLL))
        expected.finish()
        expected.stop_worker()
        want = snapshot(expected)
        assert_sent_once(expected)

    chooser = random.Random(20261207)
    for crashed in _deployment(killed, tmp_path / "killed"):
        crashed.start_worker()
        kills = 0
        killed_in: Counter[str] = Counter()  # the kinds of job running at each kill
        while kills < KILLS:
            crashed.ask_all((JobKind.SUBMIT, JobKind.POLL))
            if not crashed.wait_for_a_running_job():
                continue
            time.sleep(chooser.uniform(0.0, LONGEST_JOB_S))
            killed_in.update(crashed.running_kinds())
            crashed.kill_worker()
            kills += 1
            crashed.start_worker()
        assert killed_in["poll"] and killed_in["submit"], killed_in
        crashed.finish()
        crashed.stop_worker()
        assert_sent_once(crashed)
        found = snapshot(crashed)

    for name in want:  # one table at a time, so a failure shows what differs
        extra, missing = set(found[name]) - set(want[name]), set(want[name]) - set(found[name])
        assert not extra and not missing, (name, sorted(extra)[:12], sorted(missing)[:12])
    assert found == want
    assert {row[0] for row in want["batches"]} == set(range(1, ACCOUNTS + 1))
    assert len({row[:2] for row in want["payments"]}) >= ACCOUNTS * 6  # both sets paid


def snapshot(deployment: Deployment) -> dict[str, list[tuple[Any, ...]]]:
    """Every account's claims, payments, remittances, batches and files applied, by natural
    keys (no row ids, no times: they differ between runs)."""
    taken: dict[str, list[tuple[Any, ...]]] = {
        "claims": [], "payments": [], "remittances": [], "batches": [], "files": []
    }  # fmt: skip
    for number, practice_id in deployment.accounts.items():
        with deployment.store.scoped(practice_id).read() as session:
            claims = {row.id: row.clm01 for row in session.scalars(select(t.ClaimRow))}
            taken["claims"] += [
                (number, row.clm01, row.status, _untraced(row.status_reason))
                for row in session.scalars(select(t.ClaimRow))
            ]
            # A check's number is the simulator's, given in the order it answered the uploads,
            # and the Medigap claims a first ERA makes go up when the jobs happen to run (alone
            # or together, on one check or two): checks are summed by payer.
            traces = {
                row.id: row.payer_identifier for row in session.scalars(select(t.RemittanceRow))
            }
            paid: Counter[tuple[Any, ...]] = Counter()
            for row in session.scalars(select(t.RemittanceRow)):
                paid[(number, row.payer_identifier, row.method)] += row.amount
            taken["remittances"] += [(*key, total) for key, total in paid.items()]
            taken["payments"] += [
                (number, claims[row.claim_id], traces[row.remittance_id], row.status_code,
                 row.charge, row.paid, row.patient_responsibility)
                for row in session.scalars(select(t.PaymentRow))
            ]  # fmt: skip
            sent = session.execute(
                select(t.BatchRow.id, t.BatchRow.status, t.BatchRow.claim_count, t.ClaimRow.clm01)
                .join(t.ClaimSubmissionRow, t.ClaimSubmissionRow.batch_id == t.BatchRow.id)
                .join(t.ClaimRow, t.ClaimRow.id == t.ClaimSubmissionRow.claim_id)
            ).all()
            # each claim sent, with its batch's status (a Medigap claim goes with the next
            # visit's claims or on its own, as the jobs happen to run)
            taken["batches"] += [(number, clm01, status) for _, status, _, clm01 in sent]
            files = session.execute(
                select(t.InboundFileRow.name, t.InboundFileRow.detected_type,
                       t.InboundFileRow.outcome)
            ).all()  # fmt: skip
            assert len({name for name, _, _ in files}) == len(files), "a file taken twice"
            taken["files"] += [
                (number, _stable(name), kind, outcome) for name, kind, outcome in files
            ]
    # how many answer files there are follows how the claims were grouped into uploads
    taken["files"] = list(set(taken["files"]))
    return {name: sorted(rows, key=repr) for name, rows in taken.items()}


def _stable(name: str) -> str:
    """A file's name without the times and batch numbers in it (they differ between runs: the
    ledger numbers batches in the order the accounts' jobs happened to run)."""
    name = re.sub(r"_B\d+_", "_B<n>_", name)
    name = re.sub(r"(?<!\d)20\d{6}(T?\d{4,6})?(?!\d)", "<time>", name)
    return re.sub(r"\d{6,}", "<n>", name)  # File IDs and ERA numbers, in answering order


def _untraced(reason: str | None) -> str | None:
    """A claim's reason without the ERA's check number (see ``snapshot``)."""
    return None if reason is None else re.sub(r"ERA \d+", "ERA <check>", reason)


def assert_sent_once(deployment: Deployment) -> None:
    """Each claim went to Office Ally in one file: once in the ledger's submissions, and once
    among the uploads each account's simulator took."""
    for number, practice_id in deployment.accounts.items():
        with deployment.store.scoped(practice_id).read() as session:
            per_claim = Counter(session.scalars(select(t.ClaimSubmissionRow.claim_id)))
        assert per_claim and set(per_claim.values()) == {1}
        processed = deployment.account(number).state_dir / "processed"
        uploads = [path.read_text() for path in processed.iterdir()]
        clm01s = Counter(re.findall(r"~?CLM\*([^*]+)\*", "".join(uploads)))
        assert clm01s and set(clm01s.values()) == {1}, f"account {number}: {clm01s}"
        assert len(clm01s) == len(per_claim)
