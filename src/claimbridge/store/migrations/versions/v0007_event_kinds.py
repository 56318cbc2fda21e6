"""Index claim events by kind, so the dashboard finds the claims whose ERA did not add up
(``does_not_balance`` events) without reading every event.

Revision ID: 0007_event_kinds
Revises: 0006_service_dates
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0007_event_kinds"
down_revision = "0006_service_dates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``ix_claim_events_what_claim_id``."""
    op.create_index(op.f("ix_claim_events_what_claim_id"), "claim_events", ["what", "claim_id"])


def downgrade() -> None:
    """Drop it."""
    op.drop_index(op.f("ix_claim_events_what_claim_id"), table_name="claim_events")
