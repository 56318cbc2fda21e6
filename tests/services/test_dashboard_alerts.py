"""The dashboard names what needs a person once Office Ally's answers are in."""

from __future__ import annotations

from pathlib import Path

from claimbridge.services.dashboard import dashboard
from claimbridge.services.ingest import ingest_paths
from claimbridge.services.post import unmatched
from claimbridge.store.db import Store
from cycle_support import NOW, answered


def test_unmatched_era_claims_and_held_claims_raise_alerts(store: Store, tmp_path: Path) -> None:
    run = answered(store, tmp_path / "oa")
    ingest_paths(store, run.outbound)
    with store.read() as session:
        queue = unmatched(session)
        board = dashboard(session, NOW, None)
    assert queue, "the default scenario sends an ERA for a claim we never sent"
    texts = [alert.text for alert in board.alerts]
    [unmatched_alert] = [text for text in texts if "match none of ours" in text]
    assert unmatched_alert.startswith(f"{len(queue)} ERA claim(s)")
    assert queue[0].patient_control_number in unmatched_alert
    assert any("CB000004 held" in text for text in texts)


def test_no_unmatched_alert_before_any_era(store: Store, tmp_path: Path) -> None:
    answered(store, tmp_path / "oa")
    with store.read() as session:
        texts = [alert.text for alert in dashboard(session, NOW, None).alerts]
    assert not [text for text in texts if "match none of ours" in text]
