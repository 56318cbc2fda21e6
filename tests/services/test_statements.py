"""Patient statements: a run bills every patient who owes, as a PDF (read back with pypdf) and
a CSV with the mailing address, and records when each patient was last billed."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pypdf import PdfReader

from claimbridge.domain.patient_money import read_money
from claimbridge.errors import StoreError
from claimbridge.services.patient_money import record_money
from claimbridge.services.statements import run_statements, statement_file, statement_runs
from claimbridge.store.db import Store
from money_support import SOFIA, TODAY, billed, post_uhc

CYCLE = date(2026, 12, 1)


@pytest.fixture
def owing(store: Store) -> Store:
    """Sofia Ramirez owes 20.00 after UHC's paper EOB; Aaron Blake paid 15.00 ahead."""
    claims = billed(store)
    post_uhc(store, claims[SOFIA])
    with store.transaction() as session:
        entry = {
            "kind": "payment",
            "amount": "15.00",
            "method": "cash",
            "claim": claims["appt-5001"],
        }
        record_money(session, read_money(entry, TODAY), "front desk")
    return store


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_run_bills_each_patient_who_owes_as_pdf_and_mailing_csv(owing: Store) -> None:
    with owing.transaction() as session:
        run = run_statements(session, CYCLE, "biller")
        pdf, text = statement_file(session, run.id, "pdf"), statement_file(session, run.id, "csv")
    assert (run.patients, str(run.total)) == (1, "20.00")  # Aaron owes nothing: a credit
    shown = _pdf_text(pdf)
    for expected in ("PATIENT STATEMENT", "Sofia Ramirez", "Amount due: 20.00", "12/01/2026",
                     "180.00", "Previous statement: none"):  # fmt: skip
        assert expected in shown
    assert "Aaron" not in shown
    [row] = list(csv.DictReader(io.StringIO(text.decode())))
    assert (row["patient_id"], row["address_line1"], row["city"]) == (
        "pt-1002",
        "12 Birch Ln",
        "Clovis",
    )
    assert (row["insurance_paid"], row["patient_owes"], row["amount_due"]) == (
        "180.00",
        "20.00",
        "20.00",
    )
    assert row["services"] == "99393, 90460" and row["statement_date"] == "2026-12-01"


def test_the_next_run_shows_the_last_statement_date_and_a_cycle_runs_once(owing: Store) -> None:
    with owing.transaction() as session:
        run_statements(session, CYCLE, "biller")
    with pytest.raises(StoreError, match="already run"), owing.transaction() as session:
        run_statements(session, CYCLE, "biller")
    with owing.transaction() as session:
        later = run_statements(session, date(2026, 12, 31), "biller")
        shown = _pdf_text(statement_file(session, later.id, "pdf"))
        runs = statement_runs(session)
    assert "Previous statement: 12/01/2026" in shown
    assert [r.cycle_date for r in runs] == [date(2026, 12, 31), CYCLE]
