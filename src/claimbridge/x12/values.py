"""Element text → typed values, with errors that name the segment and element.

Shared by every reader, so a bad amount or date reads the same way everywhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.segments import Segment

_CENTS = Decimal("0.01")


def money(segment: Segment, number: int) -> Decimal:
    """Element ``number`` as an amount; '' reads as 0. At least two decimals, never rounded."""
    text = segment.fields[number] if number < len(segment.fields) else ""
    if not text:
        return Decimal("0.00")
    value = decimal(segment, number)
    if value.as_tuple().exponent <= -2:  # type: ignore[operator]
        return value
    try:
        return value.quantize(_CENTS)
    except InvalidOperation:
        raise _bad(segment, number, f"{text!r} is too large for an amount") from None


def optional_money(segment: Segment, number: int) -> Decimal | None:
    """Element ``number`` as an amount, or None when it is empty."""
    return money(segment, number) if segment.element(number) else None


def decimal(segment: Segment, number: int) -> Decimal:
    """Element ``number`` as an exact decimal number (X12 'R' or 'N' type)."""
    text = segment.element(number)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _bad(segment, number, f"{text!r} is not a number") from None
    if not value.is_finite():
        raise _bad(segment, number, f"{text!r} is not a number")
    return value


def optional_decimal(segment: Segment, number: int) -> Decimal | None:
    """Element ``number`` as a decimal, or None when it is empty."""
    return decimal(segment, number) if segment.element(number) else None


def ccyymmdd(segment: Segment, number: int) -> date:
    """Element ``number`` as a CCYYMMDD date."""
    return parse_ccyymmdd(segment.element(number), segment, number)


def optional_ccyymmdd(segment: Segment, number: int) -> date | None:
    """Element ``number`` as a CCYYMMDD date, or None when it is empty."""
    return ccyymmdd(segment, number) if segment.element(number) else None


def parse_ccyymmdd(text: str, segment: Segment, number: int) -> date:
    """``text`` (found in ``segment`` element ``number``) as a CCYYMMDD date."""
    if len(text) != 8 or not text.isdigit():
        raise _bad(segment, number, f"{text!r} is not a date (CCYYMMDD)")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _bad(segment, number, f"{text!r} is not a real date") from None


def require(segment: Segment, number: int, what: str) -> str:
    """Element ``number``, which must not be empty; ``what`` names it in the error."""
    value = segment.element(number)
    if not value:
        raise _bad(segment, number, f"{what} is required but empty")
    return value


def _bad(segment: Segment, number: int, message: str) -> X12SyntaxError:
    return X12SyntaxError(
        message,
        segment_position=segment.position,
        segment_id=segment.id,
        element_position=number,
    )
