"""A submission of the claims a biller selected: ``jobs.claims``, the CLM01s (JSON) a submit
job is limited to; empty for every job so far (each sent every ready claim, as they still do
when nothing is selected).

Revision ID: 0021_job_claims
Revises: 0020_report_snapshots
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_job_claims"
down_revision = "0020_report_snapshots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``jobs.claims``."""
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("claims", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("claims")
