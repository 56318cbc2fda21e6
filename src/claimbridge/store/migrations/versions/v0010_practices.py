"""Many practices in one ledger: ``practice.key``, a ``practice_id`` on every per-practice table,
keys unique per practice, users' roles per practice (``practice_members``), and on PostgreSQL
row-level security keyed on the transaction's ``claimbridge.practice``.

A single-practice ledger becomes one practice, keyed by its name (``Cedar Valley Family Health``
→ ``cedar-valley-family-health``); every row, user role and API token is kept and belongs to it.
A ledger with rows but no practice row gets a practice keyed ``practice`` with empty details,
which the next ``claimbridge load`` fills in.

Revision ID: 0010_practices
Revises: 0009_account_modes
Create Date: 2026-12-07
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0010_practices"
down_revision = "0009_account_modes"
branch_labels = None
depends_on = None

# Every per-practice table but onboarding_steps (rebuilt: its key changes) and practice_members
# (new), with the unique constraints that become per practice: (old name, columns).
TENANT_TABLES: dict[str, list[tuple[str, list[str]]]] = {
    "clearinghouse_accounts": [("uq_clearinghouse_accounts_name", ["name"])],
    "account_mode_changes": [],
    "providers": [("uq_providers_key", ["key"]), ("uq_providers_npi", ["npi"])],
    "payer_enrollments": [
        ("uq_payer_enrollments_payer_id_transaction_type", ["payer_id", "transaction_type"])
    ],
    "patients": [("uq_patients_key", ["key"])],
    "policies": [],
    "corrections": [],
    "appointments": [("uq_appointments_key", ["key"])],
    "appointment_diagnoses": [],
    "appointment_lines": [],
    "claims": [],
    "claim_lines": [],
    "batches": [],
    "claim_submissions": [],
    "inbound_files": [("uq_inbound_files_sha256", ["sha256"])],
    "acknowledgments": [],
    "remittances": [
        (
            "uq_remittances_payer_identifier_trace_number_amount",
            ["payer_identifier", "trace_number", "amount"],
        )
    ],
    "payments": [],
    "adjustments": [],
    "claim_events": [],
    "provider_adjustments": [],
    "unmatched_claims": [],
    "polls": [],
    "api_tokens": [],
    "audit_log": [],
    "remittance_dates": [],
}
# The columns of onboarding_steps both before and after, typed so dates read back as dates.
_OLD_STEPS = sa.table(
    "onboarding_steps",
    sa.column("step", sa.String()),
    sa.column("done_on", sa.Date()),
    sa.column("done_by", sa.String()),
)
SCOPED_TABLES = [*TENANT_TABLES, "onboarding_steps", "practice_members"]
# Rows are visible when their practice is the transaction's, or when it works across practices.
POLICY = (
    "practice_id = NULLIF(NULLIF(current_setting('claimbridge.practice', true), ''), 'all')"
    "::integer OR current_setting('claimbridge.practice', true) = 'all'"
)


def practice_key(name: str) -> str:
    """The key a practice gets from its name: lower case, words joined by '-'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64] or "practice"


def upgrade() -> None:
    """Add the practice to every per-practice row; see the module's text."""
    with op.batch_alter_table("practice") as batch:
        batch.add_column(sa.Column("key", sa.String(length=64), nullable=True))
    practice_id = _the_practice()
    with op.batch_alter_table("practice") as batch:
        batch.alter_column("key", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f("uq_practice_key"), ["key"])
        batch.drop_constraint(op.f("ck_practice_single_row"), type_="check")
    _pause_event_guard()
    for table, uniques in TENANT_TABLES.items():
        _add_practice_id(table, practice_id, uniques)
    _forbid_event_changes_again()
    _rebuild_onboarding_steps(practice_id)
    _move_roles_to_members(practice_id)
    if op.get_bind().dialect.name == "postgresql":
        for table in SCOPED_TABLES:
            _secure(table)


def _the_practice() -> int | None:
    """The id of the ledger's practice, keyed by its name; made when rows need one."""
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT id, name FROM practice ORDER BY id")).first()
    if found is not None:
        bind.execute(
            sa.text("UPDATE practice SET key = :key WHERE id = :id"),
            {"key": practice_key(found.name), "id": found.id},
        )
        return int(found.id)
    if not _holds_rows():
        return None
    bind.execute(
        sa.text(
            "INSERT INTO practice (id, key, name, tax_id, npi, taxonomy, address_line1, "
            "address_city, address_state, address_zip) "
            "VALUES (1, 'practice', '', '', '', '', '', '', '', '')"
        )
    )
    return 1


def _holds_rows() -> bool:
    bind = op.get_bind()
    tables = [*TENANT_TABLES, "onboarding_steps", "users"]
    return any(bind.execute(sa.text(f"SELECT 1 FROM {name} LIMIT 1")).first() for name in tables)


def _add_practice_id(
    table: str, practice_id: int | None, uniques: list[tuple[str, list[str]]]
) -> None:
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("practice_id", sa.Integer(), nullable=True))
    if practice_id is not None:
        op.get_bind().execute(
            sa.text(f"UPDATE {table} SET practice_id = :id"),
            {"id": practice_id},
        )
    with op.batch_alter_table(table) as batch:
        batch.alter_column("practice_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f(f"fk_{table}_practice_id_practice"), "practice", ["practice_id"], ["id"]
        )
        batch.create_index(op.f(f"ix_{table}_practice_id"), ["practice_id"])
        for name, columns in uniques:
            batch.drop_constraint(op.f(name), type_="unique")
            new_name = "uq_" + "_".join([table, "practice_id", *columns])
            batch.create_unique_constraint(op.f(new_name), ["practice_id", *columns])


def _pause_event_guard() -> None:
    """Let this revision give every claim event its practice: the guard of 0001 refuses any
    UPDATE of claim_events. ``_forbid_event_changes_again`` puts it back."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE claim_events DISABLE TRIGGER claim_events_append_only")
        return
    op.execute("DROP TRIGGER IF EXISTS claim_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS claim_events_no_delete")


def _forbid_event_changes_again() -> None:
    """The append-only guard of 0001 again (on SQLite the rebuilt table lost its triggers)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE claim_events ENABLE TRIGGER claim_events_append_only")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS claim_events_no_{action.lower()} BEFORE {action} ON "
            "claim_events BEGIN SELECT RAISE(ABORT, 'claim_events is append-only'); END"
        )


def _rebuild_onboarding_steps(practice_id: int | None) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_OLD_STEPS)).all()
    op.drop_table("onboarding_steps")
    steps = op.create_table(
        "onboarding_steps",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("done_by", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_onboarding_steps_practice_id_practice")
        ),
        sa.PrimaryKeyConstraint("practice_id", "step", name=op.f("pk_onboarding_steps")),
    )
    if rows and practice_id is not None:
        op.bulk_insert(steps, [{"practice_id": practice_id, **row._mapping} for row in rows])


def _move_roles_to_members(practice_id: int | None) -> None:
    members = op.create_table(
        "practice_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'biller', 'viewer')", name=op.f("ck_practice_members_role")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f("fk_practice_members_practice_id_practice")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_practice_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_members")),
        sa.UniqueConstraint(
            "user_id", "practice_id", name=op.f("uq_practice_members_user_id_practice_id")
        ),
    )
    op.create_index(op.f("ix_practice_members_practice_id"), "practice_members", ["practice_id"])
    op.create_index(op.f("ix_practice_members_user_id"), "practice_members", ["user_id"])
    users = op.get_bind().execute(sa.text("SELECT id, role FROM users ORDER BY id")).all()
    if users and practice_id is not None:
        op.bulk_insert(
            members,
            [{"user_id": u.id, "role": u.role, "practice_id": practice_id} for u in users],
        )
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.drop_column("role")


def _secure(table: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY practice_only ON {table} USING ({POLICY}) WITH CHECK ({POLICY})")


def downgrade() -> None:
    """Back to one practice; refused when the ledger holds more than one."""
    bind = op.get_bind()
    count = bind.execute(sa.text("SELECT COUNT(*) FROM practice")).scalar_one()
    if count > 1:
        raise RuntimeError("the ledger holds several practices: a downgrade would mix them")
    if bind.dialect.name == "postgresql":
        for table in SCOPED_TABLES:
            op.execute(f"DROP POLICY practice_only ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(length=10), nullable=True))
    bind.execute(
        sa.text(
            "UPDATE users SET role = COALESCE((SELECT role FROM practice_members m "
            "WHERE m.user_id = users.id), 'viewer')"
        )
    )
    with op.batch_alter_table("users") as batch:
        batch.alter_column("role", existing_type=sa.String(length=10), nullable=False)
        batch.create_check_constraint(
            op.f("ck_users_role"), sa.text("role IN ('admin', 'biller', 'viewer')")
        )
    op.drop_table("practice_members")
    rows = bind.execute(sa.select(_OLD_STEPS)).all()
    op.drop_table("onboarding_steps")
    steps = op.create_table(
        "onboarding_steps",
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("done_by", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("step", name=op.f("pk_onboarding_steps")),
    )
    op.bulk_insert(steps, [dict(row._mapping) for row in rows])
    _pause_event_guard()
    for table, uniques in TENANT_TABLES.items():
        with op.batch_alter_table(table) as batch:
            for name, columns in uniques:
                batch.drop_constraint(
                    op.f("uq_" + "_".join([table, "practice_id", *columns])), type_="unique"
                )
                batch.create_unique_constraint(op.f(name), columns)
            batch.drop_index(op.f(f"ix_{table}_practice_id"))
            batch.drop_constraint(op.f(f"fk_{table}_practice_id_practice"), type_="foreignkey")
            batch.drop_column("practice_id")
    _forbid_event_changes_again()
    with op.batch_alter_table("practice") as batch:
        batch.drop_constraint(op.f("uq_practice_key"), type_="unique")
        batch.drop_column("key")
        batch.create_check_constraint(op.f("ck_practice_single_row"), sa.text("id = 1"))
