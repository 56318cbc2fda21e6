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

``claim_balances`` works out a page of claims in Python from a few sums per chunk of ids.
``balance_rows`` is the same rule as one SQL statement over every claim a condition selects,
and ``patient_dues`` the patients' dues from it, for a statement run or the Statements page
over a whole ledger: only claims with a PR adjustment or patient money can leave the patient
anything, so only those are worked out. A test holds the two to the same results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    func,
    or_,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from claimbridge.domain.frequency import ClaimFrequency
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.changes import chunks
from claimbridge.store import tables as t
from claimbridge.store.types import Money

ZERO = Decimal("0.00")
VOID = ClaimFrequency.VOID.value  # a void passes nothing on and owes nothing


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
        found.update(_balances(session, part))
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


def is_other_payer(remittance_payer: Any, claim_payer: Any) -> ColumnElement[bool]:
    """A remittance's payer is not the claim's: the payer the claim was crossed over to. A
    remittance whose payer is not in the master list (no payer id) is another payer's too."""
    return cast(ColumnElement[bool], remittance_payer.is_distinct_from(claim_payer))


def posted_by_other_payer() -> ColumnElement[bool]:
    """A payment row came on a remittance of a payer other than its claim's (``is_other_payer``):
    the one rule for a crossover's postings, in balances and in matching."""
    payment, remittance, claim = t.PaymentRow, t.RemittanceRow, t.ClaimRow
    return (
        select(remittance.id)
        .where(remittance.id == payment.remittance_id, claim.id == payment.claim_id)
        .where(is_other_payer(remittance.payer_id, claim.payer_id))
        .exists()
    )


def _posted(
    session: Session, ids: Sequence[int], by_other_payer: bool = False
) -> dict[int, _Posted]:
    """What remittances posted on each claim (those with nothing posted are left out); with
    ``by_other_payer``, only remittances of a payer other than the claim's (a crossover's)."""
    payment, adjustment = t.PaymentRow, t.AdjustmentRow
    which: ColumnElement[bool] = payment.claim_id.in_(ids)
    if by_other_payer:
        which &= posted_by_other_payer()
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


# --- the same rules, set-wise ---------------------------------------------------------------


def balance_rows(where: ColumnElement[bool]) -> Select[int, Decimal, Decimal, bool]:
    """One statement giving (claim id, insurance, patient, adjudicated) for every claim
    ``where`` selects (a condition on ``ClaimRow``), by the rules of the module docstring."""
    claim, payment, adjustment, money = t.ClaimRow, t.PaymentRow, t.AdjustmentRow, t.PatientMoneyRow
    chosen = select(claim.id.label("id")).where(where).cte("wanted")  # worked out once
    wanted = select(chosen.c.id)
    own_paid, own_adjusted = _paid(wanted, False), _adjusted(wanted, False)
    other_paid, other_adjusted = _paid(wanted, True), _adjusted(wanted, True)
    follower = aliased(t.ClaimRow)
    is_pr = adjustment.group_code == "PR"
    followed_pr = (
        select(follower.id.label("claim_id"), func.sum(adjustment.amount).label("pr"))
        .select_from(follower)
        .join(payment, payment.claim_id == follower.follows_claim_id)
        .join(adjustment, adjustment.payment_id == payment.id)
        .where(follower.id.in_(wanted), is_pr)
        .group_by(follower.id)
        .subquery()
    )
    kind = money.kind
    sums = (
        select(
            money.claim_id.label("claim_id"),
            func.sum(money.amount).filter(kind == "payment").label("payments"),
            func.sum(money.amount).filter(kind == "refund").label("refunds"),
            func.sum(money.amount).filter(kind == "write_off").label("write_offs"),
        )
        .where(money.claim_id.in_(wanted), money.undone_at.is_(None))
        .group_by(money.claim_id)
        .subquery()
    )
    passed_on = (
        select(follower.follows_claim_id.label("claim_id"))
        .where(follower.follows_claim_id.in_(wanted))
        .where(follower.status != ClaimStatus.CANCELLED.value, follower.frequency_code != VOID)
        .group_by(follower.follows_claim_id)
        .subquery()
    )
    crossed = and_(claim.crossed_over_to.is_not(None), claim.crossed_over_to != "")
    posted = own_paid.c.claim_id.is_not(None)
    forwarded = and_(crossed, other_paid.c.claim_id.is_not(None))
    own = _sum(sums.c.refunds) - _sum(sums.c.payments)
    write_offs = _sum(sums.c.write_offs)
    charge, pr = claim.total_charge, _sum(own_adjusted.c.pr)
    left = charge - _sum(own_paid.c.paid) - _sum(own_adjusted.c.adjusted) - pr
    expected = case((claim.follows_claim_id.is_(None), charge), else_=_sum(followed_pr.c.pr))
    other_pr = _sum(other_adjusted.c.pr)
    insurance = case(
        (forwarded, charge - _sum(other_paid.c.paid) - _sum(other_adjusted.c.adjusted) - other_pr),
        (posted, left + case((crossed, pr), else_=0)),
        (claim.status == ClaimStatus.CANCELLED.value, 0),
        else_=expected - write_offs,
    )
    passed = or_(passed_on.c.claim_id.is_not(None), crossed)
    patient = case(
        (forwarded, other_pr + own - write_offs),
        (posted, case((passed, 0), else_=pr) + own - write_offs),
        else_=own,
    )
    return (
        select(
            claim.id,
            type_coerce(insurance, Money()).label("insurance"),
            type_coerce(patient, Money()).label("patient"),
            type_coerce(posted, Boolean()).label("adjudicated"),
        )
        .where(claim.id.in_(wanted))
        .outerjoin(own_paid, own_paid.c.claim_id == claim.id)
        .outerjoin(own_adjusted, own_adjusted.c.claim_id == claim.id)
        .outerjoin(other_paid, other_paid.c.claim_id == claim.id)
        .outerjoin(other_adjusted, other_adjusted.c.claim_id == claim.id)
        .outerjoin(followed_pr, followed_pr.c.claim_id == claim.id)
        .outerjoin(sums, sums.c.claim_id == claim.id)
        .outerjoin(passed_on, passed_on.c.claim_id == claim.id)
    )


def _sum(column: ColumnElement[Decimal]) -> ColumnElement[Decimal]:
    return func.coalesce(column, 0)


def _paid(wanted: Select[int], other_payer: bool) -> Any:
    """What payments paid per claim of ``wanted``; with ``other_payer`` only remittances of a
    payer other than the claim's (a crossover's), for crossed-over claims."""
    payment = t.PaymentRow
    query = select(payment.claim_id.label("claim_id"), func.sum(payment.paid).label("paid"))
    return _only(query, wanted, other_payer).group_by(payment.claim_id).subquery()


def _adjusted(wanted: Select[int], other_payer: bool) -> Any:
    """Per claim of ``wanted``, the adjustments but PR (``adjusted``) and PR (``pr``)."""
    payment, adjustment = t.PaymentRow, t.AdjustmentRow
    is_pr = adjustment.group_code == "PR"
    query = select(
        payment.claim_id.label("claim_id"),
        func.sum(adjustment.amount).filter(~is_pr).label("adjusted"),
        func.sum(adjustment.amount).filter(is_pr).label("pr"),
    ).join(payment, payment.id == adjustment.payment_id)
    return _only(query, wanted, other_payer).group_by(payment.claim_id).subquery()


def _only(
    query: Select[*tuple[Any, ...]], wanted: Select[int], other_payer: bool
) -> Select[*tuple[Any, ...]]:
    payment = t.PaymentRow
    query = query.where(payment.claim_id.in_(wanted))
    if not other_payer:
        return query
    paid_for, remittance = aliased(t.ClaimRow), t.RemittanceRow
    return (
        query.join(remittance, remittance.id == payment.remittance_id)
        .join(paid_for, paid_for.id == payment.claim_id)
        .where(is_other_payer(remittance.payer_id, paid_for.payer_id))
        .where(paid_for.crossed_over_to.is_not(None), paid_for.crossed_over_to != "")
    )


def patient_may_owe(*also: Select[int]) -> CompoundSelect[int]:
    """The ids of the claims that can leave a patient anything (a PR adjustment on them, or
    patient money not undone), and of the claims ``also`` selects, as one union: one IN over it,
    not ORed INs, makes PostgreSQL estimate the claims wanted from the PR adjustments (few)
    instead of three quarters of all claims, and read them by key."""
    payment, adjustment, money = t.PaymentRow, t.AdjustmentRow, t.PatientMoneyRow
    # from the PR adjustments to their payments, not every payment to its adjustments
    pr_payments = select(adjustment.payment_id).where(adjustment.group_code == "PR")
    with_pr = select(payment.claim_id).where(payment.id.in_(pr_payments))
    with_money = select(money.claim_id).where(
        money.claim_id.is_not(None), money.undone_at.is_(None)
    )
    return union(with_pr, with_money, *also)


@dataclass(frozen=True, slots=True)
class PatientDue:
    """What a patient owes in all, and on how many open items (appointments whose balance is
    not 0, and a credit on none)."""

    patient_id: int
    due: Decimal
    open_items: int


def patient_dues(session: Session, only: Iterable[int] | None = None) -> list[PatientDue]:
    """The patients whose balance is not 0 (of the ids ``only``, when given), by id, in a few
    statements: the claims that can leave a patient anything (a PR adjustment, or patient money
    on them) are worked out by ``balance_rows``, summed per appointment and patient, and the
    money on appointments without a claim added."""
    claim, appointment, money = t.ClaimRow, t.AppointmentRow, t.PatientMoneyRow
    which: ColumnElement[bool] = claim.id.in_(patient_may_owe())
    patients = list(only) if only is not None else None
    if patients is not None:
        which &= claim.appointment_id.in_(
            select(appointment.id).where(appointment.patient_id.in_(patients))
        )
    rows = balance_rows(which).subquery()
    of_claim = aliased(t.ClaimRow)
    visits = (
        select(appointment.patient_id, func.sum(rows.c.patient).label("owes"))
        .select_from(rows)
        .join(of_claim, of_claim.id == rows.c.id)
        .join(appointment, appointment.id == of_claim.appointment_id)
        .group_by(appointment.patient_id, of_claim.appointment_id)
        .subquery()
    )
    from_claims = select(
        visits.c.patient_id,
        visits.c.owes.label("due"),
        case((visits.c.owes != 0, 1), else_=0).label("open_items"),
    )
    credit = func.sum(case((money.kind == "payment", -money.amount), else_=money.amount))
    credits = (
        select(money.patient_id.label("patient_id"), credit.label("due"))
        .where(money.claim_id.is_(None), money.undone_at.is_(None))
        .group_by(money.patient_id)
    )
    if patients is not None:
        credits = credits.where(money.patient_id.in_(patients))
    credit_rows = credits.subquery()
    from_credits = select(
        credit_rows.c.patient_id,
        credit_rows.c.due,
        case((credit_rows.c.due != 0, 1), else_=0).label("open_items"),
    )
    both = union_all(from_claims, from_credits).subquery()
    total = type_coerce(func.sum(both.c.due), Money())
    query = (
        select(both.c.patient_id, total, func.sum(both.c.open_items))
        .group_by(both.c.patient_id)
        .having(func.sum(both.c.due) != 0)
        .order_by(both.c.patient_id)
    )
    found = session.execute(query)
    return [PatientDue(patient_id, due, int(items)) for patient_id, due, items in found]
