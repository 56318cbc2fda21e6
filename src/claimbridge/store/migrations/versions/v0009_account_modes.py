"""Record who switched the Office Ally account between test (OATEST) and production, and when:
``account_mode_changes``. Existing accounts keep their mode; their history starts empty.

Revision ID: 0009_account_modes
Revises: 0008_corrections
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import UtcDateTime

revision = "0009_account_modes"
down_revision = "0008_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``account_mode_changes``."""
    op.create_table(
        "account_mode_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "mode IN ('test', 'production')", name=op.f("ck_account_mode_changes_mode")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["clearinghouse_accounts.id"],
            name=op.f("fk_account_mode_changes_account_id_clearinghouse_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_mode_changes")),
    )
    op.create_index(
        op.f("ix_account_mode_changes_account_id"), "account_mode_changes", ["account_id"]
    )


def downgrade() -> None:
    """Drop ``account_mode_changes``."""
    op.drop_index(op.f("ix_account_mode_changes_account_id"), table_name="account_mode_changes")
    op.drop_table("account_mode_changes")
