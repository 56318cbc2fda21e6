"""The rejected-login mark in the ledger: ``account_schedules.login_refused_at``,
``login_refused_account`` (``user@host:port``) and ``login_refused_detail`` (what the server
said). Every process sharing the ledger refuses to dial a marked account; earlier versions kept
the mark in ``sftp-auth-failures.json`` beside the known-hosts file of one machine, which
``claimbridge init`` and the first connection on each machine read into these columns.

Revision ID: 0023_login_marks
Revises: 0022_patient_money
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import UtcDateTime

revision = "0023_login_marks"
down_revision = "0022_patient_money"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the three columns, empty: no account is marked in the ledger yet."""
    with op.batch_alter_table("account_schedules") as batch:
        batch.add_column(sa.Column("login_refused_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("login_refused_account", sa.String(400), nullable=True))
        batch.add_column(sa.Column("login_refused_detail", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop them (a mark is lost: check the credentials before running an older version)."""
    with op.batch_alter_table("account_schedules") as batch:
        batch.drop_column("login_refused_detail")
        batch.drop_column("login_refused_account")
        batch.drop_column("login_refused_at")
