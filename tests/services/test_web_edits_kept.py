"""What a person changes in claimbridge (a payer's enrollment, the Office Ally account's SFTP
login, go-live date and ERA split) survives the next load of the EHR's export: the load keeps
it and lists it, until the file says the same; and held claims follow what changed."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import select

from claimbridge.domain.models import EnrollmentStatus, EraSplit, Secret, Transaction
from claimbridge.domain.practice_file import parse_practice_text
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.account import update_go_live, update_sftp
from claimbridge.services.claims import create_claims, recheck_held
from claimbridge.services.payer_admin import EnrollmentForm, build_payer, save_payer
from claimbridge.store import tables as t
from claimbridge.store.corrections import Correction
from claimbridge.store.crypto import Cipher, generate_key
from claimbridge.store.db import Store
from claimbridge.store.payers import get_payer
from claimbridge.store.practice import known_keys, write_practice_file
from claimbridge.store.sync import Tally
from ledger_fixtures import example_text, load_example

TODAY = date(2026, 11, 20)
BS001_CLAIMS = "payer BS001's 837P enrollment's status"


def _said(corrections: Sequence[Correction]) -> list[str]:
    return [re.sub(r" \(corrected .*\)$", "", str(c)) for c in corrections]


def _approve_bs001_claims(store: Store, actor: str = "dana") -> None:
    """Save BS001 as the payer form does, with its 837P enrollment approved."""
    with store.transaction() as session:
        payer = get_payer(session, "BS001")
        forms = tuple(
            EnrollmentForm(
                e.transaction,
                e.required,
                EnrollmentStatus.APPROVED if e.transaction is Transaction.CLAIMS else e.status,
                approved_on=date(2026, 11, 18) if e.transaction is Transaction.CLAIMS else None,
            )
            for e in payer.enrollments
        )
        edited = build_payer("BS001", payer.name, payer.claim_filing_indicator or "", payer.par,
                             forms, payer.notes)  # fmt: skip
        save_payer(session, edited, actor)


def _status(store: Store, payer_id: str, transaction: Transaction) -> EnrollmentStatus | None:
    with store.read() as session:
        return get_payer(session, payer_id).enrollment(transaction).status  # type: ignore[union-attr]


def _claim_status(store: Store, clm01: str) -> ClaimStatus:
    with store.read() as session:
        row = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == clm01)).one()
        return ClaimStatus(row.status)


def _example_with(change: dict[str, object], payer: str | None = None) -> str:
    data = json.loads(example_text())
    data["clearinghouse"].update(change)
    if payer:
        (bs001,) = [p for p in data["payers"] if p["payer_id"] == payer]
        bs001["enrollment"]["837P"] = {"required": True, "status": "approved",
                                      "approved_on": "2026-11-18"}  # fmt: skip
    return json.dumps(data)


def _kpriya_claim(store: Store) -> str:
    """CLM01 of Priya Kapoor's claim (BS001, whose enrollment the example has not started)."""
    with store.read() as session:
        query = (
            select(t.ClaimRow.clm01)
            .join(t.PayerRow, t.PayerRow.id == t.ClaimRow.payer_id)
            .where(t.PayerRow.payer_id == "BS001")
        )
        return session.scalars(query).one()


@pytest.fixture
def billed(store: Store) -> Store:
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", TODAY)
    return store


def test_an_enrollment_approved_in_the_web_survives_an_older_export(billed: Store) -> None:
    clm01 = _kpriya_claim(billed)
    assert _claim_status(billed, clm01) is ClaimStatus.HELD
    _approve_bs001_claims(billed)
    with billed.transaction() as session:
        recheck_held(session, "dana", TODAY)
    assert _claim_status(billed, clm01) is ClaimStatus.READY
    for _ in range(2):  # the EHR's export still says "not started": kept, twice, nothing written
        tally = load_example(billed)
        assert _said(tally.kept) == [BS001_CLAIMS] and tally.forgotten == []
        assert tally.writes == 0
        assert _status(billed, "BS001", Transaction.CLAIMS) is EnrollmentStatus.APPROVED
    assert tally.kept[0].corrected_by == "dana"
    report = "\n".join(tally.lines())
    assert f"  {BS001_CLAIMS} (corrected " in report and "by dana)" in report
    assert _status(billed, "BS001", Transaction.ERA) is EnrollmentStatus.NOT_STARTED  # untouched


def test_a_file_that_caught_up_forgets_the_web_edit(billed: Store) -> None:
    _approve_bs001_claims(billed)
    caught_up = _example_with({}, payer="BS001")
    tally = load_example(billed, caught_up)
    assert _said(tally.forgotten) == [BS001_CLAIMS] and tally.kept == []
    with billed.read() as session:
        assert session.scalars(select(t.CorrectionRow)).all() == []


def test_saving_an_unchanged_enrollment_remembers_nothing(billed: Store) -> None:
    with billed.transaction() as session:
        payer = get_payer(session, "BS001")
        forms = tuple(
            EnrollmentForm(e.transaction, e.required, e.status) for e in payer.enrollments
        )
        save_payer(session, build_payer("BS001", payer.name, "BL", True, forms), "dana")
    with billed.read() as session:
        assert session.scalars(select(t.CorrectionRow)).all() == []
    assert load_example(billed).kept == []


def _account(store: Store) -> t.ClearinghouseAccountRow:
    with store.read() as session:
        return session.scalars(select(t.ClearinghouseAccountRow)).one()


def _load(store: Store, text: str, cipher: Cipher | None = None) -> Tally:
    with store.transaction() as session:
        parsed = parse_practice_text(text, known_keys(session))
        return write_practice_file(session, parsed, cipher)


def test_the_sftp_login_changed_in_the_web_survives_an_older_export(billed: Store) -> None:
    cipher = Cipher(generate_key())
    _load(billed, _example_with({"password": "from-the-ehr"}), cipher)
    with billed.transaction() as session:
        update_sftp(session, "127.0.0.1", 2222, "cedar2", Secret("typed-in-web"), cipher, "ana")
        update_go_live(session, date(2026, 12, 1), EraSplit.BY_PAYER, "ana")
    tally = _load(billed, _example_with({"password": "from-the-ehr"}), cipher)
    assert sorted(_said(tally.kept)) == sorted(
        f"the Office Ally account's {label}"
        for label in ("SFTP host", "SFTP port", "SFTP user", "SFTP password", "go-live date",
                      "ERA split option")
    )  # fmt: skip
    assert tally.writes == 0
    row = _account(billed)
    assert (row.sftp_host, row.sftp_port, row.username) == ("127.0.0.1", 2222, "cedar2")
    assert (row.go_live, row.era_split) == (date(2026, 12, 1), EraSplit.BY_PAYER.value)
    assert row.password_token is not None
    assert cipher.decrypt(row.password_token).reveal() == "typed-in-web"
    assert "typed-in-web" not in "\n".join(tally.lines())


def test_the_account_file_that_caught_up_is_the_files_again(billed: Store) -> None:
    with billed.transaction() as session:
        update_go_live(session, date(2026, 12, 1), EraSplit.BY_CHECK, "ana")
    caught_up = _example_with({"go_live": "2026-12-01"})
    assert _said(_load(billed, caught_up).forgotten) == ["the Office Ally account's go-live date"]
    later = _example_with({"go_live": "2026-12-15"})
    assert _load(billed, later).kept == []
    assert _account(billed).go_live == date(2026, 12, 15)


def test_an_unchanged_save_of_the_login_remembers_nothing(billed: Store) -> None:
    row = _account(billed)
    with billed.transaction() as session:
        update_sftp(session, row.sftp_host, row.sftp_port, row.username, None, None, "ana")
        update_go_live(session, row.go_live, EraSplit(row.era_split), "ana")
    with billed.read() as session:
        assert session.scalars(select(t.CorrectionRow)).all() == []
    assert _load(billed, example_text()).writes == 0
