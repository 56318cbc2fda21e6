"""Every page and API route at a million claims, on SQLite and on PostgreSQL.

Builds one practice's ledger through the real schema (``Store.upgrade``): 200,000 patients with
policies, 1,000,000 appointments and claims (one line each, one history event each; their
statuses as a practice's stand after a few years, ``STATUS_MIX``: 86% paid or denied), payments
with an adjustment on every other claim across 1,000 remittances, Office Ally claim IDs on a
tenth, and a few ERA claims waiting for a person. The rows go in with the raw drivers (SQLite's
``executemany``, PostgreSQL's ``COPY``); on PostgreSQL the tables belong to a role that is
neither superuser nor ``BYPASSRLS``, so every query runs under the row-level security policies,
as in a deployment. Then it signs in (a session cookie for the pages, a token for the API) and
times every GET route of the app, each with its path parameters filled and every report, with
FastAPI's in-process client::

    .venv/bin/python bench/web_scale.py                    # SQLite and PostgreSQL, 1,000,000 claims
    .venv/bin/python bench/web_scale.py --claims 20000 --quick     # a smoke run, docs untouched
    .venv/bin/python bench/web_scale.py --only sqlite --reuse      # time the kept SQLite file again
    .venv/bin/python bench/web_scale.py --only postgresql --reuse  # time the kept cluster again

Server time is the wall time of the request inside this process (the client adds microseconds),
p50 and p95 over ``--runs`` requests after one warm-up; CPU is this process's processor time per
request plus, on PostgreSQL, the server processes' (a 10 ms clock, so an average). The table goes
into docs/performance.md under ``## Every route at a million claims`` (only that section is
replaced). The data is synthetic (generated names, no real person).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from claimbridge.domain.models import Secret
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.jobs import JobKind, queue_job
from claimbridge.services.reports import REPORT_KEYS, make_reports
from claimbridge.services.users import (
    Role,
    add_user,
    create_token,
    find_user_id,
    get_user,
    is_user,
)
from claimbridge.settings import Settings
from claimbridge.store.crypto import generate_key
from claimbridge.store.db import Store
from claimbridge.web import views
from claimbridge.web.app import WebConfig, create_app

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "web"))
from web_support import PASSWORD, csrf_of  # noqa: E402

from claim_path import APP_ROLE, server_cpu_seconds  # noqa: E402  (the claim path bench's)
from performance_doc import DOC, write_section  # noqa: E402
from pg_support import PORT, SERVER_OPTIONS, PostgresCluster, missing_reason  # noqa: E402
from worklist_scale import (  # noqa: E402  (the worklist bench's rows, reused)
    PAYERS,
    STAMP,
    rows_acks,
    rows_appointments,
    rows_patients,
    rows_payments,
    rows_policies,
)

SECTION = "## Every route at a million claims"
TODAY = date(2026, 12, 7)
TARGET_MS = 200.0
JOB_ROW = "(background) the reports job: make_reports"
CHUNK = 50_000
SLOW_S, SLOW_RUNS = 2.0, 3  # a route whose warm-up takes longer is timed this many times
USER = "bench"

CONSTANT_ROWS = (
    "INSERT INTO practice (id, key, name, tax_id, npi, taxonomy, address_line1, address_city, "
    "address_state, address_zip) VALUES (1, 'bench', 'BENCH', '847291635', '1300000019', "
    "'207Q00000X', '1 MAIN ST', 'SPRINGFIELD', 'IL', '62701')",
    "INSERT INTO providers (id, practice_id, key, first_name, last_name, npi, taxonomy) "
    "VALUES (1, 1, 'DR1', 'JO', 'KEMP', '1234567893', '207Q00000X')",
    "INSERT INTO inbound_files (id, practice_id, name, sha256, size, received_at, outcome) "
    "VALUES (1, 1, 'bench.835', 'x', 0, '2025-06-01 00:00:00', 'ok')",
    "INSERT INTO clearinghouse_accounts (id, practice_id, name, submitter_id, username, "
    "sftp_host, sftp_port, era_split, test_mode) VALUES (1, 1, 'officeally', '330897513', "
    "'bench', 'ftp10.officeally.com', 22, 'by_payer', false)",
)


@dataclass(frozen=True)
class Table:
    """Rows of one table: its columns, which of them hold money (cents here) or units
    (thousandths here), and the rows as SQLite stores them."""

    name: str
    columns: tuple[str, ...]
    rows: Callable[[], Iterable[tuple[Any, ...]]]
    money: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()


# How a practice's claims stand after a few years, per thousand: most paid or denied, a working
# set in flight, a few held or rejected. (The worklist bench draws statuses uniformly instead,
# which puts 400,000 claims before the payer and 270,000 held or rejected.)
STATUS_MIX = {
    ClaimStatus.PAID: 800, ClaimStatus.DENIED: 60, ClaimStatus.PAYER_ACCEPTED: 40,
    ClaimStatus.CLEARINGHOUSE_ACCEPTED: 20, ClaimStatus.SUBMITTED: 20,
    ClaimStatus.PAYER_REJECTED: 10, ClaimStatus.CLEARINGHOUSE_REJECTED: 5,
    ClaimStatus.HELD: 10, ClaimStatus.READY: 10, ClaimStatus.DRAFT: 10,
    ClaimStatus.CANCELLED: 10, ClaimStatus.BILLED_ON_PAPER: 5,
}  # fmt: skip
UNSENT = (ClaimStatus.DRAFT, ClaimStatus.HELD, ClaimStatus.READY, ClaimStatus.CANCELLED)


def rows_claims(count: int, patients: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """Claims in ``STATUS_MIX``'s proportions, older ones more often closed: a claim's status
    is drawn from the mix, and its date of service spreads over two years in claim order."""
    statuses = list(STATUS_MIX)
    weights = list(STATUS_MIX.values())
    start = date(2025, 1, 1)
    for n in range(1, count + 1):
        status = rng.choices(statuses, weights)[0]
        service = start + timedelta(days=n * 700 // count)
        sent = None if status in UNSENT else STAMP
        pccn = f"PC{n:012d}" if n % 3 == 0 else None
        yield (n, 1, f"CB{n:010d}", n, 1 + n % patients, 1 + n % PAYERS, "847291635",
               "1300000019", "1234567893", service.isoformat(), "11", "1",
               rng.randrange(5_000, 60_000), status.value, 1, pccn, STAMP, STAMP, sent)  # fmt: skip


def rows_payers() -> Iterator[tuple[Any, ...]]:
    return ((n, f"P{n:05d}", f"PAYER {n:03d}", "CI", True) for n in range(1, PAYERS + 1))


def rows_remittances() -> Iterator[tuple[Any, ...]]:
    return ((n, 1, 1, 1, "P00001", "CHK", 0, f"T{n}", STAMP) for n in range(1, 1001))


def rows_lines(count: int) -> Iterator[tuple[Any, ...]]:
    for n in range(1, count + 1):
        yield (n, 1, n, 1, "99213", "", 1000, 12_500, "1", "2025-06-01")


def rows_events(count: int) -> Iterator[tuple[Any, ...]]:
    for n in range(1, count + 1):
        yield (n, 1, n, "created", STAMP, None, USER, None, "draft")


def rows_adjustments(count: int) -> Iterator[tuple[Any, ...]]:
    for n in range(1, count + 1, 2):
        yield (n, 1, n, "CO", "45", 2_000)


def rows_unmatched() -> Iterator[tuple[Any, ...]]:
    for n in range(1, 21):
        reason = "overpayment" if n % 2 else "no_claim"
        yield (n, 1, 1, 1 + n % 1000, f"ZZ{n:06d}", "1", 10_000, 10_000, n, STAMP, reason,
               n if reason == "overpayment" else None)  # fmt: skip


def tables(claims: int) -> list[Table]:
    rng = random.Random(13)
    patients = max(10, claims // 5)
    money = frozenset
    return [
        Table("payers", ("id", "payer_id", "name", "claim_filing_indicator", "par"), rows_payers),
        Table(
            "patients",
            (
                "id",
                "practice_id",
                "key",
                "first_name",
                "last_name",
                "dob",
                "sex",
                "address_line1",
                "address_city",
                "address_state",
                "address_zip",
            ),
            lambda: rows_patients(patients, rng),
        ),
        Table(
            "policies",
            (
                "id",
                "practice_id",
                "patient_id",
                "priority",
                "payer_id",
                "member_id",
                "relationship",
            ),
            lambda: rows_policies(patients),
        ),
        Table(
            "appointments",
            (
                "id",
                "practice_id",
                "key",
                "patient_id",
                "provider_id",
                "service_date",
                "place_of_service",
            ),
            lambda: rows_appointments(claims, patients),
        ),
        Table(
            "claims",
            (
                "id",
                "practice_id",
                "clm01",
                "appointment_id",
                "policy_id",
                "payer_id",
                "billing_tax_id",
                "billing_npi",
                "rendering_npi",
                "service_date",
                "place_of_service",
                "frequency_code",
                "total_charge",
                "status",
                "era_expected",
                "payer_claim_control_number",
                "created_at",
                "updated_at",
                "submitted_at",
            ),
            lambda: rows_claims(claims, patients, rng),
            money({"total_charge"}),
        ),
        Table(
            "claim_lines",
            (
                "id",
                "practice_id",
                "claim_id",
                "line_number",
                "code",
                "modifiers",
                "units",
                "charge",
                "diagnosis_pointers",
                "service_date",
            ),
            lambda: rows_lines(claims),
            money({"charge"}),
            frozenset({"units"}),
        ),
        Table(
            "claim_events",
            (
                "id",
                "practice_id",
                "claim_id",
                "what",
                "at",
                "why",
                "actor",
                "from_status",
                "to_status",
            ),
            lambda: rows_events(claims),
        ),
        Table(
            "remittances",
            (
                "id",
                "practice_id",
                "inbound_file_id",
                "payer_id",
                "payer_identifier",
                "method",
                "amount",
                "trace_number",
                "created_at",
            ),
            rows_remittances,
            money({"amount"}),
        ),
        Table(
            "payments",
            (
                "id",
                "practice_id",
                "remittance_id",
                "claim_id",
                "status_code",
                "charge",
                "paid",
                "payer_claim_control_number",
                "created_at",
            ),
            lambda: rows_payments(claims, rng),
            money({"charge", "paid"}),
        ),
        Table(
            "adjustments",
            ("id", "practice_id", "payment_id", "group_code", "reason_code", "amount"),
            lambda: rows_adjustments(claims),
            money({"amount"}),
        ),
        Table(
            "acknowledgments",
            (
                "id",
                "practice_id",
                "inbound_file_id",
                "kind",
                "claim_id",
                "control_number",
                "code",
                "created_at",
            ),
            lambda: rows_acks(claims),
        ),
        Table(
            "unmatched_claims",
            (
                "id",
                "practice_id",
                "inbound_file_id",
                "remittance_id",
                "patient_control_number",
                "status_code",
                "charge",
                "paid",
                "segment_position",
                "created_at",
                "reason",
                "claim_id",
            ),
            rows_unmatched,
            money({"charge", "paid"}),
        ),
    ]


def chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    source = iter(rows)
    while batch := [row for _, row in zip(range(CHUNK), source, strict=False)]:
        yield batch


def fill_sqlite(path: Path, claims: int) -> None:
    """The schema, then every table in big transactions with the raw sqlite3 driver."""
    path.unlink(missing_ok=True)
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")
    for statement in CONSTANT_ROWS:
        connection.execute(statement)
    for table in tables(claims):
        began = time.perf_counter()
        marks = ", ".join("?" for _ in table.columns)
        insert = f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})"
        for batch in chunks(table.rows()):
            connection.execute("BEGIN")
            connection.executemany(insert, batch)
            connection.execute("COMMIT")
        print(f"  {table.name}: {time.perf_counter() - began:.1f} s", flush=True)
    connection.execute("ANALYZE")
    connection.close()


def _for_postgres(table: Table) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """SQLite keeps money in cents and units in thousandths; PostgreSQL keeps NUMERIC."""
    scale = {
        index: Decimal(100) if name in table.money else Decimal(1000)
        for index, name in enumerate(table.columns)
        if name in table.money | table.units
    }

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            Decimal(value) / scale[index] if index in scale and value is not None else value
            for index, value in enumerate(row)
        )

    return convert


def fill_postgres(url: str, claims: int) -> None:
    """The schema as the application's role, then every table by ``COPY`` in that role, with
    the practice of the transaction set (the policies check every row)."""
    store = Store(url)
    store.upgrade()
    store.dispose()
    # COPY does not run under row-level security: the rows go in as the cluster's superuser
    # (into the tables the application's role owns and reads under the policies).
    conninfo = re.sub(r"user=\w+", "user=postgres", _conninfo(url))
    with psycopg.connect(conninfo, autocommit=False) as connection:
        for statement in CONSTANT_ROWS:
            connection.execute(statement.encode())
        connection.commit()
        for table in tables(claims):
            began = time.perf_counter()
            convert = _for_postgres(table)
            copy = f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN"
            for batch in chunks(table.rows()):
                with connection.cursor().copy(copy.encode()) as writing:
                    for row in batch:
                        writing.write_row(convert(row))
                connection.commit()
            print(f"  {table.name}: {time.perf_counter() - began:.1f} s", flush=True)
        for table in tables(0):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table.name}))".encode()
            )
        connection.commit()


def vacuum_postgres(url: str) -> None:
    """``VACUUM (ANALYZE)`` every table as the superuser: the statistics, and the visibility
    map index-only scans rely on, as autovacuum leaves them some time after a bulk load."""
    conninfo = re.sub(r"user=\w+", "user=postgres", _conninfo(url))
    began = time.perf_counter()
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(b"VACUUM (ANALYZE)")
    print(f"  vacuum and analyze: {time.perf_counter() - began:.1f} s", flush=True)


class KeptCluster(PostgresCluster):
    """The bench's cluster in a folder of its own that outlives the run: made on the first run,
    started again by the next, stopped cleanly (never deleted) at the end."""

    def __init__(self, base: Path) -> None:
        super().__init__()
        os.rmdir(self.base)  # the empty temporary folder the throw-away cluster would use
        self.base, self.data = base, base / "data"

    @property
    def made(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def start(self) -> None:
        if not self.made:
            self.base.mkdir(parents=True, exist_ok=True)
            super().start()
            return
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"), "-w",
                  "-o", f"-k {self.base} -p {PORT} {SERVER_OPTIONS}", "start")  # fmt: skip
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.running = False


@contextmanager
def kept_postgresql(folder: Path, reuse: bool) -> Iterator[tuple[str, Callable[[], float], bool]]:
    """The cluster kept in ``folder``, with a database owned by a role that is neither
    superuser nor ``BYPASSRLS``: its URL, a reader of its server processes' CPU seconds, and
    whether its ledger is already built (only with ``reuse``; without, the folder is made anew)."""
    reason = missing_reason()
    if reason:
        raise SystemExit(f"PostgreSQL: {reason}")
    if not reuse:
        shutil.rmtree(folder, ignore_errors=True)
    cluster = KeptCluster(folder)
    built = cluster.made
    try:
        cluster.start()
        if not built:
            cluster.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
            cluster.execute(f"CREATE DATABASE bench OWNER {APP_ROLE}")
        url = cluster.url("bench").replace("//postgres@", f"//{APP_ROLE}@")
        yield url, lambda: server_cpu_seconds(cluster.data), built
    finally:
        cluster.stop()


def _conninfo(url: str) -> str:
    """A libpq connection string from the SQLAlchemy URL of ``kept_postgresql``."""
    found = re.match(r"postgresql\+psycopg://(\w+)@/(\w+)\?host=([^&]+)&port=(\d+)", url)
    assert found, url
    user, database, host, port = found.groups()
    return f"host={host} port={port} user={user} dbname={database}"


@dataclass
class Timing:
    """One route's requests: status, server wall times (ms) and CPU time (ms, an average)."""

    route: str
    status: int
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: float = 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def prepare(store: Store) -> tuple[dict[str, str], str]:
    """The bench's user (admin), its API token, and the ids that fill path parameters."""
    with store.transaction() as session:
        if is_user(session, USER):  # a kept ledger timed again
            user = get_user(session, find_user_id(session, USER))
            assert user is not None
        else:
            user = add_user(session, USER, Role.ADMIN, Secret(PASSWORD))
        token = create_token(session, user, "bench").reveal()
    job = queue_job(store, 1, JobKind.POLL, USER, datetime.now(UTC))
    with store.read() as session:
        count = session.execute(_count_claims()).scalar_one()
    middle = count // 2 + 1
    ids = {
        "clm01": f"CB{middle:010d}",
        "remittance_id": "500",
        "inbound_file_id": "1",
        "unmatched_id": "2",
        "held_id": "1",
        "job_id": str(job.id),
        "mode": "production",
        "step": "sftp_email",
        "payer_id": "P00001",
    }
    return ids, token


def _count_claims() -> Any:
    from sqlalchemy import func, select

    from claimbridge.store import tables as t

    return select(func.count()).select_from(t.ClaimRow)


def get_routes(app: FastAPI) -> list[tuple[str, bool]]:
    """Every GET path of the pages (``views.ROUTERS``) and of the API (its OpenAPI document),
    with whether it is an API path."""
    pages = {
        (route.path, False)
        for module in views.ROUTERS
        for route in module.router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    }
    api = {(path, True) for path, ways in app.openapi()["paths"].items() if "get" in ways}
    return sorted(pages | api)


def urls(routes: list[tuple[str, bool]], ids: dict[str, str]) -> list[tuple[str, bool]]:
    """The routes with their parameters filled: each report by its key; a few searches."""
    filled: list[tuple[str, bool]] = []
    for path, api in routes:
        if path in ("/logout",):
            continue
        concrete = path
        for name, value in ids.items():
            concrete = concrete.replace("{" + name + "}", value)
        if "{key}" in concrete:
            filled += [(concrete.replace("{key}", key), api) for key in REPORT_KEYS]
            continue
        if "{" in concrete:
            print(f"  skipped (parameter not known): {path}", flush=True)
            continue
        filled.append((concrete, api))
    filled += [
        ("/claims?q=smith0042", False),
        ("/claims?status=denied", False),
        ("/claims?q=" + ids["clm01"], False),
        ("/api/v1/claims?status=denied", True),
    ]
    return filled


def time_routes(
    app: FastAPI, token: str, wanted: list[tuple[str, bool]], runs: int,
    server_cpu: Callable[[], float] | None,
) -> list[Timing]:  # fmt: skip
    page = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    page.post("/login", data={"username": USER, "password": PASSWORD,
                              "csrf_token": csrf_of(page)})  # fmt: skip
    api = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    api.headers["Authorization"] = f"Bearer {token}"
    found = []
    for url, is_api in wanted:
        client = api if is_api else page
        began = time.perf_counter()
        answer = client.get(url)  # warm-up
        slow = time.perf_counter() - began > SLOW_S
        timing = Timing(url, answer.status_code)
        timed = min(runs, SLOW_RUNS) if slow else runs
        cpu_before = time.process_time() + (server_cpu() if server_cpu else 0.0)
        for _ in range(timed):
            began = time.perf_counter()
            client.get(url)
            timing.times_ms.append((time.perf_counter() - began) * 1000)
        cpu_after = time.process_time() + (server_cpu() if server_cpu else 0.0)
        timing.cpu_ms = (cpu_after - cpu_before) * 1000 / timed
        print(f"  {url}: {timing.status} p50 {timing.p50:.1f} p95 {timing.p95:.1f} "
              f"cpu {timing.cpu_ms:.1f} ms", flush=True)  # fmt: skip
        found.append(timing)
    return found


def measure(
    url: str, runs: int, server_cpu: Callable[[], float] | None, work: Path
) -> list[Timing]:
    store = Store(url).scoped(1)
    settings = Settings(db_url=url, secret_key=generate_key())
    config = WebConfig(session_secret="bench", secure_cookies=False,
                       known_hosts=work / "known_hosts", archive=work / "archive")  # fmt: skip
    app = create_app(settings, store, None, config)
    try:
        ids, token = prepare(store)
        job = time_reports_job(store, settings, server_cpu)  # the report pages read what it kept
        timings = time_routes(app, token, urls(get_routes(app), ids), runs, server_cpu)
        return [*timings, job]
    finally:
        store.dispose()


def time_reports_job(
    store: Store, settings: Settings, server_cpu: Callable[[], float] | None
) -> Timing:
    """The work of the reports job (``make_reports``), which the pages do not do: what a poll
    or a person's Refresh costs in the background."""
    at = datetime.now(UTC)
    cpu_before = time.process_time() + (server_cpu() if server_cpu else 0.0)
    began = time.perf_counter()
    make_reports(store, at.date(), settings.fee_policy, at)
    seconds = time.perf_counter() - began
    cpu = time.process_time() + (server_cpu() if server_cpu else 0.0) - cpu_before
    print(f"  reports job: {seconds:.1f} s, cpu {cpu:.1f} s", flush=True)
    return Timing(JOB_ROW, 0, [seconds * 1000], cpu * 1000)


def report(claims: int, results: dict[str, list[Timing]], load: float) -> str:
    names = list(results)
    by_route: dict[str, dict[str, Timing]] = {}
    for name, timings in results.items():
        for timing in timings:
            by_route.setdefault(timing.route, {})[name] = timing
    header = "| route | " + " | ".join(f"{n} status, p50 / p95 ms, CPU ms" for n in names) + " |"
    lines = [header, "|---|" + "---|" * len(names)]
    for route, by_db in by_route.items():
        cells = []
        for name in names:
            timing = by_db.get(name)
            cells.append(
                f"job, {timing.p50:,.0f}, {timing.cpu_ms:,.0f}"
                if timing and route == JOB_ROW
                else f"{timing.status}, {timing.p50:.0f} / {timing.p95:.0f}, {timing.cpu_ms:.0f}"
                if timing else "—"
            )  # fmt: skip
        lines.append(f"| `{route}` | " + " | ".join(cells) + " |")
    over = {
        name: [t.route for t in timings if t.p95 > TARGET_MS and t.route != JOB_ROW]
        for name, timings in results.items()
    }
    summary = [
        f"Measured by `bench/web_scale.py` on {date.today().isoformat()}: Python "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores shared with "
        f"other work (load average {load:.1f} when it ended). {claims:,} claims of one practice "
        "(one line, one history event each; 86% paid or denied, 8% in flight, 2.5% held or "
        "rejected: `STATUS_MIX`; payments with an adjustment on every other claim; "
        f"1,000 remittances), {max(10, claims // 5):,} patients; every GET route of the pages "
        "and of the API, signed in as an admin (pages) or with a token (API), one warm-up and "
        "then the timed requests. PostgreSQL 15 runs under the row-level security policies "
        "(the tables belong to a role that is neither superuser nor BYPASSRLS).",
        "",
        *lines,
        "",
    ]
    timed = [t for ts in results.values() for t in ts if t.route != JOB_ROW]
    most = max((len(t.times_ms) for t in timed), default=0)
    slow = sorted({t.route for t in timed if len(t.times_ms) < most})
    if slow:
        summary.append(
            f"- Timed only {SLOW_RUNS} times, their warm-up taking over "
            f"{SLOW_S:.0f} s: " + ", ".join(f"`{r}`" for r in slow) + "."
        )
    for name, routes in over.items():
        summary.append(
            f"- {name}: " + ("every route's p95 is within 200 ms." if not routes else
                             f"{len(routes)} routes over 200 ms at p95: "
                             + ", ".join(f"`{r}`" for r in routes) + ".")
        )  # fmt: skip
    summary += ["", "Run it again with `.venv/bin/python bench/web_scale.py`."]
    return "\n".join(summary)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per route")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument("--db", type=Path, default=BENCH / "out" / "web-scale.db")
    parser.add_argument("--pg-dir", type=Path, default=BENCH / "out" / "web-scale-pg")
    parser.add_argument("--reuse", action="store_true", help="time the kept ledgers again")
    parser.add_argument("--quick", action="store_true", help="leave docs/performance.md as it is")
    args = parser.parse_args()
    work = BENCH / "out" / "web-scale"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[Timing]] = {}
    if args.only in (None, "sqlite"):
        if not args.reuse:
            print(f"SQLite: building {args.claims:,} claims …", flush=True)
            fill_sqlite(args.db, args.claims)
        print("SQLite: timing every route …", flush=True)
        results["SQLite"] = measure(f"sqlite:///{args.db}", args.runs, None, work)
    if args.only in (None, "postgresql"):
        built_with = args.pg_dir / "claims"
        with kept_postgresql(args.pg_dir, args.reuse) as (url, server_cpu, built):
            if built:
                kept = int(built_with.read_text()) if built_with.exists() else None
                if kept != args.claims:
                    raise SystemExit(f"the kept cluster in {args.pg_dir} holds "
                                     f"{kept or 'an unfinished ledger, not'} {args.claims:,} "
                                     "claims: run without --reuse to build it again")  # fmt: skip
                print(f"PostgreSQL: the kept ledger of {kept:,} claims", flush=True)
                upgrading = Store(url)
                upgrading.upgrade()  # a revision added since it was built
                upgrading.dispose()
            else:
                print(f"PostgreSQL: building {args.claims:,} claims …", flush=True)
                fill_postgres(url, args.claims)
                built_with.write_text(str(args.claims))
            vacuum_postgres(url)
            print("PostgreSQL: timing every route …", flush=True)
            results["PostgreSQL"] = measure(url, args.runs, server_cpu, work)
    text = report(args.claims, results, os.getloadavg()[0])
    print(text)
    if not args.quick:
        write_section(SECTION, f"{SECTION}\n\n{text}")
        print(f"written to {DOC}")


if __name__ == "__main__":
    main()
