"""Loading a practice file: loading twice changes nothing, a refusal writes nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from claimbridge.domain.models import Secret
from claimbridge.domain.practice_file import parse_practice
from claimbridge.errors import ConfigError, InputError
from claimbridge.store import tables as t
from claimbridge.store.crypto import Cipher, generate_key
from claimbridge.store.db import Store
from claimbridge.store.payers import get_payer
from claimbridge.store.practice import known_keys, write_practice_file
from claimbridge.store.repositories import get_account
from ledger_fixtures import add_claim, example_text, load_example


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every master table, in key order."""
    tables = [t.PracticeRow, t.ClearinghouseAccountRow, t.ProviderRow, t.PayerRow]
    tables += [t.PayerEnrollmentRow, t.PatientRow, t.PolicyRow, t.AppointmentRow]
    tables += [t.AppointmentDiagnosisRow, t.AppointmentLineRow]
    with store.read() as session:
        return {
            model.__tablename__: [
                tuple(row)
                for row in session.execute(
                    select(model.__table__).order_by(*model.__table__.primary_key)
                )
            ]
            for model in tables
        }


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(example_text())
    return data


def test_the_example_is_stored_whole(store: Store) -> None:
    tally = load_example(store)
    assert tally.added["payers"] == 5 and tally.added["appointments"] == 5
    rows = snapshot(store)
    assert len(rows["appointment_lines"]) == 9 and len(rows["appointment_diagnoses"]) == 7
    assert len(rows["policies"]) == 5 and len(rows["payer_enrollments"]) == 10
    with store.read() as session:
        practice = session.get(t.PracticeRow, 1)
        assert practice is not None and practice.pay_to_line1 == "PO Box 5521"
        policy = session.scalars(
            select(t.PolicyRow).where(t.PolicyRow.relationship == "child")
        ).one()
        assert policy.subscriber_dob == date(1988, 1, 5) and policy.subscriber_first_name == "Elena"
        line = session.scalars(
            select(t.AppointmentLineRow).where(t.AppointmentLineRow.code == "97140")
        ).one()
        assert (line.modifiers, line.units, line.charge) == ("GP:59", Decimal(2), Decimal("90.00"))
        medicare = get_payer(session, "01182")
        account = get_account(session)
    assert medicare.enrollments[0].office_ally_notified
    assert account is not None and account.go_live == date(2026, 11, 1) and account.password is None


def test_loading_the_same_file_twice_changes_nothing(store: Store) -> None:
    load_example(store)
    before = snapshot(store)
    tally = load_example(store)
    assert tally.writes == 0 and sum(tally.unchanged.values()) == 33
    assert snapshot(store) == before


def test_a_changed_file_updates_in_place(store: Store) -> None:
    load_example(store)
    data = example()
    data["payers"][4]["enrollment"]["837P"] = {"required": True, "status": "approved"}
    data["appointments"][4]["lines"][1]["charge"] = "31.50"
    data["patients"][0]["address"]["line1"] = "78 Elm St"
    tally = load_example(store, json.dumps(data))
    assert (
        tally.changed["enrollments"],
        tally.changed["appointments"],
        tally.changed["patients"],
    ) == (1, 1, 1)
    assert tally.added == {}
    with store.read() as session:
        assert session.scalars(
            select(t.AppointmentLineRow.charge).where(t.AppointmentLineRow.code == "97012")
        ).one() == Decimal("31.50")
        assert len(session.scalars(select(t.PayerRow)).all()) == 5


def test_a_bad_file_writes_nothing(store: Store) -> None:
    before = snapshot(store)
    data = example()
    data["patients"][2]["policies"][0]["payer_id"] = "X1"
    with pytest.raises(
        InputError, match=r"patients\[2\]\.policies\[0\]\.payer_id: unknown payer 'X1'"
    ):
        load_example(store, json.dumps(data))
    assert snapshot(store) == before
    assert all(rows == [] for table, rows in before.items() if table != "practice")


def test_an_appointment_with_a_claim_cannot_change(store: Store) -> None:
    load_example(store)
    with store.transaction() as session:
        appointment = session.scalars(
            select(t.AppointmentRow).where(t.AppointmentRow.key == "appt-5001")
        ).one()
        appointment_id = appointment.id
    claim_id = add_claim(store, "CB0001")
    with store.transaction() as session:
        claim = session.get(t.ClaimRow, claim_id)
        assert claim is not None
        claim.appointment_id = appointment_id
    before = snapshot(store)
    data = example()
    data["appointments"][0]["lines"][0]["charge"] = "190.00"
    data["practice"]["name"] = "Renamed Practice"
    with pytest.raises(InputError) as caught:
        load_example(store, json.dumps(data))
    assert caught.value.problems == (
        "appointments[0]: appointment 'appt-5001' already has a claim and cannot change",
    )
    assert snapshot(store) == before
    assert load_example(store).writes == 0  # the unchanged file still loads


def test_a_file_may_refer_to_payers_already_in_the_ledger(store: Store) -> None:
    load_example(store)
    data = {"format": "claimbridge-practice/1", "practice": example()["practice"]}
    address = {"line1": "1 Test Rd", "city": "Fresno", "state": "CA", "zip": "93711"}
    policy = {
        "priority": "primary",
        "payer_id": "BS001",
        "member_id": "SYN1",
        "relationship": "self",
    }
    data["patients"] = [
        {
            "id": "pt-2001",
            "first_name": "Test",
            "last_name": "Patient",
            "dob": "1990-01-01",
            "sex": "U",
            "address": address,
            "policies": [policy],
        }
    ]
    assert load_example(store, json.dumps(data)).added["patients"] == 1


def test_the_password_is_stored_encrypted_and_only_when_it_changes(store: Store) -> None:
    cipher = Cipher(generate_key())
    data = example()
    data["clearinghouse"]["password"] = "synthetic-sftp-pw"

    def load(with_cipher: Cipher | None) -> int:
        with store.transaction() as session:
            practice_file = parse_practice(data, known_keys(session))
            return write_practice_file(session, practice_file, with_cipher).writes

    with pytest.raises(ConfigError, match="no secret key"):
        load(None)
    load(cipher)
    with store.read() as session:
        token = session.scalars(select(t.ClearinghouseAccountRow.password_token)).one()
        account = get_account(session, cipher)
    assert token is not None and b"synthetic-sftp-pw" not in token
    assert account is not None and account.password == Secret("synthetic-sftp-pw")
    assert load(cipher) == 0
    with store.read() as session:
        assert session.scalars(select(t.ClearinghouseAccountRow.password_token)).one() == token
