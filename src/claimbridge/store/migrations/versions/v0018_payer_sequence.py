"""Claims to the second and third payer: each claim's payer sequence (primary, secondary,
tertiary), the claim whose adjudication a secondary or tertiary claim carries, and the payer a
primary's 835 says it crossed the claim over to. Every claim made so far went to the patient's
primary policy, so existing rows become ``primary``.

Revision ID: 0018_payer_sequence
Revises: 0017_worklist_search
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_payer_sequence"
down_revision = "0017_worklist_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the three columns; every existing claim is a primary claim."""
    with op.batch_alter_table("claims") as batch:
        batch.add_column(
            sa.Column(
                "payer_sequence", sa.String(length=10), nullable=False, server_default="primary"
            )
        )
        batch.add_column(sa.Column("follows_claim_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("crossed_over_to", sa.String(length=80), nullable=True))
        batch.create_foreign_key(
            op.f("fk_claims_follows_claim_id_claims"), "claims", ["follows_claim_id"], ["id"]
        )
        batch.create_check_constraint(
            op.f("ck_claims_payer_sequence"),
            "payer_sequence IN ('primary', 'secondary', 'tertiary')",
        )
    op.create_index(op.f("ix_claims_follows_claim_id"), "claims", ["follows_claim_id"])


def downgrade() -> None:
    """Drop the columns; secondary and tertiary claims stay as rows without their sequence."""
    op.drop_index(op.f("ix_claims_follows_claim_id"), table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("ck_claims_payer_sequence"), type_="check")
        batch.drop_constraint(op.f("fk_claims_follows_claim_id_claims"), type_="foreignkey")
        batch.drop_column("crossed_over_to")
        batch.drop_column("follows_claim_id")
        batch.drop_column("payer_sequence")
