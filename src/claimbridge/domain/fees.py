"""Office Ally's monthly Non-Par claim processing fee: who would be charged, and how much.

OA charges per month and per (tax ID, rendering NPI) combination. The sources disagree
(office-ally.md §12), so the rule and the amount are settings:

- rule ``fifty_percent`` (default): the fee applies when 50% or more of the combination's claims
  in the month go to Non-Par payers (OA's Par vs Non-Par article and Par/Non-Par report);
  rule ``any_claim``: it applies when any Non-Par claim was sent that month (another version of
  the same OA article);
- amount 35.00 (default, OA's Separate Username Request form); zHealth quotes 39.95 flat,
  effective 2024-02-01.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

DEFAULT_FEE_AMOUNT = Decimal("35.00")


class FeeRule(StrEnum):
    """When the Non-Par fee applies to a (tax ID, rendering NPI) month."""

    FIFTY_PERCENT = "fifty_percent"
    ANY_CLAIM = "any_claim"


@dataclass(frozen=True, slots=True)
class FeePolicy:
    """The configured rule and monthly amount."""

    rule: FeeRule = FeeRule.FIFTY_PERCENT
    amount: Decimal = DEFAULT_FEE_AMOUNT


@dataclass(frozen=True, slots=True)
class FeeCounts:
    """Claims sent in ``month`` (YYYY-MM) for one (tax ID, rendering NPI), split Par/Non-Par."""

    month: str
    tax_id: str
    rendering_npi: str
    par_claims: int
    non_par_claims: int


@dataclass(frozen=True, slots=True)
class FeeExposure:
    """One line of the fee report: the counts, the Non-Par share and the fee if it applies."""

    month: str
    tax_id: str
    rendering_npi: str
    claims: int
    par_claims: int
    non_par_claims: int
    non_par_percent: Decimal
    fee_applies: bool
    fee: Decimal


def fee_applies(par_claims: int, non_par_claims: int, rule: FeeRule) -> bool:
    """True when ``rule`` charges the fee for a month with these counts."""
    if non_par_claims == 0:
        return False
    if rule is FeeRule.ANY_CLAIM:
        return True
    return non_par_claims * 2 >= par_claims + non_par_claims


def non_par_percent(par_claims: int, non_par_claims: int) -> Decimal:
    """The Non-Par share in percent, one decimal (0.0 when there are no claims)."""
    total = par_claims + non_par_claims
    if total == 0:
        return Decimal("0.0")
    return (Decimal(100 * non_par_claims) / Decimal(total)).quantize(Decimal("0.1"))


def exposure(counts: FeeCounts, policy: FeePolicy) -> FeeExposure:
    """The fee report line for ``counts`` under ``policy``."""
    applies = fee_applies(counts.par_claims, counts.non_par_claims, policy.rule)
    return FeeExposure(
        month=counts.month,
        tax_id=counts.tax_id,
        rendering_npi=counts.rendering_npi,
        claims=counts.par_claims + counts.non_par_claims,
        par_claims=counts.par_claims,
        non_par_claims=counts.non_par_claims,
        non_par_percent=non_par_percent(counts.par_claims, counts.non_par_claims),
        fee_applies=applies,
        fee=policy.amount if applies else Decimal("0.00"),
    )


def exposures(counts: Iterable[FeeCounts], policy: FeePolicy) -> list[FeeExposure]:
    """Report lines for every (month, tax ID, rendering NPI), in that order."""
    ordered = sorted(counts, key=lambda c: (c.month, c.tax_id, c.rendering_npi))
    return [exposure(c, policy) for c in ordered]


def total_fees(lines: Iterable[FeeExposure]) -> Decimal:
    """The sum of the fees of ``lines``."""
    return sum((line.fee for line in lines), Decimal("0.00"))
