"""Index the service dates of claims and their lines, so the unmatched queue can suggest the
claims of an ERA claim's service date without reading every claim.

Revision ID: 0006_service_dates
Revises: 0005_resolution
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0006_service_dates"
down_revision = "0005_resolution"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``ix_claims_service_date`` and ``ix_claim_lines_service_date``."""
    op.create_index(op.f("ix_claims_service_date"), "claims", ["service_date"])
    op.create_index(op.f("ix_claim_lines_service_date"), "claim_lines", ["service_date"])


def downgrade() -> None:
    """Drop the two indexes."""
    op.drop_index(op.f("ix_claim_lines_service_date"), table_name="claim_lines")
    op.drop_index(op.f("ix_claims_service_date"), table_name="claims")
