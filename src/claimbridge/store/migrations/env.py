"""Alembic environment, run programmatically by ``Store.upgrade`` (no alembic.ini).

The caller passes an open connection in ``config.attributes["connection"]``; the migration runs
inside the caller's transaction.
"""

from __future__ import annotations

from alembic import context

from claimbridge.store.tables import Base


def run_migrations() -> None:
    """Run the pending revisions on the connection the caller gave."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
