"""The unmatched queue (ERA claims that match none of ours) and PLB provider adjustments.

Revision ID: 0003_unmatched
Revises: 0002_web
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import Money, UtcDateTime

revision = "0003_unmatched"
down_revision = "0002_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``unmatched_claims`` and ``provider_adjustments``."""
    _provider_adjustments()
    op.create_table(
        "unmatched_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_file_id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("patient_control_number", sa.String(length=38), nullable=False),
        sa.Column("payer_claim_control_number", sa.String(length=50), nullable=True),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("charge", Money(), nullable=False),
        sa.Column("paid", Money(), nullable=False),
        sa.Column("patient_responsibility", Money(), nullable=True),
        sa.Column("segment_position", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["inbound_file_id"],
            ["inbound_files.id"],
            name=op.f("fk_unmatched_claims_inbound_file_id_inbound_files"),
        ),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittances.id"],
            name=op.f("fk_unmatched_claims_remittance_id_remittances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unmatched_claims")),
    )
    op.create_index(
        op.f("ix_unmatched_claims_remittance_id"), "unmatched_claims", ["remittance_id"]
    )


def _provider_adjustments() -> None:
    op.create_table(
        "provider_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("provider_identifier", sa.String(length=50), nullable=False),
        sa.Column("fiscal_period_end", sa.Date(), nullable=True),
        sa.Column("reason_code", sa.String(length=2), nullable=False),
        sa.Column("reference", sa.String(length=50), nullable=True),
        sa.Column("amount", Money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittances.id"],
            name=op.f("fk_provider_adjustments_remittance_id_remittances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_adjustments")),
    )
    op.create_index(
        op.f("ix_provider_adjustments_remittance_id"), "provider_adjustments", ["remittance_id"]
    )


def downgrade() -> None:
    """Drop ``unmatched_claims`` and ``provider_adjustments``."""
    op.drop_index(op.f("ix_provider_adjustments_remittance_id"), table_name="provider_adjustments")
    op.drop_table("provider_adjustments")
    op.drop_index(op.f("ix_unmatched_claims_remittance_id"), table_name="unmatched_claims")
    op.drop_table("unmatched_claims")
