"""Money and quantities as exact ``Decimal`` values, checked where they enter.

An amount has at most two decimals and fits the ledger's ``Numeric(12, 2)`` columns (below ten
thousand million). Text and ``Decimal`` are accepted; a binary ``float`` never is, because
0.1 + 0.2 is not 0.3 in it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENTS = Decimal("0.01")
MONEY_LIMIT = Decimal("10000000000")  # Numeric(12, 2): ten digits before the point
UNITS_LIMIT = Decimal("1000000")  # Numeric(9, 3): six digits before the point


def as_decimal(value: object) -> Decimal | None:
    """``value`` as a finite Decimal when it is text, an int or a Decimal; else None."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def decimals(number: Decimal) -> int:
    """How many digits ``number`` has after the point as written (1.50 → 2, 2 → 0)."""
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers only
    return max(0, -exponent)


def money_problem(value: object) -> str | None:
    """Why ``value`` is not an amount (text or Decimal, ≥ 0, at most two decimals)."""
    number = as_decimal(value)
    if number is None:
        return f'{value!r} is not an amount (write it as text, e.g. "120.50")'
    if decimals(number) > 2:
        return f"{value!r} has more than two decimals"
    if number < 0:
        return f"{value!r} is negative"
    if number >= MONEY_LIMIT:
        return f"{value!r} is too large for the ledger"
    return None


def to_money(value: object) -> Decimal:
    """``value`` as an amount with exactly two decimals; call ``money_problem`` first."""
    number = as_decimal(value)
    if number is None or money_problem(value) is not None:
        raise ValueError(f"{value!r} is not an amount")
    return number.quantize(CENTS)


def units_problem(value: object) -> str | None:
    """Why ``value`` is not a service unit count (> 0, at most three decimals)."""
    number = as_decimal(value)
    if number is None:
        return f"{value!r} is not a number of units"
    if number <= 0 or number >= UNITS_LIMIT:
        return f"{value!r} units is out of range (more than 0, less than 1000000)"
    if decimals(number) > 3:
        return f"{value!r} has more than three decimals"
    return None
