"""A payer's timely filing limit: its own days, else Medicare's 365 or the default 90."""

from __future__ import annotations

from datetime import date

import pytest

from claimbridge.domain.timely_filing import FilingState, filing_limit, limit_problem

DOS = date(2026, 1, 10)


@pytest.mark.parametrize(
    ("payer_days", "indicator", "days"),
    [(None, "CI", 90), (None, None, 90), (None, "MB", 365), (None, "MA", 365), (180, "MB", 180)],
)
def test_the_limit_is_the_payers_own_else_medicares_or_the_default(
    payer_days: int | None, indicator: str | None, days: int
) -> None:
    limit = filing_limit(DOS, payer_days, indicator, DOS)
    assert (limit.days, limit.days_left) == (days, days)
    assert (limit.deadline - DOS).days == days


@pytest.mark.parametrize(
    ("today", "left", "state"),
    [
        (date(2026, 3, 10), 31, FilingState.IN_TIME),
        (date(2026, 3, 11), 30, FilingState.DUE),
        (date(2026, 4, 10), 0, FilingState.DUE),  # the deadline itself is still in time
        (date(2026, 4, 11), -1, FilingState.LATE),
    ],
)
def test_a_claim_is_due_within_thirty_days_and_late_after_the_deadline(
    today: date, left: int, state: FilingState
) -> None:
    limit = filing_limit(DOS, None, "CI", today)
    assert limit.deadline == date(2026, 4, 10)
    assert (limit.days_left, limit.state) == (left, state)
    words = str(limit)
    assert ("past" in words) is (left < 0) and "90-day limit (2026-04-10)" in words


@pytest.mark.parametrize(("days", "refused"), [(None, False), (1, False), (3650, False),
                                               (0, True), (-5, True), (3651, True)])  # fmt: skip
def test_a_limit_is_one_day_to_ten_years(days: int | None, refused: bool) -> None:
    assert (limit_problem(days) is not None) is refused
