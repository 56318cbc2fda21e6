"""The claims worklist and one claim as a biller reads it: CMS-1500 fields, timeline, segments.

Read-only queries over the ledger; the claim cycle's services change claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from claimbridge.domain.payers import CLAIM_FILING_INDICATORS
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound, InputError
from claimbridge.services.claim_view import Totals, claim_totals
from claimbridge.services.post import unbalanced_claim_ids
from claimbridge.store import tables as t
from claimbridge.store.practices import practice_row

PAGE_SIZE = 200


MAX_AGE_DAYS = 36_525  # a hundred years: older than any claim, and a date Python can hold


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    """What the worklist shows: every field left None is not filtered on."""

    status: ClaimStatus | None = None
    payer_id: str | None = None
    provider_npi: str | None = None
    service_from: date | None = None
    service_to: date | None = None
    min_age_days: int | None = None
    text: str | None = None
    unbalanced: bool = False  # only claims whose latest ERA did not add up, not yet reviewed
    reason: str | None = None  # only claims held or rejected for exactly this reason

    def __post_init__(self) -> None:
        if self.min_age_days is not None and not 0 <= self.min_age_days <= MAX_AGE_DAYS:
            raise InputError(
                f"age in days: {self.min_age_days} is not between 0 and {MAX_AGE_DAYS}"
            )


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One claim in the worklist; ``age_days`` counts from submission, else from creation."""

    clm01: str
    patient: str
    patient_key: str | None
    payer: str
    payer_id: str
    provider: str
    service_date: date
    total_charge: Decimal
    status: ClaimStatus
    status_reason: str | None
    age_days: int
    paid: Decimal = Decimal("0.00")
    balance: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """Box 24 of the CMS-1500: one service line."""

    number: int
    service_date: date
    place_of_service: str
    code: str
    modifiers: str
    diagnosis_pointers: str
    charge: Decimal
    units: Decimal
    rendering_npi: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A claim event with the acknowledgment or remittance file behind it, if any."""

    at: datetime
    what: str
    why: str | None
    actor: str
    from_status: str | None
    to_status: str | None
    file_name: str | None
    file_type: str | None
    acknowledgments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    """A claim as the CMS-1500 form lays it out, with its history."""

    clm01: str
    status: ClaimStatus
    status_reason: str | None
    era_expected: bool
    frequency_code: str
    payer_claim_control_number: str | None
    boxes: dict[str, str]
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    total_charge: Decimal
    patient_key: str | None
    timeline: tuple[TimelineEntry, ...] = ()
    submissions: tuple[tuple[str, str, datetime | None], ...] = field(default=())


def age_days(row_created: datetime, submitted: datetime | None, today: date) -> int:
    """Days since the claim was sent, or since it was made when it has not been sent."""
    return (today - (submitted or row_created).date()).days


def worklist(session: Session, wanted: ClaimFilter, today: date) -> list[WorklistRow]:
    """Claims matching ``wanted``, oldest date of service first, at most ``PAGE_SIZE``."""
    query = _filtered(_worklist_query(), wanted, today).order_by(
        t.ClaimRow.service_date, t.ClaimRow.id
    )
    found = session.execute(query.limit(PAGE_SIZE)).all()
    posted = claim_totals(session, [claim.id for claim, *_ in found])
    return [_worklist_row(row, today, posted.get(row[0].id, Totals())) for row in found]


def _worklist_query() -> Select[*tuple[Any, ...]]:
    return (
        select(t.ClaimRow, t.PayerRow, t.PatientRow, t.ProviderRow)
        .join(t.PayerRow, t.PayerRow.id == t.ClaimRow.payer_id)
        .outerjoin(t.AppointmentRow, t.AppointmentRow.id == t.ClaimRow.appointment_id)
        .outerjoin(t.PatientRow, t.PatientRow.id == t.AppointmentRow.patient_id)
        .outerjoin(t.ProviderRow, t.ProviderRow.npi == t.ClaimRow.rendering_npi)
    )


def _filtered(
    query: Select[*tuple[Any, ...]], wanted: ClaimFilter, today: date
) -> Select[*tuple[Any, ...]]:
    claim = t.ClaimRow
    if wanted.status is not None:
        query = query.where(claim.status == wanted.status.value)
    if wanted.payer_id:
        query = query.where(t.PayerRow.payer_id == wanted.payer_id)
    if wanted.provider_npi:
        query = query.where(claim.rendering_npi == wanted.provider_npi)
    if wanted.service_from:
        query = query.where(claim.service_date >= wanted.service_from)
    if wanted.service_to:
        query = query.where(claim.service_date <= wanted.service_to)
    if wanted.text:
        query = query.where(claim.clm01.contains(wanted.text.strip()))
    if wanted.unbalanced:
        query = query.where(claim.id.in_(unbalanced_claim_ids()))
    if wanted.reason:
        query = query.where(claim.status_reason == wanted.reason)
    if wanted.min_age_days is not None:
        cutoff = datetime.combine(today - timedelta(days=wanted.min_age_days - 1), time(), UTC)
        query = query.where(func.coalesce(claim.submitted_at, claim.created_at) < cutoff)
    return query


def _worklist_row(found: Any, today: date, posted: Totals) -> WorklistRow:
    claim, payer, patient, provider = found
    return WorklistRow(
        clm01=claim.clm01,
        patient=f"{patient.last_name}, {patient.first_name}" if patient else "",
        patient_key=patient.key if patient else None,
        payer=payer.name,
        payer_id=payer.payer_id,
        provider=f"{provider.last_name}, {provider.first_name}"
        if provider
        else claim.rendering_npi,
        service_date=claim.service_date,
        total_charge=claim.total_charge,
        status=ClaimStatus(claim.status),
        status_reason=claim.status_reason,
        age_days=age_days(claim.created_at, claim.submitted_at, today),
        paid=posted.paid,
        balance=posted.balance(claim.total_charge),
    )


def status_counts(session: Session) -> dict[ClaimStatus, tuple[int, Decimal]]:
    """Per status, how many claims and their total charge."""
    query = select(t.ClaimRow.status, func.count(), func.sum(t.ClaimRow.total_charge))
    rows = session.execute(query.group_by(t.ClaimRow.status)).all()
    return {
        ClaimStatus(s): (n, Decimal(total or 0).quantize(Decimal("0.01"))) for s, n, total in rows
    }


def claim_detail(session: Session, clm01: str) -> ClaimDetail:
    """The claim ``clm01`` laid out as the CMS-1500; ``ClaimNotFound`` if there is none."""
    found = session.execute(_worklist_query().where(t.ClaimRow.clm01 == clm01)).first()
    if found is None:
        raise ClaimNotFound(f"no claim {clm01!r}", claim_id=clm01)
    claim, payer, patient, provider = found
    return ClaimDetail(
        clm01=claim.clm01,
        status=ClaimStatus(claim.status),
        status_reason=claim.status_reason,
        era_expected=claim.era_expected,
        frequency_code=claim.frequency_code,
        payer_claim_control_number=claim.payer_claim_control_number,
        boxes=_boxes(session, claim, payer, patient, provider),
        diagnoses=_diagnoses(session, claim.appointment_id),
        lines=_lines(session, claim),
        total_charge=claim.total_charge,
        patient_key=patient.key if patient else None,
        timeline=_timeline(session, claim.id),
        submissions=_submissions(session, claim.id),
    )


def _boxes(
    session: Session,
    claim: t.ClaimRow,
    payer: t.PayerRow,
    patient: t.PatientRow | None,
    provider: t.ProviderRow | None,
) -> dict[str, str]:
    policy = session.get(t.PolicyRow, claim.policy_id) if claim.policy_id else None
    practice = practice_row(session)
    indicator = payer.claim_filing_indicator or ""
    boxes = {
        "Payer": f"{payer.name} ({payer.payer_id})",
        "1 Insurance type": f"{indicator} {CLAIM_FILING_INDICATORS.get(indicator, '')}".strip(),
        "1a Insured's ID": policy.member_id if policy else "",
        "11 Group number": (policy.group_number or "") if policy else "",
        "6 Relationship to insured": policy.relationship if policy else "",
    }
    boxes |= _patient_boxes(patient, policy)
    boxes["24J Rendering NPI"] = claim.rendering_npi
    if provider is not None:
        boxes["31 Rendering provider"] = _person(provider.first_name, provider.last_name)
    boxes["25 Federal tax ID"] = claim.billing_tax_id
    boxes["26 Patient account no."] = claim.clm01
    boxes["28 Total charge"] = f"{claim.total_charge:,.2f}"
    boxes["33 Billing provider"] = f"{practice.name} NPI {claim.billing_npi}" if practice else ""
    return boxes


def _patient_boxes(patient: t.PatientRow | None, policy: t.PolicyRow | None) -> dict[str, str]:
    if patient is None:
        return {}
    insured = patient
    boxes = {
        "2 Patient's name": _person(patient.first_name, patient.last_name),
        "3 Birth date, sex": f"{patient.dob:%m/%d/%Y} {patient.sex}",
        "5 Patient's address": _address(insured),
    }
    if policy is not None and policy.subscriber_last_name:
        name = _person(policy.subscriber_first_name or "", policy.subscriber_last_name)
        boxes["4 Insured's name"] = name
    else:
        boxes["4 Insured's name"] = boxes["2 Patient's name"]
    return boxes


def _person(first: str, last: str) -> str:
    return f"{last}, {first}"


def _address(patient: t.PatientRow) -> str:
    line2 = f" {patient.address_line2}" if patient.address_line2 else ""
    city = f"{patient.address_city}, {patient.address_state} {patient.address_zip}"
    return f"{patient.address_line1}{line2}, {city}"


def _diagnoses(session: Session, appointment_id: int | None) -> tuple[str, ...]:
    if appointment_id is None:
        return ()
    query = select(t.AppointmentDiagnosisRow.code).where(
        t.AppointmentDiagnosisRow.appointment_id == appointment_id
    )
    return tuple(session.scalars(query.order_by(t.AppointmentDiagnosisRow.position)))


def _lines(session: Session, claim: t.ClaimRow) -> tuple[ClaimLine, ...]:
    query = select(t.ClaimLineRow).where(t.ClaimLineRow.claim_id == claim.id)
    return tuple(
        ClaimLine(
            number=row.line_number,
            service_date=row.service_date,
            place_of_service=claim.place_of_service,
            code=row.code,
            modifiers=row.modifiers.replace(":", " "),
            diagnosis_pointers=_pointer_letters(row.diagnosis_pointers),
            charge=row.charge,
            units=row.units,
            rendering_npi=claim.rendering_npi,
        )
        for row in session.scalars(query.order_by(t.ClaimLineRow.line_number))
    )


def _pointer_letters(pointers: str) -> str:
    """'1:2' → 'AB': box 24E names the diagnoses of box 21 by their letters A–L."""
    letters = "ABCDEFGHIJKL"
    return "".join(
        letters[int(p) - 1] if p.isdigit() and 1 <= int(p) <= len(letters) else p
        for p in pointers.split(":")
        if p
    )


def _timeline(session: Session, claim_id: int) -> tuple[TimelineEntry, ...]:
    file = aliased(t.InboundFileRow)
    query = (
        select(t.ClaimEventRow, file.name, file.detected_type)
        .outerjoin(file, file.id == t.ClaimEventRow.inbound_file_id)
        .where(t.ClaimEventRow.claim_id == claim_id)
        .order_by(t.ClaimEventRow.id)
    )
    acks = _acknowledgments(session, claim_id)
    return tuple(
        TimelineEntry(
            at=event.at,
            what=event.what,
            why=event.why,
            actor=event.actor,
            from_status=event.from_status,
            to_status=event.to_status,
            file_name=name,
            file_type=kind,
            acknowledgments=acks.get(event.inbound_file_id or -1, ()),
        )
        for event, name, kind in session.execute(query)
    )


def _acknowledgments(session: Session, claim_id: int) -> dict[int, tuple[str, ...]]:
    query = select(t.AcknowledgmentRow).where(t.AcknowledgmentRow.claim_id == claim_id)
    found: dict[int, tuple[str, ...]] = {}
    for row in session.scalars(query.order_by(t.AcknowledgmentRow.id)):
        text = f"{row.kind} {row.code}" + (f": {row.detail}" if row.detail else "")
        found[row.inbound_file_id] = (*found.get(row.inbound_file_id, ()), text)
    return found


def _submissions(session: Session, claim_id: int) -> tuple[tuple[str, str, datetime | None], ...]:
    query = (
        select(t.BatchRow.file_name, t.ClaimSubmissionRow.st02, t.BatchRow.sent_at)
        .join(t.ClaimSubmissionRow, t.ClaimSubmissionRow.batch_id == t.BatchRow.id)
        .where(t.ClaimSubmissionRow.claim_id == claim_id)
        .order_by(t.BatchRow.id)
    )
    return tuple(
        (name or "(not uploaded)", st02, sent) for name, st02, sent in session.execute(query)
    )


@dataclass(frozen=True, slots=True)
class ProviderChoice:
    """A rendering provider as lists and filters show it."""

    name: str
    npi: str
    taxonomy: str


def providers(session: Session) -> list[ProviderChoice]:
    """Every rendering provider, by last name."""
    query = select(t.ProviderRow).order_by(t.ProviderRow.last_name, t.ProviderRow.first_name)
    return [
        ProviderChoice(
            f"{row.last_name}, {row.first_name}" + (f" {row.credential}" if row.credential else ""),
            row.npi,
            row.taxonomy,
        )
        for row in session.scalars(query)
    ]


def practice_fields(session: Session) -> dict[str, str]:
    """The practice (billing provider) as label → value; empty before a practice is loaded."""
    row = practice_row(session)
    if row is None:
        return {}
    line2 = f" {row.address_line2}" if row.address_line2 else ""
    address = (
        f"{row.address_line1}{line2}, {row.address_city}, {row.address_state} {row.address_zip}"
    )
    contact = " · ".join(v for v in (row.contact_name, row.contact_email, row.contact_phone) if v)
    return {
        "Name": row.name,
        "Tax ID": row.tax_id,
        "NPI": row.npi,
        "Taxonomy": row.taxonomy,
        "Address": address,
        "Contact": contact,
    }
