"""Element text → typed values, with errors that name the segment and element.

Shared by every reader, so a bad amount or date reads the same way everywhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.segments import Segment

_CENTS = Decimal("0.01")
MAX_DIGITS = 18
"""The most digits an R or N element of the 005010 health care guides holds (AMT02, CLP03 and
their kin are R 1/18); X12.6 counts neither the minus sign, the decimal point nor an exponent."""
_LONGEST_TEXT = 40  # digits, sign, point and an exponent: longer is no X12 number at all


def money(segment: Segment, number: int) -> Decimal:
    """Element ``number`` as an amount; '' reads as 0. At least two decimals, never rounded."""
    text = segment.fields[number] if number < len(segment.fields) else ""
    if not text:
        return Decimal("0.00")
    value = decimal(segment, number)  # at most 18 digits: two more still fit any context
    if value.as_tuple().exponent <= -2:  # type: ignore[operator]
        return value
    return value.quantize(_CENTS)


def optional_money(segment: Segment, number: int) -> Decimal | None:
    """Element ``number`` as an amount, or None when it is empty."""
    return money(segment, number) if segment.element(number) else None


def decimal(segment: Segment, number: int) -> Decimal:
    """Element ``number`` as an exact decimal number (X12 'R' or 'N' type).

    Refused, in time that does not grow with the number, when it is not a finite number or has
    more digits than X12 allows, before or after the decimal point (``within_x12_range``):
    ``1E+99999999`` would otherwise cost minutes wherever it is made whole or exact.
    """
    text = segment.element(number)
    if len(text) > _LONGEST_TEXT:
        raise _bad(segment, number, f"{text[:20]!r}… is longer than any X12 number")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _bad(segment, number, f"{text!r} is not a number") from None
    if not value.is_finite():
        raise _bad(segment, number, f"{text!r} is not a number")
    if not within_x12_range(value):
        raise _bad(
            segment,
            number,
            f"{text!r} is out of range: X12 numbers have at most {MAX_DIGITS} digits",
        )
    return value


def within_x12_range(value: Decimal) -> bool:
    """True when finite ``value`` has at most ``MAX_DIGITS`` digits, below 10**18 and none
    further than 18 places after the point: it can be written out in full in 18 digits."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    return len(digits) <= MAX_DIGITS and exponent >= -MAX_DIGITS and value.adjusted() < MAX_DIGITS


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
