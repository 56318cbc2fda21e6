"""A claim's adjudication as posted: every 835 on it, netted into one 835 claim loop.

::

    found = posted_adjudications(session, [claim_id])[claim_id]
    found.complete      # the payer adjudicated the whole charge (a reversal alone undoes it)
    found.claim         # the 835 loop 2100 the payer would send for it, with every line
    found.adjudicated   # the date of the newest check (BPR16) that paid on it

A secondary claim carries the adjudication of the claim it follows in loops 2320 and 2430. It is
read from the ledger's payment and adjustment rows, not from one 835: a claim paid across two
ERAs, or reversed and corrected, is the sum of its rows, so what the next payer is told is what
was posted. Per line, amounts are summed and adjustments summed by group and reason (those that
net to zero, a reversed CAS, are left out); rows with no line are the claim-level CAS. The loop
is then passed to ``x12.tx837p_005010X222A1.other_payer_from_835``, which checks that it
balances against the claim as sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain import posting
from claimbridge.services.changes import chunks
from claimbridge.store import tables as t
from claimbridge.x12.tx835_005010X221A1.models import (
    Adjustment,
    Clp,
    Dtm,
    Loop2100,
    Loop2110,
    Procedure,
    Ref,
    Svc,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PostedAdjudication:
    """What the payer did with a claim, as posted: one 835 claim loop, its date, and whether
    the whole charge was adjudicated."""

    claim: Loop2100
    adjudicated: date
    complete: bool

    @property
    def patient_share(self) -> Decimal:
        """What the payer left for the patient (PR, claim level and lines)."""
        return self.claim.clp.patient_responsibility or ZERO

    @property
    def leaves_next_payer_something(self) -> bool:
        """True when a next payer has something to pay: the payer left the patient something
        (PR) or denied the claim. With nothing left (paid in full, the rest written off by
        contract) the next payer, which pays at most what the patient still owes, has none."""
        return self.patient_share > 0 or self.claim.clp.status_code == posting.DENIAL


@dataclass
class _Sum:
    """The rows of one line (or of the claim level), added up."""

    charge: Decimal = ZERO
    paid: Decimal = ZERO
    adjustments: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    quantities: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def add(self, charge: Decimal, paid: Decimal) -> None:
        self.charge += charge
        self.paid += paid

    def adjust(self, group: str, reason: str, amount: Decimal, quantity: Decimal | None) -> None:
        key = (group, reason)
        self.adjustments[key] = self.adjustments.get(key, ZERO) + amount
        if quantity is not None:
            self.quantities[key] = self.quantities.get(key, ZERO) + quantity

    def cas(self) -> tuple[Adjustment, ...]:
        return tuple(
            Adjustment(group, reason, amount, self.quantities.get((group, reason)), 0)
            for (group, reason), amount in self.adjustments.items()
            if amount
        )


@dataclass
class _Claim:
    """One claim's rows as read."""

    clm01: str
    total_charge: Decimal
    lines: list[t.ClaimLineRow] = field(default_factory=list)
    sums: dict[int | None, _Sum] = field(default_factory=dict)  # by line id, None: claim level
    statuses: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)


def posted_adjudications(
    session: Session, claim_ids: Sequence[int]
) -> dict[int, PostedAdjudication]:
    """The posted adjudication of each of ``claim_ids`` that has payments, by claim id."""
    claims = _claims(session, claim_ids)
    payments = _payments(session, claims)
    _adjustments(session, claims, payments)
    return {claim_id: _adjudication(claim) for claim_id, claim in claims.items() if claim.sums}


def _claims(session: Session, claim_ids: Sequence[int]) -> dict[int, _Claim]:
    found: dict[int, _Claim] = {}
    for part in chunks(sorted(set(claim_ids))):
        query = select(t.ClaimRow.id, t.ClaimRow.clm01, t.ClaimRow.total_charge)
        for claim_id, clm01, charge in session.execute(query.where(t.ClaimRow.id.in_(part))):
            found[claim_id] = _Claim(clm01, Decimal(charge))
        lines = select(t.ClaimLineRow).where(t.ClaimLineRow.claim_id.in_(part))
        for line in session.scalars(lines.order_by(t.ClaimLineRow.line_number)):
            found[line.claim_id].lines.append(line)
    return found


def _payments(session: Session, claims: dict[int, _Claim]) -> dict[int, tuple[int, int | None]]:
    """Add every payment row to its claim; (claim id, line id) by payment id."""
    payment, remittance = t.PaymentRow, t.RemittanceRow
    columns = (
        *(payment.id, payment.claim_id, payment.claim_line_id, payment.status_code),
        *(payment.charge, payment.paid, payment.payer_claim_control_number),
        *(remittance.payment_date, remittance.production_date, remittance.created_at),
    )
    owners: dict[int, tuple[int, int | None]] = {}
    for part in chunks(sorted(claims)):
        query = (
            select(*columns)
            .join(remittance, remittance.id == payment.remittance_id)
            .where(payment.claim_id.in_(part))
            .order_by(payment.id)
        )
        for row in session.execute(query):
            payment_id, claim_id, line_id, status, charge, paid, number, day, made, at = row
            claim = claims[claim_id]
            claim.sums.setdefault(line_id, _Sum()).add(Decimal(charge), Decimal(paid))
            claim.statuses.append(status or "")
            claim.numbers += [number] if number else []
            claim.dates.append(_day(day, made, at))
            owners[payment_id] = (claim_id, line_id)
    return owners


def _day(payment_date: date | None, production_date: date | None, created: datetime) -> date:
    """The check's date (BPR16), else the 835's production date, else when it was posted."""
    return payment_date or production_date or created.date()


def _adjustments(
    session: Session, claims: dict[int, _Claim], owners: dict[int, tuple[int, int | None]]
) -> None:
    row = t.AdjustmentRow
    columns = (row.payment_id, row.group_code, row.reason_code, row.amount, row.quantity)
    for part in chunks(sorted(owners)):
        query = select(*columns).where(row.payment_id.in_(part)).order_by(row.id)
        for payment_id, group, reason, amount, quantity in session.execute(query):
            claim_id, line_id = owners[payment_id]
            quantity = None if quantity is None else Decimal(quantity)
            claims[claim_id].sums[line_id].adjust(group, reason, Decimal(amount), quantity)


def _adjudication(claim: _Claim) -> PostedAdjudication:
    claim_level = claim.sums.get(None, _Sum())
    lines = tuple(_line(line, claim.sums[line.id]) for line in claim.lines if line.id in claim.sums)
    charge = sum((s.charge for s in claim.sums.values()), ZERO)
    paid = sum((s.paid for s in claim.sums.values()), ZERO)
    every = [*claim_level.cas(), *(a for line in lines for a in line.adjustments)]
    patient = sum((a.amount for a in every if a.group == posting.PATIENT_GROUP), ZERO)
    status = next((s for s in reversed(claim.statuses) if s != posting.REVERSAL), "")
    number = claim.numbers[-1] if claim.numbers else ""
    clp = Clp(claim.clm01, status or posting.REVERSAL, charge, paid, patient, "", number,
              "", "", "", "", None, None, "", 0)  # fmt: skip
    loop = Loop2100(clp, claim_level.cas(), (), None, None, (), (), (), (), (), lines, ())
    complete = bool(status) and charge == claim.total_charge and _lines_whole(claim, lines)
    return PostedAdjudication(loop, max(claim.dates), complete)


def _lines_whole(claim: _Claim, lines: Iterable[Loop2110]) -> bool:
    """True when each line was adjudicated for its charge (or the payer gave no lines)."""
    paid_lines = list(lines)
    if not paid_lines:
        return True
    charges = {line.line_control_number: line.charge for line in claim.lines}
    return len(paid_lines) == len(claim.lines) and all(
        charges.get(line.line_control_number) == line.svc.charge for line in paid_lines
    )


def _line(line: t.ClaimLineRow, posted: _Sum) -> Loop2110:
    modifiers = tuple(m for m in line.modifiers.split(":") if m)
    procedure = Procedure("HC", line.code, modifiers, "", "")
    units = Decimal(line.units)
    svc = Svc(procedure, posted.charge, posted.paid, "", units, None, None, 0)
    served = Dtm("472", line.service_date, "", "", "", "", 0)
    control = Ref("6R", line.line_control_number, "", "", 0) if line.line_control_number else None
    return Loop2110(svc, (served,), posted.cas(), control, (), (), (), (), ())
