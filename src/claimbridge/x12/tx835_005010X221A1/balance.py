"""The three balancing equations of the 835 implementation guide, checked, never fixed.

1. line: SVC02 − Σ line CAS = SVC03
2. claim: CLP03 − Σ claim CAS − Σ line CAS = CLP04 (without lines: CLP03 − Σ claim CAS)
3. transaction: BPR02 = Σ CLP04 − Σ PLB amounts (a positive PLB amount reduces the payment)

Reversals (CLP02 22) carry negated amounts and adjustments, so the same equations hold for
them. ``check_balance`` returns one ``Imbalance`` per equation that does not hold; an empty
tuple means the remittance balances.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from claimbridge.x12.tx835_005010X221A1.models import Adjustment, Loop2100, Remittance

_ZERO = Decimal("0.00")


class Level(StrEnum):
    """Which equation an imbalance breaks."""

    LINE = "line"
    CLAIM = "claim"
    TRANSACTION = "transaction"


class Imbalance(NamedTuple):
    """An equation that does not hold: where, what the payer reported, what the rest gives.

    ``reported`` is the paid amount as sent (SVC03, CLP04 or BPR02); ``computed`` is what the
    other side of the equation adds up to. ``patient_control_number`` (CLP01) is None for the
    transaction; ``line_number`` counts the claim's SVC loops from 1 and is None above lines.
    ``segment_position`` is the SVC, CLP or BPR in the file.
    """

    level: Level
    patient_control_number: str | None
    line_number: int | None
    segment_position: int
    reported: Decimal
    computed: Decimal

    @property
    def difference(self) -> Decimal:
        """``reported`` − ``computed``."""
        return self.reported - self.computed

    def __str__(self) -> str:
        where = {
            Level.LINE: f"claim {self.patient_control_number} line {self.line_number}",
            Level.CLAIM: f"claim {self.patient_control_number}",
            Level.TRANSACTION: "transaction",
        }[self.level]
        paid = {Level.LINE: "SVC03", Level.CLAIM: "CLP04", Level.TRANSACTION: "BPR02"}[self.level]
        return (
            f"{where} (segment {self.segment_position}): {paid} is {self.reported}, "
            f"the other amounts give {self.computed} (off by {self.difference})"
        )


def check_balance(remittance: Remittance) -> tuple[Imbalance, ...]:
    """Every balancing equation of ``remittance`` that does not hold, in file order."""
    found: list[Imbalance] = []
    for claim in remittance.claims:
        found.extend(_check_claim(claim))
    transaction = _check_transaction(remittance)
    if transaction is not None:
        found.append(transaction)
    return tuple(found)


def _total(adjustments: tuple[Adjustment, ...]) -> Decimal:
    return sum((a.amount for a in adjustments), _ZERO)


def _check_claim(claim: Loop2100) -> list[Imbalance]:
    clp, found = claim.clp, []
    line_adjustments = _ZERO
    for number, line in enumerate(claim.service_lines, start=1):
        svc, adjusted = line.svc, _total(line.adjustments)
        line_adjustments += adjusted
        if svc.charge - adjusted != svc.paid:
            found.append(
                Imbalance(
                    Level.LINE, clp.patient_control_number, number, svc.position, svc.paid,
                    svc.charge - adjusted,
                )
            )  # fmt: skip
    computed = clp.charge - _total(claim.adjustments) - line_adjustments
    if computed != clp.paid:
        found.append(
            Imbalance(Level.CLAIM, clp.patient_control_number, None, clp.position, clp.paid,
                      computed)
        )  # fmt: skip
    return found


def _check_transaction(remittance: Remittance) -> Imbalance | None:
    paid = sum((claim.clp.paid for claim in remittance.claims), _ZERO)
    provider = sum((p.amount for p in remittance.provider_adjustments), _ZERO)
    bpr = remittance.bpr
    if paid - provider == bpr.amount:
        return None
    return Imbalance(Level.TRANSACTION, None, None, bpr.position, bpr.amount, paid - provider)
