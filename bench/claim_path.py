"""How fast claims are made, checked and sent: ``create_claims`` and ``submit`` at scale.

Loads the demonstration practice, copies its appointments (lines and diagnoses too) until there
are ``--claims`` of them, then times, each in one process:

- **create**: ``create_claims`` makes and checks a claim per appointment;
- **submit**: ``submit`` checks the ready claims again, writes the 837P files and records them,
  into a local folder standing in for Office Ally's ``inbound``.

The target is at least 2,000 claims a second for each, on SQLite and on PostgreSQL. Results
are printed and written to ``bench/out/claim_path.md``::

    .venv/bin/python bench/claim_path.py                      # 5,000 claims on SQLite
    .venv/bin/python bench/claim_path.py --postgres           # a throw-away PostgreSQL cluster
    .venv/bin/python bench/claim_path.py --db postgresql+psycopg://…/bench   # an empty database
    .venv/bin/python bench/claim_path.py --profile            # cProfile of each step

``--postgres`` starts a private cluster as the tests do (``tests/pg_support.py``: initdb as the
``postgres`` user, a unix socket, fsync off) and connects as a role that is neither superuser nor
``BYPASSRLS``, as docs/operations.md says to run claimbridge, so the row-level security policies
are evaluated as in production. It also reports the server's CPU time of each step: on a machine
shared with other work, client and server CPU seconds are the steadier measure.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from claimbridge.domain.practice_file import parse_practice_text
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import create_claims
from claimbridge.services.submit import submit
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.practice import known_keys, write_practice_file
from claimbridge.transport.local import LocalDirTransport

OUT = Path(__file__).resolve().parent / "out"
TESTS = Path(__file__).resolve().parents[1] / "tests"
TARGET_PER_SECOND = 2_000
ACTOR = "bench"
APP_ROLE = "claimbridge"  # the role of --postgres: no superuser, no BYPASSRLS


@dataclass(frozen=True)
class Step:
    """One timed step: its name, the claims it handled, its wall time, its CPU time and the
    database server's (when the bench started the server)."""

    name: str
    claims: int
    seconds: float
    cpu_seconds: float
    server_cpu_seconds: float | None = None

    @property
    def per_second(self) -> float:
        return self.claims / self.seconds if self.seconds else float("inf")

    def row(self) -> str:
        verdict = "PASS" if self.per_second >= TARGET_PER_SECOND else "FAIL"
        server = "" if self.server_cpu_seconds is None else f"{self.server_cpu_seconds:.2f}"
        return (
            f"| {self.name} | {self.claims:,} | {self.seconds:.2f} | {self.cpu_seconds:.2f} "
            f"| {server} | {self.per_second:,.0f} | {verdict} |"
        )


def load_practice(store: Store) -> None:
    text = files("claimbridge").joinpath("demo_data/practice.json").read_bytes()
    with store.transaction() as session:
        write_practice_file(session, parse_practice_text(text, known_keys(session)))


def copy_appointments(store: Store, total: int) -> int:
    """Copy the practice's appointments round-robin until there are ``total``; returns it."""
    with store.transaction() as session:
        templates = list(session.scalars(select(t.AppointmentRow).order_by(t.AppointmentRow.id)))
        lines = _by_appointment(session, t.AppointmentLineRow)
        diagnoses = _by_appointment(session, t.AppointmentDiagnosisRow)
        next_id = max(row.id for row in templates) + 1
        new_appointments, new_lines, new_diagnoses = [], [], []
        for index in range(total - len(templates)):
            template = templates[index % len(templates)]
            appointment_id = next_id + index
            new_appointments.append(
                {"id": appointment_id, "key": f"BENCH-{appointment_id}",
                 "patient_id": template.patient_id, "provider_id": template.provider_id,
                 "service_date": template.service_date,
                 "place_of_service": template.place_of_service}
            )  # fmt: skip
            new_lines += [
                _copy(line, appointment_id, drop="id") for line in lines.get(template.id, [])
            ]
            new_diagnoses += [_copy(d, appointment_id) for d in diagnoses.get(template.id, [])]
        for table, rows in (
            (t.AppointmentRow, new_appointments),
            (t.AppointmentLineRow, new_lines),
            (t.AppointmentDiagnosisRow, new_diagnoses),
        ):
            if rows:
                session.execute(insert(table), rows)
    return total


def _by_appointment(session: Any, table: Any) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for row in session.scalars(select(table)):
        found.setdefault(row.appointment_id, []).append(row)
    return found


def _copy(row: Any, appointment_id: int, drop: str | None = None) -> dict[str, Any]:
    values = {column.key: getattr(row, column.key) for column in row.__table__.columns}
    values["appointment_id"] = appointment_id
    if drop:
        values.pop(drop)
    return values


def timed(
    name: str, profile: bool, work: Callable[[], int], server_cpu: Callable[[], float] | None
) -> Step:
    profiler = cProfile.Profile() if profile else None
    server_started = server_cpu() if server_cpu else 0.0
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    claims = work()
    if profiler:
        profiler.disable()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    server_seconds = server_cpu() - server_started if server_cpu else None
    if profiler:
        print(f"--- {name}")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return Step(name, claims, seconds, cpu_seconds, server_seconds)


@contextmanager
def throwaway_postgresql() -> Iterator[tuple[str, Callable[[], float]]]:
    """A private PostgreSQL cluster with an empty database owned by ``APP_ROLE``: its URL, and
    a reader of the CPU seconds its server processes have used."""
    sys.path.insert(0, str(TESTS))
    from pg_support import PostgresCluster, missing_reason

    reason = missing_reason()
    if reason:
        raise SystemExit(f"--postgres: {reason}")
    cluster = PostgresCluster()
    try:
        cluster.start()
        cluster.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
        cluster.execute(f"CREATE DATABASE bench OWNER {APP_ROLE}")
        url = cluster.url("bench").replace("//postgres@", f"//{APP_ROLE}@")
        yield url, lambda: server_cpu_seconds(cluster.data)
    finally:
        cluster.stop()


def server_cpu_seconds(data: Path) -> float:
    """CPU time of the cluster whose data folder is ``data``: its postmaster with the children
    it has reaped, and its live children (backends, WAL writer, checkpointer …). Linux only."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(entry) == postmaster:
            ticks += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
        elif int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run(
    db_url: str,
    claims: int,
    profile: bool,
    outbox: Path,
    server_cpu: Callable[[], float] | None = None,
) -> list[Step]:
    store = Store(db_url)
    try:
        store.upgrade()
        load_practice(store)
        copy_appointments(store, claims)
        today = date(2026, 12, 1)

        def create() -> int:
            with store.transaction() as session:
                result = create_claims(session, ACTOR, today)
            return len(result.created)

        def send() -> int:
            now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
            result = submit(store, LocalDirTransport(outbox), ACTOR, now)
            return result.claims_sent

        steps = [
            timed("create", profile, create, server_cpu),
            timed("submit", profile, send, server_cpu),
        ]
        with store.read() as session:
            submitted = session.scalar(
                select(func.count())
                .select_from(t.ClaimRow)
                .where(t.ClaimRow.status == ClaimStatus.SUBMITTED.value)
            )
        assert submitted == steps[1].claims, (submitted, steps[1].claims)
        return steps
    finally:
        store.dispose()


def report(db_url: str, steps: list[Step]) -> str:
    dialect = db_url.split(":", 1)[0].split("+", 1)[0]
    lines = [
        f"Claim path on {dialect}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"(target: {TARGET_PER_SECOND:,} claims/s each)",
        "",
        "| step | claims | seconds | CPU seconds | server CPU seconds | claims/s | target |",
        "|---|---:|---:|---:|---:|---:|---|",
        *(step.row() for step in steps),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=5_000)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", help="an empty database's URL (default: a new SQLite file)")
    where.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL cluster")
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="claim-path-") as folder:
        outbox = Path(folder) / "oa"
        outbox.mkdir()
        if arguments.postgres:
            with throwaway_postgresql() as (db_url, server_cpu):
                steps = run(db_url, arguments.claims, arguments.profile, outbox, server_cpu)
        else:
            db_url = arguments.db or f"sqlite:///{folder}/ledger.db"
            steps = run(db_url, arguments.claims, arguments.profile, outbox)
    text = report(db_url, steps)
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "claim_path.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
