"""Reports kept as last computed: ``report_snapshots`` (per practice and report, its rows as
JSON, the day its aging counts from, when it was made and how long it took), and a job kind
``reports`` that makes them again in the background. A report over a million claims takes
seconds; the pages read the kept one. Existing ledgers start with none: the first view of a
report makes it. On PostgreSQL the table gets the row-level security policy of 0010_practices.

Revision ID: 0020_report_snapshots
Revises: 0019_dashboard_indexes
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import UtcDateTime

revision = "0020_report_snapshots"
down_revision = "0019_dashboard_indexes"
branch_labels = None
depends_on = None

# The policy of 0010_practices, which a revision must not import.
POLICY = (
    "practice_id = NULLIF(NULLIF(current_setting('claimbridge.practice', true), ''), 'all')"
    "::integer OR current_setting('claimbridge.practice', true) = 'all'"
)


def _kinds(*kinds: str) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade() -> None:
    """Add ``report_snapshots`` and the ``reports`` job kind."""
    op.create_table(
        "report_snapshots",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("rows", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("made_at", UtcDateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_report_snapshots_practice_id_practice"),
        ),
        sa.PrimaryKeyConstraint("practice_id", "key", name=op.f("pk_report_snapshots")),
    )
    op.create_index(op.f("ix_report_snapshots_practice_id"), "report_snapshots", ["practice_id"])
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint(op.f("ck_jobs_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_jobs_kind"), _kinds("poll", "submit", "test", "reports")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE report_snapshots ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE report_snapshots FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY practice_only ON report_snapshots USING ({POLICY}) "
            f"WITH CHECK ({POLICY})"
        )


def downgrade() -> None:
    """Drop the snapshots and the ``reports`` jobs (their rows go with the kind)."""
    op.execute("DELETE FROM jobs WHERE kind = 'reports'")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint(op.f("ck_jobs_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_jobs_kind"), _kinds("poll", "submit", "test"))
    op.drop_table("report_snapshots")
