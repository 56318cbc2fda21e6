"""A claim not yet sent may be cancelled or billed on paper: two more claim statuses in the
``claims.status`` check (``cancelled``, ``billed_on_paper``). Existing claims keep theirs.

Revision ID: 0011_claims_off_edi
Revises: 0010_practices
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0011_claims_off_edi"
down_revision = "0010_practices"
branch_labels = None
depends_on = None

BEFORE = (
    "draft",
    "held",
    "ready",
    "submitted",
    "clearinghouse_accepted",
    "clearinghouse_rejected",
    "payer_accepted",
    "payer_rejected",
    "paid",
    "denied",
)
AFTER = (*BEFORE, "cancelled", "billed_on_paper")


def _one_of(values: tuple[str, ...]) -> str:
    return "status IN ({})".format(", ".join(f"'{value}'" for value in values))


def _check(values: tuple[str, ...]) -> None:
    # SQLite rebuilds the table to change a check; Store.migrate runs it with foreign keys off
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("ck_claims_status"), type_="check")
        batch.create_check_constraint(op.f("ck_claims_status"), _one_of(values))


def upgrade() -> None:
    """Allow ``cancelled`` and ``billed_on_paper``."""
    _check(AFTER)


def downgrade() -> None:
    """Refuse them again (fails while a claim has one)."""
    _check(BEFORE)
