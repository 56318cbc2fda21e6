"""Write a checked ``PracticeFile`` into the ledger, idempotently, in one transaction.

Records are matched by their natural keys (the practice is the store's, made by the first load
into an empty ledger; providers, patients and
appointments by the practice's own ids; payers by payer ID; policies by patient and priority;
enrollments by payer and transaction). Loading adds and updates, and never deletes a record;
an appointment's diagnoses and lines are replaced as a whole when they differ, unless a claim
was already made from it, in which case the file is refused. A patient's name and birth date
and a policy's insured's ID that a person corrected in claimbridge are kept over a file with
another value, and reported (``store.corrections``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.fields import refusal
from claimbridge.domain.models import (
    Address,
    Appointment,
    ClearinghouseAccount,
    Patient,
    Person,
    Policy,
    Practice,
    PracticeFile,
    Provider,
)
from claimbridge.domain.practice_file import Known
from claimbridge.errors import AlreadyBilled, ConfigError
from claimbridge.store import tables as t
from claimbridge.store.corrections import ACCOUNTS, PATIENTS, POLICIES, keep_corrected
from claimbridge.store.crypto import Cipher
from claimbridge.store.payers import write_payer
from claimbridge.store.practices import ensure_practice
from claimbridge.store.sync import Tally, assign, find, upsert, upsert_found


def known_keys(session: Session) -> Known:
    """The payer IDs and provider and patient keys already in the ledger."""
    return Known(
        payer_ids=frozenset(session.scalars(select(t.PayerRow.payer_id))),
        provider_keys=frozenset(session.scalars(select(t.ProviderRow.key))),
        patient_keys=frozenset(session.scalars(select(t.PatientRow.key))),
    )


def write_practice_file(
    session: Session, practice_file: PracticeFile, cipher: Cipher | None = None
) -> Tally:
    """Add or update everything in ``practice_file``; returns what was written."""
    tally = Tally()
    _write_practice(session, practice_file.practice, tally)
    if practice_file.clearinghouse is not None:
        write_account(session, practice_file.clearinghouse, cipher, tally)
    for provider in practice_file.providers:
        tally.count("providers", upsert(session, t.ProviderRow, *_provider(provider))[1])
    for payer in practice_file.payers:
        write_payer(session, payer, tally)
    payers = dict(session.execute(select(t.PayerRow.payer_id, t.PayerRow.id)).all())
    for patient in practice_file.patients:
        _write_patient(session, patient, payers, tally)
    problems = [
        _write_appointment(session, a, i, tally) for i, a in enumerate(practice_file.appointments)
    ]
    refused = [problem for problem in problems if problem]
    if refused:
        raise refusal(refused)
    session.flush()
    return tally


def write_patient(session: Session, patient: Patient) -> Tally:
    """Add or update one patient and their policies, as a practice file's patient is."""
    tally = Tally()
    payers = dict(session.execute(select(t.PayerRow.payer_id, t.PayerRow.id)).all())
    _write_patient(session, patient, payers, tally)
    session.flush()
    return tally


def write_appointment(session: Session, appointment: Appointment) -> Tally:
    """Add or update one appointment; ``AlreadyBilled`` (naming the claim and what to do)
    when it has a claim and would change."""
    tally = Tally()
    if _write_appointment(session, appointment, 0, tally) is not None:
        claims = session.scalars(
            select(t.ClaimRow.clm01)
            .join(t.AppointmentRow, t.AppointmentRow.id == t.ClaimRow.appointment_id)
            .where(t.AppointmentRow.key == appointment.key)
            .order_by(t.ClaimRow.id)
        ).all()
        raise AlreadyBilled(appointment.key, tuple(claims))
    session.flush()
    return tally


def _address_columns(prefix: str, address: Address | None) -> dict[str, Any]:
    fields = ("line1", "line2", "city", "state", "zip")
    return {f"{prefix}{name}": getattr(address, name) if address else None for name in fields}


def _write_practice(session: Session, practice: Practice, tally: Tally) -> None:
    contact = practice.contact
    values = {
        "name": practice.name,
        "tax_id": practice.tax_id,
        "npi": practice.npi,
        "taxonomy": practice.taxonomy,
        **_address_columns("address_", practice.address),
        **_address_columns("pay_to_", practice.pay_to_address),
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "contact_email": contact.email if contact else None,
    }
    row = ensure_practice(session, practice.name)
    fresh = not row.name  # made by --practice KEY or an upgrade, its file not loaded till now
    changed = assign(row, values)
    tally.count("practice", "added" if fresh else "changed" if changed else "unchanged")


def write_account(
    session: Session, account: ClearinghouseAccount, cipher: Cipher | None, tally: Tally
) -> None:
    """Add or update the clearinghouse account; a new password is encrypted with ``cipher``.

    ``test_mode`` is the mode of a new account only: once the account exists, its mode changes
    only by a recorded switch (``services.account_mode``), so loading the EHR's export again
    never takes it out of production, or into it. A setting a person changed in claimbridge
    (SFTP login, go-live date, ERA split) is kept over a file that says otherwise, and listed.
    """
    key = {"name": account.name}
    existing = find(session, t.ClearinghouseAccountRow, key)
    values: dict[str, Any] = {
        "submitter_id": account.submitter_id,
        "username": account.username,
        "service_center_username": account.service_center_username,
        "sftp_host": account.sftp_host,
        "sftp_port": account.sftp_port,
        "era_split": account.era_split.value,
        "go_live": account.go_live,
    }
    if account.password is not None:
        values["password_token"] = _password_token(existing, account, cipher)
    if existing is None:
        values["test_mode"] = account.test_mode
    kept = keep_corrected(session, ACCOUNTS, existing, values, "the Office Ally account")
    tally.note(kept)
    outcome = upsert_found(session, t.ClearinghouseAccountRow, key, existing, kept.values)[1]
    tally.count("clearinghouse", outcome)


def _password_token(
    row: t.ClearinghouseAccountRow | None, account: ClearinghouseAccount, cipher: Cipher | None
) -> bytes:
    """The stored token when it holds the file's password (so nothing changes), else the
    file's password encrypted anew."""
    assert account.password is not None
    if (
        row is not None
        and row.password_token is not None
        and not _password_differs(row, account, cipher)
    ):
        return row.password_token
    if cipher is None:
        raise ConfigError("a password is given but no secret key is configured")
    return cipher.encrypt(account.password)


def _password_differs(
    row: t.ClearinghouseAccountRow, account: ClearinghouseAccount, cipher: Cipher | None
) -> bool:
    if cipher is None:
        raise ConfigError("a password is given but no secret key is configured")
    if row.password_token is None:
        return True
    return cipher.decrypt(row.password_token) != account.password


def _provider(provider: Provider) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"key": provider.key}, {
        "first_name": provider.first_name,
        "last_name": provider.last_name,
        "credential": provider.credential,
        "npi": provider.npi,
        "taxonomy": provider.taxonomy,
    }


def _write_patient(
    session: Session, patient: Patient, payers: dict[str, int], tally: Tally
) -> None:
    values = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "dob": patient.dob,
        "sex": patient.sex,
        **_address_columns("address_", patient.address),
    }
    record = f"patient {patient.key}"
    key = {"key": patient.key}
    existing = find(session, t.PatientRow, key)
    kept = keep_corrected(session, PATIENTS, existing, values, record)
    tally.note(kept)
    row, outcome = upsert_found(session, t.PatientRow, key, existing, kept.values)
    tally.count("patients", outcome)
    for policy in patient.policies:
        _write_policy(session, row.id, policy, payers, f"{record}'s", tally)


def _write_policy(
    session: Session,
    patient_id: int,
    policy: Policy,
    payers: dict[str, int],
    whose: str,
    tally: Tally,
) -> None:
    key = {"patient_id": patient_id, "priority": policy.priority.value}
    record = f"{whose} {policy.priority.value} policy"
    existing = find(session, t.PolicyRow, key)
    kept = keep_corrected(session, POLICIES, existing, _policy(policy, payers), record)
    tally.note(kept)
    tally.count("policies", upsert_found(session, t.PolicyRow, key, existing, kept.values)[1])


def _policy(policy: Policy, payers: dict[str, int]) -> dict[str, Any]:
    return {
        "payer_id": payers[policy.payer_id],
        "member_id": policy.member_id,
        "group_number": policy.group_number,
        "relationship": policy.relationship.value,
        **_subscriber(policy.subscriber),
    }


def _subscriber(person: Person | None) -> dict[str, Any]:
    return {
        "subscriber_first_name": person.first_name if person else None,
        "subscriber_last_name": person.last_name if person else None,
        "subscriber_dob": person.dob if person else None,
        "subscriber_sex": person.sex if person else None,
        **_address_columns("subscriber_", person.address if person else None),
    }


def _write_appointment(
    session: Session, appointment: Appointment, index: int, tally: Tally
) -> str | None:
    """Add or update one appointment; a reason when it may not change (it has claims)."""
    values = {
        "patient_id": _id_by_key(session, t.PatientRow, appointment.patient_key),
        "provider_id": _id_by_key(session, t.ProviderRow, appointment.provider_key),
        "service_date": appointment.service_date,
        "place_of_service": appointment.place_of_service,
    }
    existing = session.scalars(
        select(t.AppointmentRow).where(t.AppointmentRow.key == appointment.key)
    ).one_or_none()
    if existing is None:
        row = t.AppointmentRow(key=appointment.key, **values)
        session.add(row)
        session.flush()
        _replace_content(session, row.id, appointment)
        tally.count("appointments", "added")
        return None
    return _update_appointment(session, existing, appointment, values, index, tally)


def _id_by_key(session: Session, model: type[t.PatientRow | t.ProviderRow], key: str) -> int:
    return session.scalars(select(model.id).where(model.key == key)).one()


def _update_appointment(
    session: Session,
    row: t.AppointmentRow,
    appointment: Appointment,
    values: dict[str, Any],
    index: int,
    tally: Tally,
) -> str | None:
    content_differs = _content(session, row.id) != _wanted_content(appointment)
    if (content_differs or _differs(row, values)) and _has_claims(session, row.id):
        return (
            f"appointments[{index}]: appointment {appointment.key!r} already has a claim "
            "and cannot change"
        )
    changed = assign(row, values)
    if content_differs:
        _replace_content(session, row.id, appointment)
    tally.count("appointments", "changed" if changed or content_differs else "unchanged")
    return None


def _differs(row: t.AppointmentRow, values: dict[str, Any]) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


def _has_claims(session: Session, appointment_id: int) -> bool:
    query = select(t.ClaimRow.id).where(t.ClaimRow.appointment_id == appointment_id).limit(1)
    return session.scalars(query).first() is not None


Content = tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]


def _content(session: Session, appointment_id: int) -> Content:
    diagnoses = session.scalars(
        select(t.AppointmentDiagnosisRow.code)
        .where(t.AppointmentDiagnosisRow.appointment_id == appointment_id)
        .order_by(t.AppointmentDiagnosisRow.position)
    ).all()
    lines = session.execute(
        select(
            t.AppointmentLineRow.code,
            t.AppointmentLineRow.modifiers,
            t.AppointmentLineRow.units,
            t.AppointmentLineRow.charge,
            t.AppointmentLineRow.diagnosis_pointers,
        )
        .where(t.AppointmentLineRow.appointment_id == appointment_id)
        .order_by(t.AppointmentLineRow.line_number)
    ).all()
    return tuple(diagnoses), tuple(tuple(line) for line in lines)


def _wanted_content(appointment: Appointment) -> Content:
    lines = tuple(
        (
            line.code,
            ":".join(line.modifiers),
            line.units,
            line.charge,
            ":".join(str(p) for p in line.diagnosis_pointers),
        )
        for line in appointment.lines
    )
    return appointment.diagnoses, lines


def _replace_content(session: Session, appointment_id: int, appointment: Appointment) -> None:
    for model in (t.AppointmentDiagnosisRow, t.AppointmentLineRow):
        for old in session.scalars(select(model).where(model.appointment_id == appointment_id)):
            session.delete(old)
    session.flush()
    session.add_all(
        t.AppointmentDiagnosisRow(appointment_id=appointment_id, position=n, code=code)
        for n, code in enumerate(appointment.diagnoses, start=1)
    )
    _, lines = _wanted_content(appointment)
    session.add_all(
        t.AppointmentLineRow(
            appointment_id=appointment_id,
            line_number=n,
            code=code,
            modifiers=modifiers,
            units=units,
            charge=charge,
            diagnosis_pointers=pointers,
        )
        for n, (code, modifiers, units, charge, pointers) in enumerate(lines, start=1)
    )
