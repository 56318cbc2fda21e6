"""Following claims up: ``claim_notes`` (what a person wrote on a claim, when, by whom),
``claim_follow_ups`` (who follows a claim up and when next) and ``payers.timely_filing_days``
(a payer's own limit; empty means the default of ``domain.timely_filing``). Existing ledgers
start with no note, no follow-up and every payer on the default. Both new tables belong to a
practice: on PostgreSQL each gets the row-level security policy of 0010_practices.

Revision ID: 0015_follow_ups
Revises: 0014_web_edits
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import UtcDateTime

revision = "0015_follow_ups"
down_revision = "0014_web_edits"
branch_labels = None
depends_on = None

# The policy of 0010_practices, which a revision must not import.
POLICY = (
    "practice_id = NULLIF(NULLIF(current_setting('claimbridge.practice', true), ''), 'all')"
    "::integer OR current_setting('claimbridge.practice', true) = 'all'"
)
TABLES = ("claim_notes", "claim_follow_ups")


def upgrade() -> None:
    """Add ``claim_notes``, ``claim_follow_ups`` and ``payers.timely_filing_days``."""
    with op.batch_alter_table("payers") as batch:
        batch.add_column(sa.Column("timely_filing_days", sa.Integer(), nullable=True))
    op.create_table(
        "claim_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("written_at", UtcDateTime(), nullable=False),
        sa.Column("written_by", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_notes_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_claim_notes_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_notes")),
    )
    op.create_index(op.f("ix_claim_notes_claim_id"), "claim_notes", ["claim_id"])
    op.create_index(op.f("ix_claim_notes_practice_id"), "claim_notes", ["practice_id"])
    op.create_table(
        "claim_follow_ups",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("assigned_to", sa.String(length=60), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=60), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_follow_ups_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_claim_follow_ups_practice_id_practice"),
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_follow_ups")),
    )
    op.create_index(
        op.f("ix_claim_follow_ups_assigned_to_follow_up_on"),
        "claim_follow_ups",
        ["assigned_to", "follow_up_on"],
    )
    op.create_index(op.f("ix_claim_follow_ups_follow_up_on"), "claim_follow_ups", ["follow_up_on"])
    op.create_index(op.f("ix_claim_follow_ups_practice_id"), "claim_follow_ups", ["practice_id"])
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY practice_only ON {table} USING ({POLICY}) WITH CHECK ({POLICY})"
            )


def downgrade() -> None:
    """Drop them (the policies go with the tables)."""
    op.drop_table("claim_follow_ups")
    op.drop_table("claim_notes")
    with op.batch_alter_table("payers") as batch:
        batch.drop_column("timely_filing_days")
