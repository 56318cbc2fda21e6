"""Money is Decimal end to end and stored exactly: no float on SQLite or PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from claimbridge.errors import StoreError
from claimbridge.store.db import Store
from claimbridge.store.tables import AppointmentLineRow
from ledger_fixtures import load_example


def first_line_id(store: Store) -> int:
    with store.read() as session:
        return (
            session.scalars(select(AppointmentLineRow.id).order_by(AppointmentLineRow.id)).first()
            or 0
        )


def set_charge(store: Store, charge: object, units: object = Decimal(1)) -> None:
    with store.transaction() as session:
        row = session.get(AppointmentLineRow, first_line_id(store))
        assert row is not None
        row.charge = charge  # type: ignore[assignment]
        row.units = units  # type: ignore[assignment]


def read_charge(store: Store) -> tuple[Decimal, Decimal]:
    with store.read() as session:
        row = session.get(AppointmentLineRow, first_line_id(store))
        assert row is not None
        return row.charge, row.units


@pytest.mark.parametrize(
    ("charge", "shown"),
    [
        (Decimal("0.1") + Decimal("0.2"), "0.30"),
        (Decimal("99999999.99"), "99999999.99"),
        (Decimal("9999999999.99"), "9999999999.99"),
        (Decimal("-12.34"), "-12.34"),
        (Decimal("7"), "7.00"),
    ],
)
def test_amounts_come_back_exactly(store: Store, charge: Decimal, shown: str) -> None:
    load_example(store)
    set_charge(store, charge, Decimal("1.5"))
    stored, units = read_charge(store)
    assert isinstance(stored, Decimal) and str(stored) == shown
    assert units == Decimal("1.5")


def test_sums_are_exact(store: Store) -> None:
    load_example(store)
    with store.transaction() as session:
        rows = session.scalars(select(AppointmentLineRow)).all()
        for row in rows:
            row.charge = Decimal("0.10")
    with store.read() as session:
        total = session.scalar(select(func.sum(AppointmentLineRow.charge)))
    assert isinstance(total, Decimal) and total == Decimal("0.10") * len(rows)
    assert str(total) == f"{len(rows) * Decimal('0.10'):.2f}"


def test_sqlite_keeps_cents_as_integers(store: Store) -> None:
    load_example(store)
    set_charge(store, Decimal("0.30"))
    with store.read() as session:
        raw = session.execute(
            text("SELECT charge FROM appointment_lines WHERE id = :id"),
            {"id": first_line_id(store)},
        ).scalar_one()
        kind = (
            session.execute(text("SELECT typeof(charge) FROM appointment_lines")).scalars().first()
            if store.dialect == "sqlite"
            else "numeric"
        )
    if store.dialect == "sqlite":
        assert (raw, kind) == (30, "integer")
    else:
        assert raw == Decimal("0.30")


@pytest.mark.parametrize(
    ("charge", "reason"),
    [
        (0.3, "float is not stored"),
        (Decimal("1.005"), "more than 2 decimals"),
        (Decimal("10000000000.00"), "does not fit NUMERIC"),
    ],
)
def test_inexact_or_oversized_amounts_are_refused(
    store: Store, charge: object, reason: str
) -> None:
    load_example(store)
    with pytest.raises(StoreError, match=reason):
        set_charge(store, charge)
    assert read_charge(store)[0] == Decimal("185.00")
