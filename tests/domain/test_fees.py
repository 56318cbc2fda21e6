"""Non-Par fee exposure under both rules the sources give."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimbridge.domain.fees import (
    FeeCounts,
    FeePolicy,
    FeeRule,
    exposure,
    exposures,
    fee_applies,
    non_par_percent,
    total_fees,
)


@pytest.mark.parametrize(
    ("par", "non_par", "fifty", "any_claim"),
    [
        (10, 0, False, False),
        (0, 0, False, False),
        (3, 1, False, True),
        (51, 49, False, True),
        (1, 1, True, True),
        (50, 50, True, True),
        (0, 7, True, True),
    ],
)
def test_rules(par: int, non_par: int, fifty: bool, any_claim: bool) -> None:
    assert fee_applies(par, non_par, FeeRule.FIFTY_PERCENT) is fifty
    assert fee_applies(par, non_par, FeeRule.ANY_CLAIM) is any_claim


def test_percent_is_rounded_to_one_decimal() -> None:
    assert non_par_percent(2, 1) == Decimal("33.3")
    assert non_par_percent(0, 0) == Decimal("0.0")
    assert non_par_percent(0, 4) == Decimal("100.0")


def test_the_default_policy_is_fifty_percent_and_35() -> None:
    assert FeePolicy() == FeePolicy(FeeRule.FIFTY_PERCENT, Decimal("35.00"))


def test_a_line_carries_the_configured_amount_only_when_the_fee_applies() -> None:
    counts = FeeCounts("2026-11", "847291635", "1234567893", par_claims=3, non_par_claims=1)
    quiet = exposure(counts, FeePolicy())
    assert (quiet.claims, quiet.fee_applies, quiet.fee) == (4, False, Decimal("0.00"))
    charged = exposure(counts, FeePolicy(FeeRule.ANY_CLAIM, Decimal("39.95")))
    assert (charged.fee_applies, charged.fee, charged.non_par_percent) == (
        True,
        Decimal("39.95"),
        Decimal("25.0"),
    )


def test_lines_are_ordered_and_totalled() -> None:
    counts = [
        FeeCounts("2026-12", "847291635", "1234567893", 0, 2),
        FeeCounts("2026-11", "847291635", "1987654328", 1, 1),
        FeeCounts("2026-11", "847291635", "1234567893", 5, 0),
    ]
    lines = exposures(counts, FeePolicy())
    assert [(line.month, line.rendering_npi) for line in lines] == [
        ("2026-11", "1234567893"),
        ("2026-11", "1987654328"),
        ("2026-12", "1234567893"),
    ]
    assert total_fees(lines) == Decimal("70.00")
