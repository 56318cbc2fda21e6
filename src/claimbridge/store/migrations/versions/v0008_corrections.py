"""Remember which patient and policy fields a person corrected in claimbridge (the insured's ID,
the patient's name and birth date), so loading an older practice file keeps the correction and
says so instead of silently writing the old value back.

Revision ID: 0008_corrections
Revises: 0007_event_kinds
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import UtcDateTime

revision = "0008_corrections"
down_revision = "0007_event_kinds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``corrections``."""
    op.create_table(
        "corrections",
        sa.Column("entity", sa.String(length=10), nullable=False),
        sa.Column("row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("corrected_at", UtcDateTime(), nullable=False),
        sa.Column("corrected_by", sa.String(length=60), nullable=False),
        sa.CheckConstraint(
            "entity IN ('patients', 'policies')", name=op.f("ck_corrections_entity")
        ),
        sa.CheckConstraint(
            "field IN ('first_name', 'last_name', 'dob', 'member_id')",
            name=op.f("ck_corrections_field"),
        ),
        sa.PrimaryKeyConstraint("entity", "row_id", "field", name=op.f("pk_corrections")),
    )


def downgrade() -> None:
    """Drop ``corrections``."""
    op.drop_table("corrections")
