"""Background work: ``jobs`` (each poll, submission or connection test a worker runs for a
practice, with its progress and result) and ``account_schedules`` (how often each practice's
Office Ally account is polled, whether ready claims go by themselves, and whether its jobs were
stopped after a rejected login). Existing ledgers start with no job and the defaults. Both
belong to a practice: on PostgreSQL each gets the row-level security policy of 0010_practices.

Revision ID: 0013_jobs
Revises: 0012_era_match
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import UtcDateTime

revision = "0013_jobs"
down_revision = "0012_era_match"

# Rows are visible when their practice is the transaction's, or when it works across practices
# (the policy of 0010_practices, which a revision must not import).
POLICY = (
    "practice_id = NULLIF(NULLIF(current_setting('claimbridge.practice', true), ''), 'all')"
    "::integer OR current_setting('claimbridge.practice', true) = 'all'"
)
TABLES = ("jobs", "account_schedules")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``jobs`` and ``account_schedules``."""
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("asked_by", sa.String(length=60), nullable=False),
        sa.Column("queued_at", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('poll', 'submit', 'test')", name=op.f("ck_jobs_kind")),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_jobs_state")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_jobs_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_practice_id"), "jobs", ["practice_id"])
    op.create_index(
        op.f("ix_jobs_practice_id_kind_state"), "jobs", ["practice_id", "kind", "state"]
    )
    op.create_table(
        "account_schedules",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("poll_every_minutes", sa.Integer(), nullable=False),
        sa.Column("auto_submit", sa.Boolean(), nullable=False),
        sa.Column("last_poll_at", UtcDateTime(), nullable=True),
        sa.Column("stopped_at", UtcDateTime(), nullable=True),
        sa.Column("stopped_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_account_schedules_practice_id_practice"),
        ),
        sa.PrimaryKeyConstraint("practice_id", name=op.f("pk_account_schedules")),
    )
    op.create_index(op.f("ix_account_schedules_practice_id"), "account_schedules", ["practice_id"])
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY practice_only ON {table} USING ({POLICY}) WITH CHECK ({POLICY})"
            )


def downgrade() -> None:
    """Drop ``account_schedules`` and ``jobs`` (their policies go with them)."""
    op.drop_index(op.f("ix_account_schedules_practice_id"), table_name="account_schedules")
    op.drop_table("account_schedules")
    op.drop_index(op.f("ix_jobs_practice_id_kind_state"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_practice_id"), table_name="jobs")
    op.drop_table("jobs")
