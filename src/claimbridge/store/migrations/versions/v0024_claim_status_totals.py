"""The dashboard and the Unmatched page at a million claims under PostgreSQL's row-level
security: the claims per practice and status kept by the database, policies that cost once
per query, and each claim's charge also in whole cents.

``claim_status_totals`` holds how many claims a practice has in each status and their
charges, kept by triggers on ``claims`` (every INSERT, UPDATE and DELETE, whatever wrote it),
so that the dashboard reads a few rows instead of every claim. On PostgreSQL a statement that
changes claims adds one row per practice and status it moved claims into or out of (the
change, never an UPDATE of a shared row, so concurrent writers never wait on one another or
deadlock) and ``store.repositories.fold_status_totals`` later folds them into one row each; on
SQLite, whose writers take turns, the trigger updates the status's one row. Existing claims
are counted when the revision runs.

PostgreSQL checks a table's policy on every row a query reads. The policy of 0010_practices
reads the ``claimbridge.practice`` setting twice and turns text into an integer on each row;
written with the setting read in sub-selects, PostgreSQL reads it once per query (an
InitPlan) and compares each row's practice with a number. The same rows are visible and
writable as before. The policy of every per-practice table is changed, whichever revision
made it.

``claims.total_charge_cents`` is ``total_charge`` in cents, computed by the database on every
INSERT and UPDATE (it cannot disagree with the charge): on PostgreSQL a stored column (the
table is rewritten once, a minute on a big ledger), on SQLite, which keeps money in cents
already, a virtual one. An integer comparison is leakproof, so under the policies "claims of
95.00" reads the index on (practice, cents), where the NUMERIC comparison, which is not
leakproof, read every claim (the Unmatched page's likely claims by charge).

Revision ID: 0024_claim_status_totals
Revises: 0023_login_marks
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import Money

revision = "0024_claim_status_totals"
down_revision = "0023_login_marks"
branch_labels = None
depends_on = None

# The policy of 0010_practices (a revision must not import another), and the same rows
# allowed with the setting read once per query.
SETTING = "current_setting('claimbridge.practice', true)"
BEFORE = f"practice_id = NULLIF(NULLIF({SETTING}, ''), 'all')::integer OR {SETTING} = 'all'"
AFTER = (
    f"practice_id = (SELECT NULLIF(NULLIF({SETTING}, ''), 'all')::integer) "
    f"OR (SELECT {SETTING} = 'all')"
)
CENTS_INDEX = "ix_claims_practice_id_total_charge_cents"
TOTALS = "INSERT INTO claim_status_totals (practice_id, status, claims, charge) "

# PostgreSQL: once per statement, the claims it moved, from its transition tables.
PG_MOVED = f"""
CREATE FUNCTION claim_status_totals_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {TOTALS} SELECT practice_id, status, count(*), sum(total_charge)
        FROM new_claims GROUP BY practice_id, status;
    ELSIF TG_OP = 'DELETE' THEN
        {TOTALS} SELECT practice_id, status, -count(*), -sum(total_charge)
        FROM old_claims GROUP BY practice_id, status;
    ELSE
        {TOTALS} SELECT practice_id, status, sum(claims), sum(charge) FROM (
            SELECT practice_id, status, 1 AS claims, total_charge AS charge FROM new_claims
            UNION ALL
            SELECT practice_id, status, -1, -total_charge FROM old_claims
        ) AS moved GROUP BY practice_id, status HAVING sum(claims) <> 0 OR sum(charge) <> 0;
    END IF;
    RETURN NULL;
END $$
"""
PG_TRIGGERS = {
    "claim_status_totals_inserted": "INSERT ON claims REFERENCING NEW TABLE AS new_claims",
    "claim_status_totals_updated": (
        "UPDATE ON claims REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims"
    ),
    "claim_status_totals_deleted": "DELETE ON claims REFERENCING OLD TABLE AS old_claims",
}


def _sqlite_add(row: str, sign: str) -> str:
    """SQLite: the status's one row (made if missing) takes the claim ``row`` (NEW or OLD)."""
    same = f"practice_id = {row}.practice_id AND status = {row}.status"
    made = (
        f"{TOTALS} SELECT {row}.practice_id, {row}.status, 0, 0 "
        f"WHERE NOT EXISTS (SELECT 1 FROM claim_status_totals WHERE {same});"
    )
    return (
        (made if sign == "+" else "")
        + f" UPDATE claim_status_totals SET claims = claims {sign} 1, "
        f"charge = charge {sign} {row}.total_charge "
        f"WHERE id = (SELECT min(id) FROM claim_status_totals WHERE {same});"
    )


SQLITE_TRIGGERS = {
    "claim_status_totals_inserted": f"AFTER INSERT ON claims BEGIN {_sqlite_add('NEW', '+')} END",
    "claim_status_totals_updated": (
        "AFTER UPDATE OF practice_id, status, total_charge ON claims "
        "WHEN OLD.practice_id IS NOT NEW.practice_id OR OLD.status IS NOT NEW.status "
        "OR OLD.total_charge IS NOT NEW.total_charge "
        f"BEGIN {_sqlite_add('OLD', '-')} {_sqlite_add('NEW', '+')} END"
    ),
    "claim_status_totals_deleted": f"AFTER DELETE ON claims BEGIN {_sqlite_add('OLD', '-')} END",
}


def _policy_tables() -> list[str]:
    found = op.get_bind().execute(
        sa.text(
            "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() "
            "AND policyname = 'practice_only' ORDER BY tablename"
        )
    )
    return list(found.scalars())


def _set_policies(condition: str) -> None:
    for table in _policy_tables():
        op.execute(
            f"ALTER POLICY practice_only ON {table} USING ({condition}) WITH CHECK ({condition})"
        )


def upgrade() -> None:
    """Rewrite the policies; add the charge in cents and its index; count the claims."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        _set_policies(AFTER)
        op.execute(
            "ALTER TABLE claims ADD COLUMN total_charge_cents BIGINT "
            "GENERATED ALWAYS AS (CAST(total_charge * 100 AS BIGINT)) STORED"
        )
    else:
        op.execute(
            "ALTER TABLE claims ADD COLUMN total_charge_cents BIGINT "
            "GENERATED ALWAYS AS (total_charge) VIRTUAL"
        )
    op.create_index(CENTS_INDEX, "claims", ["practice_id", "total_charge_cents"])
    _claim_status_totals(postgresql)


def _claim_status_totals(postgresql: bool) -> None:
    op.create_table(
        "claim_status_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("charge", Money(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name=op.f("fk_claim_status_totals_practice_id_practice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_status_totals")),
    )
    op.create_index(
        op.f("ix_claim_status_totals_practice_id"), "claim_status_totals", ["practice_id"]
    )
    op.create_index(
        op.f("ix_claim_status_totals_practice_id_status"),
        "claim_status_totals",
        ["practice_id", "status"],
    )
    if postgresql:
        op.execute("ALTER TABLE claim_status_totals ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE claim_status_totals FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY practice_only ON claim_status_totals USING ({AFTER}) "
            f"WITH CHECK ({AFTER})"
        )
        op.execute("LOCK TABLE claims IN SHARE ROW EXCLUSIVE MODE")  # no claim moves meanwhile
    op.execute(
        f"{TOTALS} SELECT practice_id, status, count(*), sum(total_charge) FROM claims "
        "GROUP BY practice_id, status"
    )
    if postgresql:
        op.execute(PG_MOVED)
        for name, when in PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} AFTER {when} "
                "FOR EACH STATEMENT EXECUTE FUNCTION claim_status_totals_moved()"
            )
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    """The policies of 0010_practices again; no charge in cents, no claim totals."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in PG_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}" + (" ON claims" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION claim_status_totals_moved()")
    op.drop_table("claim_status_totals")
    op.drop_index(CENTS_INDEX, table_name="claims")
    op.execute("ALTER TABLE claims DROP COLUMN total_charge_cents")
    if postgresql:
        _set_policies(BEFORE)
