"""What the web's actions need: the 837P bytes each batch was sent as, a record of every poll,
undoing a remittance's posting, and matching an unmatched ERA claim by hand.

Revision ID: 0004_actions
Revises: 0003_unmatched
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import UtcDateTime

revision = "0004_actions"
down_revision = "0003_unmatched"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``batches.content``, ``polls``, remittance undo columns and ``matched_claim_id``."""
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("content", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("remittances") as batch:
        batch.add_column(sa.Column("undone_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("undone_by", sa.String(length=60), nullable=True))
    with op.batch_alter_table("unmatched_claims") as batch:
        batch.add_column(sa.Column("matched_claim_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_unmatched_claims_matched_claim_id_claims"),
            "claims",
            ["matched_claim_id"],
            ["id"],
        )
    _polls()


def _polls() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    op.create_index(op.f("ix_polls_started_at"), "polls", ["started_at"])


def downgrade() -> None:
    """Drop what ``upgrade`` added."""
    op.drop_index(op.f("ix_polls_started_at"), table_name="polls")
    op.drop_table("polls")
    with op.batch_alter_table("unmatched_claims") as batch:
        batch.drop_constraint(
            op.f("fk_unmatched_claims_matched_claim_id_claims"), type_="foreignkey"
        )
        batch.drop_column("matched_claim_id")
    with op.batch_alter_table("remittances") as batch:
        batch.drop_column("undone_by")
        batch.drop_column("undone_at")
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("content")
