"""Many practices in one ledger: each practice's rows are its own, on SQLite and PostgreSQL, and
on PostgreSQL row-level security refuses another practice's rows even to raw SQL."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError, StoreError
from claimbridge.services.ingest import poll
from claimbridge.services.users import Role, add_user, get_user, list_users
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.practices import list_practices, practice_keys, store_for_load
from claimbridge.store.tenancy import TenantScoped
from cycle_support import NOW, submitted
from ledger_fixtures import load_example

TENANT_TABLES = sorted(
    mapper.class_.__tablename__
    for mapper in t.Base.registry.mappers
    if issubclass(mapper.class_, TenantScoped)
)
_roles = itertools.count(1)


def _cycle(store: Store, root: Path) -> None:
    """The example practice submitted to the simulator, answered, and the answers polled."""
    transport, _ = submitted(store, root)
    process_inbound_once(root, SimConfig(root=root), NOW.replace(tzinfo=None))
    poll(store, transport, root.parent / f"{root.name}-archive", now=NOW, actor="test", source="t")


def _two_practices(ledger: Store, tmp_path: Path) -> tuple[Store, Store]:
    cedar = store_for_load(ledger, "practice")  # the fresh ledger's own
    oak = store_for_load(ledger, "oak-grove")
    _cycle(cedar, tmp_path / "cedar")
    _cycle(oak, tmp_path / "oak")
    return cedar, oak


def _rows(store: Store, table: str) -> int:
    model = next(m.class_ for m in t.Base.registry.mappers if m.class_.__tablename__ == table)
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_two_practices_work_through_the_whole_cycle_each_in_its_own_rows(
    store: Store, tmp_path: Path
) -> None:
    cedar, oak = _two_practices(store, tmp_path)
    with store.across_practices() as session:
        everyone = {
            table: session.scalar(text(f"SELECT COUNT(*) FROM {table}")) for table in TENANT_TABLES
        }
        by_practice = dict(
            session.execute(
                select(t.ClaimRow.practice_id, func.count()).group_by(t.ClaimRow.practice_id)
            ).all()
        )
    assert by_practice == {cedar.practice_id: 4, oak.practice_id: 4} or set(by_practice) == {
        cedar.practice_id,
        oak.practice_id,
    }
    for table in TENANT_TABLES:
        assert _rows(cedar, table) + _rows(oak, table) == everyone[table], table
        assert _rows(cedar, table) == _rows(oak, table), table  # the same file, the same cycle
    assert everyone["payments"] > 0 and everyone["acknowledgments"] > 0
    with cedar.read() as session:
        mine = set(session.scalars(select(t.ClaimRow.clm01)))
    with oak.read() as session:
        theirs = set(session.scalars(select(t.ClaimRow.clm01)))
        isa13s = set(session.scalars(select(t.BatchRow.isa13)))
    with cedar.read() as session:
        assert not isa13s & set(session.scalars(select(t.BatchRow.isa13)))
    assert mine and theirs and not mine & theirs


def test_a_practice_cannot_read_or_change_another_practices_rows(
    store: Store, tmp_path: Path
) -> None:
    cedar, oak = _two_practices(store, tmp_path)
    with oak.read() as session:
        oak_claim = session.scalars(select(t.ClaimRow).limit(1)).one()
        oak_reason = oak_claim.status_reason
    with cedar.transaction() as session:
        assert session.get(t.ClaimRow, oak_claim.id) is None
        assert (
            session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == oak_claim.clm01)).first()
            is None
        )
        session.execute(update(t.ClaimRow).values(status_reason="cedar's note"))
    with oak.read() as session:
        assert session.get(t.ClaimRow, oak_claim.id).status_reason == oak_reason  # type: ignore[union-attr]


def test_without_a_practice_a_ledger_of_several_refuses_and_names_them(
    store: Store, tmp_path: Path
) -> None:
    _two_practices(store, tmp_path)
    unscoped = Store(store.url)
    try:
        with (
            pytest.raises(ConfigError, match=r"2 practices \(oak-grove, practice\).*--practice"),
            unscoped.read(),
        ):
            pass
    finally:
        unscoped.dispose()
    assert set(practice_keys(store)) == {"practice", "oak-grove"}
    listed = {p.key: p for p in list_practices(store)}
    assert listed["oak-grove"].name == "Cedar Valley Family Health"
    assert listed["oak-grove"].mode == "test" and listed["oak-grove"].last_poll_ok is True


@pytest.fixture
def unmigrated(empty_store_url: str) -> Iterator[Store]:
    """A store over an empty database: no schema, no practice."""
    store = Store(empty_store_url)
    yield store
    store.dispose()


def test_the_first_load_into_an_empty_ledger_makes_a_practice_named_after_it(
    unmigrated: Store,
) -> None:
    unmigrated.upgrade()
    load_example(unmigrated)
    assert practice_keys(unmigrated) == {"cedar-valley-family-health": unmigrated.practice_id}
    load_example(unmigrated)  # the only practice: no --practice needed, nothing new
    assert len(practice_keys(unmigrated)) == 1


def test_a_user_has_a_role_per_practice(store: Store) -> None:
    cedar = store_for_load(store, "practice")
    oak = store_for_load(store, "oak")
    with cedar.transaction() as session:
        dana = add_user(session, "dana", Role.ADMIN, Secret("a long password"))
    with oak.transaction() as session:
        assert get_user(session, dana.id) is None
        add_user(session, "dana", Role.VIEWER, None)  # the same person, her password kept
        assert get_user(session, dana.id) == type(dana)(dana.id, "dana", Role.VIEWER)
        with pytest.raises(Exception, match="exists already in this practice"):
            add_user(session, "dana", Role.BILLER, None)
    with cedar.read() as session:
        assert [u.role for u in list_users(session)] == [Role.ADMIN]


@pytest.mark.parametrize("empty_store_url", ["sqlite", "postgresql"], indirect=True)
def test_a_single_practice_ledger_upgrades_to_one_practice_with_nothing_lost(
    unmigrated: Store,
) -> None:
    store = unmigrated
    store.migrate("0009_account_modes")
    with store.engine.begin() as connection:  # as 0009 knew the tables
        connection.execute(
            text(
                "INSERT INTO practice (id, name, tax_id, npi, taxonomy, address_line1, "
                "address_city, address_state, address_zip) VALUES (1, 'Cedar Valley Family "
                "Health', '847291635', '1300000019', '261QP2300X', '410 Orchard Ave', "
                "'Fresno', 'CA', '937101234')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO patients (key, first_name, last_name, dob, sex, address_line1, "
                "address_city, address_state, address_zip) VALUES ('pt-1', 'Ann', 'Test', "
                "'1980-01-01', 'F', '1 Main St', 'Fresno', 'CA', '93701')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO users (username, password_hash, role, active, created_at) "
                "VALUES ('dana', 'x', 'biller', :yes, '2026-11-01 00:00:00')"
            ),
            {"yes": True},
        )
        connection.execute(
            text("INSERT INTO onboarding_steps VALUES ('sftp_email', '2026-11-02', 'dana')")
        )
    store.upgrade()
    assert practice_keys(store) == {"cedar-valley-family-health": 1}
    with store.read() as session:
        assert session.scalars(select(t.PatientRow.key)).all() == ["pt-1"]
        assert session.scalars(select(t.OnboardingStepRow.step)).all() == ["sftp_email"]
        assert [(u.username, u.role) for u in list_users(session)] == [("dana", Role.BILLER)]


def _as_app_role(store_url: str) -> tuple[Store, str]:
    """The ledger through a role of its own, not a superuser (which PostgreSQL exempts from
    every policy): its store, and a libpq connection string for raw SQL."""
    role = f"clinic_app_{next(_roles)}"
    owner = create_engine(store_url)
    with owner.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        connection.exec_driver_sql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        connection.exec_driver_sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
    owner.dispose()
    app_url = make_url(store_url).set(username=role)
    conninfo = app_url.set(drivername="postgresql").render_as_string(hide_password=False)
    return Store(app_url.render_as_string(hide_password=False)), conninfo


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_row_level_security_hides_another_practices_rows_from_raw_sql(
    store_url: str, tmp_path: Path
) -> None:
    """The app's own role, not a superuser (which PostgreSQL exempts from every policy)."""
    ledger, conninfo = _as_app_role(store_url)
    try:
        cedar, oak = _two_practices(ledger, tmp_path)  # the whole cycle works under the policies
        with psycopg.connect(conninfo) as connection:
            connection.execute(
                "SELECT set_config('claimbridge.practice', %s, false)", (str(cedar.practice_id),)
            )
            for table in TENANT_TABLES:
                others = connection.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE practice_id <> %s", (cedar.practice_id,)
                ).fetchone()
                assert others == (0,), table
            claims = connection.execute("SELECT COUNT(*) FROM claims").fetchone()
            assert claims is not None and claims[0] > 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute("UPDATE claims SET practice_id = %s", (oak.practice_id,))
        with psycopg.connect(conninfo) as connection:  # no practice said: nothing at all
            assert connection.execute("SELECT COUNT(*) FROM claims").fetchone() == (0,)
        assert _rows(oak, "claims") == _rows(cedar, "claims")
    finally:
        ledger.dispose()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_every_policy_reads_the_practice_once_per_query(store_url: str) -> None:
    """Each per-practice table's policy reads the setting in sub-selects, which PostgreSQL runs
    once per query (InitPlans), and compares each row's practice with the number they give,
    instead of calling ``current_setting`` on every row."""
    owner = create_engine(store_url)
    with owner.connect() as connection:
        found = connection.execute(
            text(
                "SELECT tablename, qual, with_check FROM pg_policies "
                "WHERE policyname = 'practice_only'"
            )
        ).all()
    owner.dispose()
    policies = {table: (qual, check) for table, qual, check in found}
    assert set(TENANT_TABLES) <= set(policies)
    assert {policies[table] for table in policies} == {policies["claims"]}
    qual, check = policies["claims"]
    assert qual == check
    assert qual.startswith("((practice_id = ( SELECT") and "OR ( SELECT" in qual, qual


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_under_the_policies_a_charge_is_found_through_the_index_on_its_cents(
    store_url: str, tmp_path: Path
) -> None:
    """A comparison of NUMERIC is not leakproof, so under the policies it cannot be an index's
    condition; one of the charge's cents is, and the policy's setting is read once."""
    ledger, conninfo = _as_app_role(store_url)
    try:
        cedar, _ = _two_practices(ledger, tmp_path)
        with cedar.read() as session:
            charge, cents = session.execute(
                select(t.ClaimRow.total_charge, t.ClaimRow.total_charge_cents).limit(1)
            ).one()
        assert cents == int(charge * 100)
        with psycopg.connect(conninfo) as connection:
            connection.execute(
                "SELECT set_config('claimbridge.practice', %s, false)", (str(cedar.practice_id),)
            )
            connection.execute("SET enable_seqscan = off")  # a tiny table: say what could serve
            plan = "\n".join(
                str(row[0])
                for row in connection.execute(
                    "EXPLAIN SELECT id FROM claims WHERE practice_id = %s "
                    "AND total_charge_cents = %s",
                    (cedar.practice_id, cents),
                )
            )
            found = connection.execute(
                "SELECT count(*) FROM claims WHERE total_charge_cents = %s", (cents,)
            ).fetchone()
            same = connection.execute(
                "SELECT count(*) FROM claims WHERE total_charge = %s", (charge,)
            ).fetchone()
    finally:
        ledger.dispose()
    assert "ix_claims_practice_id_total_charge_cents" in plan, plan
    assert re.search(r"Index Cond: .*total_charge_cents = ", plan), plan
    assert "InitPlan" in plan, plan
    assert found == same and found is not None and found[0] >= 1


def test_a_change_without_a_practice_is_refused_in_words(unmigrated: Store) -> None:
    unmigrated.upgrade()
    refused = pytest.raises((ConfigError, StoreError), match="load a practice file first")
    with refused, unmigrated.transaction() as session:
        add_user(session, "dana", Role.ADMIN, Secret("a long password"))
