"""The schema: migrations create exactly the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from claimbridge.errors import ConfigError, StoreError
from claimbridge.store.db import MIGRATIONS, Store
from claimbridge.store.practices import store_for_load
from claimbridge.store.tables import ApiTokenRow, Base, ClaimEventRow, UserRow
from ledger_fixtures import add_claim, load_example


@pytest.mark.parametrize("empty_store_url", ["sqlite", "postgresql"], indirect=True)
def test_upgrade_creates_the_schema_once(empty_store_url: str) -> None:
    store = Store(empty_store_url)
    try:
        with pytest.raises(ConfigError, match="run 'claimbridge init'"):
            store.require_current()
        assert store.current_revision() is None
        revision = store.upgrade()
        assert revision == store.head_revision() == store.current_revision()
        assert store.upgrade() == revision  # a second run changes nothing
        store.require_current()
        tables = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        store.dispose()


@pytest.mark.parametrize("empty_store_url", ["sqlite", "postgresql"], indirect=True)
def test_a_ledger_from_before_mode_changes_upgrades_and_keeps_its_account(
    empty_store_url: str,
) -> None:
    store = Store(empty_store_url)
    try:
        with store.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "0008_corrections")
        assert store.current_revision() == "0008_corrections"
        with store.engine.begin() as session:  # written as 0008 knew it, not with today's models
            session.execute(
                text(
                    "INSERT INTO clearinghouse_accounts (name, submitter_id, username, sftp_host,"
                    " sftp_port, era_split, go_live, test_mode) VALUES ('office_ally',"
                    " '847291635', 'cedarvalley', 'ftp10.officeally.com', 22, 'by_check',"
                    " '2026-11-01', :no)"
                ),
                {"no": False},
            )
        before = _accounts(store)
        assert store.upgrade() == store.head_revision()
        assert _accounts(store) == before
        with store.read() as session:
            changes = session.execute(text("SELECT COUNT(*) FROM account_mode_changes"))
            assert changes.scalar_one() == 0
    finally:
        store.dispose()


def _accounts(store: Store) -> list[tuple[object, ...]]:
    columns = "id, name, submitter_id, username, sftp_host, sftp_port, era_split, test_mode"
    with store.engine.connect() as connection:
        rows = connection.execute(text(f"SELECT {columns} FROM clearinghouse_accounts ORDER BY id"))
        return [tuple(row) for row in rows]


def test_the_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("claims", ["status", "payer_id"]),
        ("claims", ["clm01"]),
        ("remittances", ["practice_id", "payer_identifier", "trace_number", "amount"]),
        ("inbound_files", ["practice_id", "sha256"]),
        ("claim_lines", ["appointment_line_id"]),
    ],
)
def test_the_worklist_indexes_exist(store: Store, table: str, columns: list[str]) -> None:
    inspector = inspect(store.engine)
    indexed = [index["column_names"] for index in inspector.get_indexes(table)]
    unique = [c["column_names"] for c in inspector.get_unique_constraints(table)]
    assert columns in indexed + unique


def test_counters_start_at_zero(store: Store) -> None:
    with store.read() as session:
        rows = session.execute(text("SELECT name, value FROM control_numbers ORDER BY name"))
        assert rows.all() == [("gs06", 0), ("isa13", 0), ("st02", 0)]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE claim_events SET why = 'rewritten'", "DELETE FROM claim_events"],
)
def test_the_database_refuses_to_rewrite_claim_history(store: Store, statement: str) -> None:
    load_example(store)
    add_claim(store, "CB0001")
    with pytest.raises(StoreError, match="append-only"), store.transaction() as session:
        session.execute(text(statement))
    with store.read() as session:
        events = session.query(ClaimEventRow).all()
        assert [(e.what, e.why) for e in events] == [("created", None)]
        assert events[0].at.tzinfo is UTC and events[0].at <= datetime.now(UTC)


@pytest.mark.parametrize("empty_store_url", ["sqlite", "postgresql"], indirect=True)
def test_claims_keep_their_rows_when_cancelled_and_paper_statuses_come_and_go(
    empty_store_url: str,
) -> None:
    store = Store(empty_store_url)
    try:
        store.upgrade()
        load_example(store)
        add_claim(store, "CB0001")
        before = _claims(store)
        store.migrate("0009_account_modes", down=True)
        with pytest.raises(StoreError), store.transaction() as session:
            session.execute(text("UPDATE claims SET status = 'cancelled'"))
        assert store.upgrade() == store.head_revision()
        assert _claims(store) == before
        with store.transaction() as session:
            session.execute(text("UPDATE claims SET status = 'billed_on_paper'"))
        test_the_migrations_match_the_models(store)
    finally:
        store.dispose()


def _claims(store: Store) -> list[tuple[object, ...]]:
    with store.read() as session:
        return [tuple(row) for row in session.execute(text("SELECT * FROM claims ORDER BY id"))]


@pytest.mark.parametrize("empty_store_url", ["sqlite", "postgresql"], indirect=True)
def test_tokens_made_before_expiry_keep_writing_for_90_days(empty_store_url: str) -> None:
    store = Store(empty_store_url)
    try:
        with store.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "0015_follow_ups")
        made = datetime(2026, 11, 1, tzinfo=UTC)
        practice_id = store_for_load(store, "cedar-valley").practice_id
        with store.engine.begin() as session:  # written as 0015 knew it
            session.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, active, created_at)"
                    " VALUES (1, 'dana', 'x', :yes, :made)"
                ),
                {"yes": True, "made": made.replace(tzinfo=None)},
            )
            session.execute(
                text(
                    "INSERT INTO api_tokens (practice_id, user_id, name, token_sha256, created_at)"
                    " VALUES (:practice, 1, 'ehr', :sha, :made)"
                ),
                {"practice": practice_id, "sha": "0" * 64, "made": made.replace(tzinfo=None)},
            )
        before = datetime.now(UTC)
        assert store.upgrade() == store.head_revision()
        with store.across_practices() as session:
            token = session.scalars(select(ApiTokenRow)).one()
            user = session.scalars(select(UserRow)).one()
        scope, expires = token.scope, token.expires_at
        assert scope == "write" and user.session_generation == 0
        assert timedelta(days=90) <= expires - before <= timedelta(days=90, minutes=5)
    finally:
        store.dispose()
