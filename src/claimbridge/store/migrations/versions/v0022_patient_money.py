"""Every dollar has a path: ``paper_remittances`` (a remittance entered from a paper EOB, as
entered, with each claim's status before it), ``patient_money`` (patient payments, refunds and
write-offs on a claim, a line or an appointment), ``statement_runs`` (a run of patient
statements on a cycle date, its PDF and CSV) and ``patient_statements`` (who was billed in a
run, so each patient's last statement date is known). Existing ledgers start with none. Each
table belongs to a practice: on PostgreSQL each gets the row-level security policy of
0010_practices.

Revision ID: 0022_patient_money
Revises: 0021_job_claims
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from claimbridge.store.types import Money, UtcDateTime

revision = "0022_patient_money"
down_revision = "0021_job_claims"
branch_labels = None
depends_on = None

# The policy of 0010_practices, which a revision must not import.
POLICY = (
    "practice_id = NULLIF(NULLIF(current_setting('claimbridge.practice', true), ''), 'all')"
    "::integer OR current_setting('claimbridge.practice', true) = 'all'"
)
TABLES = ("paper_remittances", "patient_money", "statement_runs", "patient_statements")


def _practice(table: str) -> list[Any]:
    return [
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practice.id"], name=op.f(f"fk_{table}_practice_id_practice")
        ),
    ]


def upgrade() -> None:
    """Add the four tables, their indexes and, on PostgreSQL, their policies."""
    op.create_table(
        "paper_remittances",
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", UtcDateTime(), nullable=False),
        sa.Column("entered_by", sa.String(length=60), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("statuses_before", sa.Text(), nullable=False),
        *_practice("paper_remittances"),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittances.id"],
            name=op.f("fk_paper_remittances_remittance_id_remittances"),
        ),
        sa.PrimaryKeyConstraint("remittance_id", name=op.f("pk_paper_remittances")),
    )
    _patient_money()
    _statements()
    for table in TABLES:
        op.create_index(op.f(f"ix_{table}_practice_id"), table, ["practice_id"])
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY practice_only ON {table} USING ({POLICY}) WITH CHECK ({POLICY})"
            )


def _patient_money() -> None:
    op.create_table(
        "patient_money",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("claim_line_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=5), nullable=True),
        sa.Column("reference", sa.String(length=50), nullable=True),
        sa.Column("group_code", sa.String(length=2), nullable=True),
        sa.Column("reason_code", sa.String(length=5), nullable=True),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("entered_at", UtcDateTime(), nullable=False),
        sa.Column("entered_by", sa.String(length=60), nullable=False),
        sa.Column("undone_at", UtcDateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=60), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        *_practice("patient_money"),
        sa.CheckConstraint(
            "kind IN ('payment', 'refund', 'write_off')", name=op.f("ck_patient_money_kind")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_patient_money_amount")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_money_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_patient_money_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_patient_money_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["claim_line_id"],
            ["claim_lines.id"],
            name=op.f("fk_patient_money_claim_line_id_claim_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_money")),
    )
    for column in ("patient_id", "appointment_id", "claim_id"):
        op.create_index(op.f(f"ix_patient_money_{column}"), "patient_money", [column])


def _statements() -> None:
    op.create_table(
        "statement_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_date", sa.Date(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("patients", sa.Integer(), nullable=False),
        sa.Column("total", Money(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("csv", sa.Text(), nullable=False),
        *_practice("statement_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_runs")),
        sa.UniqueConstraint(
            "practice_id", "cycle_date", name=op.f("uq_statement_runs_practice_id_cycle_date")
        ),
    )
    op.create_table(
        "patient_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("billed_on", sa.Date(), nullable=False),
        sa.Column("balance", Money(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        *_practice("patient_statements"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["statement_runs.id"],
            name=op.f("fk_patient_statements_run_id_statement_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_statements_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_statements")),
        sa.UniqueConstraint(
            "run_id", "patient_id", name=op.f("uq_patient_statements_run_id_patient_id")
        ),
    )
    for column in ("run_id", "patient_id"):
        op.create_index(op.f(f"ix_patient_statements_{column}"), "patient_statements", [column])


def downgrade() -> None:
    """Drop the four tables (their policies go with them)."""
    for table in reversed(TABLES):
        op.drop_table(table)
