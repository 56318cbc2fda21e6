"""Every poll leaves a record: who, from where, how many files, and how it ended."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from claimbridge.errors import AuthenticationFailed, InputError, StoreError
from claimbridge.services.dashboard import dashboard
from claimbridge.services.ingest import Outcome, poll
from claimbridge.services.polls import EMPTY_POLLS_KEPT_DAYS, Poll, recent_polls, record_poll
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.store.db import Store
from claimbridge.transport import MemoryTransport
from cycle_support import NOW, submitted

REFUSED = "Office Ally refused the login cedarvalley@ftp10.officeally.com:22"


def _polls(store: Store, limit: int = 20) -> tuple[Poll, ...]:
    with store.read() as session:
        return recent_polls(session, limit)


def test_each_poll_is_recorded_newest_first(store: Store, tmp_path: Path) -> None:
    transport, _ = submitted(store, tmp_path / "oa")
    process_inbound_once(tmp_path / "oa", SimConfig(root=tmp_path / "oa"), NOW.replace(tzinfo=None))
    archive = tmp_path / "archive"
    reports = poll(store, transport, archive, now=NOW, actor="dana", source="folder oa")
    later = NOW + timedelta(minutes=15)
    assert poll(store, transport, archive, now=later, actor="watch", source="folder oa") == []
    second, first = _polls(store)
    assert (first.started_at, first.actor, first.source) == (NOW, "dana", "folder oa")
    assert (first.files, first.failed, first.ok) == (len(reports), 0, True)
    assert first.files > 0 and first.detail == f"{len(reports)} files: {len(reports)} applied"
    assert first.finished_at is not None and first.finished_at >= first.started_at
    assert (second.started_at, second.actor, second.files, second.ok) == (later, "watch", 0, True)
    assert second.detail == "nothing new"
    assert _polls(store, 1) == (second,)


def test_a_refused_login_is_recorded_and_raised(store: Store, tmp_path: Path) -> None:
    transport = MemoryTransport()
    transport.fail_next("list", AuthenticationFailed(REFUSED))
    with pytest.raises(AuthenticationFailed):
        poll(store, transport, tmp_path / "archive", now=NOW, actor="biller", source="oa")
    [failed] = _polls(store)
    assert (failed.ok, failed.files, failed.failed, failed.actor) == (False, 0, 0, "biller")
    assert failed.detail == REFUSED


def test_an_unreadable_file_counts_as_failed_in_a_poll_that_ended(
    store: Store, tmp_path: Path
) -> None:
    transport, _ = submitted(store, tmp_path / "oa")
    process_inbound_once(tmp_path / "oa", SimConfig(root=tmp_path / "oa"), NOW.replace(tzinfo=None))
    era = next((tmp_path / "oa" / "outbound").glob("*.835"))
    era.write_bytes(era.read_bytes().replace(b"~SE*", b"~XX*", 1))  # no SE: cannot be read
    reports = poll(store, transport, tmp_path / "archive", now=NOW, actor="cli", source="oa")
    assert [r.outcome for r in reports].count(Outcome.FAILED) == 1
    [done] = _polls(store)
    assert (done.ok, done.files, done.failed) == (True, len(reports), 1)
    assert done.detail is not None and "1 failed" in done.detail


def test_a_poll_stopped_midway_records_the_files_it_had_ingested(
    store: Store, tmp_path: Path
) -> None:
    transport = MemoryTransport()
    transport.put("outbound/a.txt", b"first note")
    transport.put("outbound/b.txt", b"second note")
    archive = tmp_path / "archive"

    def lose_the_archive(done: int) -> None:  # after the first file, the disk goes away
        for kept in [p for p in archive.rglob("*") if p.is_file() and p.suffix == ".txt"]:
            kept.unlink()

    with pytest.raises(StoreError, match="cannot be read"):
        poll(
            store, transport, archive, now=NOW, actor="cli", source="oa", progress=lose_the_archive
        )
    [stopped] = _polls(store)
    assert (stopped.ok, stopped.files) == (False, 1)
    assert stopped.detail is not None and "archived copy" in stopped.detail


def test_the_dashboard_shows_the_last_poll_and_warns_after_a_day_without_success(
    store: Store, tmp_path: Path
) -> None:
    transport, _ = submitted(store, tmp_path / "oa")
    archive = tmp_path / "archive"
    with store.read() as session:
        board = dashboard(session, NOW)
    assert board.last_poll is None
    assert any("No poll of Office Ally has succeeded yet" in a.text for a in board.alerts)
    poll(store, transport, archive, now=NOW, actor="cli", source="oa")
    refusing = MemoryTransport()
    refusing.fail_next("list", AuthenticationFailed(REFUSED))
    failing_at = NOW + timedelta(hours=30)
    with pytest.raises(AuthenticationFailed):
        poll(store, refusing, archive, now=failing_at, actor="watch", source="oa")
    with store.read() as session:
        fresh = dashboard(session, NOW + timedelta(hours=2))
        stale = dashboard(session, failing_at)
    assert fresh.last_poll is not None and fresh.last_poll.ok is False
    assert not [a for a in fresh.alerts if "No poll of Office Ally" in a.text]
    [alert] = [a for a in stale.alerts if "No poll of Office Ally" in a.text]
    assert alert.level == "warning" and "since 11/20/2026 14:30 UTC" in alert.text


def test_a_list_of_polls_is_bounded(store: Store) -> None:
    with pytest.raises(InputError):
        _polls(store, 0)


def test_old_empty_polls_are_forgotten_and_the_rest_kept(store: Store) -> None:
    old = NOW - timedelta(days=EMPTY_POLLS_KEPT_DAYS + 1)
    recent = NOW - timedelta(days=EMPTY_POLLS_KEPT_DAYS - 1)
    kept = [
        Poll(old, old, "watch", "folder x", 3, 0, True, "brought files"),
        Poll(old, old, "watch", "folder x", 0, 0, False, "login refused"),
        Poll(recent, recent, "watch", "folder x", 0, 0, True, "recent, empty"),
    ]
    for made in [*kept, Poll(old, old, "watch", "folder x", 0, 0, True, "old, empty")]:
        record_poll(store, made)
    record_poll(store, Poll(NOW, NOW, "cli", "folder x", 0, 0, True, "now"))
    with store.read() as session:
        details = [p.detail for p in recent_polls(session, 10)]
    assert details == ["now", "recent, empty", "login refused", "brought files"]
