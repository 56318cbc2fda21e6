"""Amounts are exact decimals with at most two places; floats are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimbridge.domain.money import money_problem, to_money, to_units, units_problem


@pytest.mark.parametrize(
    "value", ["185.00", "0", "0.3", Decimal("99999999.99"), 12, "9999999999.99"]
)
def test_amounts_pass(value: object) -> None:
    assert money_problem(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1.005", "more than two decimals"),
        ("-1.00", "negative"),
        ("10000000000.00", "too large"),
        (0.3, "not an amount"),
        (True, "not an amount"),
        ("12,50", "not an amount"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
    ],
)
def test_bad_amounts_name_the_reason(value: object, reason: str) -> None:
    problem = money_problem(value)
    assert problem is not None and reason in problem


def test_to_money_keeps_cents_exact() -> None:
    total = to_money("0.1") + to_money("0.2")
    assert total == Decimal("0.3") and str(total) == "0.30"
    assert str(to_money(Decimal("99999999.99"))) == "99999999.99"
    assert str(to_money(7)) == "7.00"


def test_to_money_refuses_what_money_problem_refuses() -> None:
    with pytest.raises(ValueError):
        to_money("1.005")


@pytest.mark.parametrize(
    ("value", "ok"),
    [(1, True), ("1.5", True), ("0.125", True), (0, False), ("-1", False), ("1.0001", False)],
)
def test_units(value: object, ok: bool) -> None:
    assert (units_problem(value) is None) is ok


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$1,095.00", "1095.00"),
        ("$95.00", "95.00"),
        (" $ 95 ", "95.00"),
        ("1,234,567.8", "1234567.80"),
        ("95.", "95.00"),
        (Decimal("95.1"), "95.10"),
    ],
)
def test_amounts_are_read_as_billers_type_them(text: object, amount: str) -> None:
    assert money_problem(text) is None
    assert str(to_money(text)) == amount


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("95.009", "'95.009' has more than two decimals"),
        (Decimal("95.009"), "'95.009' has more than two decimals"),
        ("$1,095.001", "'$1,095.001' has more than two decimals"),
        ("1,09", "is not an amount"),
        ("1095,00", "is not an amount"),
        ("1,0950.00", "is not an amount"),
        ("$$5", "is not an amount"),
        ("5$", "is not an amount"),
        ("", "is not an amount"),
        ("-$5", "is not an amount"),
        ("$-5", "'$-5' is negative"),
    ],
)
def test_a_third_decimal_or_a_stray_comma_is_refused_never_rounded(
    text: object, reason: str
) -> None:
    problem = money_problem(text)
    assert problem is not None and reason in problem
    with pytest.raises(ValueError, match=reason.replace("$", r"\$")):
        to_money(text)


def test_units_are_read_exactly() -> None:
    assert to_units("1.5") == Decimal("1.5")
    with pytest.raises(ValueError, match="more than three decimals"):
        to_units("1.0001")
