"""Read claims from the ledger as ``ClaimFacts``: what the scrubber checks and the 837P carries.

One query per table for a whole list of claims (never one per claim), so a batch of thousands
of claims is read in a handful of round trips. The rendering NPI (24J) and the place of service
(24B) are the claim's own, copied from the provider and the appointment when it was made and
corrected on the claim since, so what is checked is what is sent.

Every claim names the patient's other policies (``ClaimFacts.other_coverage``, those complete
enough to be written in 2320/2330); a claim that follows another (a secondary or tertiary
claim, not a void) carries the adjudications posted on the claims before it
(``services.adjudication``), or the reason they cannot be passed on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from claimbridge.domain import models
from claimbridge.domain.claim_837p import billing_provider, claim_837p
from claimbridge.domain.frequency import ClaimFrequency
from claimbridge.domain.scrub import ClaimFacts, Coverage
from claimbridge.errors import ConfigError, X12ValidationError
from claimbridge.services.adjudication import PostedAdjudication, posted_adjudications
from claimbridge.store import tables as t
from claimbridge.store.bulk import among, chunks
from claimbridge.store.payers import list_payers
from claimbridge.store.practices import practice_row
from claimbridge.store.repositories import get_account
from claimbridge.x12.tx837p_005010X222A1 import BillingProvider, other_payer_from_835

RowT = TypeVar("RowT", bound=t.Base)
VOID = ClaimFrequency.VOID.value  # a void repeats the claim; it carries no adjudication
PRIORITY_ORDER = ("primary", "secondary", "tertiary")


def read_facts(session: Session, claim_ids: Sequence[int], today: date) -> dict[int, ClaimFacts]:
    """``ClaimFacts`` of each claim in ``claim_ids``, by claim id, in the order of ``claim_ids``."""
    claims = _plain_by_id(session, t.ClaimRow, _Claim._fields, _Claim._make, claim_ids)
    reader = _Reader(session, claims.values())
    # In the order asked for, whatever order the database returned the rows in.
    facts = {claim_id: reader.facts(claims[claim_id], today) for claim_id in claim_ids
             if claim_id in claims}  # fmt: skip
    following = {
        claim.id: claim.follows_claim_id
        for claim in claims.values()
        if claim.follows_claim_id is not None and claim.frequency_code != VOID
    }
    if following:
        _carry_prior_payers(session, facts, following, billing_provider(reader.practice), today)
    return facts


def _carry_prior_payers(
    session: Session,
    facts: dict[int, ClaimFacts],
    following: dict[int, int],
    billing: BillingProvider,
    today: date,
) -> None:
    """Give each claim that follows another the adjudications of the claims before it."""
    prior_ids = sorted(set(following.values()))
    priors = read_facts(session, prior_ids, today)  # a tertiary claim's prior has its own
    posted = posted_adjudications(session, prior_ids)
    for claim_id, prior_id in following.items():
        prior = priors.get(prior_id)
        if prior is not None:
            facts[claim_id] = _carrying(facts[claim_id], prior, posted.get(prior_id), billing)


def _carrying(
    facts: ClaimFacts,
    prior: ClaimFacts,
    posted: PostedAdjudication | None,
    billing: BillingProvider,
) -> ClaimFacts:
    """``facts`` with the adjudication of the claim it follows, or why it cannot have it."""
    number = prior.patient_control_number
    if posted is None or not posted.complete:
        problem = (
            f"claim {number}'s payer has no complete adjudication of it posted (none yet, or "
            "a reversal took it back): this claim waits for it, or cancel it"
        )
        return replace(facts, cob_problem=problem)
    if prior.policy is None or prior.payer is None or prior.provider is None:
        return replace(facts, cob_problem=f"claim {number} it follows cannot be rebuilt")
    try:
        sent = claim_837p(prior, billing)
        found = other_payer_from_835(posted.claim, sent, adjudication_date=posted.adjudicated)
    except X12ValidationError as error:
        problem = f"the adjudication of claim {number} cannot be passed on: {error}"
        return replace(facts, cob_problem=problem)
    return replace(facts, prior_adjudications=(*prior.prior_adjudications, found))


def read_practice(session: Session) -> models.Practice:
    """The practice (billing provider); ``ConfigError`` before a practice file is loaded."""
    row = practice_row(session)
    if row is None:
        raise ConfigError("no practice in the ledger yet: run 'claimbridge load practice.json'")
    return models.Practice(
        name=row.name,
        tax_id=row.tax_id,
        npi=row.npi,
        taxonomy=row.taxonomy,
        address=_address(
            row.address_line1,
            row.address_line2,
            row.address_city,
            row.address_state,
            row.address_zip,
        ),
        pay_to_address=_optional_address(
            row.pay_to_line1,
            row.pay_to_line2,
            row.pay_to_city,
            row.pay_to_state,
            row.pay_to_zip,
        ),
        contact=_contact(row),
    )


class _Claim(NamedTuple):
    """The columns of a claim that its facts need (plain values: read fast)."""

    id: int
    clm01: str
    appointment_id: int | None
    provider_id: int | None
    payer_id: int
    policy_id: int | None
    frequency_code: str
    payer_claim_control_number: str | None
    rendering_npi: str
    place_of_service: str
    follows_claim_id: int | None


class _Visit(NamedTuple):
    """The columns of an appointment that a claim's facts need."""

    id: int
    key: str
    patient_id: int
    provider_id: int
    service_date: date


ShapeT = TypeVar("ShapeT", bound=tuple[Any, ...])


class _Reader:
    """The rows every claim of a list refers to, read once each."""

    def __init__(self, session: Session, claims: Iterable[_Claim]) -> None:
        claims = list(claims)
        self.practice = read_practice(session)
        account = get_account(session)
        self.submitter_id = account.submitter_id if account else ""
        self.go_live = account.go_live if account else None
        self.payers = {payer.payer_id: payer for payer in list_payers(session)}
        self.payer_ids = dict(session.execute(select(t.PayerRow.id, t.PayerRow.payer_id)).all())
        appointment_ids = [c.appointment_id for c in claims if c.appointment_id is not None]
        self.appointments = _plain_by_id(
            session, t.AppointmentRow, _Visit._fields, _Visit._make, appointment_ids
        )
        self.diagnoses = _diagnoses(session, appointment_ids)
        visits = self.appointments.values()
        self.patients = rows_by_id(
            session, t.PatientRow, t.PatientRow.id, [a.patient_id for a in visits]
        )
        self.providers = rows_by_id(
            session, t.ProviderRow, t.ProviderRow.id, [c.provider_id or 0 for c in claims]
        )
        self.policies = rows_by_id(
            session, t.PolicyRow, t.PolicyRow.id, [c.policy_id or 0 for c in claims]
        )
        self.coverage = _policies_of(session, [a.patient_id for a in visits])
        self.policies |= {row.id: row for rows in self.coverage.values() for row in rows}
        self.lines = _lines(session, [c.id for c in claims])
        # A patient, provider or policy is on many claims: each is converted once.
        self.provider_values: dict[int, models.Provider | None] = {}
        self.patient_values: dict[int, models.Patient] = {}
        self.policy_values: dict[int, models.Policy | None] = {}

    def facts(self, claim: _Claim, today: date) -> ClaimFacts:
        visit = self._appointment(claim)
        lines = self.lines.get(claim.id, [])
        return ClaimFacts(
            patient_control_number=claim.clm01,
            practice=self.practice,
            submitter_id=self.submitter_id,
            provider=self._provider(claim.provider_id or 0, claim.rendering_npi),
            payer=self.payers.get(self.payer_ids[claim.payer_id]),
            patient=self._patient(visit.patient_id),
            policy=self._policy(claim.policy_id or 0),
            appointment=self._visit(visit, claim.place_of_service),
            lines=tuple(_service_line(line) for line in lines),
            line_control_numbers=tuple(line.line_control_number or "" for line in lines),
            line_numbers=tuple(line.line_number for line in lines),
            go_live=self.go_live,
            today=today,
            frequency=claim.frequency_code,
            payer_claim_control_number=claim.payer_claim_control_number,
            other_coverage=self._other_coverage(visit.patient_id, claim.policy_id),
        )

    def _other_coverage(self, patient_id: int, policy_id: int | None) -> tuple[Coverage, ...]:
        """The patient's other policies that can be written in 2320/2330, in priority order."""
        found: list[Coverage] = []
        for row in self.coverage.get(patient_id, ()):
            policy = self._policy(row.id) if row.id != policy_id else None
            payer = self.payers.get(policy.payer_id) if policy else None
            if policy is not None and payer is not None and _writable(policy, payer):
                found.append(Coverage(policy, payer))
        return tuple(found)

    def _provider(self, provider_id: int, npi: str) -> models.Provider | None:
        """The rendering provider, with the NPI the claim carries (box 24J, as corrected)."""
        if provider_id not in self.provider_values:
            self.provider_values[provider_id] = _provider(self.providers.get(provider_id))
        provider = self.provider_values[provider_id]
        return provider if provider is None or provider.npi == npi else replace(provider, npi=npi)

    def _patient(self, patient_id: int) -> models.Patient:
        if patient_id not in self.patient_values:
            self.patient_values[patient_id] = _patient(self.patients[patient_id])
        return self.patient_values[patient_id]

    def _policy(self, policy_id: int) -> models.Policy | None:
        if policy_id not in self.policy_values:
            row = self.policies.get(policy_id)
            self.policy_values[policy_id] = _policy(row, self.payer_ids) if row else None
        return self.policy_values[policy_id]

    def _appointment(self, claim: _Claim) -> _Visit:
        if claim.appointment_id is None:
            raise ConfigError(f"claim {claim.clm01} was not made from an appointment")
        return self.appointments[claim.appointment_id]

    def _visit(self, row: _Visit, place_of_service: str) -> models.Appointment:
        """The visit, at the place of service the claim carries (box 24B, as corrected)."""
        return models.Appointment(
            key=row.key,
            patient_key=self.patients[row.patient_id].key,
            provider_key=str(row.provider_id),
            service_date=row.service_date,
            place_of_service=place_of_service,
            diagnoses=tuple(self.diagnoses.get(row.id, ())),
            lines=(),
        )


def _writable(policy: models.Policy, payer: models.Payer) -> bool:
    """True when another policy has what its 2320/2330 loops need (else it is left out, and
    the claim goes without it rather than being held for another payer's data)."""
    holder_known = policy.relationship is models.Relationship.SELF or policy.subscriber is not None
    return (
        len(policy.member_id.strip()) >= 2 and bool(payer.claim_filing_indicator) and holder_known
    )


def _policies_of(session: Session, patient_ids: list[int]) -> dict[int, list[t.PolicyRow]]:
    """Every policy of these patients, primary first, by patient id."""
    found: dict[int, list[t.PolicyRow]] = {}
    for chunk in chunks(sorted(set(patient_ids))):
        query = select(t.PolicyRow).where(among(t.PolicyRow.patient_id, chunk))
        for row in session.scalars(query):
            found.setdefault(row.patient_id, []).append(row)
    for rows in found.values():
        rows.sort(key=lambda row: PRIORITY_ORDER.index(row.priority))
    return found


def rows_by_id(
    session: Session, model: type[RowT], key: InstrumentedAttribute[int], ids: Iterable[int]
) -> dict[int, RowT]:
    """The rows of ``model`` whose ``key`` is one of ``ids``, by that key."""
    found: dict[int, RowT] = {}
    for chunk in chunks(sorted(set(ids))):
        found.update(session.execute(select(key, model).where(among(key, chunk))).all())
    return found


def _plain_by_id(
    session: Session,
    model: type[t.Base],
    fields: tuple[str, ...],
    make: Callable[[Iterable[Any]], ShapeT],
    ids: Iterable[int],
) -> dict[int, ShapeT]:
    """``fields`` (``id`` first) of the rows of ``ids`` as plain tuples made by ``make``."""
    columns = [getattr(model, name) for name in fields]
    found: dict[int, ShapeT] = {}
    for chunk in chunks(sorted(set(ids))):
        query = select(*columns).where(among(columns[0], chunk))
        found |= {row[0]: make(row) for row in session.execute(query)}
    return found


def _diagnoses(session: Session, appointment_ids: list[int]) -> dict[int, list[str]]:
    diagnosis = t.AppointmentDiagnosisRow
    query = select(diagnosis.appointment_id, diagnosis.code).order_by(
        diagnosis.appointment_id, diagnosis.position
    )
    found: dict[int, list[str]] = {}
    for chunk in chunks(appointment_ids):
        for appointment_id, code in session.execute(
            query.where(among(diagnosis.appointment_id, chunk))
        ):
            found.setdefault(appointment_id, []).append(code)
    return found


class _Line(NamedTuple):
    """The columns of a claim line that a claim's facts need (plain values: read fast)."""

    claim_id: int
    line_number: int
    code: str
    modifiers: str
    units: Decimal
    charge: Decimal
    diagnosis_pointers: str
    line_control_number: str | None


def _lines(session: Session, claim_ids: list[int]) -> dict[int, list[_Line]]:
    line = t.ClaimLineRow
    columns = [getattr(line, name) for name in _Line._fields]
    query = select(*columns).order_by(line.claim_id, line.line_number)
    found: dict[int, list[_Line]] = {}
    for chunk in chunks(claim_ids):
        for row in session.execute(query.where(among(line.claim_id, chunk))):
            found.setdefault(row[0], []).append(_Line._make(row))
    return found


def _service_line(row: _Line) -> models.ServiceLine:
    return models.ServiceLine(
        code=row.code,
        units=row.units,
        charge=row.charge,
        diagnosis_pointers=split_numbers(row.diagnosis_pointers),
        modifiers=split_codes(row.modifiers),
    )


def split_codes(text: str) -> tuple[str, ...]:
    """'25:59' → ('25', '59'); '' → ()."""
    return tuple(part for part in text.split(":") if part)


def split_numbers(text: str) -> tuple[int, ...]:
    """'1:2' → (1, 2); '' → ()."""
    return tuple(int(part) for part in split_codes(text))


def _provider(row: t.ProviderRow | None) -> models.Provider | None:
    if row is None:
        return None
    return models.Provider(
        key=row.key,
        first_name=row.first_name,
        last_name=row.last_name,
        npi=row.npi,
        taxonomy=row.taxonomy,
        credential=row.credential,
    )


def _patient(row: t.PatientRow) -> models.Patient:
    return models.Patient(
        key=row.key,
        first_name=row.first_name,
        last_name=row.last_name,
        dob=row.dob,
        sex=row.sex,
        address=_address(
            row.address_line1,
            row.address_line2,
            row.address_city,
            row.address_state,
            row.address_zip,
        ),
    )


def _policy(row: t.PolicyRow, payer_ids: dict[int, str]) -> models.Policy:
    return models.Policy(
        priority=models.Priority(row.priority),
        payer_id=payer_ids[row.payer_id],
        member_id=row.member_id,
        relationship=models.Relationship(row.relationship),
        group_number=row.group_number,
        subscriber=_subscriber(row),
    )


def _subscriber(row: t.PolicyRow) -> models.Person | None:
    if row.subscriber_last_name is None or row.subscriber_dob is None:
        return None
    return models.Person(
        first_name=row.subscriber_first_name or "",
        last_name=row.subscriber_last_name,
        dob=row.subscriber_dob,
        sex=row.subscriber_sex or "",
        address=_optional_address(
            row.subscriber_line1,
            row.subscriber_line2,
            row.subscriber_city,
            row.subscriber_state,
            row.subscriber_zip,
        ),
    )


def _address(line1: str, line2: str | None, city: str, state: str, zip_code: str) -> models.Address:
    return models.Address(line1=line1, line2=line2, city=city, state=state, zip=zip_code)


def _optional_address(
    line1: str | None, line2: str | None, city: str | None, state: str | None, zip_code: str | None
) -> models.Address | None:
    if line1 is None or city is None or state is None or zip_code is None:
        return None
    return _address(line1, line2, city, state, zip_code)


def _contact(row: t.PracticeRow) -> models.Contact | None:
    if not row.contact_name:
        return None
    return models.Contact(row.contact_name, row.contact_phone, row.contact_email)
