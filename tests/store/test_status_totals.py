"""The claims per status the database keeps (``claim_status_totals``, which the dashboard reads)
are the claims counted, after every way a claim's status or charge changes, on SQLite and
PostgreSQL; on PostgreSQL writers moving claims at once neither wait on one another nor lose a
claim."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, func, insert, select, update

from claimbridge.domain.fees import FeePolicy
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.ingest import ingest_paths
from claimbridge.services.reports import make_reports
from claimbridge.services.reposting import post_again, undo_posting
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import (
    ClaimRepository,
    Move,
    fold_status_totals,
    status_totals,
)
from cycle_support import NOW, add_claim, answered
from ledger_db import sqlite_url

CENT = Decimal("0.01")


def _counted(store: Store) -> dict[ClaimStatus, tuple[int, Decimal]]:
    claim = t.ClaimRow
    query = select(claim.status, func.count(), func.sum(claim.total_charge)).group_by(claim.status)
    with store.read() as session:
        return {
            ClaimStatus(status): (count, Decimal(total).quantize(CENT))
            for status, count, total in session.execute(query)
        }


def _kept(store: Store) -> dict[ClaimStatus, tuple[int, Decimal]]:
    with store.read() as session:
        return status_totals(session)


def _agree(store: Store) -> dict[ClaimStatus, tuple[int, Decimal]]:
    kept = _kept(store)
    assert kept == _counted(store)
    return kept


def _total_rows(store: Store) -> list[str]:
    """The status of each row of ``claim_status_totals``."""
    with store.read() as session:
        return list(session.scalars(select(t.ClaimStatusTotalRow.status)))


def test_the_kept_totals_are_the_claims_counted_after_a_mixed_workload(
    store: Store, tmp_path: Path
) -> None:
    run = answered(store, tmp_path / "oa")  # claims made (INSERT) and sent (a bulk move)
    sent = _agree(store)
    assert sent[ClaimStatus.SUBMITTED][0] > 0
    ingest_paths(store, run.outbound)  # 999, 277CA and 835: moves by file
    paid = _agree(store)
    assert paid != sent
    with store.read() as session:
        remittance_id = session.scalars(select(t.RemittanceRow.id).limit(1)).one()
    with store.transaction() as session:
        undo_posting(session, remittance_id, "test", "posted to the wrong practice")
    assert _agree(store) != paid
    with store.transaction() as session:
        post_again(session, remittance_id, "test")
    assert _agree(store) == paid
    held = add_claim(store, "HELD-1", (("99213", "80", None),), status=ClaimStatus.HELD)
    with store.transaction() as session:  # one claim moved, as a person does
        ClaimRepository(session).transition("HELD-1", ClaimStatus.CANCELLED, "duplicate", "test")
        session.execute(  # a charge corrected, by a statement that names no status
            update(t.ClaimRow).where(t.ClaimRow.id == held).values(total_charge=Decimal("81.25"))
        )
    with store.transaction() as session:  # written and removed without claimbridge's code
        template = session.get_one(t.ClaimRow, held)
        columns = {
            column.key: getattr(template, column.key)
            for column in t.ClaimRow.__table__.columns
            if column.key not in ("id", "clm01", "total_charge_cents")
        }
        session.execute(insert(t.ClaimRow).values(columns | {"clm01": "RAW-1"}))
    _agree(store)
    with store.transaction() as session:
        session.execute(delete(t.ClaimRow).where(t.ClaimRow.clm01 == "RAW-1"))
    kept = _agree(store)
    assert kept[ClaimStatus.CANCELLED] == (1, Decimal("81.25"))
    with store.transaction() as session:
        fold_status_totals(session)
    assert _agree(store) == kept
    rows = _total_rows(store)
    assert len(rows) == len(set(rows))  # one row per status once folded
    assert {status.value for status in kept} <= set(rows)


def test_the_reports_job_folds_the_totals(store: Store, tmp_path: Path) -> None:
    run = answered(store, tmp_path / "oa")
    ingest_paths(store, run.outbound)
    before = _agree(store)
    if store.engine.dialect.name == "postgresql":  # a row per statement that moved claims
        assert len(_total_rows(store)) > len(set(_total_rows(store)))
    make_reports(store, NOW.date(), FeePolicy(), NOW)
    assert _agree(store) == before
    rows = _total_rows(store)
    assert len(rows) == len(set(rows))  # one row per status once folded


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_writers_moving_claims_at_once_neither_wait_nor_lose_a_claim(store: Store) -> None:
    """Two transactions move claims out of and into the same statuses and stay open until both
    have; had they updated one shared row per status, the second would wait for the first
    and the barrier would break."""
    ids = [
        add_claim(store, f"AT-ONCE-{n}", (("99213", f"{50 + n}", None),), date(2025, 3, 1))
        for n in range(6)
    ]
    before = _agree(store)
    both_moved = threading.Barrier(2, timeout=20)
    failures: list[BaseException] = []

    def move(claim_ids: list[int], target: ClaimStatus) -> None:
        try:
            with store.transaction() as session:
                moves = [Move(i, ClaimStatus.SUBMITTED, target, "at once") for i in claim_ids]
                ClaimRepository(session).move_many(moves, "test")
                session.flush()
                both_moved.wait()  # both statements done, neither committed
        except BaseException as error:  # reported by the test below
            failures.append(error)

    writers = [
        threading.Thread(target=move, args=(ids[:3], ClaimStatus.CLEARINGHOUSE_ACCEPTED)),
        threading.Thread(target=move, args=(ids[3:], ClaimStatus.CLEARINGHOUSE_ACCEPTED)),
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    after = _agree(store)
    moved = sum(Decimal(50 + n) for n in range(6)).quantize(CENT)
    assert after[ClaimStatus.CLEARINGHOUSE_ACCEPTED] == (6, moved)
    submitted = before[ClaimStatus.SUBMITTED]
    assert after.get(ClaimStatus.SUBMITTED, (0, Decimal("0.00"))) == (
        submitted[0] - 6,
        (submitted[1] - moved).quantize(CENT),
    )


def test_a_lookup_of_the_claims_following_one_uses_the_index_at_a_million_claims(
    request: pytest.FixtureRequest,
) -> None:
    """SQLite plans by the statistics ANALYZE keeps. Scaled to a million claims that follow none
    (as a practice's after a few years: the secondaries are few), a scoped lookup by
    ``follows_claim_id`` must still use its index: with every claim in it, the index looked
    useless and each claim page read every claim."""
    store = Store(next(sqlite_url(request)))
    add_claim(store, "CBF1", (("99213", "95.00", None),))
    add_claim(store, "CBF2", (("99213", "95.00", None),))
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
        stats = connection.exec_driver_sql(
            "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'claims'"
        )
        for index, stat in list(stats):
            counts = [int(part) for part in stat.split()[: 1 + (index is not None) * 8]]
            scaled = " ".join(str(max(1, n * 500_000 // max(1, counts[0]))) if i else "1000000"
                              for i, n in enumerate(counts))  # fmt: skip
            connection.exec_driver_sql(
                "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = 'claims' AND idx IS ?",
                (scaled, index),
            )
        connection.exec_driver_sql("ANALYZE sqlite_schema")  # the planner reads them again
    sent: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if "follows_claim_id IN" in statement:
            sent.append((statement, parameters))

    query = select(t.ClaimRow.id).where(t.ClaimRow.follows_claim_id.in_([1, 2]))
    event.listen(store.engine, "before_cursor_execute", keep)
    with store.scoped(1).read() as session:  # as a page asks, the practice's scope added
        session.execute(query).all()
    event.remove(store.engine, "before_cursor_execute", keep)
    statement, parameters = sent[-1]
    assert "practice_id" in statement
    with store.engine.connect() as connection:
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    steps = " / ".join(str(row[-1]) for row in plan)
    assert "ix_claims_follows_claim_id" in steps and "SCAN claims" not in steps, steps
