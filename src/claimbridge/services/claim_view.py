"""Claims read back as JSON objects: ``claimbridge claims list`` and ``claims show``.

Totals are sums of what is posted in the ledger's ``payments`` and ``adjustments`` tables,
reversals included (a reversal posts negative amounts), so a claim paid across several ERAs
shows the sum::

    paid                    Σ payments.paid
    adjusted                Σ adjustments.amount whose group is not PR (CO, OA, PI, CR)
    patient_responsibility  Σ adjustments.amount of group PR
    balance                 charge − paid − adjusted − patient_responsibility
                            (what no remittance has accounted for yet)
    insurance_balance       what insurance is still expected to pay (``services.balances``)
    patient_balance         what the patient still owes on it (``services.balances``)

Money is written as strings with two decimals (``"185.00"``). Each claim also says which payer
of the patient it bills (``payer_sequence``: ``primary``, ``secondary``, ``tertiary``), the
CLM01 of the claim whose adjudication it carries (``follows``, else null) and the payer ID a
crossover forwarded it to (``crossed_over_to``, else null).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.balances import ClaimBalance, claim_balances
from claimbridge.services.claim_chain import waiting_ids
from claimbridge.services.claim_facts import split_codes, split_numbers
from claimbridge.services.claims import find_claim
from claimbridge.services.patient_money import MoneyEntry, claim_money
from claimbridge.services.post import unbalanced_claim_ids
from claimbridge.store import tables as t

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Totals:
    """What was posted to a claim (or a line)."""

    paid: Decimal = ZERO
    adjusted: Decimal = ZERO
    patient_responsibility: Decimal = ZERO

    def balance(self, charge: Decimal) -> Decimal:
        """What no remittance has accounted for yet."""
        return charge - self.paid - self.adjusted - self.patient_responsibility


def money(value: Decimal) -> str:
    """An amount as text with two decimals."""
    return str(value.quantize(Decimal("0.01")))


def list_claims(
    session: Session,
    status: ClaimStatus | None = None,
    *,
    unbalanced: bool = False,
    waiting: bool = False,
) -> list[dict[str, Any]]:
    """Every claim (or those in ``status``) with its totals, oldest first; with ``unbalanced``
    only those whose latest ERA did not add up and nobody has marked reviewed; with
    ``waiting`` only claims to a next payer waiting for it (``claim_chain.waiting_ids``)."""
    query = _claim_query()
    if status is not None:
        query = query.where(t.ClaimRow.status == status.value)
    if unbalanced:
        query = query.where(t.ClaimRow.id.in_(unbalanced_claim_ids()))
    if waiting:
        query = query.where(t.ClaimRow.id.in_(waiting_ids()))
    rows = session.execute(query.order_by(t.ClaimRow.id)).all()
    ids = [row[0].id for row in rows]
    totals, balances = claim_totals(session, ids), claim_balances(session, ids)
    return [
        _summary(claim, payer, appointment, totals.get(claim.id), balances[claim.id], follows)
        for claim, payer, appointment, follows in rows
    ]


def show_claim(session: Session, reference: str) -> dict[str, Any]:
    """One claim (by id or CLM01) with its lines, events, acknowledgments and payments."""
    found = find_claim(session, reference)
    claim, payer, appointment, follows = session.execute(
        _claim_query().where(t.ClaimRow.id == found.id)
    ).one()
    totals = claim_totals(session, [claim.id]).get(claim.id)
    balance = claim_balances(session, [claim.id])[claim.id]
    shown = _summary(claim, payer, appointment, totals, balance, follows)
    shown.update(
        service_date=claim.service_date.isoformat(),
        frequency_code=claim.frequency_code,
        payer_claim_control_number=claim.payer_claim_control_number,
        status_reason=claim.status_reason,
        era_expected=claim.era_expected,
        lines=_lines(session, claim.id),
        events=_events(session, claim.id),
        acknowledgments=_acknowledgments(session, claim.id),
        payments=_payments(session, claim.id),
        patient_money=[_money_entry(entry) for entry in claim_money(session, claim.id)],
    )
    return shown


def claim_totals(session: Session, claim_ids: Sequence[int]) -> dict[int, Totals]:
    """Posted totals per claim id (claims with nothing posted are left out)."""
    return _totals(session, t.PaymentRow.claim_id, claim_ids)


def _totals(session: Session, key: Any, ids: Sequence[int]) -> dict[int, Totals]:
    if not ids:
        return {}
    query = select(key, func.sum(t.PaymentRow.paid)).where(key.in_(ids)).group_by(key)
    paid: dict[int, object] = {item: amount for item, amount in session.execute(query)}
    is_pr = t.AdjustmentRow.group_code == "PR"
    adjustments = session.execute(
        select(
            key,
            func.sum(t.AdjustmentRow.amount).filter(~is_pr),  # keeps the Money type
            func.sum(t.AdjustmentRow.amount).filter(is_pr),
        )
        .join(t.PaymentRow, t.PaymentRow.id == t.AdjustmentRow.payment_id)
        .where(key.in_(ids))
        .group_by(key)
    ).all()
    found = {item: Totals(paid=_dec(amount)) for item, amount in paid.items()}
    for item, adjusted, owed in adjustments:
        found[item] = Totals(found.get(item, Totals()).paid, _dec(adjusted), _dec(owed))
    return found


def _dec(value: object) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(ZERO)


def _claim_query() -> Any:
    followed = aliased(t.ClaimRow)
    return (
        select(t.ClaimRow, t.PayerRow.payer_id, t.AppointmentRow.key, followed.clm01)
        .join(t.PayerRow, t.PayerRow.id == t.ClaimRow.payer_id)
        .outerjoin(t.AppointmentRow, t.AppointmentRow.id == t.ClaimRow.appointment_id)
        .outerjoin(followed, followed.id == t.ClaimRow.follows_claim_id)
    )


def _summary(
    claim: t.ClaimRow,
    payer_id: str,
    appointment: str | None,
    totals: Totals | None,
    balance: ClaimBalance,
    follows: str | None = None,
) -> dict[str, Any]:
    totals = totals or Totals()
    return {
        "id": claim.id,
        "patient_control_number": claim.clm01,
        "appointment_id": appointment,
        "payer_id": payer_id,
        "status": claim.status,
        "charge": money(claim.total_charge),
        "paid": money(totals.paid),
        "adjusted": money(totals.adjusted),
        "patient_responsibility": money(totals.patient_responsibility),
        "balance": money(totals.balance(claim.total_charge)),
        "insurance_balance": money(balance.insurance),
        "patient_balance": money(balance.patient),
        "payer_sequence": claim.payer_sequence,
        "follows": follows,
        "crossed_over_to": claim.crossed_over_to,
    }


def _lines(session: Session, claim_id: int) -> list[dict[str, Any]]:
    query = select(t.ClaimLineRow).where(t.ClaimLineRow.claim_id == claim_id)
    rows = list(session.scalars(query.order_by(t.ClaimLineRow.line_number)))
    totals = _totals(session, t.PaymentRow.claim_line_id, [row.id for row in rows])
    return [_line(row, totals.get(row.id) or Totals()) for row in rows]


def _line(row: t.ClaimLineRow, totals: Totals) -> dict[str, Any]:
    return {
        "line_number": row.line_number,
        "procedure_code": row.code,
        "modifiers": list(split_codes(row.modifiers)),
        "units": str(row.units.normalize()),
        "diagnosis_pointers": list(split_numbers(row.diagnosis_pointers)),
        "service_date": row.service_date.isoformat(),
        "line_control_number": row.line_control_number,
        "charge": money(row.charge),
        "paid": money(totals.paid),
        "adjusted": money(totals.adjusted),
        "patient_responsibility": money(totals.patient_responsibility),
    }


def _events(session: Session, claim_id: int) -> list[dict[str, Any]]:
    query = (
        select(t.ClaimEventRow, t.InboundFileRow.name)
        .outerjoin(t.InboundFileRow, t.InboundFileRow.id == t.ClaimEventRow.inbound_file_id)
        .where(t.ClaimEventRow.claim_id == claim_id)
        .order_by(t.ClaimEventRow.id)
    )
    return [
        {
            "what": event.what,
            "at": event.at.isoformat(),
            "from_status": event.from_status,
            "to_status": event.to_status,
            "why": event.why,
            "actor": event.actor,
            "source_file": file_name,
        }
        for event, file_name in session.execute(query).all()
    ]


def _acknowledgments(session: Session, claim_id: int) -> list[dict[str, Any]]:
    query = (
        select(t.AcknowledgmentRow, t.InboundFileRow.name)
        .join(t.InboundFileRow, t.InboundFileRow.id == t.AcknowledgmentRow.inbound_file_id)
        .where(t.AcknowledgmentRow.claim_id == claim_id)
        .order_by(t.AcknowledgmentRow.id)
    )
    return [
        {
            "kind": ack.kind,
            "code": ack.code,
            "detail": ack.detail,
            "control_number": ack.control_number,
            "at": ack.created_at.isoformat(),
            "source_file": file_name,
        }
        for ack, file_name in session.execute(query).all()
    ]


def _payments(session: Session, claim_id: int) -> list[dict[str, Any]]:
    query = (
        select(t.PaymentRow, t.RemittanceRow, t.ClaimLineRow.line_number)
        .join(t.RemittanceRow, t.RemittanceRow.id == t.PaymentRow.remittance_id)
        .outerjoin(t.ClaimLineRow, t.ClaimLineRow.id == t.PaymentRow.claim_line_id)
        .where(t.PaymentRow.claim_id == claim_id)
        .order_by(t.PaymentRow.id)
    )
    found = session.execute(query).all()
    adjustments = _adjustments(session, [payment.id for payment, _, _ in found])
    return [
        {
            "remittance_id": remittance.id,
            "paper": remittance.inbound_file_id is None,  # entered from a paper EOB
            "payer": remittance.payer_identifier,
            "trace_number": remittance.trace_number,
            "payment_date": remittance.payment_date.isoformat()
            if remittance.payment_date
            else None,
            "line_number": line_number,
            "status_code": payment.status_code,
            "payer_claim_control_number": payment.payer_claim_control_number,
            "charge": money(payment.charge),
            "paid": money(payment.paid),
            "adjustments": adjustments.get(payment.id, []),
        }
        for payment, remittance, line_number in found
    ]


def _adjustments(session: Session, payment_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    if not payment_ids:
        return {}
    query = (
        select(t.AdjustmentRow)
        .where(t.AdjustmentRow.payment_id.in_(payment_ids))
        .order_by(t.AdjustmentRow.id)
    )
    found: dict[int, list[dict[str, str]]] = {}
    for row in session.scalars(query):
        found.setdefault(row.payment_id, []).append(
            {"group": row.group_code, "reason": row.reason_code, "amount": money(row.amount)}
        )
    return found


def _money_entry(entry: MoneyEntry) -> dict[str, Any]:
    """A patient payment, refund or write-off as JSON: money as text, times in ISO 8601."""
    shown: dict[str, Any] = {}
    for name in entry.__dataclass_fields__:
        value = getattr(entry, name)
        shown[name] = money(value) if isinstance(value, Decimal) else value
        if isinstance(value, date):  # datetime too
            shown[name] = value.isoformat()
    return shown
