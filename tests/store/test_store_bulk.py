"""Bulk INSERT and UPDATE: every row written, ids back in the order given, another practice's rows
left alone, on both databases."""

from __future__ import annotations

from sqlalchemy import select

from claimbridge.store import tables as t
from claimbridge.store.bulk import among, insert_rows, update_rows
from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load

PROVIDERS = t.Base.metadata.tables["providers"]
MANY = 2_503  # more rows than one statement of the former SQLite UPDATE (2,000) carried


def _providers(count: int) -> list[dict[str, object]]:
    # Keys descend while ids ascend, so ids handed back in key order would be caught.
    return [
        {"key": f"p{count - index:05d}", "first_name": "Test", "last_name": f"Doctor {index}",
         "npi": f"{1_000_000_000 + index}", "taxonomy": "207Q00000X", "credential": None}
        for index in range(count)
    ]  # fmt: skip


def test_insert_rows_returns_each_new_id_in_the_order_of_the_rows(store: Store) -> None:
    rows = _providers(MANY)
    with store.transaction() as session:
        ids = insert_rows(session, PROVIDERS, rows, returning=("id", "key"))
    with store.read() as session:
        stored = dict(session.execute(select(t.ProviderRow.id, t.ProviderRow.key)).all())
    assert len(ids) == len(set(ids)) == len(rows)
    assert [stored[provider_id] for provider_id in ids] == [row["key"] for row in rows]


def test_insert_rows_without_returning_writes_every_row_and_nothing_of_none(store: Store) -> None:
    with store.transaction() as session:
        assert insert_rows(session, PROVIDERS, []) == []
        assert insert_rows(session, PROVIDERS, _providers(3)) == []
    with store.read() as session:
        names = session.scalars(select(t.ProviderRow.last_name).order_by(t.ProviderRow.id))
        assert list(names) == ["Doctor 0", "Doctor 1", "Doctor 2"]


def test_update_rows_sets_each_row_its_own_values_and_the_shared_ones(store: Store) -> None:
    with store.transaction() as session:
        ids = insert_rows(session, PROVIDERS, _providers(MANY), returning=("id", "key"))
    changed = [(provider_id, f"Renamed {provider_id}", None) for provider_id in ids[1:]]
    with store.transaction() as session:
        update_rows(
            session, t.ProviderRow, changed, ["last_name", "credential"], taxonomy="208D00000X"
        )
    with store.read() as session:
        rows = session.execute(
            select(t.ProviderRow.id, t.ProviderRow.last_name, t.ProviderRow.taxonomy)
        ).all()
    by_id = {provider_id: (name, taxonomy) for provider_id, name, taxonomy in rows}
    assert by_id[ids[0]] == ("Doctor 0", "207Q00000X")  # not in the update: untouched
    for provider_id in ids[1:]:
        assert by_id[provider_id] == (f"Renamed {provider_id}", "208D00000X")


def test_update_rows_given_an_id_twice_leaves_what_writing_in_order_would(store: Store) -> None:
    with store.transaction() as session:
        first, second = insert_rows(session, PROVIDERS, _providers(2), returning=("id", "key"))
    rows = [(first, "Early", "MD"), (second, "Only", None), (first, "Late", None),
            (first, "Latest", "DO")]  # fmt: skip
    with store.transaction() as session:
        update_rows(
            session, t.ProviderRow, rows, ["last_name", "credential"], fill_only={"credential"}
        )
    with store.read() as session:
        found = session.execute(
            select(t.ProviderRow.last_name, t.ProviderRow.credential).order_by(t.ProviderRow.id)
        ).all()
    assert [tuple(row) for row in found] == [("Latest", "MD"), ("Only", None)]


def test_update_rows_leaves_another_practices_rows_alone_even_when_given_their_ids(
    store: Store,
) -> None:
    cedar, oak = store_for_load(store, "practice"), store_for_load(store, "oak-grove")
    ids = {}
    for practice in (cedar, oak):
        with practice.transaction() as session:
            ids[practice] = insert_rows(session, PROVIDERS, _providers(3), returning=("id", "key"))
    everyone = [(provider_id, "Renamed") for both in ids.values() for provider_id in both]
    with cedar.transaction() as session:
        update_rows(session, t.ProviderRow, everyone, ["last_name"])
    for practice, name in ((cedar, "Renamed"), (oak, "Doctor")):
        with practice.read() as session:
            names = session.scalars(select(t.ProviderRow.last_name).order_by(t.ProviderRow.id))
            assert [n.split()[0] for n in names] == [name] * 3


def test_among_selects_the_rows_whose_column_is_one_of_the_values(store: Store) -> None:
    with store.transaction() as session:
        ids = insert_rows(session, PROVIDERS, _providers(10), returning=("id", "key"))
    wanted = [ids[1], ids[4], ids[9], max(ids) + 100]  # one that no row has
    with store.read() as session:

        def keys(values: list[int]) -> set[str]:
            query = select(t.ProviderRow.key).where(among(t.ProviderRow.id, values))
            return set(session.scalars(query))

        assert keys(wanted) == {"p00009", "p00006", "p00001"}
        assert keys([]) == set()
