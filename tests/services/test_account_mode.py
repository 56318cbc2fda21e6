"""The switch from test (OATEST) to production: every unmet rule in words, the switch recorded,
back to test with a reason, and what submit writes in each mode."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from claimbridge.domain.account_mode import AccountMode
from claimbridge.errors import ConfigError, InputError
from claimbridge.services.account_mode import (
    mode_status,
    switch_to_production,
    switch_to_test,
)
from claimbridge.services.claims import create_claims
from claimbridge.services.submit import submit
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.transport import MemoryTransport
from cycle_support import NOW, acknowledge, submitted
from ledger_fixtures import example_text, load_example

LATER = datetime(2026, 11, 25, 9, 15, tzinfo=UTC)
NO_TEST_BATCH = "Office Ally has not accepted a test batch yet"
MEDICARE = "MEDICARE CALIFORNIA SOUTHERN (01182)"


def _ready(store: Store, tmp_path: Path) -> Store:
    """The example practice with its test batch accepted by a 999: ready for production."""
    _, batch = submitted(store, tmp_path / "oa")
    assert acknowledge(store, batch) == "accepted"
    return store


def _set_medicare(store: Store, **values: object) -> None:
    with store.transaction() as session:
        payer = session.scalars(select(t.PayerRow.id).where(t.PayerRow.payer_id == "01182")).one()
        session.execute(
            update(t.PayerEnrollmentRow)
            .where(t.PayerEnrollmentRow.payer_id == payer)
            .where(t.PayerEnrollmentRow.transaction_type == "837P")
            .values(**values)
        )


def _history(store: Store) -> list[tuple[str, str, str | None]]:
    with store.read() as session:
        rows = session.scalars(select(t.AccountModeChangeRow).order_by(t.AccountModeChangeRow.id))
        return [(row.mode, row.changed_by, row.reason) for row in rows]


def test_a_new_account_is_in_test_mode_and_waits_for_an_accepted_test_batch(
    store: Store,
) -> None:
    load_example(store)
    with store.read() as session:
        status = mode_status(session)
    assert status.mode is AccountMode.TEST and status.last_change is None
    assert status.accepted_test_batches == 0
    [reason] = status.unmet
    assert reason.startswith(NO_TEST_BATCH) and "999" in reason
    assert not status.may_go_to_production
    with pytest.raises(ConfigError, match=NO_TEST_BATCH), store.transaction() as session:
        switch_to_production(session, "dana", LATER)
    assert _history(store) == []


def test_a_rejected_test_batch_does_not_count(store: Store, tmp_path: Path) -> None:
    _, batch = submitted(store, tmp_path / "oa")
    assert acknowledge(store, batch, accepted=False) == "rejected"
    with store.read() as session:
        status = mode_status(session)
    assert status.accepted_test_batches == 0
    assert [r for r in status.unmet if r.startswith(NO_TEST_BATCH)]


def test_without_a_go_live_date_it_stays_in_test(store: Store, tmp_path: Path) -> None:
    _ready(store, tmp_path)
    with store.transaction() as session:
        session.execute(update(t.ClearinghouseAccountRow).values(go_live=None))
    with store.read() as session:
        [reason] = mode_status(session).unmet
    assert reason.startswith("no go-live date is set") and "Onboarding" in reason


def test_medicare_must_be_approved_and_office_ally_told(store: Store, tmp_path: Path) -> None:
    _ready(store, tmp_path)
    _set_medicare(store, office_ally_notified=False)
    with store.read() as session:
        [reason] = mode_status(session).unmet
    assert reason == (
        f"Office Ally has not been told that Medicare approved the enrollment with {MEDICARE}: "
        "tell Office Ally support, then record it on the Insurances page"
    )
    _set_medicare(store, status="submitted")
    with store.read() as session:
        [reason] = mode_status(session).unmet
    assert reason.startswith(f"Medicare enrollment with {MEDICARE} is submitted, not approved")
    with pytest.raises(ConfigError, match="not approved"), store.transaction() as session:
        switch_to_production(session, "dana", LATER)


def test_a_medicare_payer_the_practice_does_not_bill_is_not_asked_for(
    store: Store, tmp_path: Path
) -> None:
    _ready(store, tmp_path)
    with store.transaction() as session:
        payer = t.PayerRow(
            payer_id="12202", name="MEDICARE NORTHERN VIRGINIA", claim_filing_indicator="MB",
            par=True,
        )  # fmt: skip
        session.add(payer)
        session.flush()
        enrollment = t.PayerEnrollmentRow(
            payer_id=payer.id, transaction_type="837P", required=True, status="not_started",
            office_ally_notified=False,
        )  # fmt: skip
        session.add(enrollment)
    with store.read() as session:
        assert mode_status(session).unmet == ()
    with store.transaction() as session:  # once its enrollment is started, it counts
        session.get_one(t.PayerEnrollmentRow, enrollment.id).status = "submitted"
    with store.read() as session:
        [reason] = mode_status(session).unmet
    assert "MEDICARE NORTHERN VIRGINIA (12202) is submitted" in reason


def test_every_unmet_rule_is_listed_at_once(store: Store) -> None:
    load_example(store)
    _set_medicare(store, office_ally_notified=False)
    with store.transaction() as session:
        session.execute(update(t.ClearinghouseAccountRow).values(go_live=None))
    with store.read() as session:
        unmet = mode_status(session).unmet
    assert [reason.split(" ")[0] for reason in unmet] == ["no", "Office", "Office"]
    assert len(unmet) == 3 and MEDICARE in unmet[2]


def test_the_switch_is_recorded_and_back_to_test_needs_a_reason(
    store: Store, tmp_path: Path
) -> None:
    _ready(store, tmp_path)
    with store.transaction() as session:
        change = switch_to_production(session, "dana", LATER)
    assert change.mode is AccountMode.PRODUCTION
    with store.read() as session:
        status = mode_status(session)
        assert session.scalars(select(t.ClearinghouseAccountRow.test_mode)).one() is False
    assert status.mode is AccountMode.PRODUCTION and not status.may_go_to_production
    assert status.last_change is not None
    assert (status.last_change.changed_by, status.last_change.changed_at) == ("dana", LATER)
    already = r"already in production \(since 2026-11-25 09:15 UTC, by dana\)"
    with pytest.raises(ConfigError, match=already), store.transaction() as session:
        switch_to_production(session, "lee", LATER)
    with pytest.raises(InputError, match="reason is required"), store.transaction() as session:
        switch_to_test(session, "lee", LATER, "  ")
    with store.transaction() as session:
        switch_to_test(session, "lee", LATER, "new rendering provider to test")
    with store.read() as session:
        assert mode_status(session).mode is AccountMode.TEST
    assert _history(store) == [
        ("production", "dana", None),
        ("test", "lee", "new rendering provider to test"),
    ]


def test_loading_the_practice_file_again_keeps_the_recorded_mode(
    store: Store, tmp_path: Path
) -> None:
    _ready(store, tmp_path)
    with store.transaction() as session:
        switch_to_production(session, "dana", LATER)
    assert b'"test_mode": true' in example_text()
    load_example(store)
    with store.read() as session:
        assert mode_status(session).mode is AccountMode.PRODUCTION


def test_submit_follows_the_switch(store: Store, tmp_path: Path) -> None:
    _, batch = submitted(store, tmp_path / "oa")
    assert batch.file_name.startswith("OATEST_837P_")
    assert batch.text.split("*")[15] == "P"  # ISA15: Office Ally reads only the name
    assert acknowledge(store, batch) == "accepted"
    with store.transaction() as session:
        switch_to_production(session, "dana", LATER)
        blue_shield = select(t.PayerRow.id).where(t.PayerRow.payer_id == "BS001")
        session.execute(  # Blue Shield's enrollment approved: its held claim may go now
            update(t.PayerEnrollmentRow)
            .where(t.PayerEnrollmentRow.payer_id == blue_shield.scalar_subquery())
            .values(status="approved")
        )
        create_claims(session, "test", NOW.date())
    memory = MemoryTransport()
    [sent] = submit(store, memory, "test", LATER).batches
    assert sent.patient_control_numbers == ("CB000004",)
    assert sent.file_name == f"837P_847291635_B{sent.batch_id}_20261125T091500.txt"
    assert "OATEST" not in sent.text and sent.text.split("*")[15] == "P"
    assert [f.path.rsplit("/", 1)[-1] for f in memory.list("inbound")] == [sent.file_name]
    with store.read() as session:
        row = session.get_one(t.BatchRow, sent.batch_id)
        assert row.test_mode is False and row.file_name == sent.file_name
