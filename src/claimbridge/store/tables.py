"""The ledger's tables as SQLAlchemy 2 models; the Alembic revisions create exactly these.

Master data: ``practice`` (one row per practice; every ``TenantScoped`` table's rows belong to
one, see ``store.tenancy``), ``clearinghouse_accounts`` with ``account_mode_changes``
(who switched it between test and production, when), ``providers``, ``payers`` with
``payer_enrollments``, ``patients`` with ``policies``, ``appointments`` with
``appointment_diagnoses`` and ``appointment_lines``.

The claim cycle: ``claims`` (one per appointment and payer, keyed by CLM01) with ``claim_lines``
(each tied to its appointment line), ``batches`` (one uploaded 837P file: ISA13, GS06, name,
time sent) and ``claim_submissions`` (which claim went in which batch under which ST02),
``inbound_files`` (every returned file once, by SHA-256), ``acknowledgments`` (TA1, 999,
277CA and OA report results), ``remittances`` (one per check or EFT, unique by payer, trace
number and amount), ``payments`` and ``adjustments`` per claim line, and the append-only
``claim_events``; ``paper_remittances`` (a remittance entered from a paper EOB),
``patient_money`` (patient payments, refunds and write-offs), ``statement_runs`` and
``patient_statements`` (who was billed when). ``control_numbers`` hands out ISA13, GS06 and
ST02. ``corrections`` notes which patient and policy fields a person corrected, so a load of
an older export keeps them.

Money columns are ``Money()`` (``NUMERIC(12, 2)``, exact, see ``store.types``); times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column

from claimbridge.domain.status import ClaimStatus
from claimbridge.store.tenancy import TenantScoped, current_practice_id
from claimbridge.store.types import Money, Quantity, UtcDateTime, WholeCents

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CLAIM_STATUSES = tuple(status.value for status in ClaimStatus)
PAYER_SEQUENCES = ("primary", "secondary", "tertiary")
ENROLLMENT_STATUSES = ("not_started", "submitted", "approved", "rejected")
CONTROL_NUMBER_NAMES = ("isa13", "gs06", "st02")
CORRECTED_FIELDS = {
    "patients": ("first_name", "last_name", "dob"),
    "policies": ("member_id", "group_number", "subscriber_first_name", "subscriber_last_name"),
    "enrollments": ("status",),  # the enrollment as a whole: status, dates, required, notified
    "accounts": (
        "sftp_host",
        "sftp_port",
        "username",
        "password_token",
        "go_live",
        "era_split",
        "service_center_username",
    ),
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    """Every ledger table; constraint names follow ``NAMING`` on every database."""

    metadata = MetaData(naming_convention=NAMING)


class PracticeRow(Base):
    """A practice, the billing provider: one tenant of the ledger. ``key`` is how people and
    commands name it (``--practice KEY``); every ``TenantScoped`` row belongs to one."""

    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    tax_id: Mapped[str] = mapped_column(String(9))
    npi: Mapped[str] = mapped_column(String(10))
    taxonomy: Mapped[str] = mapped_column(String(10))
    address_line1: Mapped[str] = mapped_column(String(55))
    address_line2: Mapped[str | None] = mapped_column(String(55))
    address_city: Mapped[str] = mapped_column(String(30))
    address_state: Mapped[str] = mapped_column(String(2))
    address_zip: Mapped[str] = mapped_column(String(9))
    pay_to_line1: Mapped[str | None] = mapped_column(String(55))
    pay_to_line2: Mapped[str | None] = mapped_column(String(55))
    pay_to_city: Mapped[str | None] = mapped_column(String(30))
    pay_to_state: Mapped[str | None] = mapped_column(String(2))
    pay_to_zip: Mapped[str | None] = mapped_column(String(9))
    contact_name: Mapped[str | None] = mapped_column(String(60))
    contact_phone: Mapped[str | None] = mapped_column(String(10))
    contact_email: Mapped[str | None] = mapped_column(String(80))


class ClearinghouseAccountRow(TenantScoped, Base):
    """The Office Ally account; ``password_token`` is the Fernet token, never the password."""

    __tablename__ = "clearinghouse_accounts"
    __table_args__ = (UniqueConstraint("practice_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    submitter_id: Mapped[str] = mapped_column(String(80))
    username: Mapped[str] = mapped_column(String(80))
    # the Service Center (web) login, which the SFTP-access e-mail names; not the SFTP username
    service_center_username: Mapped[str | None] = mapped_column(String(80))
    sftp_host: Mapped[str] = mapped_column(String(255))
    sftp_port: Mapped[int] = mapped_column(Integer)
    password_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    era_split: Mapped[str] = mapped_column(String(30))
    go_live: Mapped[date | None] = mapped_column(Date)
    test_mode: Mapped[bool] = mapped_column(Boolean)


ACCOUNT_MODES = ("test", "production")


class AccountModeChangeRow(TenantScoped, Base):
    """A person switched the Office Ally account to test or production: who, when, and why
    (going back to test). The newest row tells since when the account is in its mode."""

    __tablename__ = "account_mode_changes"
    __table_args__ = (CheckConstraint(_one_of("mode", ACCOUNT_MODES), name="mode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("clearinghouse_accounts.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_by: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)


class ProviderRow(TenantScoped, Base):
    """A rendering provider; ``key`` is the practice's own id for them."""

    __tablename__ = "providers"
    __table_args__ = (
        UniqueConstraint("practice_id", "key"),
        UniqueConstraint("practice_id", "npi"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(35))
    last_name: Mapped[str] = mapped_column(String(60))
    credential: Mapped[str | None] = mapped_column(String(20))
    npi: Mapped[str] = mapped_column(String(10))
    taxonomy: Mapped[str] = mapped_column(String(10))


class PayerRow(Base):
    """A payer of the master list, by Office Ally payer ID."""

    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    claim_filing_indicator: Mapped[str | None] = mapped_column(String(2))
    par: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)
    listed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    timely_filing_days: Mapped[int | None] = mapped_column(Integer)  # None: the default


class PayerEnrollmentRow(TenantScoped, Base):
    """Enrollment with a payer for one transaction (837P or 835)."""

    __tablename__ = "payer_enrollments"
    __table_args__ = (
        UniqueConstraint("practice_id", "payer_id", "transaction_type"),
        CheckConstraint(_one_of("status", ENROLLMENT_STATUSES), name="status"),
        CheckConstraint(_one_of("transaction_type", ("837P", "835")), name="transaction_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id"))
    transaction_type: Mapped[str] = mapped_column(String(4))
    required: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(12))
    submitted_on: Mapped[date | None] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date)
    rejected_on: Mapped[date | None] = mapped_column(Date)
    office_ally_notified: Mapped[bool] = mapped_column(Boolean)
    office_ally_notified_on: Mapped[date | None] = mapped_column(Date)


class PatientRow(TenantScoped, Base):
    """A patient; ``key`` is the practice's own id."""

    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("practice_id", "key"),
        Index(None, "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(35))
    last_name: Mapped[str] = mapped_column(String(60))
    dob: Mapped[date] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(1))
    address_line1: Mapped[str] = mapped_column(String(55))
    address_line2: Mapped[str | None] = mapped_column(String(55))
    address_city: Mapped[str] = mapped_column(String(30))
    address_state: Mapped[str] = mapped_column(String(2))
    address_zip: Mapped[str] = mapped_column(String(9))


class PolicyRow(TenantScoped, Base):
    """A patient's coverage; the ``subscriber_*`` columns are set when the patient is not."""

    __tablename__ = "policies"
    __table_args__ = (
        UniqueConstraint("patient_id", "priority"),
        CheckConstraint(_one_of("priority", PAYER_SEQUENCES), "priority"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    priority: Mapped[str] = mapped_column(String(10))
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(80), index=True)
    group_number: Mapped[str | None] = mapped_column(String(50))
    relationship: Mapped[str] = mapped_column(String(10))
    subscriber_first_name: Mapped[str | None] = mapped_column(String(35))
    subscriber_last_name: Mapped[str | None] = mapped_column(String(60))
    subscriber_dob: Mapped[date | None] = mapped_column(Date)
    subscriber_sex: Mapped[str | None] = mapped_column(String(1))
    subscriber_line1: Mapped[str | None] = mapped_column(String(55))
    subscriber_line2: Mapped[str | None] = mapped_column(String(55))
    subscriber_city: Mapped[str | None] = mapped_column(String(30))
    subscriber_state: Mapped[str | None] = mapped_column(String(2))
    subscriber_zip: Mapped[str | None] = mapped_column(String(9))


class CorrectionRow(TenantScoped, Base):
    """A field of a patient, policy, enrollment or the account that a person changed in
    claimbridge: which row, when, by whom. The value is the row's own; a practice file with
    another value keeps it."""

    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint(_one_of("entity", tuple(CORRECTED_FIELDS)), name="entity"),
        CheckConstraint(
            _one_of("field", tuple(f for fields in CORRECTED_FIELDS.values() for f in fields)),
            name="field",
        ),
    )

    entity: Mapped[str] = mapped_column(String(20), primary_key=True)  # CORRECTED_FIELDS
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    field: Mapped[str] = mapped_column(String(30), primary_key=True)
    corrected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    corrected_by: Mapped[str] = mapped_column(String(60))


class AppointmentRow(TenantScoped, Base):
    """A visit; claims are made from it."""

    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("practice_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    service_date: Mapped[date] = mapped_column(Date)
    place_of_service: Mapped[str] = mapped_column(String(2))


class AppointmentDiagnosisRow(TenantScoped, Base):
    """An ICD-10-CM code of an appointment; ``position`` 1–12 is what pointers refer to."""

    __tablename__ = "appointment_diagnoses"

    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(8))


class AppointmentLineRow(TenantScoped, Base):
    """A procedure done at an appointment; modifiers and pointers are ':'-joined (25:59, 1:2)."""

    __tablename__ = "appointment_lines"
    __table_args__ = (UniqueConstraint("appointment_id", "line_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    line_number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[str] = mapped_column(String(11))
    units: Mapped[Decimal] = mapped_column(Quantity())
    charge: Mapped[Decimal] = mapped_column(Money())
    diagnosis_pointers: Mapped[str] = mapped_column(String(11))


class ClaimRow(TenantScoped, Base):
    """A claim to one payer; ``clm01`` is the patient control number sent in CLM01."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(_one_of("status", CLAIM_STATUSES), name="status"),
        CheckConstraint(_one_of("payer_sequence", PAYER_SEQUENCES), name="payer_sequence"),
        Index(None, "status", "payer_id"),
        Index(None, "practice_id", "status", "service_date"),
        # The dashboard's counts per status (with the charges) and per reason, from the index.
        Index(None, "practice_id", "status", "total_charge"),
        Index(None, "practice_id", "status", "status_reason"),
        # A charge looked up by its cents (the Unmatched page's likely claims).
        Index(None, "practice_id", "total_charge_cents"),
        # The claims that follow another (0025): most follow none, and with them all in the
        # index SQLite's statistics call it useless and its planner reads every claim.
        Index(
            None,
            "follows_claim_id",
            sqlite_where=text("follows_claim_id IS NOT NULL"),
            postgresql_where=text("follows_claim_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clm01: Mapped[str] = mapped_column(String(20), unique=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    billing_tax_id: Mapped[str] = mapped_column(String(9))
    billing_npi: Mapped[str] = mapped_column(String(10))
    rendering_npi: Mapped[str] = mapped_column(String(10))
    service_date: Mapped[date] = mapped_column(Date, index=True)
    place_of_service: Mapped[str] = mapped_column(String(2))
    frequency_code: Mapped[str] = mapped_column(String(1), default="1")
    total_charge: Mapped[Decimal] = mapped_column(Money(), index=True)
    # The charge in cents, computed by the database (it cannot disagree with total_charge):
    # under PostgreSQL's row-level security only an integer comparison can use an index.
    total_charge_cents: Mapped[int] = mapped_column(
        BigInteger, Computed(WholeCents("total_charge"))
    )
    status: Mapped[str] = mapped_column(String(24))
    status_reason: Mapped[str | None] = mapped_column(Text)
    era_expected: Mapped[bool] = mapped_column(Boolean, default=True)
    payer_claim_control_number: Mapped[str | None] = mapped_column(String(50), index=True)
    replaces_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))
    # Which payer of the patient this claim goes to (SBR01 P, S, T); a secondary or tertiary
    # claim ``follows`` the claim whose adjudication it carries in 2320/2430.
    payer_sequence: Mapped[str] = mapped_column(String(10), default="primary")
    follows_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))
    # The payer the primary's 835 said it forwarded the claim to (a crossover), as the 835 named it.
    crossed_over_to: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class ClaimStatusTotalRow(TenantScoped, Base):
    """How many claims of the practice are in ``status`` and their charges, kept by the
    database's triggers on ``claims`` (migration 0024), never written by claimbridge. On
    PostgreSQL a status may have several rows (each statement adds what it changed; they are
    summed when read, ``store.repositories.status_totals``); on SQLite it has one."""

    __tablename__ = "claim_status_totals"
    __table_args__ = (Index(None, "practice_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    claims: Mapped[int] = mapped_column(Integer)
    charge: Mapped[Decimal] = mapped_column(Money())


class ClaimNoteRow(TenantScoped, Base):
    """A note a person wrote on a claim (a call to the payer, what to do next)."""

    __tablename__ = "claim_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    written_by: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)


class ClaimFollowUpRow(TenantScoped, Base):
    """Who follows a claim up, and when next; no row: nobody, no date."""

    __tablename__ = "claim_follow_ups"
    __table_args__ = (Index(None, "assigned_to", "follow_up_on"),)

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    assigned_to: Mapped[str | None] = mapped_column(String(60))
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(60))


class ClaimLineRow(TenantScoped, Base):
    """A service line of a claim, tied to the appointment line it bills."""

    __tablename__ = "claim_lines"
    __table_args__ = (UniqueConstraint("claim_id", "line_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    line_number: Mapped[int] = mapped_column(Integer)
    appointment_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment_lines.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[str] = mapped_column(String(11))
    units: Mapped[Decimal] = mapped_column(Quantity())
    charge: Mapped[Decimal] = mapped_column(Money())
    diagnosis_pointers: Mapped[str] = mapped_column(String(11))
    service_date: Mapped[date] = mapped_column(Date, index=True)
    line_control_number: Mapped[str | None] = mapped_column(String(30), unique=True)


class BatchRow(TenantScoped, Base):
    """One 837P file built for upload: its control numbers, name and when it was sent."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    isa13: Mapped[int] = mapped_column(BigInteger, index=True)
    gs06: Mapped[int] = mapped_column(BigInteger)
    file_name: Mapped[str | None] = mapped_column(String(200), unique=True)
    test_mode: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20))
    claim_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # the 837P as sent


class ClaimSubmissionRow(TenantScoped, Base):
    """A claim sent in a batch, in the transaction set ``st02``; a claim may be sent again."""

    __tablename__ = "claim_submissions"
    __table_args__ = (UniqueConstraint("batch_id", "claim_id"), Index(None, "batch_id", "st02"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    st02: Mapped[str] = mapped_column(String(9))


class InboundFileRow(TenantScoped, Base):
    """A file Office Ally returned, kept once by SHA-256 with its bytes and what became of it."""

    __tablename__ = "inbound_files"
    __table_args__ = (UniqueConstraint("practice_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    remote_path: Mapped[str | None] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    detected_type: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    outcome_detail: Mapped[str | None] = mapped_column(Text)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))


class AcknowledgmentRow(TenantScoped, Base):
    """One result in a TA1, 999, 277CA or OA report, for a batch or a claim."""

    __tablename__ = "acknowledgments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inbound_file_id: Mapped[int] = mapped_column(ForeignKey("inbound_files.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    control_number: Mapped[str | None] = mapped_column(String(20), index=True)  # OA claim ID
    code: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RemittanceRow(TenantScoped, Base):
    """A check or EFT from an 835 (BPR/TRN), unique by payer, trace number and amount."""

    __tablename__ = "remittances"
    __table_args__ = (
        UniqueConstraint("practice_id", "payer_identifier", "trace_number", "amount"),
        Index(None, "practice_id", "payer_id", "created_at"),  # each payer's last ERA
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inbound_file_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_files.id"), index=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"))
    payer_identifier: Mapped[str] = mapped_column(String(80))
    method: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Money())
    trace_number: Mapped[str] = mapped_column(String(50))
    payment_date: Mapped[date | None] = mapped_column(Date)
    production_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # posting undone by a person
    undone_by: Mapped[str | None] = mapped_column(String(60))


class PaymentRow(TenantScoped, Base):
    """What a remittance paid on a claim line (or, with no line, on the claim as a whole)."""

    __tablename__ = "payments"
    # What each ERA paid and on how many claims (the ERA list), from the index alone.
    __table_args__ = (Index(None, "practice_id", "remittance_id", "claim_id", "paid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    claim_line_id: Mapped[int | None] = mapped_column(ForeignKey("claim_lines.id"), index=True)
    status_code: Mapped[str | None] = mapped_column(String(2))
    charge: Mapped[Decimal] = mapped_column(Money())
    paid: Mapped[Decimal] = mapped_column(Money())
    patient_responsibility: Mapped[Decimal | None] = mapped_column(Money())
    payer_claim_control_number: Mapped[str | None] = mapped_column(String(50), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AdjustmentRow(TenantScoped, Base):
    """A CAS adjustment of a payment: group (CO, PR, OA, PI, CR), reason code, amount."""

    __tablename__ = "adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    group_code: Mapped[str] = mapped_column(String(2))
    reason_code: Mapped[str] = mapped_column(String(5))
    amount: Mapped[Decimal] = mapped_column(Money())
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())


class ClaimEventRow(TenantScoped, Base):
    """One change to a claim: what, when (UTC), why, who, from which file. Never updated."""

    __tablename__ = "claim_events"
    __table_args__ = (Index(None, "claim_id", "id"), Index(None, "what", "claim_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    what: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    why: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(60))
    inbound_file_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_files.id"))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))


class PaperRemittanceRow(TenantScoped, Base):
    """A remittance a person entered from a paper EOB (``services.paper``): the EOB as entered
    (JSON, read back for the EOB page and to post it again) and each claim's status before it
    was posted (JSON by claim id, where undoing takes the claim back to)."""

    __tablename__ = "paper_remittances"

    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"), primary_key=True)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    entered_by: Mapped[str] = mapped_column(String(60))
    content: Mapped[str] = mapped_column(Text)
    statuses_before: Mapped[str] = mapped_column(Text)


PATIENT_MONEY_KINDS = ("payment", "refund", "write_off")
PATIENT_MONEY_METHODS = ("cash", "check", "card")


class PatientMoneyRow(TenantScoped, Base):
    """Money between the practice and a patient, or a balance written off: a payment (cash,
    check with its number, card with its reference), a refund, or a write-off stored as an
    adjustment code (``group_code``/``reason_code``, see ``domain.patient_money``). On a claim
    (and maybe one of its lines), or on an appointment that has no claim yet. Undone, never
    deleted: ``undone_at``/``undone_by``/``undo_reason``."""

    __tablename__ = "patient_money"
    __table_args__ = (
        CheckConstraint(_one_of("kind", PATIENT_MONEY_KINDS), name="kind"),
        CheckConstraint("amount > 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    claim_line_id: Mapped[int | None] = mapped_column(ForeignKey("claim_lines.id"))
    method: Mapped[str | None] = mapped_column(String(5))
    reference: Mapped[str | None] = mapped_column(String(50))
    group_code: Mapped[str | None] = mapped_column(String(2))
    reason_code: Mapped[str | None] = mapped_column(String(5))
    amount: Mapped[Decimal] = mapped_column(Money())
    received_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    entered_by: Mapped[str] = mapped_column(String(60))
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(60))
    undo_reason: Mapped[str | None] = mapped_column(Text)


class StatementRunRow(TenantScoped, Base):
    """One statement run on a cycle date: every patient who owed got a statement; the PDF
    (to print) and the CSV (for a print-and-mail service) as they were made."""

    __tablename__ = "statement_runs"
    __table_args__ = (UniqueConstraint("practice_id", "cycle_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(60))
    patients: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Money())
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    csv: Mapped[str] = deferred(mapped_column(Text, nullable=False))


class PatientStatementRow(TenantScoped, Base):
    """A patient billed in a statement run: what they owed on its cycle date. The newest row
    of a patient is when they were last billed."""

    __tablename__ = "patient_statements"
    __table_args__ = (UniqueConstraint("run_id", "patient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("statement_runs.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    billed_on: Mapped[date] = mapped_column(Date)
    balance: Mapped[Decimal] = mapped_column(Money())
    items: Mapped[int] = mapped_column(Integer)


class ProviderAdjustmentRow(TenantScoped, Base):
    """A PLB adjustment of a remittance; a positive amount reduced the payment (L6 interest is
    negative, WO recoupment positive)."""

    __tablename__ = "provider_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"), index=True)
    provider_identifier: Mapped[str] = mapped_column(String(50))
    fiscal_period_end: Mapped[date | None] = mapped_column(Date)
    reason_code: Mapped[str] = mapped_column(String(2))
    reference: Mapped[str | None] = mapped_column(String(50))
    amount: Mapped[Decimal] = mapped_column(Money())


UNMATCHED_REASONS = ("no_claim", "never_sent", "other_payer", "overpayment")


class UnmatchedClaimRow(TenantScoped, Base):
    """An ERA claim (CLP) not posted, waiting for a person: ``reason`` says why (None, from
    before reasons were kept, is ``no_claim``); ``claim_id`` is the claim of ours it names."""

    __tablename__ = "unmatched_claims"
    __table_args__ = (CheckConstraint(_one_of("reason", UNMATCHED_REASONS), name="reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inbound_file_id: Mapped[int] = mapped_column(ForeignKey("inbound_files.id"))
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"), index=True)
    patient_control_number: Mapped[str] = mapped_column(String(38))
    payer_claim_control_number: Mapped[str | None] = mapped_column(String(50))
    status_code: Mapped[str] = mapped_column(String(2))
    charge: Mapped[Decimal] = mapped_column(Money())
    paid: Mapped[Decimal] = mapped_column(Money())
    patient_responsibility: Mapped[Decimal | None] = mapped_column(Money())
    segment_position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(60))
    matched_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))
    resolution: Mapped[str | None] = mapped_column(Text)  # matched by hand, not ours: and why
    reason: Mapped[str | None] = mapped_column(String(12))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    detail: Mapped[str | None] = mapped_column(Text)  # the reason in words


class PollRow(TenantScoped, Base):
    """One fetch from Office Ally (or a folder): when, by whom, how many files, how it ended."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(255))
    files: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str | None] = mapped_column(Text)


class ControlNumberRow(Base):
    """The last control number handed out per kind (isa13, gs06, st02)."""

    __tablename__ = "control_numbers"

    name: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


USER_ROLES = ("admin", "biller", "viewer")


class UserRow(Base):
    """A person who signs in to the web app; ``password_hash`` is argon2, never the password.
    What they may do is per practice: ``practice_members``. ``session_generation`` is carried
    in their session cookies: raising it (sign-out, disabling, a new password) ends them all."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    session_generation: Mapped[int] = mapped_column(Integer)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PracticeMemberRow(TenantScoped, Base):
    """A user's role in a practice; a user without a row in a practice sees nothing of it."""

    __tablename__ = "practice_members"
    __table_args__ = (
        UniqueConstraint("user_id", "practice_id"),
        CheckConstraint(_one_of("role", USER_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))


TOKEN_SCOPES = ("read", "write")


class ApiTokenRow(TenantScoped, Base):
    """A token for ``/api/v1``; only its SHA-256 is kept. A ``read`` token may only read; it
    stops working at ``expires_at`` or once revoked."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(_one_of("scope", TOKEN_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    scope: Mapped[str] = mapped_column(String(5))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditRow(TenantScoped, Base):
    """Who viewed or changed what (a claim, a patient's EOB, a payer, the account), and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "entity", "entity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    username: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(20))
    entity_key: Mapped[str] = mapped_column(String(80))
    patient_key: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class RemittanceDatesRow(TenantScoped, Base):
    """The dates a biller keeps for a remittance: when it was received and deposited."""

    __tablename__ = "remittance_dates"

    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"), primary_key=True)
    received_on: Mapped[date | None] = mapped_column(Date)
    deposit_on: Mapped[date | None] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OnboardingStepRow(TenantScoped, Base):
    """A step of the onboarding checklist a person marked done."""

    __tablename__ = "onboarding_steps"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id"), primary_key=True, default=current_practice_id
    )
    step: Mapped[str] = mapped_column(String(30), primary_key=True)
    done_on: Mapped[date] = mapped_column(Date)
    done_by: Mapped[str] = mapped_column(String(60))


JOB_KINDS = ("poll", "submit", "test", "reports")
JOB_STATES = ("queued", "running", "done", "failed")


class JobRow(TenantScoped, Base):
    """One piece of background work on a practice's Office Ally account (``claimbridge.jobs``):
    what, for whom, how far it got (``done`` of ``total``, None when unknown) and how it ended
    (``result`` in words, ``detail`` as JSON for the page that shows it)."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_one_of("kind", JOB_KINDS), name="kind"),
        CheckConstraint(_one_of("state", JOB_STATES), name="state"),
        Index(None, "practice_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    claims: Mapped[str | None] = mapped_column(Text)  # a submission of these CLM01s only (JSON)
    asked_by: Mapped[str] = mapped_column(String(60))
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AccountScheduleRow(TenantScoped, Base):
    """How the background work treats a practice's Office Ally account: poll every
    ``poll_every_minutes``, send ready claims by itself when ``auto_submit``; stopped (after a
    rejected login) until a person resumes it. ``login_refused_*`` is the rejected-login mark:
    while it names the account (``user@host:port``), no process dials it. No row: the
    defaults, never stopped, not marked."""

    __tablename__ = "account_schedules"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id"), primary_key=True, index=True, default=current_practice_id
    )
    poll_every_minutes: Mapped[int] = mapped_column(Integer)
    auto_submit: Mapped[bool] = mapped_column(Boolean)
    last_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stopped_reason: Mapped[str | None] = mapped_column(Text)
    login_refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    login_refused_account: Mapped[str | None] = mapped_column(String(400))
    login_refused_detail: Mapped[str | None] = mapped_column(Text)


class ReportSnapshotRow(TenantScoped, Base):
    """A report as last computed for the practice (``services.reports``): its title, headers
    and rows as JSON, the day its aging counts from, and when it was made. The pages, the API and
    the CSV export read it; a poll or a person's Refresh makes it again."""

    __tablename__ = "report_snapshots"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id"), primary_key=True, index=True, default=current_practice_id
    )
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    headers: Mapped[str] = mapped_column(Text)
    rows: Mapped[str] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(UtcDateTime)
    seconds: Mapped[float] = mapped_column(Float)
