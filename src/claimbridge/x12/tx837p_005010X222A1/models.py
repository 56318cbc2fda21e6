"""The 837P claim batch: frozen values the writer turns into 005010X222A1 and the reader returns.

A batch is a flat tuple of ``Claim``; each claim names its billing provider, subscriber, payer
and (when not the subscriber) patient. The writer groups consecutive claims that share them
into the TR3's HL hierarchy (2000A → 2000B → 2000C), and the reader hands every claim back with
the objects of its loops, so ``parse(build(batch))`` returns the same tuple of claims.

Conventions:

- Money and quantities are ``Decimal``; dates are ``datetime.date``.
- Text is written in the X12 basic character set (``charset.py``); give it in any case.
- Diagnosis codes are ICD-10-CM **without the dot** (``J029``), as they are written in HI;
  ``icd10_code("J02.9")`` drops it. The first code is the principal diagnosis (ABK).
- Codes are the TR3's own: sex ``F``/``M``/``U``, relationship ``01``/``19``/…, filing indicator
  ``CI``/``MB``/…, place of service ``11``, frequency ``1``/``7``/``8``.
- ``other_segments`` holds, per loop, the segments the reader found but the model does not
  cover, in file order; the writer never writes them.
- Nothing here reads a clock or the environment: control numbers, IDs and the creation time
  come in ``EnvelopeParams``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from claimbridge.x12.segments import Segment

OFFICE_ALLY_NAME = "OFFICE ALLY"
OFFICE_ALLY_ID = "330897513"

Segments = tuple[Segment, ...]

_DERIVED = Decimal("NaN")
_PO_BOX = re.compile(r"\s*(P\s*\.?\s*O\s*\.?\s*|POST\s+OFFICE\s+)?BOX\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Name:
    """NM103–NM107: an organisation's name in ``last``, or a person's last/first/middle/suffix."""

    last: str
    first: str = ""
    middle: str = ""
    suffix: str = ""
    organization: bool = False

    @classmethod
    def person(cls, last: str, first: str = "", middle: str = "", suffix: str = "") -> Name:
        """A person's name (NM102 ``1``)."""
        return cls(last=last, first=first, middle=middle, suffix=suffix)

    @classmethod
    def of_organization(cls, name: str) -> Name:
        """An organisation's name (NM102 ``2``)."""
        return cls(last=name, organization=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """N3 and N4. ``postal_code`` is 5 or 9 digits for the US; ``country`` only outside it."""

    line1: str
    line2: str = ""
    city: str
    state: str
    postal_code: str
    country: str = ""

    @property
    def is_po_box(self) -> bool:
        """True when a street line names a post office box ('PO Box 12', 'P.O. BOX 12')."""
        return any(_PO_BOX.match(line) for line in (self.line1, self.line2))


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """PER*IC: a person to call. At least a phone or an e-mail the basic charset can hold."""

    name: str
    phone: str = ""
    extension: str = ""
    email: str = ""
    fax: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Submitter:
    """Loop 1000A: who sends the file (NM1*41, NM109 = the submitter ID) and its contact."""

    name: Name
    id: str
    contact: Contact


@dataclass(frozen=True, slots=True, kw_only=True)
class Receiver:
    """Loop 1000B: who receives the file; Office Ally unless told otherwise."""

    name: str = OFFICE_ALLY_NAME
    id: str = OFFICE_ALLY_ID


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingProvider:
    """Loops 2000A/2010AA/2010AB: the billing provider, its physical address and pay-to address.

    ``address`` must be a street address (the TR3 and Office Ally refuse a PO box there); a PO
    box goes in ``pay_to_address``, written as 2010AB when it differs from ``address``.
    """

    name: Name
    npi: str
    tax_id: str
    address: Address
    tax_id_qualifier: str = "EI"
    taxonomy: str = ""
    pay_to_address: Address | None = None
    contact: Contact | None = None
    other_segments: Segments = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscriber:
    """Loop 2010BA with the group of 2000B SBR03/SBR04.

    Birth date, sex and address are required when the subscriber is the patient.
    """

    name: Name
    member_id: str
    group_number: str = ""
    group_name: str = ""
    birth_date: date | None = None
    sex: str = ""
    address: Address | None = None
    other_segments: Segments = ()

    def __repr__(self) -> str:
        return f"Subscriber(member_id='…{self.member_id[-4:]}')"


@dataclass(frozen=True, slots=True, kw_only=True)
class Payer:
    """Loop 2010BB with SBR01 (``responsibility`` P/S/T…), SBR05 and SBR09 of 2000B.

    ``payer_id`` is Office Ally's payer ID (NM109 with PI), kept as free text.
    """

    name: str
    payer_id: str
    filing_indicator: str = "CI"
    responsibility: str = "P"
    insurance_type: str = ""
    address: Address | None = None
    other_segments: Segments = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """Loops 2000C/2010CA: the patient when not the subscriber; ``relationship`` is PAT01.

    Birth date, sex and address are required for writing; the reader leaves them empty when
    a file lacks them.
    """

    name: Name
    relationship: str
    birth_date: date | None = None
    sex: str = ""
    address: Address | None = None
    other_segments: Segments = ()

    def __repr__(self) -> str:
        return f"Patient(relationship={self.relationship!r})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Provider:
    """Loop 2310B rendering provider: NPI and taxonomy (PRV*PE)."""

    name: Name
    npi: str
    taxonomy: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceFacility:
    """Loop 2310C: where the service was given, when not the billing provider's address."""

    name: str
    address: Address
    npi: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Adjustment:
    """One reason/amount/quantity triplet of a CAS segment."""

    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustmentGroup:
    """One CAS segment: a group code (CO, CR, OA, PI, PR) and up to six adjustments."""

    group: str
    adjustments: tuple[Adjustment, ...]

    @property
    def total(self) -> Decimal:
        """The sum of the adjustment amounts."""
        return sum((a.amount for a in self.adjustments), Decimal("0"))


@dataclass(frozen=True, slots=True, kw_only=True)
class OtherPayer:
    """Loops 2320/2330A/2330B: another payer of this claim, and what it did with it.

    ``relationship`` is SBR02 (the patient to that payer's subscriber); ``payer_id`` must equal
    the SVD01 of line adjudications by this payer. ``adjudication_date`` is written in 2330B
    (DTP*573) only when no line carries a 2430 by this payer (the TR3 wants it per line then).
    """

    responsibility: str
    filing_indicator: str
    subscriber: Name
    subscriber_id: str
    payer_name: str
    payer_id: str
    relationship: str = "18"
    group_number: str = ""
    group_name: str = ""
    insurance_type: str = ""
    adjustments: tuple[AdjustmentGroup, ...] = ()
    paid_amount: Decimal | None = None
    remaining_patient_liability: Decimal | None = None
    benefits_assignment: str = "Y"
    release_of_information: str = "Y"
    subscriber_address: Address | None = None
    adjudication_date: date | None = None
    claim_control_number: str = ""
    other_segments: Segments = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LineAdjudication:
    """Loop 2430: how another payer adjudicated one line (SVD, CAS, DTP*573, AMT*EAF)."""

    payer_id: str
    paid_amount: Decimal
    procedure_code: str
    adjudication_date: date | None
    paid_units: Decimal = Decimal("1")
    procedure_qualifier: str = "HC"
    modifiers: tuple[str, ...] = ()
    adjustments: tuple[AdjustmentGroup, ...] = ()
    remaining_patient_liability: Decimal | None = None
    other_segments: Segments = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceLine:
    """Loop 2400: one service (SV1, DTP*472, REF*6R) and its other-payer adjudications.

    ``place_of_service`` is '' when it is the claim's; ``diagnosis_pointers`` are 1-based
    positions in the claim's diagnoses; ``service_date_end`` makes the date a range (RD8).
    """

    procedure_code: str
    charge: Decimal
    diagnosis_pointers: tuple[int, ...]
    service_date: date
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal("1")
    unit_basis: str = "UN"
    procedure_qualifier: str = "HC"
    place_of_service: str = ""
    service_date_end: date | None = None
    control_number: str = ""
    adjudications: tuple[LineAdjudication, ...] = ()
    other_segments: Segments = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """Loop 2300 with the loops it belongs to.

    ``patient`` is None when the subscriber is the patient. ``total_charge`` (CLM02) is derived
    from the lines when left out; the writer refuses a stated total that differs from them.
    ``rendering_provider`` is written only when its NPI differs from the billing provider's.
    """

    patient_control_number: str
    billing_provider: BillingProvider
    subscriber: Subscriber
    payer: Payer
    place_of_service: str
    diagnoses: tuple[str, ...]
    lines: tuple[ServiceLine, ...]
    patient: Patient | None = None
    total_charge: Decimal = _DERIVED
    frequency: str = "1"
    payer_claim_control_number: str = ""
    provider_signature: str = "Y"
    assignment: str = "A"
    benefits_assignment: str = "Y"
    release_of_information: str = "Y"
    related_causes: tuple[str, ...] = ()
    accident_state: str = ""
    onset_date: date | None = None
    accident_date: date | None = None
    prior_authorization: str = ""
    referral_number: str = ""
    rendering_provider: Provider | None = None
    service_facility: ServiceFacility | None = None
    other_payers: tuple[OtherPayer, ...] = ()
    other_segments: Segments = ()
    warnings: tuple[str, ...] = ()  # read leniently (``parse``); never written

    def __post_init__(self) -> None:
        if self.total_charge.is_nan():
            object.__setattr__(self, "total_charge", self.line_charges)

    @property
    def line_charges(self) -> Decimal:
        """The sum of the line charges (what CLM02 must equal)."""
        return sum((line.charge for line in self.lines), Decimal("0"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimBatch:
    """What one 837P file carries: the submitter, the receiver, BHT03 and the claims.

    ``reference`` (BHT03) is repeated in every transaction set of the file; the 277CA echoes it.
    ``transaction_type`` is BHT06: ``CH`` claims, ``RP`` encounters.
    """

    submitter: Submitter
    claims: tuple[Claim, ...]
    reference: str
    receiver: Receiver = Receiver()
    transaction_type: str = "CH"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimTransaction:
    """One 837P transaction set as read: its batch, the rest of its BHT, and leftovers.

    ``other_segments`` holds header, 1000A and 1000B segments the model does not cover.
    """

    batch: ClaimBatch
    purpose: str = "00"
    created_date: date | None = None
    created_time: str = ""
    other_segments: Segments = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvelopeParams:
    """Everything of ISA/GS/ST the batch does not say, given by the caller (the ledger).

    Control numbers come from persistent counters, never from the clock. ``created`` fills ISA09/
    ISA10, GS04/GS05 and BHT04/BHT05. Office Ally wants ISA05/ISA07 ``ZZ`` (or ``30``), ISA08
    ``330897513``, GS03 ``OA`` and ISA15 ``P`` (tests are marked by the file name).
    """

    interchange_control_number: int
    group_control_number: int
    sender_id: str
    created: datetime
    first_transaction_number: int = 1
    application_sender: str = ""
    sender_qualifier: str = "ZZ"
    receiver_id: str = OFFICE_ALLY_ID
    receiver_qualifier: str = "ZZ"
    application_receiver: str = "OA"
    usage: str = "P"
    acknowledgment_requested: str = "0"
    element_separator: str = "*"
    repetition_separator: str = "^"
    component_separator: str = ":"
    segment_terminator: str = "~"

    @property
    def group_sender(self) -> str:
        """GS02: ``application_sender``, else the ISA sender ID."""
        return self.application_sender or self.sender_id

    @property
    def delimiters(self) -> tuple[str, str, str, str]:
        """Element, repetition, component separators and the segment terminator."""
        return (
            self.element_separator,
            self.repetition_separator,
            self.component_separator,
            self.segment_terminator,
        )


def icd10_code(text: str) -> str:
    """An ICD-10-CM code as HI carries it: upper case, without the dot (``J02.9`` → ``J029``)."""
    return text.replace(".", "").strip().upper()
