"""The practice's records a person changed in claimbridge, kept over an older EHR export.

A biller corrects the insured's ID on a policy and the patient's name and birth date while
correcting a claim (``services.claim_fix``), sets a payer's enrollment, and an admin changes the
Office Ally account's SFTP login, go-live date or ERA split; ``remember`` (or ``remember_edits``,
which compares) notes which field of which row, when and by whom. The value stays where it is,
on its own row, never copied. An enrollment is remembered as a whole (its status stands for its
dates and marks too: ``COVERS``).

Loading a practice file (``store.practice``) asks ``keep_corrected`` which of the file's values
to write: a corrected field whose file value differs keeps the correction (the file is an export
made before the EHR was corrected) and is reported as kept; a corrected field whose file value
is the corrected one (the EHR caught up) is forgotten, so later exports update it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.store import tables as t

# the tables whose fields a person corrects (tables.CORRECTED_FIELDS names the fields)
PATIENTS, POLICIES, ENROLLMENTS, ACCOUNTS = "patients", "policies", "enrollments", "accounts"
LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "dob": "birth date",
    "member_id": "insured's ID",
    "group_number": "group number",
    "subscriber_first_name": "insured's first name",
    "subscriber_last_name": "insured's last name",
    "status": "status",
    "sftp_host": "SFTP host",
    "sftp_port": "SFTP port",
    "username": "SFTP user",
    "password_token": "SFTP password",
    "go_live": "go-live date",
    "era_split": "ERA split option",
    "service_center_username": "Service Center username",
}  # how a report names a corrected field (never its value)
COVERS = {
    "status": (
        "required",
        "status",
        "submitted_on",
        "approved_on",
        "rejected_on",
        "office_ally_notified",
        "office_ally_notified_on",
    ),
}  # a remembered field that stands for several columns of its row
Corrected = t.PatientRow | t.PolicyRow | t.PayerEnrollmentRow | t.ClearinghouseAccountRow


@dataclass(frozen=True, slots=True)
class Correction:
    """A corrected field, named by the record's key in the practice file and the field's label:
    ``patient pt-1001's birth date (corrected 2026-11-20 14:30 UTC by dana)``."""

    record: str  # "patient pt-1001", "patient pt-1001's primary policy"
    field: str
    corrected_at: datetime
    corrected_by: str

    def __str__(self) -> str:
        return (
            f"{self.record}'s {LABELS[self.field]} "
            f"(corrected {self.corrected_at:%Y-%m-%d %H:%M} UTC by {self.corrected_by})"
        )


@dataclass(frozen=True, slots=True)
class Kept:
    """What a load did with one record's corrections: the values to write, the corrections
    kept over the file, and those the file now agrees with (forgotten)."""

    values: dict[str, Any]
    kept: tuple[Correction, ...] = ()
    forgotten: tuple[Correction, ...] = ()


def remember(session: Session, entity: str, row_id: int, field: str, actor: str) -> None:
    """Note that ``actor`` corrected ``field`` of row ``row_id`` of ``entity`` just now."""
    now = datetime.now(UTC)
    row = session.get(t.CorrectionRow, (entity, row_id, field))
    if row is None:
        session.add(t.CorrectionRow(entity=entity, row_id=row_id, field=field,
                                    corrected_at=now, corrected_by=actor))  # fmt: skip
        return
    row.corrected_at, row.corrected_by = now, actor


def remember_edits(
    session: Session, entity: str, row: Corrected, values: dict[str, Any], actor: str
) -> None:
    """Note each field of ``row`` that ``values`` (what a person is saving) changes; call it
    before the values are written."""
    for field in t.CORRECTED_FIELDS[entity]:
        columns = [column for column in COVERS.get(field, (field,)) if column in values]
        if any(getattr(row, column) != values[column] for column in columns):
            remember(session, entity, row.id, field, actor)


def keep_corrected(
    session: Session, entity: str, row: Corrected | None, values: dict[str, Any], record: str
) -> Kept:
    """The file's ``values`` for ``row`` without the corrected fields it still has otherwise;
    the corrections it agrees with are deleted, those it says nothing of stay as they are.
    ``record`` names the row in a report."""
    if row is None:
        return Kept(values)
    query = select(t.CorrectionRow).where(
        t.CorrectionRow.entity == entity, t.CorrectionRow.row_id == row.id
    )
    wanted, kept, forgotten = dict(values), [], []
    for correction in session.scalars(query.order_by(t.CorrectionRow.field)):
        columns = [c for c in COVERS.get(correction.field, (correction.field,)) if c in values]
        if not columns:
            continue
        said = Correction(record, correction.field, correction.corrected_at,
                          correction.corrected_by)  # fmt: skip
        if all(getattr(row, column) == values[column] for column in columns):
            session.delete(correction)
            forgotten.append(said)
        else:
            for column in columns:
                del wanted[column]
            kept.append(said)
    return Kept(wanted, tuple(kept), tuple(forgotten))
