from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.segments import Segment
from claimbridge.x12.values import ccyymmdd, decimal, money, optional_money


def seg(*fields: str) -> Segment:
    return Segment(fields[0], fields, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("120.5", "120.50"), ("150", "150.00"), ("-20", "-20.00"), ("0.125", "0.125"), ("", "0.00")],
)
def test_money_keeps_at_least_two_decimals_and_never_rounds(text: str, expected: str) -> None:
    assert str(money(seg("CLP", "X", text), 2)) == expected


def test_optional_money_is_none_when_empty() -> None:
    assert optional_money(seg("AMT", "B6", ""), 2) is None
    assert optional_money(seg("AMT", "B6", "1"), 2) == Decimal("1.00")


@pytest.mark.parametrize("text", ["ABC", "1E100", "9" * 40, "NaN", "Infinity"])
def test_bad_amounts_name_segment_and_element(text: str) -> None:
    with pytest.raises(X12SyntaxError) as caught:
        money(seg("CLP", "X", text), 2)
    assert (caught.value.segment_position, caught.value.segment_id) == (7, "CLP")
    assert caught.value.element_position == 2


def test_dates_must_be_real() -> None:
    assert ccyymmdd(seg("DTM", "472", "20250225"), 2) == date(2025, 2, 25)
    for text in ("20250230", "2025022", "2025-2-25"):
        with pytest.raises(X12SyntaxError):
            ccyymmdd(seg("DTM", "472", text), 2)


@pytest.mark.parametrize(
    "text",
    [
        "1E+99999999",  # a whole number of 100 million digits if made exact
        "1E+1000000",
        "1E-99999999",
        "1234567890123456789",  # 19 digits
        "0.0000000000000000001",  # a digit 19 places after the point
        "123456789012345678.5",
        "0E-1000",
        "1" * 41,
    ],
)
def test_a_number_beyond_what_x12_allows_is_refused_naming_its_element(text: str) -> None:
    for read in (money, decimal):
        with pytest.raises(X12SyntaxError) as caught:
            read(seg("AK9", "R", text), 2)
        assert (caught.value.segment_id, caught.value.element_position) == ("AK9", 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("123456789012345678", "123456789012345678"), ("0.000000000000000001", "1E-18"),
     ("1E+17", "1E+17"), ("-99999999999999999.9", "-99999999999999999.9")],
)  # fmt: skip
def test_numbers_of_up_to_18_digits_are_read(text: str, expected: str) -> None:
    assert decimal(seg("QTY", "X", text), 2) == Decimal(expected)
