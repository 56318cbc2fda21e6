"""The Office Ally account keeps the practice's Service Center username.

The e-mail that asks Office Ally to turn SFTP on names the account by its Service Center (web
site) login. claimbridge filled it with the SFTP username, which is another login, and one
Office Ally only sends after that e-mail. The column is empty until a person or the practice
file gives it. A person's value is kept over a practice file that says otherwise, like the
account's other settings: ``corrections.field`` may name it (and is widened to hold its name).
It may also name the policy's group number and insured's name, which the claim correction form
now corrects too.

Revision ID: 0026_service_center_username
Revises: 0025_follows_partial_index
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_service_center_username"
down_revision = "0025_follows_partial_index"
branch_labels = None
depends_on = None

OLD_FIELDS = (
    "first_name",
    "last_name",
    "dob",
    "member_id",
    "status",
    "sftp_host",
    "sftp_port",
    "username",
    "password_token",
    "go_live",
    "era_split",
)
NEW_FIELDS = (
    *OLD_FIELDS,
    "service_center_username",
    "group_number",
    "subscriber_first_name",
    "subscriber_last_name",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _fields(fields: tuple[str, ...], width: int) -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.drop_constraint(op.f("ck_corrections_field"), type_="check")
        batch.alter_column("field", type_=sa.String(length=width), existing_nullable=False)
        batch.create_check_constraint(op.f("ck_corrections_field"), _one_of("field", fields))


def upgrade() -> None:
    with op.batch_alter_table("clearinghouse_accounts") as batch:
        batch.add_column(sa.Column("service_center_username", sa.String(80), nullable=True))
    _fields(NEW_FIELDS, 30)


def downgrade() -> None:
    corrections = sa.table("corrections", sa.column("field"))
    added = NEW_FIELDS[len(OLD_FIELDS) :]
    op.execute(corrections.delete().where(corrections.c.field.in_(added)))
    _fields(OLD_FIELDS, 20)
    with op.batch_alter_table("clearinghouse_accounts") as batch:
        batch.drop_column("service_center_username")
