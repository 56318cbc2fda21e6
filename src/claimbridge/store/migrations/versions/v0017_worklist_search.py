"""Finding claims fast at a million: indexes for the worklist's search keys (patient name and
birth date, member ID, the claim's policy, the payer's claim control number on claims and
payments, Office Ally's claim ID) and for its order by status (then date of service, which
also serves a status filter in date order) and by charge; and
``acknowledgments.control_number`` wide enough for a whole ten-digit OA claim ID (it kept
nine characters; those rows stay as they are and are still found by their first nine).

Revision ID: 0017_worklist_search
Revises: 0016_sessions
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_worklist_search"
down_revision = "0016_sessions"
branch_labels = None
depends_on = None

INDEXES = (
    ("patients", ("last_name", "first_name")),
    ("patients", ("dob",)),
    ("policies", ("member_id",)),
    ("claims", ("policy_id",)),
    ("claims", ("payer_claim_control_number",)),
    ("claims", ("practice_id", "status", "service_date")),
    ("claims", ("total_charge",)),
    ("payments", ("payer_claim_control_number",)),
    ("acknowledgments", ("control_number",)),
)


def _name(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    """Widen ``acknowledgments.control_number`` to 20 and add the indexes."""
    with op.batch_alter_table("acknowledgments") as batch:
        batch.alter_column(
            "control_number", type_=sa.String(length=20), existing_type=sa.String(length=9)
        )
    for table, columns in INDEXES:
        op.create_index(_name(table, columns), table, list(columns))


def downgrade() -> None:
    """Drop the indexes; the OA claim IDs are cut back to nine characters."""
    for table, columns in reversed(INDEXES):
        op.drop_index(_name(table, columns), table_name=table)
    op.execute("UPDATE acknowledgments SET control_number = substr(control_number, 1, 9)")
    with op.batch_alter_table("acknowledgments") as batch:
        batch.alter_column(
            "control_number", type_=sa.String(length=9), existing_type=sa.String(length=20)
        )
