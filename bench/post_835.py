"""Bench: post a 100,000-claim 835 into the ledger; claims per second and peak memory.

::

    .venv/bin/python bench/post_835.py                       # SQLite, 100,000 claims
    .venv/bin/python bench/post_835.py --claims 20000        # smaller
    .venv/bin/python bench/post_835.py --db postgresql+psycopg://…/bench

It inserts the matching claims in bulk (one line each, submitted), builds one 835 file with
``build_835`` (checks of ``--per-check`` claims each, every claim paid with CO-45 and a PR
copay on its line, REF*6R naming the line), then times ``ingest_bytes``: the same path as
``claimbridge import`` (sniff, keep the bytes, parse, post in one transaction). Peak memory is
the posting process's high-water mark (``VmHWM``): the file is built and written
by the bench, then a fresh process reads and posts it, so its peak is the posting's alone.
Only synthetic ids and amounts appear.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.ingest import ingest_bytes
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.x12.envelope_build import InterchangeParams, st_control_number
from claimbridge.x12.tx835_005010X221A1 import (
    Adjustment,
    Loop2000,
    Loop2100,
    Loop2110,
    Remittance,
)
from claimbridge.x12.tx835_005010X221A1.build import build_835
from claimbridge.x12.tx835_005010X221A1.models import (
    N1,
    Bpr,
    Clp,
    Dtm,
    Loop1000A,
    Loop1000B,
    Lx,
    Procedure,
    Ref,
    Svc,
    Trn,
)

SERVICE_DATE = date(2026, 10, 1)
CHARGE, ALLOWED, COPAY = Decimal("120.00"), Decimal("95.00"), Decimal("20.00")


def claim_number(n: int) -> str:
    """The CLM01 of synthetic claim ``n``."""
    return f"BX{n:08d}"


def paid_claim(clm01: str, control: str, charge: Decimal = CHARGE) -> Loop2100:
    """A CLP paying one 99213 line: CO-45 down to the allowed amount, PR-3 copay."""
    allowed = charge - (CHARGE - ALLOWED)
    paid = allowed - COPAY
    adjustments = (Adjustment("CO", "45", charge - allowed, None, 0),
                   Adjustment("PR", "3", COPAY, None, 0))  # fmt: skip
    svc = Svc(Procedure("HC", "99213", (), "", ""), charge, paid, "", None, None, None, 0)
    line = Loop2110(
        svc, (Dtm("472", SERVICE_DATE, "", "", "", "", 0),), adjustments,
        Ref("6R", control, "", "", 0), (), (), (), (), (),
    )  # fmt: skip
    clp = Clp(clm01, "1", charge, paid, COPAY, "12", f"P{clm01}", "11", "1", "", "", None, None,
              "", 0)  # fmt: skip
    return Loop2100(clp, (), (), None, None, (), (), (), (), (), (line,), ())


def remittance(trace: str, claims: Sequence[Loop2100], paid_on: date) -> Remittance:
    """One check paying ``claims`` (balanced: BPR02 = Σ CLP04)."""
    total = sum((c.clp.paid for c in claims), Decimal("0.00"))
    day = paid_on.strftime("%Y%m%d")
    bpr = Bpr("I", total, "C", "CHK", "", *("",) * 10, paid_on, day, *("",) * 5, 0)
    payer = Loop1000A(N1("PR", "CIGNA", "XV", "62308", "", "", 0), None, None, (),
                      (), ())  # fmt: skip
    payee = Loop1000B(N1("PE", "CEDAR VALLEY FAMILY HEALTH", "XX", "1300000019", "", "", 0),
                      None, None, (), None, ())  # fmt: skip
    return Remittance(
        "0001", bpr, Trn("1", trace, "1999999999", "", 0), None, (),
        (Dtm("405", paid_on, "", "", "", "", 0),), payer, payee,
        (Loop2000(Lx("1", 0), None, None, tuple(claims), ()),), (), (),
    )  # fmt: skip


def era_text(checks: Sequence[Remittance], control: int, now: datetime) -> str:
    """One 835 interchange holding ``checks``, one transaction set each."""
    numbered = [r._replace(control_number=st_control_number(n)) for n, r in enumerate(checks, 1)]
    params = InterchangeParams(
        sender_id="BENCHPAYER", receiver_id="330897513", interchange_control_number=control,
        group_control_number=control, created=now, functional_id="HP", version="005010X221A1",
    )  # fmt: skip
    return build_835(numbered, params)


def _chunks(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def insert_claims(store: Store, count: int, payer_id: str) -> None:
    """``count`` claims with one line each, sent to ``payer_id`` in one batch, in bulk."""
    now = datetime.now(UTC)
    with store.transaction() as session:
        payer = session.scalars(select(t.PayerRow.id).where(t.PayerRow.payer_id == payer_id)).one()
        first = (session.scalar(select(t.ClaimRow.id).order_by(t.ClaimRow.id.desc())) or 0) + 1
        batch = t.BatchRow(isa13=first, gs06=first, test_mode=True, status="sent",
                           claim_count=count, created_at=now, sent_at=now)  # fmt: skip
        session.add(batch)
        session.flush()
        for part in _chunks(count, 10_000):
            session.execute(
                insert(t.ClaimRow), [_claim_row(first + n, n, payer, now) for n in part]
            )
            session.execute(insert(t.ClaimLineRow), [_line_row(first + n, n) for n in part])
            sent = [{"claim_id": first + n, "batch_id": batch.id, "st02": "0001"} for n in part]
            session.execute(insert(t.ClaimSubmissionRow), sent)


def _claim_row(claim_id: int, n: int, payer: int, now: datetime) -> dict[str, object]:
    return {"id": claim_id, "clm01": claim_number(n), "payer_id": payer,
            "billing_tax_id": "847291635", "billing_npi": "1300000019",
            "rendering_npi": "1234567893", "service_date": SERVICE_DATE, "place_of_service": "11",
            "frequency_code": "1", "total_charge": CHARGE, "status": ClaimStatus.SUBMITTED.value,
            "era_expected": True, "created_at": now, "updated_at": now,
            "submitted_at": now}  # fmt: skip


def _line_row(claim_id: int, n: int) -> dict[str, object]:
    return {"claim_id": claim_id, "line_number": 1, "code": "99213", "modifiers": "",
            "units": Decimal(1), "charge": CHARGE, "diagnosis_pointers": "1",
            "service_date": SERVICE_DATE,
            "line_control_number": f"{claim_number(n)}-1"}  # fmt: skip


def build_file(count: int, per_check: int) -> bytes:
    """The 835 paying claims 0 … count − 1, ``per_check`` claims per check."""
    paid_on = date(2026, 10, 20)
    checks = [
        remittance(f"BENCH{part.start:09d}", [paid_claim(claim_number(n), f"{claim_number(n)}-1")
                                             for n in part], paid_on)
        for part in _chunks(count, per_check)
    ]  # fmt: skip
    return era_text(checks, 1, datetime(2026, 10, 20, 9, 0)).encode()


def peak_mib() -> float:
    """This process image's peak resident set so far (``VmHWM``), in MiB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(url: str, count: int, per_check: int, folder: Path) -> dict[str, float]:
    """Prepare the ledger and the file here, then post it in a fresh process and time that."""
    store = Store(url)
    store.upgrade()
    _load_payer(store)
    insert_claims(store, count, "62308")
    store.dispose()
    era = folder / "bench.835"
    era.write_bytes(build_file(count, per_check))
    command = [sys.executable, __file__, "--post", str(era), "--db", url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return {"claims": count, "mib": era.stat().st_size / 2**20, **json.loads(output)}


def post(url: str, era: Path) -> dict[str, float]:
    """Post ``era`` as 'claimbridge import' does; seconds and peak memory of this process."""
    store = Store(url)
    data = era.read_bytes()
    before = peak_mib()
    start = time.perf_counter()
    [report] = ingest_bytes(store, era.name, data)
    seconds = time.perf_counter() - start
    if report.outcome != "applied":
        raise SystemExit(report.detail)
    store.dispose()
    return {"seconds": seconds, "peak_before": before, "peak_after": peak_mib()}


def _load_payer(store: Store) -> None:
    with store.transaction() as session:
        session.add(t.PayerRow(payer_id="62308", name="CIGNA", claim_filing_indicator="CI",
                               par=True))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--per-check", type=int, default=5_000)
    parser.add_argument("--db", help="a database URL (default: a temporary SQLite file)")
    parser.add_argument("--post", type=Path, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.post:
        print(json.dumps(post(args.db, args.post)))
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        result = run(args.db or f"sqlite:///{folder / 'bench.db'}", args.claims, args.per_check,
                     folder)  # fmt: skip
    rate = result["claims"] / result["seconds"]
    print(
        f"{result['claims']:,.0f} claims ({result['mib']:.1f} MiB of 835) posted in "
        f"{result['seconds']:.1f} s: {rate:,.0f} claims/s; peak RSS of the posting process "
        f"{result['peak_before']:.0f} MiB after reading the file, {result['peak_after']:.0f} MiB "
        "after posting"
    )


if __name__ == "__main__":
    main()
