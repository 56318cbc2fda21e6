"""The dashboard at a million claims: indexes for its claim counts per status (with their
charges) and per hold or rejection reason, for each payer's last ERA, and for what each ERA of
the ERA list paid and on how many claims, so that none of them reads the claims, remittances or
payments tables.

Revision ID: 0019_dashboard_indexes
Revises: 0018_payer_sequence
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0019_dashboard_indexes"
down_revision = "0018_payer_sequence"
branch_labels = None
depends_on = None

INDEXES = (
    ("claims", ("practice_id", "status", "total_charge")),
    ("claims", ("practice_id", "status", "status_reason")),
    ("remittances", ("practice_id", "payer_id", "created_at")),
    ("payments", ("practice_id", "remittance_id", "claim_id", "paid")),
)


def _name(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    """Add the indexes (a minute on a big ledger)."""
    for table, columns in INDEXES:
        op.create_index(_name(table, columns), table, list(columns))


def downgrade() -> None:
    """Drop them."""
    for table, columns in reversed(INDEXES):
        op.drop_index(_name(table, columns), table_name=table)
