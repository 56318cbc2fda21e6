"""Why an ERA claim waits for a person, and which claim of ours it names: ``unmatched_claims``
gains ``reason`` (no claim, never sent, other payer, overpayment), ``claim_id`` and ``detail``.
Rows queued before have no reason: they matched none of our claims.

Revision ID: 0012_era_match
Revises: 0011_claims_off_edi
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_era_match"
down_revision = "0011_claims_off_edi"
branch_labels = None
depends_on = None

_REASONS = "reason IN ('no_claim', 'never_sent', 'other_payer', 'overpayment')"


def upgrade() -> None:
    """Add ``unmatched_claims.reason``, ``claim_id`` (indexed) and ``detail``."""
    with op.batch_alter_table("unmatched_claims") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("detail", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_unmatched_claims_claim_id_claims"), "claims", ["claim_id"], ["id"]
        )
        batch.create_check_constraint(op.f("ck_unmatched_claims_reason"), _REASONS)
        batch.create_index(op.f("ix_unmatched_claims_claim_id"), ["claim_id"])


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("unmatched_claims") as batch:
        batch.drop_index(op.f("ix_unmatched_claims_claim_id"))
        batch.drop_constraint(op.f("ck_unmatched_claims_reason"), type_="check")
        batch.drop_constraint(op.f("fk_unmatched_claims_claim_id_claims"), type_="foreignkey")
        batch.drop_column("detail")
        batch.drop_column("claim_id")
        batch.drop_column("reason")
