"""How an 835 is posted, as pure rules: which line each SVC pays, what rows a CLP becomes, and
where the claim stands afterwards.

Money is posted per line and added, never overwritten: a claim paid across several ERAs, a
reversal (CLP02 22, negated amounts) and its correction are simply more rows, and a claim's
totals are the sums of every row. For one CLP, ``plan_claim`` gives one ``PaymentPlan`` per
SVC and one claim-level plan (no line) for the claim's own CAS or for money the lines do not
explain, so the plans' charges add up to CLP03 and their payments to CLP04.

Line matching (``match_lines``): REF*6R, the line item control number we sent, else the
procedure as submitted (SVC06, else SVC01) with its modifiers and the service date; each of our
lines pays at most one SVC per CLP. A SVC that matches nothing is posted on the claim, with no
line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from claimbridge.domain.status import ClaimStatus
from claimbridge.x12.tx835_005010X221A1 import Adjustment, Loop2100, Loop2110

ZERO = Decimal("0.00")
PATIENT_GROUP = "PR"
REVERSAL = "22"
DENIAL = "4"
NOT_OURS = frozenset({"23", "25"})  # forwarded elsewhere; predetermination only
FORWARDED = frozenset({"19", "20", "21"})  # processed, and forwarded to the next payer
CROSSOVER_REMARKS = frozenset({"MA18", "N89"})  # "forwarded to the supplemental insurer"


@dataclass(frozen=True, slots=True)
class LineKey:
    """What identifies one of our claim lines against an SVC."""

    id: int
    line_control_number: str | None
    code: str
    modifiers: tuple[str, ...]
    service_date: date


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """One payment row to write: on a line (``line_id``) or on the claim (None)."""

    line_id: int | None
    charge: Decimal
    paid: Decimal
    adjustments: tuple[Adjustment, ...]

    @property
    def patient_responsibility(self) -> Decimal:
        """The PR adjustments of this row (deductible, coinsurance, copay …)."""
        return sum((a.amount for a in self.adjustments if a.group == PATIENT_GROUP), ZERO)


def match_lines(lines: Sequence[LineKey], service_lines: Sequence[Loop2110]) -> list[int | None]:
    """The id of our line each SVC pays, in SVC order (None when none matches)."""
    by_control = {line.line_control_number: line for line in lines if line.line_control_number}
    used: set[int] = set()
    found: list[int | None] = []
    for service in service_lines:
        line = by_control.get(service.line_control_number or "")
        if line is None or line.id in used:
            line = _by_procedure(lines, service, used)
        if line is not None:
            used.add(line.id)
        found.append(line.id if line else None)
    return found


def _by_procedure(lines: Sequence[LineKey], service: Loop2110, used: set[int]) -> LineKey | None:
    svc = service.svc
    procedure = svc.original_procedure or svc.procedure
    day = service.service_date
    for line in lines:
        if line.id in used or line.code != procedure.code:
            continue
        if line.modifiers == procedure.modifiers and (day is None or day == line.service_date):
            return line
    return None


def plan_claim(claim: Loop2100, line_ids: Sequence[int | None]) -> list[PaymentPlan]:
    """The payment rows of one CLP: one per SVC, and the claim-level remainder if any."""
    plans = [
        PaymentPlan(line_id, service.svc.charge, service.svc.paid, service.adjustments)
        for service, line_id in zip(claim.service_lines, line_ids, strict=True)
    ]
    clp = claim.clp
    charge = clp.charge - sum((p.charge for p in plans), ZERO)
    paid = clp.paid - sum((p.paid for p in plans), ZERO)
    if not plans or claim.adjustments or charge or paid:
        plans.append(PaymentPlan(None, charge, paid, claim.adjustments))
    return plans


def status_after(
    clp_status: str, paid_total: Decimal, patient_total: Decimal
) -> ClaimStatus | None:
    """Where a claim stands after a CLP, given its totals with that CLP posted.

    Denied (CLP02 4) is denied; a reversal leaves the claim denied unless money remains on it;
    a processed claim is paid when the payer paid something or the patient owes something
    (a deductible), else denied. Forwarded (23) and predetermination (25) change nothing.
    """
    if clp_status in NOT_OURS:
        return None
    if clp_status == DENIAL:
        return ClaimStatus.DENIED
    if clp_status == REVERSAL:
        return ClaimStatus.PAID if paid_total > 0 else ClaimStatus.DENIED
    return ClaimStatus.PAID if paid_total > 0 or patient_total > 0 else ClaimStatus.DENIED


@dataclass(frozen=True, slots=True)
class Amounts:
    """What postings put on a claim: the charge they adjudicated, what the payer paid and what
    the patient owes (PR). A reversal's amounts are negative."""

    charge: Decimal = ZERO
    paid: Decimal = ZERO
    patient: Decimal = ZERO

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.charge + other.charge, self.paid + other.paid, self.patient + other.patient
        )


def beyond_claim(total_charge: Decimal, before: Amounts, adding: Amounts) -> str | None:
    """Why posting ``adding`` would take a claim of ``total_charge`` beyond what it can take
    with ``before`` already posted on it, or None when it may be posted.

    Beyond it when, with it, what was paid and what the patient owes exceed the charge
    (an overpayment), or when the claim was already adjudicated in full with money paid and
    this adjudicates its charge again with money (the same claim paid by a second check).
    What adds no money (a reversal, a denial) is never beyond: a denial later paid on appeal,
    and a reversal with its correction, post as they come.
    """
    if adding.paid + adding.patient <= 0:
        return None
    paid, patient = before.paid + adding.paid, before.patient + adding.patient
    reasons = []
    if before.paid > 0 and before.charge >= total_charge and adding.charge > 0:
        reasons.append(f"already paid in full ({before.paid} paid on a {before.charge} charge)")
    if paid + patient > total_charge:
        reasons.append(
            f"with this, paid {paid} and patient owes {patient} of a {total_charge} charge"
        )
    return "; ".join(reasons) or None


def crossed_over(claim: Loop2100) -> bool:
    """True when the payer says it forwarded the claim to the next payer itself (a crossover):
    CLP02 19, 20 or 21, a crossover carrier (NM1*TT), or remark MA18 or N89."""
    if claim.clp.status_code == REVERSAL:
        return False
    if claim.clp.status_code in FORWARDED or claim.crossover_carrier is not None:
        return True
    return not CROSSOVER_REMARKS.isdisjoint(remark_codes(claim))


def remark_codes(claim: Loop2100) -> tuple[str, ...]:
    """Every RARC of a claim: MOA, MIA, then each line's LQ*HE, without repeats, in order."""
    codes: list[str] = []
    for source in (claim.moa, claim.mia):
        codes += source.remark_codes if source else ()
    codes += [
        lq.code for line in claim.service_lines for lq in line.remarks if lq.qualifier == "HE"
    ]
    return tuple(dict.fromkeys(codes))
