"""Web edits kept over a practice file: ``corrections`` also names a payer's enrollment and
the Office Ally account's settings (SFTP host, port, user and password, go-live date, ERA split)
that a person changed in claimbridge, so the next ``claimbridge load`` keeps them and lists
them. Existing rows are unchanged.

Revision ID: 0014_web_edits
Revises: 0013_jobs
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_web_edits"
down_revision = "0013_jobs"
branch_labels = None
depends_on = None

OLD_ENTITIES = ("patients", "policies")
OLD_FIELDS = ("first_name", "last_name", "dob", "member_id")
NEW_ENTITIES = (*OLD_ENTITIES, "enrollments", "accounts")
NEW_FIELDS = (
    *OLD_FIELDS,
    "status",
    "sftp_host",
    "sftp_port",
    "username",
    "password_token",
    "go_live",
    "era_split",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _constrain(entities: tuple[str, ...], fields: tuple[str, ...], width: int) -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.drop_constraint(op.f("ck_corrections_entity"), type_="check")
        batch.drop_constraint(op.f("ck_corrections_field"), type_="check")
        batch.alter_column("entity", type_=sa.String(length=width), existing_nullable=False)
        batch.create_check_constraint(op.f("ck_corrections_entity"), _one_of("entity", entities))
        batch.create_check_constraint(op.f("ck_corrections_field"), _one_of("field", fields))


def upgrade() -> None:
    """Let ``corrections`` name enrollments and the account's settings."""
    _constrain(NEW_ENTITIES, NEW_FIELDS, 20)


def downgrade() -> None:
    """Forget the web edits of enrollments and the account, then narrow ``corrections``."""
    corrections = sa.table("corrections", sa.column("entity"))
    op.execute(corrections.delete().where(corrections.c.entity.in_(["enrollments", "accounts"])))
    _constrain(OLD_ENTITIES, OLD_FIELDS, 10)
