"""Timely filing: how long after the date of service a payer still takes a claim.

Payers refuse a claim that reaches them after their limit (Medicare: 12 months after the date of
service, 42 CFR 424.44; commercial plans commonly 90 or 180 days, Medicaid plans vary). A payer
of the master list may say its own number of days; without it, Medicare's indicators (MA, MB)
take 365 days and every other payer ``DEFAULT_DAYS``, which is on the safe side for most plans.
A claim the payer has not accepted yet (not sent, held, or rejected) is *due* within
``WARN_DAYS`` of its deadline and *late* after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

DEFAULT_DAYS = 90
MEDICARE_DAYS = 365
MEDICARE_INDICATORS = frozenset({"MA", "MB"})
WARN_DAYS = 30
MOST_DAYS = 3650  # a limit beyond ten years is a typing error


class FilingState(StrEnum):
    """Where a claim not yet accepted by its payer stands against the payer's limit."""

    IN_TIME = "in_time"
    DUE = "due"  # within WARN_DAYS of the deadline
    LATE = "late"  # past it: the payer will refuse the claim unless it grants an exception


@dataclass(frozen=True, slots=True)
class FilingLimit:
    """The payer's limit for one claim, its deadline and what is left of it on ``today``."""

    days: int
    deadline: date
    days_left: int

    @property
    def state(self) -> FilingState:
        """In time, due soon, or late."""
        if self.days_left < 0:
            return FilingState.LATE
        return FilingState.DUE if self.days_left <= WARN_DAYS else FilingState.IN_TIME

    def __str__(self) -> str:
        days = abs(self.days_left)
        count = f"{days} day{'' if days == 1 else 's'}"
        if self.days_left < 0:
            return f"{count} past the {self.days}-day limit ({self.deadline})"
        return f"{count} left of the {self.days}-day limit ({self.deadline})"


def limit_days(payer_days: int | None, filing_indicator: str | None) -> int:
    """The payer's own days, else Medicare's or the default."""
    if payer_days is not None:
        return payer_days
    return MEDICARE_DAYS if filing_indicator in MEDICARE_INDICATORS else DEFAULT_DAYS


def filing_limit(
    service_date: date, payer_days: int | None, filing_indicator: str | None, today: date
) -> FilingLimit:
    """The limit of a claim for ``service_date`` to a payer, as it stands on ``today``."""
    days = limit_days(payer_days, filing_indicator)
    deadline = service_date + timedelta(days=days)
    return FilingLimit(days, deadline, (deadline - today).days)


def limit_problem(days: int | None) -> str | None:
    """Why ``days`` cannot be a payer's limit, or None."""
    if days is not None and not 1 <= days <= MOST_DAYS:
        return f"the timely filing limit must be 1 to {MOST_DAYS} days, not {days}"
    return None
