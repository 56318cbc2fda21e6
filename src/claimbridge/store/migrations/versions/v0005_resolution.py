"""Why an unmatched ERA claim left the queue: matched to a claim by hand, not ours, or its
posting undone.

Revision ID: 0005_resolution
Revises: 0004_actions
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_resolution"
down_revision = "0004_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``unmatched_claims.resolution``."""
    with op.batch_alter_table("unmatched_claims") as batch:
        batch.add_column(sa.Column("resolution", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop ``unmatched_claims.resolution``."""
    with op.batch_alter_table("unmatched_claims") as batch:
        batch.drop_column("resolution")
