"""Column types that keep money exact and times in UTC on SQLite and PostgreSQL alike.

SQLite has no exact decimal type: a ``NUMERIC`` column turns '0.30' into the binary float 0.3
and ``SUM`` adds floats. So on SQLite ``ExactDecimal`` stores a scaled integer (cents for
money: 120.50 is stored as 12050) and converts it back to ``Decimal``; on PostgreSQL it is
``NUMERIC(precision, scale)``. Either way Python sees ``Decimal`` and no float is ever involved,
also in ``SUM``. ``UtcDateTime`` stores UTC and returns aware datetimes on both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, DateTime, Dialect, Numeric
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """``NUMERIC(precision, scale)`` on PostgreSQL, a scaled integer on SQLite."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self.unit = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = self._exact(value)
        if dialect.name == "sqlite":
            return int(number.scaleb(self.scale))
        return number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.unit)
        return Decimal(value).quantize(self.unit)

    def _exact(self, value: Any) -> Decimal:
        if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"{type(value).__name__} is not stored as an exact decimal")
        number = Decimal(value)
        if number != number.quantize(self.unit):
            raise ValueError(f"{value} has more than {self.scale} decimals")
        if abs(number) >= Decimal(10) ** (self.precision - self.scale):
            raise ValueError(f"{value} does not fit NUMERIC({self.precision}, {self.scale})")
        return number.quantize(self.unit)


def Money() -> ExactDecimal:  # noqa: N802 - reads as a column type
    """An amount: ``NUMERIC(12, 2)``, exact."""
    return ExactDecimal(12, 2)


def Quantity() -> ExactDecimal:  # noqa: N802 - reads as a column type
    """Service units: ``NUMERIC(9, 3)``, exact."""
    return ExactDecimal(9, 3)


class WholeCents(ColumnElement[int]):
    """The money column ``column`` in whole cents, as the database computes a generated column
    from it: an integer, whose comparison PostgreSQL's row-level security lets an index serve
    (``numeric`` equality is not leakproof). On SQLite money is cents already."""

    inherit_cache = False  # only in DDL (``Computed``), never in a cached statement

    def __init__(self, column: str) -> None:
        self.column = column
        self.type = BigInteger()


@compiles(WholeCents)
def _whole_cents(element: WholeCents, compiler: SQLCompiler, **_: Any) -> str:
    return f"CAST({element.column} * 100 AS BIGINT)"


@compiles(WholeCents, "sqlite")
def _whole_cents_sqlite(element: WholeCents, compiler: SQLCompiler, **_: Any) -> str:
    return element.column


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, stored in UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("times must be timezone-aware (UTC)")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
