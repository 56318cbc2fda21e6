"""One record from the EHR at a time: a patient (with policies) or an appointment (with its
diagnoses and lines), in the practice file's form, checked and written as a load does."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from claimbridge.domain.practice_file import parse_appointment, parse_patient
from claimbridge.store.practice import known_keys, write_appointment, write_patient
from claimbridge.store.sync import Tally


class RecordKind(StrEnum):
    """What an EHR puts; the value is the tally's kind."""

    PATIENT = "patients"
    APPOINTMENT = "appointments"

    @property
    def noun(self) -> str:
        """How a message or the audit log names one: 'patient', 'appointment'."""
        return self.value.removesuffix("s")


def put_record(session: Session, kind: RecordKind, key: str, data: Any) -> Tally:
    """Check ``data`` (decoded JSON) as the ``kind`` keyed ``key`` and add or update it;
    ``InputError`` lists every problem with its JSON path, ``AlreadyBilled`` refuses to change
    an appointment that has a claim. ``outcome`` says what happened to the record."""
    known = known_keys(session)
    if kind is RecordKind.PATIENT:
        return write_patient(session, parse_patient(data, key, known))
    return write_appointment(session, parse_appointment(data, key, known))


def outcome(tally: Tally, kind: RecordKind) -> str:
    """'added', 'changed' or 'unchanged': what the write did to the record itself."""
    return next(
        (name for name in ("added", "changed") if getattr(tally, name)[kind.value]), "unchanged"
    )
