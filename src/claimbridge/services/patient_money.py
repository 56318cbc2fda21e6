"""Patient payments, refunds and write-offs on a claim, one of its lines, or an appointment.

::

    record_money(session, read_money({"kind": "payment", "amount": "25.00", "method": "check",
                                      "reference": "1042", "claim": "CB000001"}, today), "biller")
    undo_money(session, 7, "biller", "the check bounced")

Each entry is a ``patient_money`` row and an event in its claim's history (``claim_events``:
``patient_payment``, ``patient_refund``, ``write_off``; ``patient_money_undone`` when a person
undoes one, with why). Nothing is deleted: an undone entry keeps its row and counts for nothing
in the balances (``services.balances``).

Money on an appointment goes to the claim of that appointment the patient owes on (the largest
patient balance), else to its last claim (the one no other claim follows); an appointment with
no claim yet keeps a payment or a refund itself, as a credit of the patient. A write-off may
not exceed what it writes off: the patient balance of an adjudicated claim, else what its payer
is still expected to pay (a claim past its filing limit, say).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from claimbridge.domain.patient_money import MoneyIn, MoneyKind, reason_of_code
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound, InputError, RecordNotFound, StoreError
from claimbridge.services.balances import claim_balances
from claimbridge.store import tables as t
from claimbridge.store.repositories import ClaimRepository, utcnow

ZERO = Decimal("0.00")
EVENTS = {
    MoneyKind.PAYMENT: "patient_payment",
    MoneyKind.REFUND: "patient_refund",
    MoneyKind.WRITE_OFF: "write_off",
}
UNDONE_EVENT = "patient_money_undone"


@dataclass(frozen=True, slots=True)
class MoneyEntry:
    """A patient payment, refund or write-off as recorded: where it went (``clm01``, ``line``,
    ``appointment``), and whether a person undid it."""

    id: int
    kind: str
    amount: Decimal
    received_on: date
    method: str | None
    reference: str | None
    reason: str | None  # a write-off's reason key (``domain.patient_money``)
    adjustment_code: str | None  # a write-off's group-code, e.g. OA-SB
    clm01: str | None
    line: int | None
    appointment: str | None
    note: str | None
    entered_by: str
    entered_at: datetime
    undone_at: datetime | None = None
    undone_by: str | None = None
    undo_reason: str | None = None

    def __str__(self) -> str:
        where = f"claim {self.clm01}" if self.clm01 else f"appointment {self.appointment}"
        where += f" line {self.line}" if self.line else ""
        undone = f"; undone by {self.undone_by}: {self.undo_reason}" if self.undone_at else ""
        return f"{self.kind.replace('_', '-')} {self.id}: {self.amount} on {where}{undone}"


def record_money(session: Session, entry: MoneyIn, actor: str) -> MoneyEntry:
    """Record ``entry`` where it says (see the module docstring); ``InputError`` when it cannot
    go there, ``RecordNotFound`` for a claim or appointment the practice does not have."""
    claim, line_id, appointment = _target(session, entry)
    if entry.kind is MoneyKind.WRITE_OFF:
        if claim is None:
            raise InputError("an appointment without a claim has no balance to write off")
        _check_write_off(session, claim, entry.amount)
    row = t.PatientMoneyRow(
        kind=entry.kind.value,
        patient_id=appointment.patient_id,
        appointment_id=appointment.id,
        claim_id=claim.id if claim else None,
        claim_line_id=line_id,
        method=entry.method.value if entry.method else None,
        reference=entry.reference,
        group_code=entry.reason.group if entry.reason else None,
        reason_code=entry.reason.code if entry.reason else None,
        amount=entry.amount,
        received_on=entry.received_on,
        note=entry.note,
        entered_at=utcnow(),
        entered_by=actor,
    )
    session.add(row)
    session.flush()
    if claim is not None:
        where = f" (line {entry.line})" if entry.line else ""
        why = f"{entry.words()}{where}, entry {row.id}"
        why += f": {entry.note}" if entry.note else ""
        ClaimRepository(session).note_many([(claim.id, why)], EVENTS[entry.kind], actor)
    return _entries(session, t.PatientMoneyRow.id == row.id)[0]


def undo_money(session: Session, entry_id: int, actor: str, reason: str) -> MoneyEntry:
    """Undo entry ``entry_id`` with why; it stays, counting for nothing, and its claim's
    history says who undid it and why."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("a reason for undoing is required; say why, so the history explains it")
    row = session.get(t.PatientMoneyRow, entry_id, with_for_update=True)
    if row is None:
        raise RecordNotFound(f"no patient payment, refund or write-off {entry_id}")
    if row.undone_at is not None:
        raise StoreError(f"entry {entry_id} was already undone by {row.undone_by}")
    row.undone_at, row.undone_by, row.undo_reason = utcnow(), actor, reason
    if row.claim_id is not None:
        what = row.kind.replace("_", "-")
        why = f"{what} of {row.amount} (entry {row.id}) undone by {actor}: {reason}"
        ClaimRepository(session).note_many([(row.claim_id, why)], UNDONE_EVENT, actor)
    session.flush()
    return _entries(session, t.PatientMoneyRow.id == row.id)[0]


def claim_money(session: Session, claim_id: int) -> list[MoneyEntry]:
    """The patient money on claim ``claim_id``, undone entries too, oldest first."""
    return _entries(session, t.PatientMoneyRow.claim_id == claim_id)


def patient_money(session: Session, patient_id: int) -> list[MoneyEntry]:
    """Every patient payment, refund and write-off of patient ``patient_id``, oldest first."""
    return _entries(session, t.PatientMoneyRow.patient_id == patient_id)


def claim_by_number(session: Session, clm01: str) -> t.ClaimRow:
    """The claim whose patient control number (CLM01) is ``clm01``; ``ClaimNotFound`` else."""
    row = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == clm01)).first()
    if row is None:
        raise ClaimNotFound(f"no claim {clm01!r} (give its claim number, CLM01)", claim_id=clm01)
    return row


def find_patient(session: Session, key: str) -> t.PatientRow:
    """The patient whose id in the practice is ``key``; ``RecordNotFound`` when none."""
    row = session.scalars(select(t.PatientRow).where(t.PatientRow.key == key)).first()
    if row is None:
        raise RecordNotFound(f"no patient {key!r} (give their id in the practice)")
    return row


def _target(
    session: Session, entry: MoneyIn
) -> tuple[t.ClaimRow | None, int | None, t.AppointmentRow]:
    """The claim (or None), claim line id and appointment the entry goes to."""
    if entry.claim is not None:
        claim = claim_by_number(session, entry.claim)
        appointment = session.get(t.AppointmentRow, claim.appointment_id or 0)
        if appointment is None:
            raise InputError(f"claim: claim {claim.clm01} has no appointment, so no patient")
        return claim, _line_id(session, claim, entry.line), appointment
    appointment = session.scalars(
        select(t.AppointmentRow).where(t.AppointmentRow.key == entry.appointment)
    ).first()
    if appointment is None:
        raise RecordNotFound(f"no appointment {entry.appointment!r} (give its id in the practice)")
    return _claim_of_appointment(session, appointment.id), None, appointment


def _line_id(session: Session, claim: t.ClaimRow, number: int | None) -> int | None:
    if number is None:
        return None
    query = select(t.ClaimLineRow.id).where(
        t.ClaimLineRow.claim_id == claim.id, t.ClaimLineRow.line_number == number
    )
    line_id = session.scalars(query).first()
    if line_id is None:
        raise InputError(f"line: claim {claim.clm01} has no line {number}")
    return line_id


def _claim_of_appointment(session: Session, appointment_id: int) -> t.ClaimRow | None:
    """The claim of the appointment the patient owes most on, else its last claim."""
    query = select(t.ClaimRow).where(
        t.ClaimRow.appointment_id == appointment_id,
        t.ClaimRow.status != ClaimStatus.CANCELLED.value,
    )
    claims = list(session.scalars(query.order_by(t.ClaimRow.id)))
    if not claims:
        return None
    balances = claim_balances(session, [claim.id for claim in claims])
    owing = [claim for claim in claims if balances[claim.id].patient > 0]
    if owing:
        return max(owing, key=lambda claim: (balances[claim.id].patient, -claim.id))
    followed = {claim.follows_claim_id for claim in claims}
    last = [claim for claim in claims if claim.id not in followed]
    return (last or claims)[-1]


def _check_write_off(session: Session, claim: t.ClaimRow, amount: Decimal) -> None:
    balance = claim_balances(session, [claim.id])[claim.id]
    side, open_amount = (
        ("the patient owes", balance.patient)
        if balance.adjudicated
        else ("its payer is still expected to pay", balance.insurance)
    )
    if amount > open_amount:
        raise InputError(
            f"amount: {side} {open_amount} on claim {claim.clm01}; a write-off of {amount} "
            "is more than that"
        )


def _entries(session: Session, which: ColumnElement[bool]) -> list[MoneyEntry]:
    money = t.PatientMoneyRow
    full = (
        select(money, t.ClaimRow.clm01, t.ClaimLineRow.line_number, t.AppointmentRow.key)
        .outerjoin(t.ClaimRow, t.ClaimRow.id == money.claim_id)
        .outerjoin(t.ClaimLineRow, t.ClaimLineRow.id == money.claim_line_id)
        .outerjoin(t.AppointmentRow, t.AppointmentRow.id == money.appointment_id)
        .where(which)
        .order_by(money.id)
    )
    return [_entry(row, clm01, line, key) for row, clm01, line, key in session.execute(full)]


def _entry(
    row: t.PatientMoneyRow, clm01: str | None, line: int | None, appointment: str | None
) -> MoneyEntry:
    reason = reason_of_code(row.group_code, row.reason_code)
    return MoneyEntry(
        id=row.id,
        kind=row.kind,
        amount=row.amount,
        received_on=row.received_on,
        method=row.method,
        reference=row.reference,
        reason=reason.key if reason else None,
        adjustment_code=f"{row.group_code}-{row.reason_code}" if row.group_code else None,
        clm01=clm01,
        line=line,
        appointment=appointment,
        note=row.note,
        entered_by=row.entered_by,
        entered_at=row.entered_at,
        undone_at=row.undone_at,
        undone_by=row.undone_by,
        undo_reason=row.undo_reason,
    )
