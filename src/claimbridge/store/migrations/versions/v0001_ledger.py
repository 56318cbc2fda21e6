"""The ledger: practice, payers, patients, appointments, claims, files, remittances, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import Money, Quantity, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    "batches",
    "clearinghouse_accounts",
    "control_numbers",
    "inbound_files",
    "patients",
    "payers",
    "practice",
    "providers",
    "appointments",
    "payer_enrollments",
    "policies",
    "remittances",
    "appointment_diagnoses",
    "appointment_lines",
    "claims",
    "acknowledgments",
    "claim_events",
    "claim_lines",
    "claim_submissions",
    "payments",
    "adjustments",
)


def upgrade() -> None:
    """Create every table, the append-only guard on claim_events and the counters."""
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("isa13", sa.BigInteger(), nullable=False),
        sa.Column("gs06", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("test_mode", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("file_name", name=op.f("uq_batches_file_name")),
    )
    op.create_index(op.f("ix_batches_isa13"), "batches", ["isa13"])

    op.create_table(
        "clearinghouse_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("submitter_id", sa.String(length=80), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("sftp_host", sa.String(length=255), nullable=False),
        sa.Column("sftp_port", sa.Integer(), nullable=False),
        sa.Column("password_token", sa.LargeBinary(), nullable=True),
        sa.Column("era_split", sa.String(length=30), nullable=False),
        sa.Column("go_live", sa.Date(), nullable=True),
        sa.Column("test_mode", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearinghouse_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_clearinghouse_accounts_name")),
    )
    op.create_table(
        "control_numbers",
        sa.Column("name", sa.String(length=8), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_control_numbers")),
    )
    op.create_table(
        "inbound_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("remote_path", sa.String(length=512), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("detected_type", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outcome_detail", sa.Text(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_inbound_files_sha256")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=35), nullable=False),
        sa.Column("last_name", sa.String(length=60), nullable=False),
        sa.Column("dob", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("address_line1", sa.String(length=55), nullable=False),
        sa.Column("address_line2", sa.String(length=55), nullable=True),
        sa.Column("address_city", sa.String(length=30), nullable=False),
        sa.Column("address_state", sa.String(length=2), nullable=False),
        sa.Column("address_zip", sa.String(length=9), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("key", name=op.f("uq_patients_key")),
    )
    op.create_table(
        "payers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("claim_filing_indicator", sa.String(length=2), nullable=True),
        sa.Column("par", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("listed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payers")),
        sa.UniqueConstraint("payer_id", name=op.f("uq_payers_payer_id")),
    )
    op.create_table(
        "practice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("tax_id", sa.String(length=9), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("taxonomy", sa.String(length=10), nullable=False),
        sa.Column("address_line1", sa.String(length=55), nullable=False),
        sa.Column("address_line2", sa.String(length=55), nullable=True),
        sa.Column("address_city", sa.String(length=30), nullable=False),
        sa.Column("address_state", sa.String(length=2), nullable=False),
        sa.Column("address_zip", sa.String(length=9), nullable=False),
        sa.Column("pay_to_line1", sa.String(length=55), nullable=True),
        sa.Column("pay_to_line2", sa.String(length=55), nullable=True),
        sa.Column("pay_to_city", sa.String(length=30), nullable=True),
        sa.Column("pay_to_state", sa.String(length=2), nullable=True),
        sa.Column("pay_to_zip", sa.String(length=9), nullable=True),
        sa.Column("contact_name", sa.String(length=60), nullable=True),
        sa.Column("contact_phone", sa.String(length=10), nullable=True),
        sa.Column("contact_email", sa.String(length=80), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_practice_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice")),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=35), nullable=False),
        sa.Column("last_name", sa.String(length=60), nullable=False),
        sa.Column("credential", sa.String(length=20), nullable=True),
        sa.Column("npi", sa.String(length=10), nullable=False),
        sa.Column("taxonomy", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("key", name=op.f("uq_providers_key")),
        sa.UniqueConstraint("npi", name=op.f("uq_providers_npi")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_appointments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_appointments_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("key", name=op.f("uq_appointments_key")),
    )
    op.create_index(op.f("ix_appointments_patient_id"), "appointments", ["patient_id"])
    op.create_index(op.f("ix_appointments_provider_id"), "appointments", ["provider_id"])

    op.create_table(
        "payer_enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("transaction_type", sa.String(length=4), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("office_ally_notified", sa.Boolean(), nullable=False),
        sa.Column("office_ally_notified_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('not_started', 'submitted', 'approved', 'rejected')",
            name=op.f("ck_payer_enrollments_status"),
        ),
        sa.CheckConstraint(
            "transaction_type IN ('837P', '835')",
            name=op.f("ck_payer_enrollments_transaction_type"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payers.id"], name=op.f("fk_payer_enrollments_payer_id_payers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer_enrollments")),
        sa.UniqueConstraint(
            "payer_id",
            "transaction_type",
            name=op.f("uq_payer_enrollments_payer_id_transaction_type"),
        ),
    )
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("group_number", sa.String(length=50), nullable=True),
        sa.Column("relationship", sa.String(length=10), nullable=False),
        sa.Column("subscriber_first_name", sa.String(length=35), nullable=True),
        sa.Column("subscriber_last_name", sa.String(length=60), nullable=True),
        sa.Column("subscriber_dob", sa.Date(), nullable=True),
        sa.Column("subscriber_sex", sa.String(length=1), nullable=True),
        sa.Column("subscriber_line1", sa.String(length=55), nullable=True),
        sa.Column("subscriber_line2", sa.String(length=55), nullable=True),
        sa.Column("subscriber_city", sa.String(length=30), nullable=True),
        sa.Column("subscriber_state", sa.String(length=2), nullable=True),
        sa.Column("subscriber_zip", sa.String(length=9), nullable=True),
        sa.CheckConstraint(
            "priority IN ('primary', 'secondary', 'tertiary')", name=op.f("ck_policies_priority")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_policies_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payers.id"], name=op.f("fk_policies_payer_id_payers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint("patient_id", "priority", name=op.f("uq_policies_patient_id_priority")),
    )
    op.create_index(op.f("ix_policies_payer_id"), "policies", ["payer_id"])

    op.create_table(
        "remittances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_file_id", sa.Integer(), nullable=True),
        sa.Column("payer_id", sa.Integer(), nullable=True),
        sa.Column("payer_identifier", sa.String(length=80), nullable=False),
        sa.Column("method", sa.String(length=3), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("trace_number", sa.String(length=50), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_files.id"],
            name=op.f("fk_remittances_inbound_file_id_inbound_files"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payers.id"], name=op.f("fk_remittances_payer_id_payers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittances")),
        sa.UniqueConstraint(
            "payer_identifier",
            "trace_number",
            "amount",
            name=op.f("uq_remittances_payer_identifier_trace_number_amount"),
        ),
    )
    op.create_index(op.f("ix_remittances_inbound_file_id"), "remittances", ["inbound_file_id"])

    op.create_table(
        "appointment_diagnoses",
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_diagnoses_appointment_id_appointments"),
        ),
        sa.PrimaryKeyConstraint(
            "appointment_id", "position", name=op.f("pk_appointment_diagnoses")
        ),
    )
    op.create_table(
        "appointment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.String(length=11), nullable=False),
        sa.Column("units", Quantity(), nullable=False),
        sa.Column("charge", Money(), nullable=False),
        sa.Column("diagnosis_pointers", sa.String(length=11), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_lines_appointment_id_appointments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_lines")),
        sa.UniqueConstraint(
            "appointment_id",
            "line_number",
            name=op.f("uq_appointment_lines_appointment_id_line_number"),
        ),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clm01", sa.String(length=20), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("billing_tax_id", sa.String(length=9), nullable=False),
        sa.Column("billing_npi", sa.String(length=10), nullable=False),
        sa.Column("rendering_npi", sa.String(length=10), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("place_of_service", sa.String(length=2), nullable=False),
        sa.Column("frequency_code", sa.String(length=1), nullable=False),
        sa.Column("total_charge", Money(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("era_expected", sa.Boolean(), nullable=False),
        sa.Column("payer_claim_control_number", sa.String(length=50), nullable=True),
        sa.Column("replaces_claim_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'held', 'ready', 'submitted', 'clearinghouse_accepted', "
            "'clearinghouse_rejected', 'payer_accepted', 'payer_rejected', 'paid', 'denied')",
            name=op.f("ck_claims_status"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_claims_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payers.id"], name=op.f("fk_claims_payer_id_payers")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_claims_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_claims_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_claim_id"], ["claims.id"], name=op.f("fk_claims_replaces_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("clm01", name=op.f("uq_claims_clm01")),
    )
    op.create_index(op.f("ix_claims_appointment_id"), "claims", ["appointment_id"])
    op.create_index(op.f("ix_claims_status_payer_id"), "claims", ["status", "payer_id"])
    op.create_index(op.f("ix_claims_submitted_at"), "claims", ["submitted_at"])

    op.create_table(
        "acknowledgments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_file_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("control_number", sa.String(length=9), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_acknowledgments_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_acknowledgments_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_files.id"],
            name=op.f("fk_acknowledgments_inbound_file_id_inbound_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgments")),
    )
    op.create_index(op.f("ix_acknowledgments_batch_id"), "acknowledgments", ["batch_id"])
    op.create_index(op.f("ix_acknowledgments_claim_id"), "acknowledgments", ["claim_id"])
    op.create_index(
        op.f("ix_acknowledgments_inbound_file_id"), "acknowledgments", ["inbound_file_id"]
    )

    op.create_table(
        "claim_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=40), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("inbound_file_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_events_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_files.id"],
            name=op.f("fk_claim_events_inbound_file_id_inbound_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_events")),
    )
    op.create_index(op.f("ix_claim_events_claim_id_id"), "claim_events", ["claim_id", "id"])

    op.create_table(
        "claim_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("appointment_line_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.String(length=11), nullable=False),
        sa.Column("units", Quantity(), nullable=False),
        sa.Column("charge", Money(), nullable=False),
        sa.Column("diagnosis_pointers", sa.String(length=11), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("line_control_number", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_line_id"],
            ["appointment_lines.id"],
            name=op.f("fk_claim_lines_appointment_line_id_appointment_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_lines_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_lines")),
        sa.UniqueConstraint(
            "claim_id", "line_number", name=op.f("uq_claim_lines_claim_id_line_number")
        ),
        sa.UniqueConstraint("line_control_number", name=op.f("uq_claim_lines_line_control_number")),
    )
    op.create_index(
        op.f("ix_claim_lines_appointment_line_id"), "claim_lines", ["appointment_line_id"]
    )

    op.create_table(
        "claim_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("st02", sa.String(length=9), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_claim_submissions_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_submissions_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_submissions")),
        sa.UniqueConstraint(
            "batch_id", "claim_id", name=op.f("uq_claim_submissions_batch_id_claim_id")
        ),
    )
    op.create_index(
        op.f("ix_claim_submissions_batch_id_st02"), "claim_submissions", ["batch_id", "st02"]
    )
    op.create_index(op.f("ix_claim_submissions_claim_id"), "claim_submissions", ["claim_id"])

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("claim_line_id", sa.Integer(), nullable=True),
        sa.Column("status_code", sa.String(length=2), nullable=True),
        sa.Column("charge", Money(), nullable=False),
        sa.Column("paid", Money(), nullable=False),
        sa.Column("patient_responsibility", Money(), nullable=True),
        sa.Column("payer_claim_control_number", sa.String(length=50), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_payments_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["claim_line_id"],
            ["claim_lines.id"],
            name=op.f("fk_payments_claim_line_id_claim_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittances.id"],
            name=op.f("fk_payments_remittance_id_remittances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_claim_id"), "payments", ["claim_id"])
    op.create_index(op.f("ix_payments_claim_line_id"), "payments", ["claim_line_id"])
    op.create_index(op.f("ix_payments_remittance_id"), "payments", ["remittance_id"])

    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=2), nullable=False),
        sa.Column("reason_code", sa.String(length=5), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("quantity", Quantity(), nullable=True),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_adjustments_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustments")),
    )
    op.create_index(op.f("ix_adjustments_payment_id"), "adjustments", ["payment_id"])
    _forbid_event_changes()
    op.bulk_insert(
        sa.table(
            "control_numbers", sa.column("name", sa.String), sa.column("value", sa.BigInteger)
        ),
        [{"name": name, "value": 0} for name in ("isa13", "gs06", "st02")],
    )


def downgrade() -> None:
    """Drop everything this revision created."""
    _allow_event_changes()
    for table in reversed(TABLES):
        op.drop_table(table)


_APPEND_ONLY = "claim_events is append-only"


def _forbid_event_changes() -> None:
    """Make the database itself refuse UPDATE and DELETE on claim_events."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER claim_events_no_{action.lower()} BEFORE {action} ON claim_events "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION claim_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER claim_events_append_only BEFORE UPDATE OR DELETE ON claim_events "
            "FOR EACH ROW EXECUTE FUNCTION claim_events_append_only()"
        )


def _allow_event_changes() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS claim_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS claim_events_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS claim_events_append_only ON claim_events")
        op.execute("DROP FUNCTION IF EXISTS claim_events_append_only()")
