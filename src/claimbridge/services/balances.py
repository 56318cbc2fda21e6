"""What each claim still expects from insurance and from the patient, and what a patient owes.

A claim not yet adjudicated (no remittance posted on it)::

    insurance  what its payer is still expected to pay, less write-offs: its charge for a
               primary claim; for a claim that follows another (a secondary or tertiary,
               ``follows_claim_id``) the followed claim's patient responsibility as posted;
               nothing for a cancelled claim
    patient    − patient payments + refunds

An adjudicated claim::

    insurance  charge − paid − every adjustment (0 when the remittances account for it all)
    patient    PR − patient payments − write-offs + refunds, where PR (the patient
               responsibility its remittances gave) belongs to the next payer instead when
               another claim follows this one (not cancelled nor voided) or its payer crossed
               it over (``crossed_over_to``): then it is that claim's insurance balance

A claim its payer crossed over carries both payers' remittances (the one the claim went to,
and the one it was forwarded to, whose 835 names the same CLM01). Until the second payer's
remittance is posted, the first's PR is what insurance still owes; once it is, that second
remittance alone says what is left: insurance as above from it, and its PR is the patient's.

A patient's balance is the sum over the claims of their appointments, and money on an
appointment that has no claim (a credit: − payments + refunds). Undone patient money counts
for nothing. Amounts are exact ``Decimal``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.changes import chunks
from claimbridge.store import tables as t

ZERO = Decimal("0.00")
VOID = "8"  # CLM05-3 frequency code of a claim that voids an earlier one


@dataclass(frozen=True, slots=True)
class ClaimBalance:
    """What a claim still expects from insurance and from the patient."""

    insurance: Decimal = ZERO
    patient: Decimal = ZERO
    adjudicated: bool = False


@dataclass(frozen=True, slots=True)
class _Posted:
    paid: Decimal = ZERO
    adjusted: Decimal = ZERO  # every adjustment but PR
    patient: Decimal = ZERO  # PR


@dataclass(frozen=True, slots=True)
class _Money:
    payments: Decimal = ZERO
    refunds: Decimal = ZERO
    write_offs: Decimal = ZERO


def claim_balances(session: Session, claim_ids: Iterable[int]) -> dict[int, ClaimBalance]:
    """The balances of each of these claims, by id (see the module docstring)."""
    found: dict[int, ClaimBalance] = {}
    for part in chunks(sorted(set(claim_ids))):
        found.update(_balances(session, [int(str(claim_id)) for claim_id in part]))
    return found


def _balances(session: Session, ids: list[int]) -> dict[int, ClaimBalance]:
    claim = t.ClaimRow
    columns = (claim.id, claim.total_charge, claim.status, claim.follows_claim_id)
    rows = session.execute(select(*columns, claim.crossed_over_to).where(claim.id.in_(ids))).all()
    followed = [row.follows_claim_id for row in rows if row.follows_claim_id is not None]
    posted = _posted(session, [*ids, *followed])
    money = _money(session, ids)
    passed_on = _followed(session, ids)
    crossed = [row.id for row in rows if row.crossed_over_to]
    forwarded = _posted(session, crossed, by_other_payer=True) if crossed else {}
    found: dict[int, ClaimBalance] = {}
    for claim_id, charge, status, follows, crossed_over_to in rows:
        # what the payer of a claim not yet adjudicated is expected to pay
        expected = charge if follows is None else posted.get(follows, _Posted()).patient
        owed = money.get(claim_id, _Money())
        if claim_id in forwarded:  # the payer it was crossed over to has answered
            found[claim_id] = _balance(
                Decimal(charge), ClaimStatus(status), forwarded[claim_id], ZERO, owed, False
            )
            continue
        balance = _balance(
            Decimal(charge),
            ClaimStatus(status),
            posted.get(claim_id),
            Decimal(expected),
            owed,
            claim_id in passed_on or bool(crossed_over_to),
        )
        if crossed_over_to and claim_id in posted:  # its PR is what the second payer owes
            balance = replace(balance, insurance=balance.insurance + posted[claim_id].patient)
        found[claim_id] = balance
    return found


def _balance(
    charge: Decimal,
    status: ClaimStatus,
    posted: _Posted | None,
    expected: Decimal,
    money: _Money,
    passed_on: bool,
) -> ClaimBalance:
    own = money.refunds - money.payments
    if posted is None:
        insurance = ZERO if status is ClaimStatus.CANCELLED else expected - money.write_offs
        return ClaimBalance(insurance, own)
    insurance = charge - posted.paid - posted.adjusted - posted.patient
    responsibility = ZERO if passed_on else posted.patient
    return ClaimBalance(insurance, responsibility + own - money.write_offs, adjudicated=True)


def _posted(
    session: Session, ids: Sequence[int], by_other_payer: bool = False
) -> dict[int, _Posted]:
    """What remittances posted on each claim (those with nothing posted are left out); with
    ``by_other_payer``, only remittances of a payer other than the claim's (a crossover's)."""
    payment, adjustment = t.PaymentRow, t.AdjustmentRow
    which: ColumnElement[bool] = payment.claim_id.in_(ids)
    if by_other_payer:
        remittance, claim = t.RemittanceRow, t.ClaimRow
        which &= (
            select(remittance.id)
            .where(remittance.id == payment.remittance_id, claim.id == payment.claim_id)
            .where(remittance.payer_id != claim.payer_id)
            .exists()
        )
    paid = dict(
        session.execute(
            select(payment.claim_id, func.sum(payment.paid)).where(which).group_by(payment.claim_id)
        ).all()
    )
    is_pr = adjustment.group_code == "PR"
    found = {claim_id: _Posted(paid=_dec(amount)) for claim_id, amount in paid.items()}
    query = (
        select(
            payment.claim_id,
            func.sum(adjustment.amount).filter(~is_pr),
            func.sum(adjustment.amount).filter(is_pr),
        )
        .join(payment, payment.id == adjustment.payment_id)
        .where(which)
        .group_by(payment.claim_id)
    )
    for claim_id, adjusted, patient in session.execute(query):
        base = found.get(claim_id, _Posted())
        found[claim_id] = _Posted(base.paid, _dec(adjusted), _dec(patient))
    return found


def _money(session: Session, ids: Sequence[int]) -> dict[int, _Money]:
    """The patient money on each claim, not undone, by kind."""
    money = t.PatientMoneyRow
    query = (
        select(money.claim_id, money.kind, func.sum(money.amount))
        .where(money.claim_id.in_(ids), money.undone_at.is_(None))
        .group_by(money.claim_id, money.kind)
    )
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for claim_id, kind, amount in session.execute(query):
        if claim_id is not None:  # never: only money on these claims is read
            sums[claim_id][kind] = _dec(amount)
    return {
        claim_id: _Money(
            kinds.get("payment", ZERO), kinds.get("refund", ZERO), kinds.get("write_off", ZERO)
        )
        for claim_id, kinds in sums.items()
    }


def _followed(session: Session, ids: Sequence[int]) -> set[int]:
    """The claims among ``ids`` another claim follows (that claim neither cancelled nor a void)."""
    claim = t.ClaimRow
    query = select(claim.follows_claim_id).where(
        claim.follows_claim_id.in_(ids),
        claim.status != ClaimStatus.CANCELLED.value,
        claim.frequency_code != VOID,
    )
    return {claim_id for claim_id in session.scalars(query) if claim_id is not None}


def _dec(value: object) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(ZERO)


def patient_claim_ids(session: Session, patient_ids: Iterable[int]) -> dict[int, list[int]]:
    """The claims of each patient's appointments, oldest first, by patient id."""
    query = (
        select(t.AppointmentRow.patient_id, t.ClaimRow.id)
        .join(t.ClaimRow, t.ClaimRow.appointment_id == t.AppointmentRow.id)
        .where(t.AppointmentRow.patient_id.in_(list(patient_ids)))
        .order_by(t.ClaimRow.id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for patient_id, claim_id in session.execute(query):
        found[patient_id].append(claim_id)
    return found


def unapplied(session: Session, patient_ids: Iterable[int]) -> dict[int, Decimal]:
    """Per patient, money on appointments without a claim: − payments + refunds (a credit)."""
    money = t.PatientMoneyRow
    query = (
        select(money.patient_id, money.kind, func.sum(money.amount))
        .where(money.patient_id.in_(list(patient_ids)), money.claim_id.is_(None))
        .where(money.undone_at.is_(None))
        .group_by(money.patient_id, money.kind)
    )
    found: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for patient_id, kind, amount in session.execute(query):
        sign = -1 if kind == "payment" else 1
        found[patient_id] += sign * _dec(amount)
    return dict(found)


def patient_balances(session: Session, patient_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each patient owes across their claims (less credits), by patient id."""
    wanted = sorted(set(patient_ids))
    claims = patient_claim_ids(session, wanted)
    balances = claim_balances(session, [c for ids in claims.values() for c in ids])
    credit = unapplied(session, wanted)
    return {
        patient_id: sum((balances[c].patient for c in claims.get(patient_id, [])), ZERO)
        + credit.get(patient_id, ZERO)
        for patient_id in wanted
    }
