"""Sessions that end and tokens that expire: ``users`` gains ``session_generation`` (carried in
the session cookie; raised when the user signs out, is disabled or gets a new password, which
ends every cookie from before) and ``last_sign_in_at``; ``api_tokens`` gains ``scope`` (read or
write), ``expires_at`` and ``last_used_at``. Tokens made before act as they did, with ``write``,
and expire 90 days after the upgrade.

Revision ID: 0016_sessions
Revises: 0015_follow_ups
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import UtcDateTime

revision = "0016_sessions"
down_revision = "0015_follow_ups"
branch_labels = None
depends_on = None

EXISTING_TOKENS_LAST = timedelta(days=90)


def upgrade() -> None:
    """Add the columns; existing tokens get ``write`` and an expiry 90 days from now."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_sign_in_at", UtcDateTime(), nullable=True))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("scope", sa.String(length=5), nullable=False, server_default="write")
        )
        batch.add_column(sa.Column("expires_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("last_used_at", UtcDateTime(), nullable=True))
        batch.create_check_constraint(op.f("ck_api_tokens_scope"), "scope IN ('read', 'write')")
    tokens = sa.table("api_tokens", sa.column("expires_at", UtcDateTime()))
    until = datetime.now(UTC) + EXISTING_TOKENS_LAST
    op.get_bind().execute(sa.update(tokens).values(expires_at=until))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=UtcDateTime(), nullable=False)


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_scope"), type_="check")
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
        batch.drop_column("scope")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_sign_in_at")
        batch.drop_column("session_generation")
