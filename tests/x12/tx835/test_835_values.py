"""The reader's shortcut for plain amounts gives exactly what ``values.money`` gives."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.segments import Segment
from claimbridge.x12.tx835_005010X221A1.elements import Elements, plain_money
from claimbridge.x12.values import money

pytestmark = pytest.mark.usefixtures("reading_loops")  # the C loops and the Python ones

AMOUNT_LIKE = st.from_regex(r"\A[-+ ]?[0-9]{0,7}(\.[0-9]{0,4})?([eE][-+]?[0-9])?\Z")
NEAR_AMOUNTS = st.text(alphabet="0123456789.-+eE _²٣NaInfity", max_size=10)


def segment(text: str) -> Segment:
    return Segment("AMT", ("AMT", "B6", text), 7)


def money_or_error(text: str) -> Decimal | None:
    try:
        return money(segment(text), 2)
    except (X12SyntaxError, InvalidOperation):  # values.money lets quantize overflow escape
        return None


@given(st.one_of(AMOUNT_LIKE, NEAR_AMOUNTS, st.text(max_size=12)))
@example("150")
@example("-7.5")
@example("1.")
@example(".5")
@example("1e3")
@example("1.5e3")
@example("1_000")
@example("-0")
@example("NaN5")
@example("1E100")
@example("1" * 30)
def test_plain_money_is_values_money_or_declines(text: str) -> None:
    shortcut = plain_money(text)
    if shortcut is None:
        return
    expected = money_or_error(text)
    assert expected is not None, f"{text!r} should have been refused"
    assert (shortcut, shortcut.as_tuple()) == (expected, expected.as_tuple())


@given(st.one_of(AMOUNT_LIKE, NEAR_AMOUNTS))
def test_the_reader_reads_amounts_as_values_money_does(text: str) -> None:
    expected = money_or_error(text) if text else Decimal("0.00")
    elements = Elements(":")
    if expected is None:
        with pytest.raises(X12SyntaxError) as caught:
            elements.money(text, segment(text), 2)
        assert (caught.value.segment_position, caught.value.element_position) == (7, 2)
    else:
        found = elements.money(text, segment(text), 2)
        assert (found, found.as_tuple()) == (expected, expected.as_tuple())


@pytest.mark.parametrize("text", ["1E100", "9" * 30, "9" * 30 + ".5", "9" * 19, "9" * 18 + ".5"])
def test_amounts_beyond_x12s_18_digits_are_x12_errors(text: str) -> None:
    with pytest.raises(X12SyntaxError, match="out of range") as caught:
        Elements(":").money(text, segment(text), 2)
    assert (caught.value.segment_id, caught.value.element_position) == ("AMT", 2)


@pytest.mark.parametrize("text", ["150", "150.5", "150.50", "150.505", "-0.1", "007"])
def test_plain_amounts_take_the_shortcut(text: str) -> None:
    assert plain_money(text) == Decimal(text)
    assert plain_money(text).as_tuple().exponent <= -2  # type: ignore[union-attr,operator]
