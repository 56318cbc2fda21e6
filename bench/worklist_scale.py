"""The worklist at a million claims: search by every key, sort on every column, page, count.

Fills a SQLite ledger through the real schema (``Store.upgrade``) with one practice, 200,000
patients with policies, 1,000,000 appointments and claims, payments on the paid ones, and
Office Ally claim IDs on a tenth of them; runs ``ANALYZE``; then times
``services.worklist.worklist`` as the web page calls it (a page of 50 and the count)::

    .venv/bin/python bench/worklist_scale.py                 # build (a few minutes) and time
    .venv/bin/python bench/worklist_scale.py --reuse         # time an existing file again
    .venv/bin/python bench/worklist_scale.py --claims 20000  # a quick run

The data is synthetic (generated names, no real person).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claim_search import Search, SearchKey
from claimbridge.services.worklist import ClaimFilter, Paging, SortKey, worklist
from claimbridge.store.db import Store

BENCH = Path(__file__).resolve().parent
CHUNK = 100_000
PAYERS = 300
LAST = ("SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "LOPEZ")
FIRST = ("ANN", "BEN", "CARA", "DAN", "EVA", "FRED", "GINA", "HAL", "IDA", "JON", "KAY")
STAMP = "2025-06-01 00:00:00.000000"


def rows_patients(count: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    for n in range(1, count + 1):
        last = f"{rng.choice(LAST)}{n % 5000:04d}"
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 29_000))
        yield (n, 1, f"P{n}", rng.choice(FIRST), last, born.isoformat(), "F", "1 MAIN ST",
               "SPRINGFIELD", "IL", "62701")  # fmt: skip


def rows_policies(count: int) -> Iterator[tuple[Any, ...]]:
    for n in range(1, count + 1):
        yield (n, 1, n, "primary", 1 + n % PAYERS, f"M{n:09d}", "self")


def rows_appointments(claims: int, patients: int) -> Iterator[tuple[Any, ...]]:
    for n in range(1, claims + 1):
        yield (n, 1, f"A{n}", 1 + n % patients, 1, "2025-06-01", "11")


def rows_claims(count: int, patients: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    statuses = list(ClaimStatus)
    start = date(2025, 1, 1)
    for n in range(1, count + 1):
        status = rng.choice(statuses)
        service = start + timedelta(days=n * 700 // count)
        sent = None if status in (ClaimStatus.DRAFT, ClaimStatus.HELD, ClaimStatus.READY) else STAMP
        pccn = f"PC{n:012d}" if n % 3 == 0 else None
        yield (n, 1, f"CB{n:010d}", n, 1 + n % patients, 1 + n % PAYERS, "847291635",
               "1300000019", "1234567893", service.isoformat(), "11", "1",
               rng.randrange(5_000, 60_000), status.value, 1, pccn, STAMP, STAMP, sent)  # fmt: skip


def rows_payments(count: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    for n in range(1, count + 1, 2):
        pccn = f"ERA{n:012d}"
        yield (n, 1, 1 + n % 1000, n, "1", 10_000, rng.randrange(0, 10_000), pccn, STAMP)


def rows_acks(count: int) -> Iterator[tuple[Any, ...]]:
    for n in range(1, count + 1, 10):
        yield (n, 1, 1, "OA_EDI_STATUS", n, f"{4000000000 + n}", "ACCEPTED", STAMP)


INSERTS = {
    "practice": "INSERT INTO practice (id, key, name, tax_id, npi, taxonomy, address_line1, "
    "address_city, address_state, address_zip) VALUES (1, 'bench', 'BENCH', '847291635', "
    "'1300000019', '207Q00000X', '1 MAIN ST', 'SPRINGFIELD', 'IL', '62701')",
    "payers": "INSERT INTO payers (id, payer_id, name, claim_filing_indicator, par) "
    "VALUES (?,?,?,?,?)",
    "providers": "INSERT INTO providers (id, practice_id, key, first_name, last_name, npi, "
    "taxonomy) VALUES (1, 1, 'DR1', 'JO', 'KEMP', '1234567893', '207Q00000X')",
    "patients": "INSERT INTO patients (id, practice_id, key, first_name, last_name, dob, sex, "
    "address_line1, address_city, address_state, address_zip) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "policies": "INSERT INTO policies (id, practice_id, patient_id, priority, payer_id, "
    "member_id, relationship) VALUES (?,?,?,?,?,?,?)",
    "appointments": "INSERT INTO appointments (id, practice_id, key, patient_id, provider_id, "
    "service_date, place_of_service) VALUES (?,?,?,?,?,?,?)",
    "claims": "INSERT INTO claims (id, practice_id, clm01, appointment_id, policy_id, payer_id, "
    "billing_tax_id, billing_npi, rendering_npi, service_date, place_of_service, "
    "frequency_code, total_charge, status, era_expected, payer_claim_control_number, "
    "created_at, updated_at, submitted_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "inbound_files": "INSERT INTO inbound_files (id, practice_id, name, sha256, size, "
    "received_at, outcome) VALUES (1, 1, 'bench', 'x', 0, '2025-06-01 00:00:00.000000', 'ok')",
    "remittances": "INSERT INTO remittances (id, practice_id, payer_id, payer_identifier, method, "
    "amount, trace_number, created_at) VALUES (?,1,1,'P00001','CHK',0,?,?)",
    "payments": "INSERT INTO payments (id, practice_id, remittance_id, claim_id, status_code, "
    "charge, paid, payer_claim_control_number, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
    "acknowledgments": "INSERT INTO acknowledgments (id, practice_id, inbound_file_id, kind, "
    "claim_id, control_number, code, created_at) VALUES (?,?,?,?,?,?,?,?)",
}


def fill(path: Path, claims: int) -> None:
    """The schema, then every table in big transactions with the raw sqlite3 driver."""
    rng = random.Random(13)
    path.unlink(missing_ok=True)
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store.dispose()
    patients = max(10, claims // 5)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")
    for table in ("practice", "providers", "inbound_files"):
        connection.execute(INSERTS[table])
    payers = ((n, f"P{n:05d}", f"PAYER {n:03d}", "CI", 1) for n in range(1, PAYERS + 1))
    remittances = ((n, f"T{n}", STAMP) for n in range(1, 1001))
    for table, rows in (
        ("payers", payers),
        ("patients", rows_patients(patients, rng)),
        ("policies", rows_policies(patients)),
        ("appointments", rows_appointments(claims, patients)),
        ("claims", rows_claims(claims, patients, rng)),
        ("remittances", remittances),
        ("payments", rows_payments(claims, rng)),
        ("acknowledgments", rows_acks(claims)),
    ):
        began = time.perf_counter()
        while batch := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
            connection.execute("BEGIN")
            connection.executemany(INSERTS[table], batch)
            connection.execute("COMMIT")
        print(f"{table}: {time.perf_counter() - began:.1f} s")
    connection.execute("ANALYZE")
    connection.close()


def cases(claims: int) -> dict[str, tuple[ClaimFilter, Paging]]:
    middle = claims // 2 + 1
    search = {
        "search: claim #": Search(f"CB{middle:010d}", SearchKey.CLAIM),
        "search: patient last name": Search("smith0042"),
        "search: patient 'last, first'": Search("Smith0042, ann", SearchKey.PATIENT),
        "search: date of birth": Search("03/15/1970", SearchKey.DOB),
        "search: member ID": Search(f"M{middle // 5:09d}", SearchKey.MEMBER_ID),
        "search: payer claim #": Search(f"PC{(middle // 3) * 3:012d}", SearchKey.PAYER_NUMBER),
        "search: OA claim ID": Search(f"{4000000001 + 10 * (middle // 10)}"),
        "search: any key, a claim #": Search(f"CB{middle:010d}"),
    }
    found = {name: (ClaimFilter(search=s), Paging()) for name, s in search.items()}
    for key in SortKey:
        for descending in (False, True):
            way = "desc" if descending else "asc"
            found[f"all claims, sort {key.value} {way}"] = (ClaimFilter(), Paging(key, descending))
    status = ClaimFilter(status=ClaimStatus.DENIED)
    found["status denied, sort dos"] = (status, Paging())
    found["status denied, sort charge desc"] = (status, Paging(SortKey.CHARGE, True))
    found["payer P00001, sort dos"] = (ClaimFilter(payer_id="P00001"), Paging())
    found["all claims, page 1000 of 50"] = (ClaimFilter(), Paging(number=1000))
    found["all claims, last page"] = (ClaimFilter(), Paging(number=claims // 50))
    return found


def measure(path: Path, claims: int, runs: int) -> list[str]:
    store = Store(f"sqlite:///{path}").scoped(1)
    lines = ["| query | matches | median ms | p95 ms |", "|---|---:|---:|---:|"]
    for name, (wanted, paging) in cases(claims).items():
        times, total = [], 0
        for _ in range(runs):
            began = time.perf_counter()
            with store.read() as session:
                total = worklist(session, wanted, date(2026, 12, 7), paging).total
            times.append((time.perf_counter() - began) * 1000)
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))]
        line = f"| {name} | {total:,} | {statistics.median(ordered):.1f} | {p95:.1f} |"
        print(line, flush=True)
        lines.append(line)
    store.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query")
    parser.add_argument("--db", type=Path, default=BENCH / "out" / "worklist-scale.db")
    parser.add_argument("--reuse", action="store_true", help="time an existing file again")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        fill(args.db, args.claims)
    measure(args.db, args.claims, args.runs)


if __name__ == "__main__":
    main()
