"""A payer's 835 claim → the 2320/2330A/2330B and 2430 data of the claim for the next payer.

``other_payer_from_835(claim_payment, sent, adjudication_date=…)`` takes the 835 loop 2100 of
the claim as that payer adjudicated it and the 837 ``Claim`` we sent it, and returns an
``OtherPayerAdjudication``: the ``OtherPayer`` (who the payer and its subscriber are, what it
paid, its claim-level CAS) and, per line of the claim, its 2430 ``LineAdjudication``.
``apply(claim)`` adds both to the claim for the next payer.

The result balances as the TR3 asks, or the function refuses with ``X12ValidationError``:

- per line: our charge (SV102) = paid (SVD02) + the line's CAS;
- per claim: our charge (CLM02) = paid (AMT*D) + claim CAS + every line CAS.

Lines are matched by our line control number (REF*6R), then by procedure code and charge. An
835 claim with no service lines gives claim-level data only. Reversals (CLP02 22) and claims
the payer forwarded itself (19–21) are refused: neither is the base of a secondary claim.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from claimbridge.errors import X12ValidationError
from claimbridge.x12.tx835_005010X221A1.models import Adjustment as RemitAdjustment
from claimbridge.x12.tx835_005010X221A1.models import Loop2100, Loop2110
from claimbridge.x12.tx837p_005010X222A1.models import (
    Adjustment,
    AdjustmentGroup,
    Claim,
    LineAdjudication,
    OtherPayer,
    ServiceLine,
)
from claimbridge.x12.tx837p_005010X222A1.validate import MAX_CAS_ADJUSTMENTS

FORWARDED = frozenset(("19", "20", "21"))
REVERSAL = "22"
PATIENT_RESPONSIBILITY = "PR"


@dataclass(frozen=True, slots=True, kw_only=True)
class OtherPayerAdjudication:
    """One payer's adjudication as COB data: 2320/2330 and, per claim line, its 2430s."""

    other_payer: OtherPayer
    line_adjudications: tuple[tuple[LineAdjudication, ...], ...]

    def apply(self, claim: Claim) -> Claim:
        """``claim`` (for the next payer, same lines) with this payer added to its COB loops."""
        if len(claim.lines) != len(self.line_adjudications):
            raise X12ValidationError(
                f"claim {claim.patient_control_number!r}: it has {len(claim.lines)} lines, the "
                f"adjudication {len(self.line_adjudications)}; the lines must be the same"
            )
        lines = tuple(
            dataclasses.replace(line, adjudications=(*line.adjudications, *adjudications))
            for line, adjudications in zip(claim.lines, self.line_adjudications, strict=True)
        )
        return dataclasses.replace(
            claim, lines=lines, other_payers=(*claim.other_payers, self.other_payer)
        )


def other_payer_from_835(
    claim_payment: Loop2100, sent: Claim, *, adjudication_date: date
) -> OtherPayerAdjudication:
    """The COB data of ``sent`` after its payer's 835 claim ``claim_payment``.

    ``adjudication_date`` is the payer's check or remittance date (BPR16 of its 835), written
    as DTP*573.
    """
    where = f"claim {sent.patient_control_number!r}"
    _check_claim(claim_payment, sent, where)
    matched = _match_lines(claim_payment.service_lines, sent.lines, where)
    lines = tuple(
        _line_adjudications(payment, line, sent, adjudication_date, f"{where}, line {number}")
        for number, (line, payment) in enumerate(zip(sent.lines, matched, strict=True), start=1)
    )
    other = _other_payer(claim_payment, sent, adjudication_date)
    line_adjustments = sum((_total(a.adjustments) for ls in lines for a in ls), Decimal(0))
    paid, claim_adjustments = claim_payment.clp.paid, _total(other.adjustments)
    if paid + claim_adjustments + line_adjustments != sent.total_charge:
        raise X12ValidationError(
            f"{where}: paid {paid} + claim adjustments {claim_adjustments} + line adjustments "
            f"{line_adjustments} differ from our charge {sent.total_charge}; the 835 claim "
            "does not balance against the claim we sent"
        )
    return OtherPayerAdjudication(other_payer=other, line_adjudications=lines)


def _check_claim(claim_payment: Loop2100, sent: Claim, where: str) -> None:
    clp = claim_payment.clp
    if clp.patient_control_number != sent.patient_control_number:
        raise X12ValidationError(
            f"{where}: the 835 claim is {clp.patient_control_number!r} (CLP01), another claim"
        )
    if clp.status_code == REVERSAL:
        raise X12ValidationError(f"{where}: CLP02 22 is a reversal, not an adjudication to pass on")
    if clp.status_code in FORWARDED:
        raise X12ValidationError(
            f"{where}: CLP02 {clp.status_code}: the payer forwarded the claim to the next payer "
            "itself; a secondary claim would be a duplicate"
        )


def _match_lines(
    payments: Sequence[Loop2110], lines: Sequence[ServiceLine], where: str
) -> list[Loop2110 | None]:
    """The 835 line of each claim line (None for all when the 835 reports no lines)."""
    if not payments:
        return [None] * len(lines)
    left = list(payments)
    matched: list[Loop2110 | None] = []
    for number, line in enumerate(lines, start=1):
        payment = _find_payment(left, line)
        if payment is None:
            raise X12ValidationError(
                f"{where}, line {number} ({line.procedure_code}): no service line of the 835 "
                "matches it by REF*6R or by procedure and charge"
            )
        left.remove(payment)
        matched.append(payment)
    if left:
        raise X12ValidationError(f"{where}: the 835 pays {len(left)} line(s) the claim lacks")
    return matched


def _find_payment(payments: Iterable[Loop2110], line: ServiceLine) -> Loop2110 | None:
    candidates = list(payments)
    if line.control_number:
        for payment in candidates:
            if payment.line_control_number == line.control_number:
                return payment
    for payment in candidates:
        submitted = payment.svc.original_procedure or payment.svc.procedure
        if submitted.code == line.procedure_code and payment.svc.charge == line.charge:
            return payment
    return None


def _line_adjudications(
    payment: Loop2110 | None, line: ServiceLine, sent: Claim, adjudicated: date, where: str
) -> tuple[LineAdjudication, ...]:
    if payment is None:
        return ()
    svc = payment.svc
    groups = _groups(payment.adjustments)
    if svc.paid + _total(groups) != line.charge:
        raise X12ValidationError(
            f"{where}: paid {svc.paid} + adjustments {_total(groups)} differ from our charge "
            f"{line.charge}"
        )
    adjudication = LineAdjudication(
        payer_id=sent.payer.payer_id,
        paid_amount=svc.paid,
        procedure_qualifier=svc.procedure.qualifier,
        procedure_code=svc.procedure.code,
        modifiers=svc.procedure.modifiers,
        paid_units=svc.units_paid,
        adjustments=groups,
        adjudication_date=adjudicated,
        remaining_patient_liability=_patient_share(payment.adjustments),
    )
    return (adjudication,)


def _other_payer(claim_payment: Loop2100, sent: Claim, adjudicated: date) -> OtherPayer:
    clp = claim_payment.clp
    every_adjustment = [
        *claim_payment.adjustments,
        *(a for line in claim_payment.service_lines for a in line.adjustments),
    ]
    liability = clp.patient_responsibility
    return OtherPayer(
        responsibility=sent.payer.responsibility,
        relationship="18" if sent.patient is None else sent.patient.relationship,
        group_number=sent.subscriber.group_number,
        group_name=sent.subscriber.group_name,
        insurance_type=sent.payer.insurance_type,
        filing_indicator=sent.payer.filing_indicator,
        adjustments=_groups(claim_payment.adjustments),
        paid_amount=clp.paid,
        remaining_patient_liability=(
            liability if liability is not None else _patient_share(every_adjustment)
        ),
        benefits_assignment=sent.benefits_assignment,
        release_of_information=sent.release_of_information,
        subscriber=sent.subscriber.name,
        subscriber_id=sent.subscriber.member_id,
        subscriber_address=sent.subscriber.address,
        payer_name=sent.payer.name,
        payer_id=sent.payer.payer_id,
        adjudication_date=adjudicated,
        claim_control_number=clp.payer_claim_control_number,
    )


def _groups(adjustments: Iterable[RemitAdjustment]) -> tuple[AdjustmentGroup, ...]:
    """835 adjustments as CAS segments: one per group code (first seen first), six per segment."""
    by_group: dict[str, list[Adjustment]] = {}
    for found in adjustments:
        by_group.setdefault(found.group, []).append(
            Adjustment(reason=found.reason, amount=found.amount, quantity=found.quantity)
        )
    return tuple(
        AdjustmentGroup(group=group, adjustments=tuple(items[start : start + MAX_CAS_ADJUSTMENTS]))
        for group, items in by_group.items()
        for start in range(0, len(items), MAX_CAS_ADJUSTMENTS)
    )


def _patient_share(adjustments: Iterable[RemitAdjustment]) -> Decimal | None:
    """The sum of the PR adjustments, or None when there are none."""
    shares = [a.amount for a in adjustments if a.group == PATIENT_RESPONSIBILITY]
    return sum(shares, Decimal(0)) if shares else None


def _total(groups: Iterable[AdjustmentGroup]) -> Decimal:
    return sum((group.total for group in groups), Decimal(0))
