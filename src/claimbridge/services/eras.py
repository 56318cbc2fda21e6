"""ERAs as billers look for them: the list, one EOB per claim, received and deposit dates.

Undoing a posting and posting again are ``services.reposting``; matching a line by hand is
``services.unmatched``; this module only reads what they recorded and keeps the two dates
billers edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from claimbridge.errors import InputError, RecordNotFound
from claimbridge.store import tables as t
from claimbridge.store.repositories import utcnow


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


def era_list(session: Session, wanted: EraFilter) -> list[EraRow]:
    """Remittances matching ``wanted``, newest first."""
    query = _filtered(_era_query(), wanted).order_by(t.RemittanceRow.id.desc()).limit(500)
    rows = [_era_row(found) for found in session.execute(query)]
    return [row for row in rows if _received_within(row.received_on, wanted)]


def _received_within(received_on: date, wanted: EraFilter) -> bool:
    if wanted.received_from and received_on < wanted.received_from:
        return False
    return not (wanted.received_to and received_on > wanted.received_to)


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
    if wanted.payer_id:
        query = query.where(remittance.payer_identifier == wanted.payer_id)
    if wanted.check_number:
        query = query.where(remittance.trace_number.contains(wanted.check_number.strip()))
    if wanted.era_number is not None:
        query = query.where(remittance.inbound_file_id == wanted.era_number)
    return query


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


def claims_of_remittance(session: Session, remittance_id: int) -> list[tuple[str, Decimal]]:
    """The claims a remittance paid (CLM01, amount paid), for the EOB links."""
    query = (
        select(t.ClaimRow.clm01, func.sum(t.PaymentRow.paid))
        .join(t.PaymentRow, t.PaymentRow.claim_id == t.ClaimRow.id)
        .where(t.PaymentRow.remittance_id == remittance_id)
        .group_by(t.ClaimRow.clm01)
        .order_by(t.ClaimRow.clm01)
    )
    return [(clm01, Decimal(paid)) for clm01, paid in session.execute(query)]
