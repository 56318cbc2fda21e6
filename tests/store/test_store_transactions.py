"""Transactions nest with savepoints; database errors become StoreError without parameters."""

from __future__ import annotations

import inspect as pyinspect

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select

from claimbridge.errors import ConfigError, StoreError
from claimbridge.store.db import Store, describe_error, translate_errors
from claimbridge.store.tables import ProviderRow


def provider(key: str, npi: str) -> ProviderRow:
    return ProviderRow(
        key=key, first_name="Test", last_name="Doctor", npi=npi, taxonomy="207Q00000X"
    )


def count_providers(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(ProviderRow)) or 0


def test_a_transaction_commits_at_the_end(store: Store) -> None:
    with store.transaction() as session:
        session.add(provider("p1", "1234567893"))
    assert count_providers(store) == 1


def test_an_exception_rolls_everything_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as session:
        session.add(provider("p1", "1234567893"))
        session.flush()
        raise RuntimeError("stop")
    assert count_providers(store) == 0


def test_a_failed_nested_transaction_rolls_back_only_its_own_work(store: Store) -> None:
    with store.transaction() as outer:
        outer.add(provider("p1", "1234567893"))
        with pytest.raises(RuntimeError), store.transaction() as inner:
            assert inner is outer
            inner.add(provider("p2", "1987654328"))
            inner.flush()
            raise RuntimeError("undo the inner part")
        with store.transaction() as inner:
            inner.add(provider("p3", "1300000019"))
    with store.read() as session:
        assert sorted(session.scalars(select(ProviderRow.key))) == ["p1", "p3"]


def test_a_constraint_violation_is_a_store_error_without_the_values(store: Store) -> None:
    with store.transaction() as session:
        session.add(provider("p1", "1234567893"))
    with pytest.raises(StoreError) as caught, store.transaction() as session:
        session.add(provider("p2-secret-marker", "1234567893"))
    message = str(caught.value)
    assert message.startswith("the ledger refused the change:")
    assert "secret-marker" not in message and "INSERT" not in message
    assert count_providers(store) == 1


def test_a_value_the_driver_cannot_take_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="the ledger database failed"), store.transaction() as s:
        s.add(ProviderRow(key="p", first_name="A", last_name="B", npi="1", taxonomy=object()))


def test_a_bad_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot use the database URL"):
        Store("nosuchdialect://x")


def test_every_sqlalchemy_error_class_is_translated() -> None:
    classes = [
        cls
        for _, cls in pyinspect.getmembers(sqlalchemy.exc, pyinspect.isclass)
        if issubclass(cls, sqlalchemy.exc.SQLAlchemyError)
    ]
    assert len(classes) > 20
    for cls in classes:
        error = cls.__new__(cls)
        Exception.__init__(error, "synthetic")
        error.orig = None  # type: ignore[attr-defined]
        with pytest.raises(StoreError), translate_errors():
            raise error
        assert describe_error(error)


def test_the_store_repr_hides_a_password() -> None:
    store = Store("postgresql+psycopg://ledger:synthetic-pw@localhost/claims")
    assert "synthetic-pw" not in repr(store)
    store.dispose()
