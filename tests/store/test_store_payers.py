"""Importing an Office Ally payer list updates the master list without duplicates."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from claimbridge.domain.models import EnrollmentStatus, Transaction
from claimbridge.domain.payer_list import parse_payer_csv
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.payers import apply_payer_list, get_payer, list_payers
from claimbridge.store.sync import Tally
from ledger_fixtures import load_example
from support import REPO

EXAMPLE_CSV = REPO / "docs" / "examples" / "officeally-payers.csv"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def import_text(store: Store, text: str) -> Tally:
    with store.transaction() as session:
        return apply_payer_list(session, parse_payer_csv(text), NOW)


def payer_count(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(t.PayerRow)) or 0


def test_the_example_list_adds_payers_once(store: Store) -> None:
    first = import_text(store, EXAMPLE_CSV.read_text())
    assert first.added["payers"] == 10 and payer_count(store) == 10
    second = import_text(store, EXAMPLE_CSV.read_text())
    assert second.writes == 0 and payer_count(store) == 10
    with store.read() as session:
        payers = {payer.payer_id: payer for payer in list_payers(session)}
        listed = session.scalars(select(t.PayerRow.listed_at)).all()
    assert payers["SX123"].par is False and payers["WC001"].claim_filing_indicator is None
    assert payers["01182"].enrollment(Transaction.CLAIMS).required
    assert payers["01182"].enrollment(Transaction.CLAIMS).status is EnrollmentStatus.NOT_STARTED
    assert set(listed) == {NOW}


def test_the_list_keeps_what_the_practice_file_knows(store: Store) -> None:
    load_example(store)
    tally = import_text(store, EXAMPLE_CSV.read_text())
    assert tally.added["payers"] == 5 and payer_count(store) == 10
    with store.read() as session:
        medicare = get_payer(session, "01182")
        cigna = get_payer(session, "62308")
    claims = medicare.enrollment(Transaction.CLAIMS)
    assert claims.status is EnrollmentStatus.APPROVED and claims.office_ally_notified
    assert medicare.claim_filing_indicator == "MB"
    assert medicare.notes == "Notify Office Ally after EDI approval"
    assert cigna.enrollment(Transaction.ERA).status is EnrollmentStatus.APPROVED


def test_a_changed_par_mark_and_a_new_enrollment_requirement_update_the_payer(store: Store) -> None:
    load_example(store)
    import_text(store, "Payer ID,Payer Name,Type,837P Enrollment\n62308,CIGNA,NP,!\n")
    with store.read() as session:
        cigna = get_payer(session, "62308")
    assert cigna.par is False
    claims = cigna.enrollment(Transaction.CLAIMS)
    assert claims.required and claims.status is EnrollmentStatus.NOT_STARTED
