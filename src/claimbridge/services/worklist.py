"""The claims worklist and one claim as a biller reads it: CMS-1500 fields, timeline, segments.

Read-only queries over the ledger; the claim cycle's services change claims.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, UnaryExpression, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from claimbridge.domain.payers import CLAIM_FILING_INDICATORS
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound, InputError
from claimbridge.services.balances import ClaimBalance, claim_balances
from claimbridge.services.claim_chain import waiting_ids, waiting_reason
from claimbridge.services.claim_search import OA_KINDS, Search, claim_ids_matching
from claimbridge.services.claim_view import Totals, claim_totals
from claimbridge.services.post import unbalanced_claim_ids
from claimbridge.store import tables as t
from claimbridge.store.practices import practice_row
from claimbridge.store.repositories import status_totals

PAGE_SIZES = (25, 50, 100, 200)
PAGE_SIZE = 50

MOST_PAGES = 1_000_000
COUNT_CAP = 100_000  # matches counted at most; more shows as "more than"
SORT_CAP = 10_000  # matches sorted on a column of another table or a sum, at most
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
    search: Search | None = None
    unbalanced: bool = False  # only claims whose latest ERA did not add up, not yet reviewed
    waiting: bool = False  # only claims to a next payer waiting for it (claim_chain)
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
    insurance_balance: Decimal = Decimal("0.00")  # ``services.balances``
    patient_balance: Decimal = Decimal("0.00")


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
    payer_sequence: str = "primary"  # primary, secondary or tertiary (SBR01 P, S, T)
    follows: str | None = None  # CLM01 of the claim whose adjudication this one carries
    followed_by: tuple[str, ...] = ()  # CLM01s of the claims that carry this one's
    crossed_over_to: str | None = None  # the payer ID a crossover forwarded it to
    crossed_over_name: str | None = None  # that payer in words, when it is in our list
    waiting: str | None = None  # why its replacement or void waits for its payer's answer
    oa_claim_id: str | None = None  # Office Ally's claim ID, from its reports or a 277CA


def age_days(row_created: datetime, submitted: datetime | None, today: date) -> int:
    """Days since the claim was sent, or since it was made when it has not been sent."""
    return (today - (submitted or row_created).date()).days


class SortKey(StrEnum):
    """A worklist column to sort on."""

    CLAIM = "claim"
    PATIENT = "patient"
    PAYER = "payer"
    PROVIDER = "provider"
    SERVICE_DATE = "dos"
    CHARGE = "charge"
    PAID = "paid"
    BALANCE = "balance"
    STATUS = "status"
    AGE = "age"
    REASON = "reason"


@dataclass(frozen=True, slots=True)
class Paging:
    """Which page of the worklist, sorted how: page ``number`` (from 1) of ``size`` rows."""

    sort: SortKey = SortKey.SERVICE_DATE
    descending: bool = False
    number: int = 1
    size: int = PAGE_SIZE

    def __post_init__(self) -> None:
        if self.size not in PAGE_SIZES:
            sizes = ", ".join(str(size) for size in PAGE_SIZES)
            raise InputError(f"page size: {self.size} is not one of {sizes}")
        if not 1 <= self.number <= MOST_PAGES:
            raise InputError(f"page: {self.number} is not between 1 and {MOST_PAGES:,}")


@dataclass(frozen=True, slots=True)
class WorklistPage:
    """One page of the worklist and how many claims match in all: ``total`` exactly, or, when
    ``more`` is set, at least ``total`` (``COUNT_CAP``), and only those first ``COUNT_CAP`` are
    paged through (a deep OFFSET reads every row before it). ``paging`` is what was shown: a
    page beyond the last shows the last, and a sort no index gives (patient, payer, provider from
    other tables; paid and balance, sums; age and reason) over more than ``SORT_CAP`` matches
    shows the date of service order instead, with ``unsorted`` naming the column asked for.
    Status sorts by date of service within each status."""

    rows: list[WorklistRow]
    total: int
    paging: Paging
    more: bool = False
    unsorted: SortKey | None = None

    @property
    def first(self) -> int:
        """The number of the page's first row (0 when the page is empty)."""
        return (self.paging.number - 1) * self.paging.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The number of the page's last row."""
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def pages(self) -> int:
        """How many pages the matching claims fill (at least one; a lower bound when
        ``more``)."""
        return max(1, -(-self.total // self.paging.size))

    @property
    def has_next(self) -> bool:
        """True when a page follows this one."""
        return self.paging.number < self.pages


def worklist(
    session: Session, wanted: ClaimFilter, today: date, paging: Paging = Paging()
) -> WorklistPage:
    """The page ``paging`` asks for of the claims matching ``wanted``, and their count (see
    ``WorklistPage``). Every sort but those ``SORT_CAP`` limits reads an index in order."""
    total = _count(session, _filtered(select(t.ClaimRow.id), wanted, today))
    more = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    unsorted = None
    if paging.sort in EXPENSIVE_SORTS and total > SORT_CAP:
        unsorted, paging = paging.sort, replace(paging, sort=SortKey.SERVICE_DATE)
    pages = max(1, -(-total // paging.size))
    if paging.number > pages:  # past the count, or past the first COUNT_CAP claims
        paging = replace(paging, number=pages)
    ids = _page_ids(session, _filtered(_sort_query(paging.sort), wanted, today), paging)
    found = {
        row[0].id: row for row in session.execute(_worklist_query().where(t.ClaimRow.id.in_(ids)))
    }
    posted, balances = claim_totals(session, ids), claim_balances(session, ids)
    rows = [
        _worklist_row(found[i], today, posted.get(i, Totals()), balances[i])
        for i in ids
        if i in found
    ]
    return WorklistPage(rows, total, paging, more, unsorted)


def _sort_query(sort: SortKey) -> Select[Any]:
    """The claim ids, joined to what ``sort`` orders by and nothing more: the page's ids are
    found first, then their rows (joining every claim to its patient would cost more)."""
    query = select(t.ClaimRow.id)
    if sort is SortKey.PATIENT:
        appointment = t.AppointmentRow
        query = query.outerjoin(appointment, appointment.id == t.ClaimRow.appointment_id)
        query = query.outerjoin(t.PatientRow, t.PatientRow.id == appointment.patient_id)
    if sort is SortKey.PAYER:
        query = query.join(t.PayerRow, t.PayerRow.id == t.ClaimRow.payer_id)
    if sort is SortKey.PROVIDER:
        query = query.outerjoin(t.ProviderRow, t.ProviderRow.npi == t.ClaimRow.rendering_npi)
    return query


def _page_ids(session: Session, query: Select[Any], paging: Paging) -> list[int]:
    offset = (paging.number - 1) * paging.size
    ordered = query.order_by(*_order(paging)).offset(offset).limit(paging.size)
    return list(session.scalars(ordered))


def _count(session: Session, ids: Select[Any]) -> int:
    """How many rows ``ids`` gives, counting no further than one past ``COUNT_CAP``."""
    capped = ids.limit(COUNT_CAP + 1).subquery()
    return session.scalar(select(func.count()).select_from(capped)) or 0


def _order(paging: Paging) -> list[UnaryExpression[Any]]:
    """ORDER BY for ``paging``: its column, then the claim id, the way asked. A column
    that may be empty (patient, reason) puts the empty ones last going up, first going down,
    on SQLite as on PostgreSQL."""
    descending = paging.descending != (paging.sort is SortKey.AGE)  # age grows as dates fall
    order = []
    for column in _SORT_COLUMNS[paging.sort]():
        ordered = column.desc() if descending else column.asc()
        if paging.sort in _MAY_BE_EMPTY:
            ordered = ordered.nulls_first() if descending else ordered.nulls_last()
        order.append(ordered)
    return [*order, t.ClaimRow.id.desc() if paging.descending else t.ClaimRow.id.asc()]


def _paid() -> ColumnElement[Any]:
    payment = t.PaymentRow
    total = select(func.coalesce(func.sum(payment.paid), 0))
    return total.where(payment.claim_id == t.ClaimRow.id).scalar_subquery()


def _balance() -> ColumnElement[Any]:
    payment, adjustment = t.PaymentRow, t.AdjustmentRow
    adjusted = (
        select(func.coalesce(func.sum(adjustment.amount), 0))
        .join(payment, payment.id == adjustment.payment_id)
        .where(payment.claim_id == t.ClaimRow.id)
        .scalar_subquery()
    )
    return t.ClaimRow.total_charge - _paid() - adjusted


EXPENSIVE_SORTS = frozenset(
    (
        SortKey.PATIENT,
        SortKey.PAYER,
        SortKey.PROVIDER,
        SortKey.PAID,
        SortKey.BALANCE,
        SortKey.AGE,
        SortKey.REASON,
    )
)
_MAY_BE_EMPTY = frozenset((SortKey.PATIENT, SortKey.REASON))
SortColumn = ColumnElement[Any] | InstrumentedAttribute[Any]
_SORT_COLUMNS: dict[SortKey, Callable[[], list[SortColumn]]] = {
    SortKey.CLAIM: lambda: [t.ClaimRow.clm01],
    SortKey.PATIENT: lambda: [t.PatientRow.last_name, t.PatientRow.first_name],
    SortKey.PAYER: lambda: [t.PayerRow.name],
    SortKey.PROVIDER: lambda: [func.coalesce(t.ProviderRow.last_name, t.ClaimRow.rendering_npi)],
    SortKey.SERVICE_DATE: lambda: [t.ClaimRow.service_date],
    SortKey.CHARGE: lambda: [t.ClaimRow.total_charge],
    SortKey.PAID: lambda: [_paid()],
    SortKey.BALANCE: lambda: [_balance()],
    SortKey.STATUS: lambda: [t.ClaimRow.status, t.ClaimRow.service_date],
    SortKey.AGE: lambda: [func.coalesce(t.ClaimRow.submitted_at, t.ClaimRow.created_at)],
    SortKey.REASON: lambda: [t.ClaimRow.status_reason],
}


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
        payer = select(t.PayerRow.id).where(t.PayerRow.payer_id == wanted.payer_id)
        query = query.where(claim.payer_id.in_(payer))
    if wanted.provider_npi:
        query = query.where(claim.rendering_npi == wanted.provider_npi)
    if wanted.service_from:
        query = query.where(claim.service_date >= wanted.service_from)
    if wanted.service_to:
        query = query.where(claim.service_date <= wanted.service_to)
    if wanted.search is not None:
        query = query.where(claim.id.in_(claim_ids_matching(wanted.search)))
    if wanted.unbalanced:
        query = query.where(claim.id.in_(unbalanced_claim_ids()))
    if wanted.waiting:
        query = query.where(claim.id.in_(waiting_ids()))
    if wanted.reason:
        query = query.where(claim.status_reason == wanted.reason)
    if wanted.min_age_days is not None:
        cutoff = datetime.combine(today - timedelta(days=wanted.min_age_days - 1), time(), UTC)
        query = query.where(func.coalesce(claim.submitted_at, claim.created_at) < cutoff)
    return query


def _worklist_row(found: Any, today: date, posted: Totals, balance: ClaimBalance) -> WorklistRow:
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
        insurance_balance=balance.insurance,
        patient_balance=balance.patient,
    )


def status_counts(session: Session) -> dict[ClaimStatus, tuple[int, Decimal]]:
    """Per status, how many claims and their total charge (kept by the database as claims
    move: ``store.repositories.status_totals``)."""
    return status_totals(session)


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
        payer_sequence=claim.payer_sequence,
        follows=_clm01_of(session, claim.follows_claim_id),
        followed_by=_followed_by(session, claim.id),
        crossed_over_to=claim.crossed_over_to,
        crossed_over_name=_payer_words(session, claim.crossed_over_to),
        waiting=waiting_reason(session, claim.id),
        oa_claim_id=_oa_claim_id(session, claim.id),
    )


def _oa_claim_id(session: Session, claim_id: int) -> str | None:
    """The claim ID Office Ally gave the claim most lately: a File Summary's or EDI Status
    report's, or a 277CA's REF*D9 (a claim sent again gets a new one)."""
    ack = t.AcknowledgmentRow
    query = select(ack.control_number).where(
        ack.claim_id == claim_id, ack.kind.in_(OA_KINDS), ack.control_number.is_not(None)
    )
    return session.scalar(query.order_by(ack.id.desc()).limit(1))


def _clm01_of(session: Session, claim_id: int | None) -> str | None:
    if claim_id is None:
        return None
    return session.scalar(select(t.ClaimRow.clm01).where(t.ClaimRow.id == claim_id))


def _followed_by(session: Session, claim_id: int) -> tuple[str, ...]:
    query = select(t.ClaimRow.clm01).where(t.ClaimRow.follows_claim_id == claim_id)
    return tuple(session.scalars(query.order_by(t.ClaimRow.id)))


def _payer_words(session: Session, payer_id: str | None) -> str | None:
    """'NAME (ID)' of our payer ``payer_id``; the ID alone when it is not in our list."""
    if payer_id is None:
        return None
    name = session.scalar(select(t.PayerRow.name).where(t.PayerRow.payer_id == payer_id))
    return f"{name} ({payer_id})" if name else payer_id


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
