"""ERAs as billers look for them: the list, one EOB per claim, received and deposit dates.

Undoing a posting and posting again are ``services.reposting``; matching a line by hand is
``services.unmatched``; this module only reads what they recorded and keeps the two dates
billers edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from claimbridge.domain.remit_codes import plb_text
from claimbridge.errors import InputError, RecordNotFound
from claimbridge.services.worklist import PAGE_SIZE, PAGE_SIZES
from claimbridge.store import tables as t
from claimbridge.store.repositories import utcnow

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class EraFilter:
    """Filters of the ERA list; None is not filtered on. ``era_number`` is the file's number."""

    received_from: date | None = None
    received_to: date | None = None
    payer_id: str | None = None
    check_number: str | None = None
    era_number: int | None = None


@dataclass(frozen=True, slots=True)
class EraRow:
    """A check or EFT with the file it came in and the dates a biller keeps."""

    id: int
    era_number: int | None
    file_name: str | None
    payer: str
    method: str
    check_number: str
    amount: Decimal
    payment_date: date | None
    received_on: date
    deposit_on: date | None
    claims: int
    undone_at: datetime | None = None  # its posting undone by a person (``services.reposting``)
    undone_by: str | None = None
    posted: Decimal = ZERO  # what its claims paid, as posted to our claims
    not_posted: Decimal = ZERO  # what it paid on ERA claims that wait for a person, or not ours
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()

    @property
    def paper(self) -> bool:
        """True when a person entered it from a paper EOB (``services.paper``): no ERA file."""
        return self.era_number is None

    @property
    def reconciles(self) -> bool:
        """True when the claims' payments less the PLB adjustments make the deposit."""
        plb = sum((p.amount for p in self.provider_adjustments), ZERO)
        return self.posted + self.not_posted - plb == self.amount


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A PLB adjustment of a remittance: ``amount`` reduced the payment (L6 interest is
    negative: it was added; WO recoupment positive: it was taken back)."""

    reason_code: str
    reference: str | None
    amount: Decimal

    @property
    def what(self) -> str:
        """The reason in words."""
        return plb_text(self.reason_code)


@dataclass(frozen=True, slots=True)
class EraPage:
    """One page of the ERA list, newest first, and how many remittances match in all."""

    rows: list[EraRow]
    total: int
    number: int
    size: int

    @property
    def first(self) -> int:
        """The number of the page's first row (0 when the page is empty)."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The number of the page's last row."""
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def pages(self) -> int:
        """How many pages the matching remittances fill (at least one)."""
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        """True when a page follows this one."""
        return self.number < self.pages


def era_list(
    session: Session, wanted: EraFilter, number: int = 1, size: int = PAGE_SIZE
) -> EraPage:
    """Page ``number`` (of ``size``: 25, 50, 100 or 200) of the remittances matching
    ``wanted``, newest first, each with what it paid and its PLB adjustments. A page beyond the
    last gives the last."""
    if size not in PAGE_SIZES or number < 1:
        raise InputError(f"page {number} of {size}: the size is one of 25, 50, 100, 200")
    ids = _filtered(select(t.RemittanceRow.id), wanted)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    number = min(number, max(1, -(-total // size)))
    query = _filtered(_era_query(), wanted).order_by(t.RemittanceRow.id.desc())
    found = session.execute(query.offset((number - 1) * size).limit(size)).all()
    rows = [_era_row(row) for row in found]
    return EraPage(_with_money(session, rows), total, number, size)


def _with_money(session: Session, rows: list[EraRow]) -> list[EraRow]:
    """``rows`` with what each paid (posted and not) and its PLB adjustments."""
    ids = [row.id for row in rows]
    if not ids:
        return rows
    payment, waiting, plb = t.PaymentRow, t.UnmatchedClaimRow, t.ProviderAdjustmentRow
    posted = _sums(session, payment.remittance_id, payment.paid, payment.remittance_id.in_(ids))
    not_ours = waiting.matched_claim_id.is_(None)
    unposted = _sums(session, waiting.remittance_id, waiting.paid,
                     waiting.remittance_id.in_(ids) & not_ours)  # fmt: skip
    adjustments: dict[int, list[ProviderAdjustment]] = {}
    query = select(plb).where(plb.remittance_id.in_(ids)).order_by(plb.id)
    for row in session.scalars(query):
        adjustment = ProviderAdjustment(row.reason_code, row.reference, row.amount)
        adjustments.setdefault(row.remittance_id, []).append(adjustment)
    return [
        replace(
            row,
            posted=posted.get(row.id, ZERO),
            not_posted=unposted.get(row.id, ZERO),
            provider_adjustments=tuple(adjustments.get(row.id, ())),
        )
        for row in rows
    ]


def _sums(
    session: Session, key: Any, amount: Any, which: ColumnElement[bool]
) -> dict[int, Decimal]:
    query = select(key, func.sum(amount)).where(which).group_by(key)
    return {found: Decimal(str(total)).quantize(ZERO) for found, total in session.execute(query)}


def _era_query() -> Select[*tuple[Any, ...]]:
    claims = (
        select(func.count(func.distinct(t.PaymentRow.claim_id)))
        .where(t.PaymentRow.remittance_id == t.RemittanceRow.id)
        .scalar_subquery()
    )
    return (
        select(
            t.RemittanceRow, t.RemittanceDatesRow, t.InboundFileRow.name, t.PayerRow.name, claims
        )
        .outerjoin(t.RemittanceDatesRow, t.RemittanceDatesRow.remittance_id == t.RemittanceRow.id)
        .outerjoin(t.InboundFileRow, t.InboundFileRow.id == t.RemittanceRow.inbound_file_id)
        .outerjoin(t.PayerRow, t.PayerRow.id == t.RemittanceRow.payer_id)
    )


def _filtered(query: Select[*tuple[Any, ...]], wanted: EraFilter) -> Select[*tuple[Any, ...]]:
    remittance = t.RemittanceRow
    if wanted.received_from or wanted.received_to:
        query = query.where(_received_between(wanted.received_from, wanted.received_to))
    if wanted.payer_id:
        query = query.where(remittance.payer_identifier == wanted.payer_id)
    if wanted.check_number:
        query = query.where(remittance.trace_number.contains(wanted.check_number.strip()))
    if wanted.era_number is not None:
        query = query.where(remittance.inbound_file_id == wanted.era_number)
    return query


def _received_between(start: date | None, end: date | None) -> ColumnElement[bool]:
    """The remittance was received between ``start`` and ``end`` (either may be open): the
    date a biller entered, else the day it came in."""
    dates, remittance = aliased(t.RemittanceDatesRow), t.RemittanceRow
    entered = select(dates.received_on).where(dates.remittance_id == remittance.id)
    kept = entered.where(dates.received_on.is_not(None)).exists()
    on_day = and_(
        *([dates.received_on >= start] if start else []),
        *([dates.received_on <= end] if end else []),
    )
    by_entry = select(dates.remittance_id).where(dates.remittance_id == remittance.id, on_day)
    arrived = and_(
        *([remittance.created_at >= _midnight(start)] if start else []),
        *([remittance.created_at < _midnight(end + timedelta(days=1))] if end else []),
    )
    return or_(by_entry.exists(), and_(~kept, arrived))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _era_row(found: Any) -> EraRow:
    remittance, dates, file_name, payer_name, claims = found
    return EraRow(
        id=remittance.id,
        era_number=remittance.inbound_file_id,
        file_name=file_name,
        payer=payer_name or remittance.payer_identifier,
        method=remittance.method,
        check_number=remittance.trace_number,
        amount=remittance.amount,
        payment_date=remittance.payment_date,
        received_on=dates.received_on
        if dates and dates.received_on
        else _day(remittance.created_at),
        deposit_on=dates.deposit_on if dates else None,
        claims=claims,
        undone_at=remittance.undone_at,
        undone_by=remittance.undone_by,
    )


def _day(moment: datetime) -> date:
    return moment.date()


def set_dates(
    session: Session, remittance_id: int, received_on: date, deposit_on: date | None, by: str
) -> None:
    """Keep the received and deposit dates of a remittance; a deposit precedes no receipt."""
    if session.get(t.RemittanceRow, remittance_id) is None:
        raise RecordNotFound(f"no remittance {remittance_id}")
    if deposit_on is not None and deposit_on < received_on:
        raise InputError("the deposit date is before the received date")
    row = session.get(t.RemittanceDatesRow, remittance_id)
    if row is None:
        row = t.RemittanceDatesRow(remittance_id=remittance_id, updated_by=by, updated_at=utcnow())
        session.add(row)
    row.received_on, row.deposit_on = received_on, deposit_on
    row.updated_by, row.updated_at = by, utcnow()


@dataclass(frozen=True, slots=True)
class ClaimsPaid:
    """Claims a remittance paid, (CLM01, paid) each, and how many more it paid."""

    shown: list[tuple[str, Decimal]]
    more: int


def claims_of_remittance(
    session: Session, remittance_id: int, most: int | None = None
) -> ClaimsPaid:
    """The claims a remittance paid (CLM01, amount paid) in the order they were made, for the
    EOB links: at most ``most`` of them, with how many more there are (a check may pay
    hundreds)."""
    return claims_of_remittances(session, [remittance_id], most)[remittance_id]


def claims_of_remittances(
    session: Session, remittance_ids: Sequence[int], most: int | None = None
) -> dict[int, ClaimsPaid]:
    """``claims_of_remittance`` of each remittance of a page, in one query: what each claim
    was paid, numbered and counted per remittance, comes from the payments' index; only the
    claims shown are looked up for their number."""
    if not remittance_ids:
        return {}
    payment = t.PaymentRow
    number = func.row_number().over(partition_by=payment.remittance_id, order_by=payment.claim_id)
    per_claim = (
        select(
            payment.remittance_id,
            payment.claim_id,
            func.sum(payment.paid).label("paid"),
            number.label("number"),
            func.count().over(partition_by=payment.remittance_id).label("claims"),
        )
        .where(payment.remittance_id.in_(remittance_ids))
        .group_by(payment.remittance_id, payment.claim_id)
        .subquery()
    )
    query = (
        select(per_claim.c.remittance_id, t.ClaimRow.clm01, per_claim.c.paid, per_claim.c.claims)
        .join(per_claim, per_claim.c.claim_id == t.ClaimRow.id)
        .order_by(per_claim.c.remittance_id, t.ClaimRow.id)
    )
    if most is not None:
        query = query.where(per_claim.c.number <= most)
    shown: dict[int, list[tuple[str, Decimal]]] = {}
    counted: dict[int, int] = {}
    for remittance_id, clm01, paid, claims in session.execute(query):
        shown.setdefault(remittance_id, []).append((clm01, Decimal(paid)))
        counted[remittance_id] = claims
    return {
        remittance_id: ClaimsPaid(
            shown.get(remittance_id, []),
            counted.get(remittance_id, 0) - len(shown.get(remittance_id, [])),
        )
        for remittance_id in remittance_ids
    }
