"""The payer master list in the ledger: read as ``Payer`` values, written from files and lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.models import Enrollment, EnrollmentStatus, Payer, Transaction
from claimbridge.domain.payer_list import PayerList, PayerListEntry
from claimbridge.errors import StoreError
from claimbridge.store import tables as t
from claimbridge.store.corrections import ENROLLMENTS, keep_corrected, remember_edits
from claimbridge.store.sync import Tally, find, upsert, upsert_found


def payer_row(session: Session, payer_id: str) -> t.PayerRow:
    """The row of the payer with Office Ally ID ``payer_id``; ``StoreError`` when unknown."""
    row = session.scalars(select(t.PayerRow).where(t.PayerRow.payer_id == payer_id)).first()
    if row is None:
        raise StoreError(f"no payer {payer_id!r} in the payer list")
    return row


def get_payer(session: Session, payer_id: str) -> Payer:
    """The payer with Office Ally ID ``payer_id``, with its enrollments."""
    return _to_payer(payer_row(session, payer_id), _enrollments(session, [payer_id]))


def list_payers(session: Session) -> list[Payer]:
    """Every payer, by name."""
    rows = session.scalars(select(t.PayerRow).order_by(t.PayerRow.name, t.PayerRow.payer_id))
    payers = list(rows)
    enrollments = _enrollments(session, [row.payer_id for row in payers])
    return [_to_payer(row, enrollments) for row in payers]


def _enrollments(session: Session, payer_ids: list[str]) -> dict[str, list[Enrollment]]:
    query = (
        select(t.PayerRow.payer_id, t.PayerEnrollmentRow)
        .join(t.PayerEnrollmentRow, t.PayerEnrollmentRow.payer_id == t.PayerRow.id)
        .where(t.PayerRow.payer_id.in_(payer_ids))
        .order_by(t.PayerEnrollmentRow.transaction_type.desc())
    )
    found: dict[str, list[Enrollment]] = {}
    for payer_id, row in session.execute(query):
        found.setdefault(payer_id, []).append(_to_enrollment(row))
    return found


def _to_enrollment(row: t.PayerEnrollmentRow) -> Enrollment:
    return Enrollment(
        transaction=Transaction(row.transaction_type),
        required=row.required,
        status=EnrollmentStatus(row.status),
        submitted_on=row.submitted_on,
        approved_on=row.approved_on,
        rejected_on=row.rejected_on,
        office_ally_notified=row.office_ally_notified,
        office_ally_notified_on=row.office_ally_notified_on,
    )


def _to_payer(row: t.PayerRow, enrollments: dict[str, list[Enrollment]]) -> Payer:
    return Payer(
        payer_id=row.payer_id,
        name=row.name,
        claim_filing_indicator=row.claim_filing_indicator,
        par=row.par,
        enrollments=tuple(enrollments.get(row.payer_id, ())),
        notes=row.notes,
        timely_filing_days=row.timely_filing_days,
    )


def write_payer(session: Session, payer: Payer, tally: Tally, edited_by: str | None = None) -> None:
    """Add or update ``payer`` and its enrollments.

    From a practice file (``edited_by`` None), an enrollment a person changed in claimbridge
    keeps its state over a file that says otherwise, and the tally lists it; a person's save
    (``edited_by`` names them) is remembered for the next load (``store.corrections``).
    """
    values: dict[str, Any] = {
        "name": payer.name,
        "claim_filing_indicator": payer.claim_filing_indicator,
        "par": payer.par,
    }
    if payer.notes is not None:
        values["notes"] = payer.notes
    if payer.timely_filing_days is not None:
        values["timely_filing_days"] = payer.timely_filing_days
    row, outcome = upsert(session, t.PayerRow, {"payer_id": payer.payer_id}, values)
    tally.count("payers", outcome)
    for enrollment in payer.enrollments:
        key = {"payer_id": row.id, "transaction_type": enrollment.transaction.value}
        existing = find(session, t.PayerEnrollmentRow, key)
        values = _enrollment_values(enrollment)
        if edited_by is not None and existing is not None:
            remember_edits(session, ENROLLMENTS, existing, values, edited_by)
        elif edited_by is None:
            record = f"payer {payer.payer_id}'s {enrollment.transaction.value} enrollment"
            kept = keep_corrected(session, ENROLLMENTS, existing, values, record)
            tally.note(kept)
            values = kept.values
        written = upsert_found(session, t.PayerEnrollmentRow, key, existing, values)
        tally.count("enrollments", written[1])


def _enrollment_values(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "required": enrollment.required,
        "status": enrollment.status.value,
        "submitted_on": enrollment.submitted_on,
        "approved_on": enrollment.approved_on,
        "rejected_on": enrollment.rejected_on,
        "office_ally_notified": enrollment.office_ally_notified,
        "office_ally_notified_on": enrollment.office_ally_notified_on,
    }


def apply_payer_list(session: Session, payer_list: PayerList, now: datetime) -> Tally:
    """Merge an Office Ally payer list into the master list: one row per payer ID, always.

    The list's name, Par mark, notes, filing indicator and enrollment-required marks update the
    payer; enrollment statuses and dates (which the list does not know) are kept. A payer the
    list is silent about stays as it is; a new payer with no Par mark is taken as Par.
    """
    tally = Tally()
    for entry in payer_list.entries:
        row, outcome = upsert(
            session, t.PayerRow, {"payer_id": entry.payer_id}, _listed_values(session, entry)
        )
        row.listed_at = now
        tally.count("payers", outcome)
        for transaction, required in entry.enrollment_required:
            tally.count("enrollments", _mark_required(session, row.id, transaction, required))
    return tally


def _listed_values(session: Session, entry: PayerListEntry) -> dict[str, Any]:
    exists = session.scalars(
        select(t.PayerRow.id).where(t.PayerRow.payer_id == entry.payer_id)
    ).first()
    values: dict[str, Any] = {"name": entry.name}
    if entry.par is not None or exists is None:
        values["par"] = True if entry.par is None else entry.par
    if entry.notes is not None:
        values["notes"] = entry.notes
    if entry.claim_filing_indicator is not None or exists is None:
        values["claim_filing_indicator"] = entry.claim_filing_indicator
    return values


def _mark_required(
    session: Session, payer_row_id: int, transaction: Transaction, required: bool
) -> str:
    key = {"payer_id": payer_row_id, "transaction_type": transaction.value}
    existing = session.scalars(select(t.PayerEnrollmentRow).filter_by(**key)).first()
    values: dict[str, Any] = {"required": required}
    if existing is None:
        values |= {"status": "not_started", "office_ally_notified": False}
    return upsert(session, t.PayerEnrollmentRow, key, values)[1]
