"""Money and quantities as exact ``Decimal`` values, checked where they enter.

An amount has at most two decimals and fits the ledger's ``Numeric(12, 2)`` columns (below ten
thousand million). Text and ``Decimal`` are accepted; a binary ``float`` never is, because
0.1 + 0.2 is not 0.3 in it. Amounts are read one way wherever they enter (the practice file,
a claim's correction in the form or the API, a setting): text may be written as a biller types
it, ``$1,095.00`` (a dollar sign, commas between groups of three digits); a third decimal is
refused, never rounded (``95.009`` is no amount; ``12,50`` neither, as its comma is no
thousands separator).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CENTS = Decimal("0.01")
MONEY_LIMIT = Decimal("10000000000")  # Numeric(12, 2): ten digits before the point
UNITS_LIMIT = Decimal("1000000")  # Numeric(9, 3): six digits before the point
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")  # 1,095.00


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


def _amount(value: object) -> Decimal | None:
    """``value`` as a number, reading text as a biller writes it ($1,095.00); else None."""
    if not isinstance(value, str):
        return as_decimal(value)
    text = value.strip()
    text = text[1:].lstrip() if text.startswith("$") else text
    if "," in text:
        if not _GROUPED.fullmatch(text):
            return None
        text = text.replace(",", "")
    return as_decimal(text)


def _shown(value: object) -> str:
    """``value`` quoted as a person wrote it ('95.009', not Decimal('95.009'))."""
    return repr(str(value)) if isinstance(value, Decimal) else repr(value)


def money_problem(value: object) -> str | None:
    """Why ``value`` is not an amount (text or Decimal, ≥ 0, at most two decimals)."""
    number = _amount(value)
    if number is None:
        return f'{_shown(value)} is not an amount (write it like "1,095.00")'
    if decimals(number) > 2:
        return f"{_shown(value)} has more than two decimals"
    if number < 0:
        return f"{_shown(value)} is negative"
    if number >= MONEY_LIMIT:
        return f"{_shown(value)} is too large for the ledger"
    return None


def to_money(value: object) -> Decimal:
    """``value`` as an amount with exactly two decimals, never rounded: ``ValueError`` with
    ``money_problem``'s reason when it is not an amount."""
    problem = money_problem(value)
    number = _amount(value)
    if problem is not None or number is None:
        raise ValueError(problem)
    return number.quantize(CENTS)


def units_problem(value: object) -> str | None:
    """Why ``value`` is not a service unit count (> 0, at most three decimals)."""
    number = as_decimal(value)
    if number is None:
        return f"{_shown(value)} is not a number of units"
    if number <= 0 or number >= UNITS_LIMIT:
        return f"{_shown(value)} units is out of range (more than 0, less than 1000000)"
    if decimals(number) > 3:
        return f"{_shown(value)} has more than three decimals"
    return None


def to_units(value: object) -> Decimal:
    """``value`` as a number of units; ``ValueError`` with ``units_problem``'s reason."""
    problem = units_problem(value)
    number = as_decimal(value)
    if problem is not None or number is None:
        raise ValueError(problem)
    return number
