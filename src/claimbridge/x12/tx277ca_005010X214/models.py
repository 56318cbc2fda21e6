"""Typed values of a 277CA (005010X214) or 277 claim status (005010X212).

Both guides nest HL levels: 20 information source, 21 information receiver, 19 billing or
service provider, then PT patient (277CA) or 22 subscriber and 23 dependent (277). Each
``Level`` keeps its HL, NM1 and PER segments and its status loops (2200x): a ``Tracking`` is a
TRN and the STC, REF, QTY, AMT, DTP segments after it, with service lines (2220x, ``ServiceLine``)
under a claim. Levels are kept flat, in file order, with their parent's id.

``ClaimResult`` is the claim-level view the rest of claimbridge uses: one per status loop of a
patient, subscriber or dependent level, with the fields most callers need.

Names and member ids are kept (they are the data) but left out of ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from claimbridge.x12.tx277ca_005010X214.codes import Outcome, outcome_of, strongest


@dataclass(frozen=True, slots=True)
class Coded:
    """A code as sent and its meaning in words (None when our code list does not hold it)."""

    code: str
    meaning: str | None


class SourceKind(StrEnum):
    """Who sent the 277: Office Ally or another clearinghouse (NM1*AY), or a payer (NM1*PR)."""

    CLEARINGHOUSE = "clearinghouse"
    PAYER = "payer"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TransactionHeader:
    """BHT: what this 277 is and when it was made."""

    structure: str  # BHT01: 0085 (277CA) or 0010 (277)
    purpose: str  # BHT02: 08 status
    reference: str  # BHT03: the sender's reference for this 277
    created_date: date | None  # BHT04; None when it is not a date
    created_time: str  # BHT05 as sent
    transaction_type: str  # BHT06: TH receipt acknowledgment (277CA), DG response (277)


@dataclass(frozen=True, slots=True)
class Name:
    """NM1: the entity of a level (clearinghouse, payer, submitter, provider, patient …)."""

    entity: Coded  # NM101
    entity_type: str  # NM102: 1 person, 2 organisation
    last_or_organization: str = field(repr=False)  # NM103
    first: str = field(repr=False)  # NM104
    middle: str = field(repr=False)  # NM105
    prefix: str = field(repr=False)  # NM106
    suffix: str = field(repr=False)  # NM107
    id_qualifier: str  # NM108: 46 ETIN, XX NPI, FI tax id, PI payer id, MI member id …
    id: str = field(repr=False)  # NM109


class Communication(NamedTuple):
    """One number of a PER contact: qualifier (TE, EM, FX …) and the number or address."""

    qualifier: str
    number: str


@dataclass(frozen=True, slots=True)
class Contact:
    """PER: a contact of the information source."""

    function: str  # PER01
    name: str  # PER02
    numbers: tuple[Communication, ...]  # PER03/04, PER05/06, PER07/08


@dataclass(frozen=True, slots=True)
class Trace:
    """TRN: a trace number; at claim level TRN02 is our CLM01."""

    trace_type: str  # TRN01: 1 current transaction, 2 referenced transaction
    number: str  # TRN02
    originator: str  # TRN03
    reference: str  # TRN04


@dataclass(frozen=True, slots=True)
class StatusCode:
    """One composite C043 of an STC: category : status [: entity [: code list]]."""

    category: Coded  # list 507
    status: Coded  # list 508 (or the list named in code_list_qualifier)
    entity: Coded | None  # element 98: whose information is meant
    code_list_qualifier: str  # 4th component, e.g. RX (NCPDP reject codes) in a 277

    @property
    def outcome(self) -> Outcome:
        """What the category code means for the claim or line."""
        return outcome_of(self.category.code)


@dataclass(frozen=True, slots=True)
class Status:
    """STC: a status with its date, action and amounts."""

    primary: StatusCode  # STC01
    effective_date: date | None  # STC02
    action: Coded | None  # STC03: WQ accept, U reject (277CA)
    charge: Decimal | None  # STC04: total charge of the claim or line
    paid: Decimal | None  # STC05: amount paid (277)
    payment_date: date | None  # STC06 (277)
    payment_method: str  # STC07 (277)
    check_date: date | None  # STC08 (277)
    check_number: str  # STC09 (277)
    secondary: StatusCode | None  # STC10
    tertiary: StatusCode | None  # STC11
    message: str  # STC12: free-form text

    @property
    def codes(self) -> tuple[StatusCode, ...]:
        """STC01, STC10 and STC11, those that are present."""
        return tuple(c for c in (self.primary, self.secondary, self.tertiary) if c is not None)

    @property
    def outcome(self) -> Outcome:
        """The strongest outcome among STC01, STC10 and STC11."""
        return strongest([c.outcome for c in self.codes])


@dataclass(frozen=True, slots=True)
class Reference:
    """REF: 1K payer claim number, D9 clearinghouse trace, BLT, EA, FJ line control number …"""

    qualifier: Coded  # REF01
    value: str  # REF02
    description: str  # REF03


@dataclass(frozen=True, slots=True)
class Quantity:
    """QTY: 90 accepted, AA rejected (277CA) or QA/QC claim counts."""

    qualifier: Coded
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class Amount:
    """AMT: YU amount in process (accepted), YY amount returned (rejected)."""

    qualifier: Coded
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DatePeriod:
    """DTP: a date (D8) or range (RD8); start and end are None when the text is not a date."""

    qualifier: Coded  # DTP01: 472 service, 050 received, 009 process
    format: str  # DTP02: D8 or RD8
    text: str  # DTP03 as sent
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """Loop 2220: SVC and the line's own STC, REF (FJ: our REF*6R) and DTP segments."""

    procedure: tuple[str, ...]  # SVC01 components, e.g. ('HC', '99213', '25')
    charge: Decimal  # SVC02
    paid: Decimal | None  # SVC03
    revenue_code: str  # SVC04
    paid_units: Decimal | None  # SVC05
    original_procedure: tuple[str, ...]  # SVC06
    units: Decimal | None  # SVC07
    statuses: tuple[Status, ...]
    references: tuple[Reference, ...]
    dates: tuple[DatePeriod, ...]

    @property
    def line_item_control_number(self) -> str | None:
        """REF*FJ: the line item control number we sent in REF*6R."""
        return _reference(self.references, "FJ")

    @property
    def outcome(self) -> Outcome:
        """The strongest outcome among the line's statuses; OTHER when it has none."""
        return strongest([s.outcome for s in self.statuses])


@dataclass(frozen=True, slots=True)
class Tracking:
    """A status loop (2200A–2200E): TRN and what follows it up to the next TRN or HL."""

    trace: Trace | None  # None when a sender put STC, REF … before any TRN
    statuses: tuple[Status, ...]
    references: tuple[Reference, ...]
    quantities: tuple[Quantity, ...]
    amounts: tuple[Amount, ...]
    dates: tuple[DatePeriod, ...]
    service_lines: tuple[ServiceLine, ...]


@dataclass(frozen=True, slots=True)
class Level:
    """One HL with its names, contacts and status loops."""

    id: str  # HL01
    parent_id: str  # HL02 ('' for an information source)
    code: Coded  # HL03: 20, 21, 19, 22, 23, PT
    child_code: str  # HL04: 1 when levels follow beneath, 0 when not
    names: tuple[Name, ...]
    contacts: tuple[Contact, ...]
    tracking: tuple[Tracking, ...]

    @property
    def name(self) -> Name | None:
        """The level's NM1 (the first, should a sender repeat it)."""
        return self.names[0] if self.names else None

    @property
    def statuses(self) -> tuple[Status, ...]:
        """Every STC of the level's status loops, service lines left out."""
        return tuple(s for t in self.tracking for s in t.statuses)


def source_kind(name: Name | None) -> SourceKind:
    """Clearinghouse (NM101 AY) or payer (NM101 PR) for an information source's NM1."""
    code = name.entity.code if name else ""
    return {"AY": SourceKind.CLEARINGHOUSE, "PR": SourceKind.PAYER}.get(code, SourceKind.UNKNOWN)


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """What the 277 says about one of our claims (a claim-level status loop) and who said it."""

    level_id: str  # HL01 of the patient, subscriber or dependent level
    patient: Name | None  # NM1 of that level (QC patient or IL subscriber)
    provider: Name | None  # NM1 of the provider level above (85 billing or 1P provider)
    source: Name | None  # NM1 of the information source level above (AY or PR)
    tracking: Tracking

    @property
    def patient_control_number(self) -> str | None:
        """TRN02: our CLM01."""
        return self.tracking.trace.number if self.tracking.trace else None

    @property
    def statuses(self) -> tuple[Status, ...]:
        """The claim-level STC segments (service lines have their own)."""
        return self.tracking.statuses

    @property
    def outcome(self) -> Outcome:
        """Accepted, rejected, pending … from the claim-level statuses' category codes.

        Several statuses are weighed by ``codes.PRECEDENCE`` (a rejection outweighs a receipt);
        pend, request for information and error stay what they are, never 'rejected'.
        """
        return strongest([s.outcome for s in self.statuses])

    @property
    def payer_claim_number(self) -> str | None:
        """REF*1K: the payer's claim control number, needed in REF*F8 to replace the claim."""
        return _reference(self.tracking.references, "1K")

    @property
    def clearinghouse_trace(self) -> str | None:
        """REF*D9: the clearinghouse's trace number for the claim."""
        return _reference(self.tracking.references, "D9")

    @property
    def charge(self) -> Decimal | None:
        """STC04 of the first claim-level status that carries one: the claim's total charge."""
        return next((s.charge for s in self.statuses if s.charge is not None), None)

    @property
    def service_dates(self) -> DatePeriod | None:
        """DTP*472: the claim's service date or date range."""
        return next((d for d in self.tracking.dates if d.qualifier.code == "472"), None)

    @property
    def service_lines(self) -> tuple[ServiceLine, ...]:
        return self.tracking.service_lines

    @property
    def source_kind(self) -> SourceKind:
        """Whether a clearinghouse (Office Ally's own edits) or a payer sent this status."""
        return source_kind(self.source)


@dataclass(frozen=True, slots=True)
class ClaimAck:
    """A 277CA or 277: every level in file order, and one ``ClaimResult`` per claim."""

    control_number: str  # ST02
    implementation: str  # ST03 (or GS08): 005010X214 or 005010X212
    header: TransactionHeader
    levels: tuple[Level, ...]
    claims: tuple[ClaimResult, ...]

    @property
    def source_kind(self) -> SourceKind:
        """Who sent it, by the first information source level (20)."""
        first = next((lv for lv in self.levels if lv.code.code == "20"), None)
        return source_kind(first.name if first else None)

    def level(self, level_id: str) -> Level | None:
        """The level whose HL01 is ``level_id``."""
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def children(self, level_id: str) -> tuple[Level, ...]:
        """The levels whose HL02 is ``level_id``."""
        return tuple(lv for lv in self.levels if lv.parent_id == level_id)


def _reference(references: tuple[Reference, ...], qualifier: str) -> str | None:
    return next((r.value for r in references if r.qualifier.code == qualifier), None)
