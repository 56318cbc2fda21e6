"""Moving claims in bulk changes the speed and nothing else: ``create_claims`` and ``submit``
write, through the bulk writers, the ledger that moving each claim on its own writes.

The one-at-a-time ledger is made by the same services with ``ClaimRepository.move_many`` and
``set_many`` replaced by what they stand for: ``transition`` of each claim (read, checked,
flushed, its event added) and each column set on the claim's row. Both ledgers are then compared
row by row: every claim's status and reason, its timeline of events in order, which of its
events its times (updated, first submitted) are those of, the files sent with their bytes and
control numbers, and the control number counters. The clock ticks at every reading, so a time
left unwritten or written at the wrong step shows.
"""

from __future__ import annotations

import importlib
import itertools
import shutil
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import Resubmission, create_claims, resubmit
from claimbridge.services.submit import BatchLimits, submit
from claimbridge.store import repositories
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository, Move
from claimbridge.transport import MemoryTransport
from cycle_support import BENCH
from ledger_db import postgres_url

APPOINTMENTS = 60
TODAY = date(2026, 12, 1)
SENT_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STARTED = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # the ledger's clock: after the first files
SENT_AGAIN_AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # and before the files sent again


@pytest.fixture
def twin(request: pytest.FixtureRequest, store: Store, tmp_path: Path) -> Iterator[Store]:
    """A second fresh ledger like ``store``, on the same kind of database."""
    if request.node.callspec.params["store_url"] == "postgresql":
        urls = postgres_url(request)
        ledger = Store(next(urls))
    else:
        path = tmp_path / "twin.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        urls, ledger = iter(()), Store(f"sqlite:///{path}")
    yield ledger
    ledger.dispose()
    next(urls, None)  # drops the PostgreSQL database


def _claim_path(store: Store) -> None:
    """The demonstration practice with ``APPOINTMENTS`` visits, its claims made (some held for
    an enrollment), the enrollment approved and the held claims made ready, all of them sent in
    files of 25 claims; then three rejected, resubmitted and sent again."""
    sys.path.insert(0, str(BENCH))
    bench = importlib.import_module("claim_path")
    bench.load_practice(store)
    bench.copy_appointments(store, APPOINTMENTS)
    with store.transaction() as session:
        created = create_claims(session, "test", TODAY)
        session.execute(update(t.PayerEnrollmentRow).values(status="approved"))
    assert {claim.status for claim in created.created} == {ClaimStatus.READY, ClaimStatus.HELD}
    with store.transaction() as session:
        rechecked = create_claims(session, "test", TODAY).rechecked
    assert rechecked and {claim.status for claim in rechecked} == {ClaimStatus.READY}
    result = submit(store, MemoryTransport(), "test", SENT_AT, limits=BatchLimits(25))
    assert result.claims_sent == APPOINTMENTS and len(result.batches) == 3
    with store.transaction() as session:
        rejected = session.scalars(select(t.ClaimRow.clm01).order_by(t.ClaimRow.id).limit(3))
        for clm01 in rejected:
            why = "rejected in the test"
            ClaimRepository(session).transition(
                clm01, ClaimStatus.CLEARINGHOUSE_REJECTED, why, "test"
            )
            resubmit(session, clm01, Resubmission.ORIGINAL, "test", TODAY)
    assert submit(store, MemoryTransport(), "test", SENT_AGAIN_AT).claims_sent == 3


def _ledger(store: Store) -> dict[str, list[Any]]:
    claim = t.ClaimRow
    event, sent, batch = t.ClaimEventRow, t.ClaimSubmissionRow, t.BatchRow
    with store.read() as session:
        events = session.execute(
            select(
                event.claim_id,
                event.at,
                event.what,
                event.why,
                event.actor,
                event.from_status,
                event.to_status,
            ).order_by(event.id)
        ).all()
        timelines: dict[int, list[Any]] = {}
        for row in events:
            timelines.setdefault(row.claim_id, []).append(row)

        def event_at(claim_id: int, at: datetime | None) -> int | None:
            """The place in the claim's timeline of its last event at ``at``."""
            places = [n for n, row in enumerate(timelines[claim_id]) if row.at == at]
            return places[-1] if places else None

        claims = session.execute(
            select(
                claim.id,
                claim.clm01,
                claim.status,
                claim.status_reason,
                claim.era_expected,
                claim.submitted_at,
                claim.updated_at,
            ).order_by(claim.id)
        ).all()
        return {
            "claims": [
                (row.clm01, row.status, row.status_reason, row.era_expected,
                 event_at(row.id, row.submitted_at), event_at(row.id, row.updated_at))
                for row in claims
            ],
            "timeline": [(row.claim_id, *row[2:]) for row in events],
            "sent": session.execute(
                select(claim.clm01, sent.batch_id, sent.st02)
                .join(claim, claim.id == sent.claim_id).order_by(sent.id)
            ).all(),
            "batches": session.execute(
                select(batch.isa13, batch.gs06, batch.file_name, batch.status, batch.claim_count,
                       batch.content).order_by(batch.id)
            ).all(),
            "control_numbers": session.execute(
                select(t.ControlNumberRow.name, t.ControlNumberRow.value)
                .order_by(t.ControlNumberRow.name)
            ).all(),
        }  # fmt: skip


def _each_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    def move_many(
        self: ClaimRepository, moves: Sequence[Move], actor: str, inbound_file_id: int | None = None
    ) -> None:
        for move in moves:
            row = self.session.get_one(t.ClaimRow, move.claim_id)
            assert ClaimStatus(row.status) is move.current
            self.transition(row.clm01, move.target, move.why, actor, inbound_file_id)

    def set_many(self: ClaimRepository, column: str, values: Sequence[tuple[int, object]]) -> None:
        for claim_id, value in values:
            setattr(self.session.get_one(t.ClaimRow, claim_id), column, value)
        self.session.flush()

    monkeypatch.setattr(ClaimRepository, "move_many", move_many)
    monkeypatch.setattr(ClaimRepository, "set_many", set_many)


def _ticking_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    seconds = itertools.count()
    monkeypatch.setattr(repositories, "utcnow", lambda: STARTED + timedelta(seconds=next(seconds)))


def test_bulk_moves_write_the_ledger_that_moving_each_claim_writes(
    store: Store, twin: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ticking_clock(monkeypatch)
    _claim_path(store)
    bulk = _ledger(store)
    _each_on_its_own(monkeypatch)
    _ticking_clock(monkeypatch)
    _claim_path(twin)
    one_at_a_time = _ledger(twin)
    assert len(bulk["claims"]) == APPOINTMENTS
    assert {row[1] for row in bulk["claims"]} == {ClaimStatus.SUBMITTED.value}
    assert all(row[4] is not None and row[5] is not None for row in bulk["claims"])
    moves = {(row[4], row[5]) for row in bulk["timeline"] if row[5]}
    assert {("held", "ready"), ("ready", "submitted"), ("clearinghouse_rejected", "ready")} <= moves
    for part, rows in bulk.items():
        assert one_at_a_time[part] == rows, part
