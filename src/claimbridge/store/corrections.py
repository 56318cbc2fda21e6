"""The practice's records a person corrected in claimbridge, kept over an older EHR export.

A biller corrects the insured's ID on a policy and the patient's name and birth date while
correcting a claim (``services.claim_fix``); ``remember`` notes which field of which row, when
and by whom. The corrected value stays where it is, on the patient or policy row, never copied.

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

PATIENTS, POLICIES = "patients", "policies"  # the tables whose fields a person corrects
LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "dob": "birth date",
    "member_id": "insured's ID",
}  # how a report names a corrected field (never its value)


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


def keep_corrected(
    session: Session, entity: str, row: t.PatientRow | t.PolicyRow | None,
    values: dict[str, Any], record: str,
) -> Kept:  # fmt: skip
    """The file's ``values`` for ``row`` without the corrected fields it still has otherwise;
    the corrections it agrees with are deleted. ``record`` names the row in a report."""
    if row is None:
        return Kept(values)
    query = select(t.CorrectionRow).where(
        t.CorrectionRow.entity == entity, t.CorrectionRow.row_id == row.id
    )
    wanted, kept, forgotten = dict(values), [], []
    for correction in session.scalars(query.order_by(t.CorrectionRow.field)):
        said = Correction(record, correction.field, correction.corrected_at,
                          correction.corrected_by)  # fmt: skip
        if getattr(row, correction.field) == values[correction.field]:
            session.delete(correction)
            forgotten.append(said)
        else:
            del wanted[correction.field]
            kept.append(said)
    return Kept(wanted, tuple(kept), tuple(forgotten))
