"""The index on ``claims.follows_claim_id`` holds only the claims that follow another (a
secondary, a tertiary, a replacement or a void), not one entry per claim.

Most claims follow none. With every claim in the index, SQLite's ANALYZE records the column as
one value shared by the whole table, and its planner then reads every claim for
``follows_claim_id = ?`` or ``IN (…)`` whenever the query has another condition (the practice's,
on every scoped query): at a million claims each claim page cost about 150 ms, the reports job
minutes. An index of the claims that do follow one is small, its statistics are true, and a
lookup by the column (which implies it is not null) uses it on SQLite and PostgreSQL alike.

Revision ID: 0025_follows_partial_index
Revises: 0024_claim_status_totals
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_follows_partial_index"
down_revision = "0024_claim_status_totals"
branch_labels = None
depends_on = None

_NAME = "ix_claims_follows_claim_id"
_FOLLOWING = sa.text("follows_claim_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index(_NAME, table_name="claims")
    op.create_index(
        _NAME, "claims", ["follows_claim_id"], sqlite_where=_FOLLOWING, postgresql_where=_FOLLOWING
    )


def downgrade() -> None:
    op.drop_index(_NAME, table_name="claims")
    op.create_index(_NAME, "claims", ["follows_claim_id"])
