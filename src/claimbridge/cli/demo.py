"""``claimbridge demo``: show what claimbridge does, end to end, on synthetic data.

Until the whole claim cycle runs, the demo turns the appointments of a practice file (a small
built-in one, or ``--practice FILE``) into 837P claims, writes them in Office Ally's envelope,
shows the result and reads it back. The mapping below is the demo's own, kept short.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.common import report_errors
from claimbridge.domain import models as practice_models
from claimbridge.domain.practice_file import parse_practice_text
from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx837p_005010X222A1 import (
    Address,
    BillingProvider,
    Claim,
    ClaimBatch,
    Contact,
    EnvelopeParams,
    Name,
    Patient,
    Payer,
    Provider,
    ServiceLine,
    Submitter,
    Subscriber,
    build_837p,
    icd10_code,
)

SHOWN_SEGMENTS = 14

# A synthetic practice in the claimbridge-practice/1 format (docs/practice-format.md).
BUILT_IN_PRACTICE = """{
 "format": "claimbridge-practice/1",
 "practice": {"name": "Cedar Valley Family Health", "tax_id": "847291635", "npi": "1300000019",
   "taxonomy": "261QP2300X",
   "address": {"line1": "410 Orchard Ave", "city": "Fresno", "state": "CA", "zip": "937101234"},
   "pay_to_address": {"line1": "PO Box 5521", "city": "Fresno", "state": "CA", "zip": "937555521"},
   "contact": {"name": "Dana Whitfield", "phone": "5594201188"}},
 "providers": [{"id": "prov-chen", "first_name": "Maya", "last_name": "Chen", "npi": "1234567893",
   "taxonomy": "207Q00000X"}],
 "payers": [{"payer_id": "62308", "name": "CIGNA", "claim_filing_indicator": "CI"},
   {"payer_id": "87726", "name": "UNITED HEALTHCARE", "claim_filing_indicator": "CI"}],
 "patients": [
  {"id": "pt-1001", "first_name": "Aaron", "last_name": "Blake", "dob": "1984-03-12", "sex": "M",
   "address": {"line1": "77 Elm St", "city": "Fresno", "state": "CA", "zip": "93711"},
   "policies": [{"priority": "primary", "payer_id": "62308", "member_id": "U8823410201",
     "group_number": "GRP44120", "relationship": "self"}]},
  {"id": "pt-1002", "first_name": "Sofia", "last_name": "Ramirez", "dob": "2015-07-30",
   "sex": "F", "address": {"line1": "12 Birch Ln", "city": "Clovis", "state": "CA", "zip": "93612"},
   "policies": [{"priority": "primary", "payer_id": "87726", "member_id": "98123377",
     "relationship": "child", "subscriber": {"first_name": "Elena", "last_name": "Ramirez",
     "dob": "1988-01-05", "sex": "F"}}]}],
 "appointments": [
  {"id": "appt-5001", "patient": "pt-1001", "provider": "prov-chen", "date": "2026-11-03",
   "place_of_service": "11", "diagnoses": ["J20.9", "R05.9"],
   "lines": [{"code": "99214", "modifiers": ["25"], "units": 1, "charge": "185.00",
     "diagnosis_pointers": [1, 2]},
    {"code": "94640", "units": 1, "charge": "48.00", "diagnosis_pointers": [1]}]},
  {"id": "appt-5002", "patient": "pt-1002", "provider": "prov-chen", "date": "2026-11-04",
   "place_of_service": "11", "diagnoses": ["Z00.129"],
   "lines": [{"code": "99393", "units": 1, "charge": "210.00", "diagnosis_pointers": [1]}]}]
}"""

PracticeOption = Annotated[
    Path | None,
    typer.Option(
        "--practice", exists=True, dir_okay=False, help="A claimbridge-practice/1 JSON file."
    ),
]


@report_errors
def demo(practice: PracticeOption = None) -> None:
    """Write the practice's appointments as an 837P file, show it and read it back. Example:

    claimbridge demo --practice practice.json
    """
    console = Console(highlight=False)
    source = practice.read_bytes() if practice else BUILT_IN_PRACTICE
    batch = _batch(parse_practice_text(source))
    envelope = EnvelopeParams(
        interchange_control_number=1,
        group_control_number=1,
        sender_id=batch.submitter.id,
        created=datetime.now().replace(second=0, microsecond=0),
    )
    text = build_837p(batch, envelope)
    segments = text.split(envelope.segment_terminator)[:-1]
    console.print(
        f"837P written: {len(batch.claims)} claims, {len(segments)} segments, "
        f"{len(text.encode())} bytes. The first {SHOWN_SEGMENTS} segments:"
    )
    for segment in segments[:SHOWN_SEGMENTS]:
        console.print(f"  {segment}{envelope.segment_terminator}", markup=False, soft_wrap=True)
    read = [claim for parsed in parse_text(text) for claim in parsed.value.batch.claims]
    same = [c.patient_control_number for c in read] == [
        c.patient_control_number.upper() for c in batch.claims
    ]
    console.print(f"Read back: {len(read)} claims, in the order written: {'yes' if same else 'NO'}")


def _batch(practice_file: practice_models.PracticeFile) -> ClaimBatch:
    practice = practice_file.practice
    contact = practice.contact or practice_models.Contact(name=practice.name)
    provider = BillingProvider(
        name=Name.of_organization(practice.name),
        npi=practice.npi,
        tax_id=practice.tax_id,
        taxonomy=practice.taxonomy,
        address=_address(practice.address),
        pay_to_address=_address(practice.pay_to_address) if practice.pay_to_address else None,
    )
    submitter_id = (
        practice_file.clearinghouse.submitter_id if practice_file.clearinghouse else ""
    ) or practice.tax_id
    claims = tuple(
        _claim(practice_file, appointment, provider) for appointment in practice_file.appointments
    )
    return ClaimBatch(
        submitter=Submitter(
            name=Name.of_organization(practice.name),
            id=submitter_id,
            contact=Contact(
                name=contact.name, phone=contact.phone or "", email=contact.email or ""
            ),
        ),
        claims=claims,
        reference="DEMO1",
    )


def _address(address: practice_models.Address) -> Address:
    return Address(
        line1=address.line1,
        line2=address.line2 or "",
        city=address.city,
        state=address.state,
        postal_code=address.zip,
    )


def _claim(
    practice_file: practice_models.PracticeFile,
    appointment: practice_models.Appointment,
    provider: BillingProvider,
) -> Claim:
    patient = next(p for p in practice_file.patients if p.key == appointment.patient_key)
    policy = next(p for p in patient.policies if p.priority is practice_models.Priority.PRIMARY)
    payer = next(p for p in practice_file.payers if p.payer_id == policy.payer_id)
    doctor = next(p for p in practice_file.providers if p.key == appointment.provider_key)
    account = appointment.key.upper()
    return Claim(
        patient_control_number=account,
        billing_provider=provider,
        subscriber=_subscriber(patient, policy),
        payer=Payer(
            name=payer.name,
            payer_id=payer.payer_id,
            filing_indicator=payer.claim_filing_indicator or "CI",
        ),
        patient=_dependent(patient, policy),
        place_of_service=appointment.place_of_service,
        diagnoses=tuple(icd10_code(code) for code in appointment.diagnoses),
        rendering_provider=Provider(
            name=Name.person(doctor.last_name, doctor.first_name),
            npi=doctor.npi,
            taxonomy=doctor.taxonomy,
        ),
        lines=tuple(
            ServiceLine(
                procedure_code=line.code,
                modifiers=line.modifiers,
                charge=line.charge,
                units=line.units,
                diagnosis_pointers=line.diagnosis_pointers,
                service_date=appointment.service_date,
                control_number=f"{account}-{number}",
            )
            for number, line in enumerate(appointment.lines, start=1)
        ),
    )


def _subscriber(patient: practice_models.Patient, policy: practice_models.Policy) -> Subscriber:
    holder: practice_models.Patient | practice_models.Person = patient
    if policy.relationship is not practice_models.Relationship.SELF and policy.subscriber:
        holder = policy.subscriber
    return Subscriber(
        name=Name.person(holder.last_name, holder.first_name),
        member_id=policy.member_id,
        group_number=policy.group_number or "",
        birth_date=holder.dob,
        sex=holder.sex,
        address=_address(holder.address) if holder.address else None,
    )


def _dependent(patient: practice_models.Patient, policy: practice_models.Policy) -> Patient | None:
    if policy.relationship is practice_models.Relationship.SELF:
        return None
    return Patient(
        name=Name.person(patient.last_name, patient.first_name),
        relationship=policy.relationship.x12_code,
        birth_date=patient.dob,
        sex=patient.sex,
        address=_address(patient.address),
    )
