"""A scrubbed claim as the 837P writer's model: our records → loops 1000A, 2010AA … 2400.

``batch_837p(facts, submitter_id, reference)`` gives the ``ClaimBatch`` of claims that passed
``scrub``; the writer (``build_837p``) checks and writes it. Codes are mapped as the TR3 wants
them: relationship ``self`` is the subscriber itself (no 2000C), others are PAT01 codes;
diagnosis codes lose their dot; the rendering provider goes in 2310B (the writer leaves it out
when it is the billing provider).

Other payers (loops 2320/2330A/2330B): a secondary or tertiary claim first carries what each
payer before it did (``ClaimFacts.prior_adjudications``: SBR, claim-level CAS, AMT*D, OI, and
per line a 2430 with SVD, CAS and DTP*573), then every other policy of the patient not yet
named, without adjudication: a primary claim so names the secondary payer, which lets the
primary cross the claim over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from claimbridge.domain import models
from claimbridge.domain.scrub import ClaimFacts, Coverage
from claimbridge.x12.tx837p_005010X222A1 import (
    Address,
    BillingProvider,
    Claim,
    ClaimBatch,
    Contact,
    Name,
    OtherPayer,
    Patient,
    Payer,
    Provider,
    ServiceLine,
    Submitter,
    Subscriber,
    icd10_code,
)

RESPONSIBILITY = {"primary": "P", "secondary": "S", "tertiary": "T"}


def batch_837p(claims: Sequence[ClaimFacts], submitter_id: str, reference: str) -> ClaimBatch:
    """The 837P batch of ``claims`` (all of one practice), with BHT03 ``reference``."""
    if not claims:
        raise ValueError("an 837P batch needs at least one claim")
    practice = claims[0].practice
    billing = billing_provider(practice)
    return ClaimBatch(
        submitter=submitter(practice, submitter_id),
        claims=tuple(claim_837p(facts, billing) for facts in claims),
        reference=reference,
    )


def submitter(practice: models.Practice, submitter_id: str) -> Submitter:
    """Loop 1000A: the practice, under the account's submitter ID, with its billing contact."""
    contact = practice.contact or models.Contact(name=practice.name)
    return Submitter(
        name=Name.of_organization(practice.name),
        id=submitter_id,
        contact=Contact(name=contact.name, phone=contact.phone or "", email=contact.email or ""),
    )


def billing_provider(practice: models.Practice) -> BillingProvider:
    """Loops 2010AA/2010AB: the practice, its street address and its pay-to address."""
    pay_to = practice.pay_to_address
    return BillingProvider(
        name=Name.of_organization(practice.name),
        npi=practice.npi,
        tax_id=practice.tax_id,
        taxonomy=practice.taxonomy,
        address=address(practice.address),
        pay_to_address=address(pay_to) if pay_to else None,
    )


def claim_837p(facts: ClaimFacts, billing: BillingProvider) -> Claim:
    """Loop 2300 and everything under it for one scrubbed claim."""
    policy, payer, provider = facts.policy, facts.payer, facts.provider
    assert policy is not None and payer is not None and provider is not None  # scrubbed
    visit = facts.appointment
    claim = Claim(
        patient_control_number=facts.patient_control_number,
        billing_provider=billing,
        subscriber=_subscriber(facts.patient, policy),
        payer=Payer(
            name=payer.name,
            payer_id=payer.payer_id,
            filing_indicator=payer.claim_filing_indicator or "",
            responsibility=RESPONSIBILITY[policy.priority.value],
        ),
        patient=_dependent(facts.patient, policy),
        place_of_service=visit.place_of_service,
        diagnoses=tuple(icd10_code(code) for code in visit.diagnoses),
        frequency=facts.frequency,
        payer_claim_control_number=facts.payer_claim_control_number or "",
        rendering_provider=Provider(
            name=Name.person(provider.last_name, provider.first_name),
            npi=provider.npi,
            taxonomy=provider.taxonomy,
        ),
        lines=_lines(facts),
    )
    return with_other_payers(claim, facts)


def with_other_payers(claim: Claim, facts: ClaimFacts) -> Claim:
    """``claim`` with the payers before it (adjudicated) and the patient's other policies."""
    for adjudication in facts.prior_adjudications:
        claim = adjudication.apply(claim)
    named = {other.payer_id for other in claim.other_payers}
    plain = tuple(
        other_payer(facts.patient, coverage)
        for coverage in facts.other_coverage
        if coverage.payer.payer_id not in named
    )
    return replace(claim, other_payers=(*claim.other_payers, *plain)) if plain else claim


def other_payer(patient: models.Patient, coverage: Coverage) -> OtherPayer:
    """Loops 2320/2330A/2330B of another policy of the patient, without adjudication."""
    policy, payer = coverage.policy, coverage.payer
    holder = _holder(patient, policy)
    return OtherPayer(
        responsibility=RESPONSIBILITY[policy.priority.value],
        relationship=policy.relationship.x12_code,
        group_number=policy.group_number or "",
        filing_indicator=payer.claim_filing_indicator or "",
        subscriber=Name.person(holder.last_name, holder.first_name),
        subscriber_id=policy.member_id,
        subscriber_address=address(holder.address) if holder.address else None,
        payer_name=payer.name,
        payer_id=payer.payer_id,
    )


def _lines(facts: ClaimFacts) -> tuple[ServiceLine, ...]:
    return tuple(
        ServiceLine(
            procedure_code=line.code,
            modifiers=line.modifiers,
            charge=line.charge,
            units=line.units,
            diagnosis_pointers=line.diagnosis_pointers,
            service_date=facts.appointment.service_date,
            control_number=control_number,
        )
        for line, control_number in zip(facts.lines, facts.line_control_numbers, strict=True)
    )


def address(value: models.Address) -> Address:
    """Our address as N3/N4."""
    return Address(
        line1=value.line1,
        line2=value.line2 or "",
        city=value.city,
        state=value.state,
        postal_code=value.zip,
    )


def _holder(patient: models.Patient, policy: models.Policy) -> models.Patient | models.Person:
    """Who holds the policy: the patient, or the subscriber recorded for it."""
    if policy.relationship is not models.Relationship.SELF and policy.subscriber is not None:
        return policy.subscriber
    return patient


def _subscriber(patient: models.Patient, policy: models.Policy) -> Subscriber:
    holder = _holder(patient, policy)
    return Subscriber(
        name=Name.person(holder.last_name, holder.first_name),
        member_id=policy.member_id,
        group_number=policy.group_number or "",
        birth_date=holder.dob,
        sex=holder.sex,
        address=address(holder.address) if holder.address else None,
    )


def _dependent(patient: models.Patient, policy: models.Policy) -> Patient | None:
    if policy.relationship is models.Relationship.SELF:
        return None
    return Patient(
        name=Name.person(patient.last_name, patient.first_name),
        relationship=policy.relationship.x12_code,
        birth_date=patient.dob,
        sex=patient.sex,
        address=address(patient.address),
    )
