"""The practice's records as frozen values: what the ledger stores and the rules look at.

Patient names, birth dates, addresses and member IDs are kept out of every ``repr`` (a member ID
shows only its last four characters), and a ``Secret`` prints as ``[secure]``, so a value that
ends up in a log or a traceback does not leak PHI or credentials.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Secret:
    """A password or key: ``repr`` and ``str`` print ``[secure]``; ``reveal()`` gives the text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret text itself; pass it only to the code that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "[secure]"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


def redact(value: str) -> str:
    """``value`` with all but its last four characters hidden: 'U8823410201' → '…0201'."""
    return "…" + value[-4:] if len(value) > 4 else "…"


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; ``zip`` holds 5 or 9 digits without a dash."""

    line1: str
    city: str
    state: str
    zip: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """The person payers and Office Ally call about claims."""

    name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Practice:
    """The practice as billing provider (loop 2010AA); ``address`` must be a physical address."""

    name: str
    tax_id: str
    npi: str
    taxonomy: str
    address: Address
    pay_to_address: Address | None = None
    contact: Contact | None = None


class EraSplit(StrEnum):
    """How Office Ally splits ERA files (office-ally.md §15); OA's default is ``none``."""

    NONE = "none"
    BY_PROVIDER = "by_provider"
    BY_PAYER = "by_payer"
    BY_PROVIDER_AND_PAYER = "by_provider_and_payer"
    BY_CHECK = "by_check"
    BY_PAYER_TRN03 = "by_payer_trn03"


@dataclass(frozen=True, slots=True)
class ClearinghouseAccount:
    """The Office Ally account: submitter ID, SFTP login and go-live date.

    ``service_center_username`` is the login to Office Ally's Service Center web site, which
    the e-mail asking for SFTP access names; the SFTP ``username`` is another login, sent
    by Office Ally after that e-mail."""

    submitter_id: str
    username: str
    sftp_host: str
    sftp_port: int = 22
    era_split: EraSplit = EraSplit.NONE
    go_live: date | None = None
    test_mode: bool = True
    name: str = "office_ally"
    password: Secret | None = None
    service_center_username: str | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    """A rendering provider; ``key`` is the practice's own id for them (``prov-chen``)."""

    key: str
    first_name: str
    last_name: str
    npi: str
    taxonomy: str
    credential: str | None = None


class Transaction(StrEnum):
    """A transaction a payer may require enrollment for."""

    CLAIMS = "837P"
    ERA = "835"


class EnrollmentStatus(StrEnum):
    """Where an enrollment with a payer stands."""

    NOT_STARTED = "not_started"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Enrollment:
    """Enrollment with one payer for one transaction; Medicare also needs OA told of approval."""

    transaction: Transaction
    required: bool
    status: EnrollmentStatus = EnrollmentStatus.NOT_STARTED
    submitted_on: date | None = None
    approved_on: date | None = None
    rejected_on: date | None = None
    office_ally_notified: bool = False
    office_ally_notified_on: date | None = None


@dataclass(frozen=True, slots=True)
class Payer:
    """A payer of the master list; ``payer_id`` is Office Ally's ID (2010BB NM109), free text."""

    payer_id: str
    name: str
    claim_filing_indicator: str | None
    par: bool = True
    enrollments: tuple[Enrollment, ...] = ()
    notes: str | None = None
    timely_filing_days: int | None = None  # None: the default (domain.timely_filing)

    def enrollment(self, transaction: Transaction) -> Enrollment:
        """The enrollment for ``transaction``; not required when none is recorded."""
        for enrollment in self.enrollments:
            if enrollment.transaction is transaction:
                return enrollment
        return Enrollment(transaction, required=False)


class Priority(StrEnum):
    """Which payer pays first (SBR01 P, S, T)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"


class Relationship(StrEnum):
    """The patient's relationship to the subscriber (SBR02 / PAT01)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"

    @property
    def x12_code(self) -> str:
        """The individual relationship code: 18 self, 01 spouse, 19 child, G8 other."""
        return {"self": "18", "spouse": "01", "child": "19", "other": "G8"}[self.value]


@dataclass(frozen=True, slots=True)
class Person:
    """A subscriber who is not the patient."""

    first_name: str = field(repr=False)
    last_name: str = field(repr=False)
    dob: date = field(repr=False)
    sex: str
    address: Address | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Policy:
    """A patient's coverage with one payer; ``subscriber`` is set when the patient is not."""

    priority: Priority
    payer_id: str
    member_id: str = field(repr=False)
    relationship: Relationship
    group_number: str | None = None
    subscriber: Person | None = None

    def __repr__(self) -> str:
        return (
            f"Policy(priority={self.priority.value!r}, payer_id={self.payer_id!r}, "
            f"member_id={redact(self.member_id)!r}, relationship={self.relationship.value!r})"
        )


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient; ``key`` is the practice's own id (``pt-1001``)."""

    key: str
    first_name: str = field(repr=False)
    last_name: str = field(repr=False)
    dob: date = field(repr=False)
    sex: str
    address: Address = field(repr=False)
    policies: tuple[Policy, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """One procedure of an appointment; ``diagnosis_pointers`` count from 1 (SV107)."""

    code: str
    units: Decimal
    charge: Decimal
    diagnosis_pointers: tuple[int, ...]
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Appointment:
    """A visit: who saw whom, when and where, what was found (ICD-10-CM) and what was done."""

    key: str
    patient_key: str
    provider_key: str
    service_date: date
    place_of_service: str
    diagnoses: tuple[str, ...]
    lines: tuple[ServiceLine, ...]


@dataclass(frozen=True, slots=True)
class PracticeFile:
    """Everything a ``claimbridge-practice/1`` file holds, checked."""

    practice: Practice
    clearinghouse: ClearinghouseAccount | None
    providers: tuple[Provider, ...]
    payers: tuple[Payer, ...]
    patients: tuple[Patient, ...]
    appointments: tuple[Appointment, ...]
