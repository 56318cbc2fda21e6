"""``claimbridge account show|production|test``: refused with every unmet rule, confirmed, and
recorded; ``claimbridge account schedule``: the background work's interval, sending and stop."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import acknowledge, submitted

runner = CliRunner()


def _ledger(tmp_path: Path, accepted: bool) -> str:
    """The example practice submitted in test mode; its batch accepted by a 999 or not."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    _, batch = submitted(store, tmp_path / "oa")
    if accepted:
        assert acknowledge(store, batch) == "accepted"
    store.dispose()
    return url


def _run(*args: str, code: int = 0, answer: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=answer)
    assert result.exit_code == code, result.output
    return result.output


def _modes(url: str) -> tuple[bool, list[tuple[str, str, str | None]]]:
    store = Store(url)
    try:
        with store.read() as session:
            test_mode = session.scalars(select(t.ClearinghouseAccountRow.test_mode)).one()
            rows = session.scalars(select(t.AccountModeChangeRow))
            return test_mode, [(r.mode, r.changed_by, r.reason) for r in rows]
    finally:
        store.dispose()


def test_production_is_refused_with_every_unmet_rule(tmp_path: Path) -> None:
    url = _ledger(tmp_path, accepted=False)
    store = Store(url)
    with store.transaction() as session:
        session.execute(update(t.ClearinghouseAccountRow).values(go_live=None))
    store.dispose()
    output = _run("account", "production", "--yes", "--db", url, code=1)
    assert "cannot go to production yet:" in output
    assert "  - no go-live date is set" in output
    assert "  - Office Ally has not accepted a test batch yet" in output
    assert _modes(url) == (True, [])
    shown = _run("account", "show", "--db", url)
    assert "Office Ally account: TEST (no switch recorded)" in shown
    assert "Test batches accepted by Office Ally: 0" in shown
    assert "Not ready for production:" in shown and "no go-live date is set" in shown


def test_production_asks_first_and_a_no_changes_nothing(tmp_path: Path) -> None:
    url = _ledger(tmp_path, accepted=True)
    assert "Ready for production" in _run("account", "show", "--db", url)
    output = _run("account", "production", "--db", url, code=1, answer="n\n")
    assert "Switch the Office Ally account to PRODUCTION?" in output
    assert "Nothing changed." in output
    assert _modes(url) == (True, [])
    output = _run("account", "production", "--db", url, answer="y\n")
    assert "now in PRODUCTION mode" in output
    test_mode, [(mode, by, reason)] = _modes(url)
    assert (test_mode, mode, reason) == (False, "production", None) and by.startswith("cli")


def test_yes_switches_and_show_says_who_and_when_then_back_to_test(tmp_path: Path) -> None:
    url = _ledger(tmp_path, accepted=True)
    _run("account", "production", "--yes", "--db", url)
    shown = _run("account", "show", "--db", url)
    assert "Office Ally account: PRODUCTION since " in shown and "switched by cli" in shown
    assert "Not ready" not in shown
    again = _run("account", "production", "--yes", "--db", url, code=1)
    assert "already in production" in again
    _run("account", "test", "--yes", "--db", url, code=2)  # --reason is required
    _run("account", "test", "--reason", "retest", "--db", url, code=1, answer="n\n")
    assert _modes(url)[0] is False
    output = _run("account", "test", "--reason", "new provider to test", "--yes", "--db", url)
    assert "now in TEST mode" in output
    test_mode, history = _modes(url)
    assert test_mode is True
    assert [(mode, reason) for mode, _, reason in history] == [
        ("production", None),
        ("test", "new provider to test"),
    ]
    assert "why: new provider to test" in _run("account", "show", "--db", url)


def test_the_schedule_is_shown_changed_and_resumed(tmp_path: Path) -> None:
    from claimbridge.services.jobs import schedule_of, stop_account
    from cycle_support import NOW

    url = _ledger(tmp_path, accepted=False)
    shown = _run("account", "schedule", "--db", url)
    assert "Polled every 15 minutes by 'claimbridge worker'; ready claims wait for a person." in (
        shown
    )
    changed = _run("account", "schedule", "--every", "1h", "--auto-submit", "--db", url)
    assert "Polled every 60 minutes" in changed and "ready claims go by themselves" in changed
    refused = _run("account", "schedule", "--every", "90s", "--db", url, code=1)
    assert "give whole minutes" in refused
    store = Store(url)
    stop_account(store, 1, "the login was rejected.", NOW)
    assert "STOPPED since" in _run("account", "schedule", "--db", url)
    resumed = _run("account", "schedule", "--resume", "--db", url)
    assert "resumed" in resumed and "STOPPED" not in resumed
    with store.read() as session:
        schedule = schedule_of(session, 1)
    store.dispose()
    assert (schedule.poll_every_minutes, schedule.auto_submit) == (60, True)
    assert not schedule.stopped
