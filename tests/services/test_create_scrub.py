"""Claims made from appointments, and the scrubber that holds them with reasons in words."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select, update

from claimbridge.domain.models import Address, EnrollmentStatus, Relationship
from claimbridge.domain.practice_file import parse_practice_text
from claimbridge.domain.scrub import ClaimFacts, scrub
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import create_claims
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from ledger_fixtures import example_text, load_example

TODAY = date(2026, 11, 20)


def facts_for(appointment_key: str) -> ClaimFacts:
    """The scrubber's input for one appointment of the example practice."""
    practice_file = parse_practice_text(example_text())
    visit = next(a for a in practice_file.appointments if a.key == appointment_key)
    patient = next(p for p in practice_file.patients if p.key == visit.patient_key)
    policy = patient.policies[0]
    return ClaimFacts(
        patient_control_number="CB000001",
        practice=practice_file.practice,
        submitter_id="847291635",
        provider=next(p for p in practice_file.providers if p.key == visit.provider_key),
        payer=next(p for p in practice_file.payers if p.payer_id == policy.payer_id),
        patient=patient,
        policy=policy,
        appointment=visit,
        lines=visit.lines,
        line_control_numbers=tuple(f"CB000001-{n}" for n in range(1, len(visit.lines) + 1)),
        go_live=date(2026, 11, 1),
        today=TODAY,
    )


def test_a_complete_claim_is_ready() -> None:
    result = scrub(facts_for("appt-5001"))
    assert result.edits == ()
    assert result.status is ClaimStatus.READY


def test_blue_shield_is_held_for_enrollment_with_the_reason() -> None:
    result = scrub(facts_for("appt-5004"))
    assert result.status is ClaimStatus.HELD
    assert result.edits == (
        "837P enrollment with BLUE SHIELD OF CALIFORNIA (BS001) is required and not approved "
        "(not started)",
    )


def test_every_edit_is_named_in_words() -> None:
    facts = facts_for("appt-5001")
    assert facts.provider is not None
    provider = dataclasses.replace(facts.provider, npi="1234567890")
    line = dataclasses.replace(facts.lines[0], code="9921", diagnosis_pointers=(1, 3))
    visit = dataclasses.replace(facts.appointment, diagnoses=("J20.9", "R5"))
    broken = dataclasses.replace(facts, provider=provider, lines=(line,), appointment=visit)
    broken = dataclasses.replace(broken, line_control_numbers=("CB000001-1",))
    assert scrub(broken).edits == (
        "provider prov-chen's NPI: '1234567890' is not an NPI (wrong check digit)",
        "diagnosis 2: 'R5' is not an ICD-10-CM code (e.g. J20.9)",
        "line 1: '9921' is not a CPT or HCPCS code (e.g. 99213)",
        "line 1: diagnosis pointer 3 points past the 2 diagnoses of the visit",
    )


@pytest.mark.parametrize(
    ("change", "edit"),
    [
        (
            lambda f: dataclasses.replace(f, payer=None),
            "payer 62308 is not in the payer list",
        ),
        (
            lambda f: dataclasses.replace(
                f, payer=dataclasses.replace(f.payer, claim_filing_indicator="09")
            ),
            "CIGNA (62308): claim filing indicator '09' was a 4010 claim filing indicator "
            "and is not valid in 5010",
        ),
        (
            lambda f: dataclasses.replace(
                f, payer=dataclasses.replace(f.payer, claim_filing_indicator=None)
            ),
            "CIGNA (62308) has no claim filing indicator (set it on the Insurances page or "
            "with 'claimbridge payers set 62308 --filing-indicator CODE')",
        ),
        (
            lambda f: dataclasses.replace(f, today=date(2026, 11, 2)),
            "the date of service 2026-11-03 is in the future",
        ),
        (
            lambda f: dataclasses.replace(f, go_live=date(2026, 12, 1)),
            "date of service 2026-11-03 is before the go-live date 2026-12-01 of the Office "
            "Ally account",
        ),
        (
            lambda f: dataclasses.replace(f, patient_control_number="CB0000000000001"),
            "the patient control number 'CB0000000000001' must have 1 to 14 characters "
            "(Office Ally shows no more)",
        ),
        (
            lambda f: dataclasses.replace(
                f,
                practice=dataclasses.replace(
                    f.practice, address=Address("PO Box 12", "Fresno", "CA", "937101234")
                ),
            ),
            "the practice's address is a PO box; payers need the street address (put the box "
            "in the pay-to address)",
        ),
        (
            lambda f: dataclasses.replace(
                f, policy=dataclasses.replace(f.policy, relationship=Relationship.CHILD)
            ),
            "patient pt-1001 is not the policy holder, but the policy holder is not recorded",
        ),
        (
            lambda f: dataclasses.replace(f, frequency="7"),
            "a replacement claim needs the payer's claim number of the claim it corrects",
        ),
    ],
)
def test_one_edit(change: object, edit: str) -> None:
    changed = change(facts_for("appt-5001"))  # type: ignore[operator]
    assert scrub(changed).edits == (edit,)


def test_a_policy_holder_without_an_address_is_ready() -> None:
    # 2010BA N3/N4 is required only when the patient is the subscriber
    facts = facts_for("appt-5002")
    assert facts.policy is not None and facts.policy.subscriber is not None
    assert facts.policy.relationship is not Relationship.SELF
    holder = dataclasses.replace(facts.policy.subscriber, address=None)
    policy = dataclasses.replace(facts.policy, subscriber=holder)
    assert scrub(dataclasses.replace(facts, policy=policy)).edits == ()


def test_a_contact_with_an_e_mail_alone_is_held() -> None:
    # the 1000A PER takes a phone: an e-mail cannot be written ('@' is not basic X12 text)
    facts = facts_for("appt-5001")
    assert facts.practice.contact is not None
    contact = dataclasses.replace(facts.practice.contact, phone=None)
    practice = dataclasses.replace(facts.practice, contact=contact)
    assert scrub(dataclasses.replace(facts, practice=practice)).edits == (
        "the practice has no billing contact with a phone number",
    )


def _claims(store: Store) -> dict[str, tuple[int, str, str | None]]:
    """Each claim's id, status and status reason by CLM01."""
    query = select(t.ClaimRow.clm01, t.ClaimRow.id, t.ClaimRow.status, t.ClaimRow.status_reason)
    with store.read() as session:
        return {clm01: (id_, status, why) for clm01, id_, status, why in session.execute(query)}


def test_create_makes_one_checked_claim_per_appointment(store: Store) -> None:
    load_example(store)
    with store.transaction() as session:
        result = create_claims(session, "test", TODAY)
    statuses = {c.patient_control_number: c.status for c in result.created}
    assert statuses == {
        "CB000001": ClaimStatus.READY,
        "CB000002": ClaimStatus.READY,
        "CB000003": ClaimStatus.READY,
        "CB000004": ClaimStatus.HELD,
        "CB000005": ClaimStatus.READY,
    }
    claims = _claims(store)
    assert "BLUE SHIELD" in (claims["CB000004"][2] or "")
    with store.read() as session:
        lines = session.scalars(select(t.ClaimLineRow.line_control_number)).all()
        events = session.execute(
            select(t.ClaimEventRow.what, t.ClaimEventRow.to_status).where(
                t.ClaimEventRow.claim_id == claims["CB000004"][0]
            )
        ).all()
    assert len(lines) == len(set(lines)) == 9
    assert all(len(clm01) <= 14 for clm01 in claims)
    assert [tuple(e) for e in events] == [("created", "draft"), ("status", "held")]


def test_create_bills_the_primary_policy_and_only_once(store: Store) -> None:
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", TODAY)
    with store.transaction() as session:
        again = create_claims(session, "test", TODAY)
    assert again.created == ()
    with store.read() as session:
        payer = session.scalar(
            select(t.PayerRow.payer_id)
            .join(t.ClaimRow, t.ClaimRow.payer_id == t.PayerRow.id)
            .where(t.ClaimRow.clm01 == "CB000003")
        )
    assert payer == "01182"  # Medicare is pt-1003's primary, the Medigap plan secondary


def test_a_held_claim_is_released_once_enrollment_is_approved(store: Store) -> None:
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", TODAY)
        payer = session.scalars(select(t.PayerRow.id).where(t.PayerRow.payer_id == "BS001")).one()
        session.execute(
            update(t.PayerEnrollmentRow)
            .where(t.PayerEnrollmentRow.payer_id == payer)
            .values(status=EnrollmentStatus.APPROVED.value)
        )
    with store.transaction() as session:
        result = create_claims(session, "test", TODAY)
    assert [(c.patient_control_number, c.status) for c in result.rechecked] == [
        ("CB000004", ClaimStatus.READY)
    ]
    assert _claims(store)["CB000004"][1] == "ready"
