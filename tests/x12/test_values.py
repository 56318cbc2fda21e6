from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.segments import Segment
from claimbridge.x12.values import ccyymmdd, money, optional_money


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
