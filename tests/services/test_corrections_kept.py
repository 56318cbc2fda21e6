"""A biller's correction of the practice's records survives a load of an older EHR export: the
load keeps it and says so, naming the record by its key, until the file has the corrected value."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from claimbridge.services.claim_fix import ClaimFix, current_fix, fix_claim
from claimbridge.services.claims import create_claims
from claimbridge.store import tables as t
from claimbridge.store.corrections import Correction
from claimbridge.store.db import Store
from ledger_fixtures import MEMBER_ID, example_text, load_example

TODAY = date(2026, 11, 20)
CORRECTED_ID, CORRECTED_LAST, CORRECTED_DOB = "U8823410299", "Blakely", date(1984, 3, 21)
OLD_DOB = date(1984, 3, 12)  # Aaron Blake (pt-1001) in the example file
DOB = "patient pt-1001's birth date"
LAST_NAME = "patient pt-1001's last name"
MEMBER = "patient pt-1001's primary policy's insured's ID"


@pytest.fixture
def billed(store: Store) -> Store:
    """The example practice with its claims made; CB000001 bills Aaron Blake's primary policy."""
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", TODAY)
    return store


def _correct(store: Store, actor: str = "dana", **changes: object) -> None:
    with store.transaction() as session:
        fix = replace(current_fix(session, "CB000001"), **changes)  # type: ignore[arg-type]
        fix_claim(session, "CB000001", fix, actor, TODAY)


def _now(store: Store) -> ClaimFix:
    with store.read() as session:
        return current_fix(session, "CB000001")


def _example_with(**patient: str) -> str:
    """The example file with Aaron Blake's fields (and ``member_id`` of his policy) changed."""
    data = json.loads(example_text())
    aaron = data["patients"][0]
    if "member_id" in patient:
        aaron["policies"][0]["member_id"] = patient.pop("member_id")
    aaron.update(patient)
    return json.dumps(data)


def _said(corrections: Sequence[Correction]) -> list[str]:
    """Each correction as the load reports it, without its time."""
    return [re.sub(r" \(corrected .*\)$", "", str(c)) for c in corrections]


def _remembered(store: Store) -> list[tuple[str, str, str]]:
    with store.read() as session:
        rows = session.scalars(select(t.CorrectionRow).order_by(t.CorrectionRow.field))
        return [(row.entity, row.field, row.corrected_by) for row in rows]


def test_an_older_export_keeps_the_correction_and_the_load_says_so(billed: Store) -> None:
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    _correct(billed, member_id=CORRECTED_ID, patient_last_name=CORRECTED_LAST,
             patient_dob=CORRECTED_DOB)  # fmt: skip
    assert _remembered(billed) == [
        ("patients", "dob", "dana"),
        ("patients", "last_name", "dana"),
        ("policies", "member_id", "dana"),
    ]  # the first name was not corrected
    for _ in range(2):  # the same older export twice: kept both times, nothing written
        tally = load_example(billed)
        assert tally.writes == 0
        assert _said(tally.kept) == [DOB, LAST_NAME, MEMBER] and tally.forgotten == []
        fix = _now(billed)
        assert (fix.member_id, fix.patient_last_name, fix.patient_dob) == (
            CORRECTED_ID, CORRECTED_LAST, CORRECTED_DOB)  # fmt: skip
    assert all(c.corrected_by == "dana" and c.corrected_at >= before for c in tally.kept)
    report = "\n".join(tally.lines())
    assert "kept 3 corrections made in claimbridge; the file has other values" in report
    assert f"  {DOB} (corrected {tally.kept[0].corrected_at:%Y-%m-%d %H:%M} UTC by dana)" in report
    for value in (CORRECTED_ID, MEMBER_ID, CORRECTED_LAST, "Blake ", "1984", "03-21", "03-12"):
        assert value not in report  # named by key, never by value


def test_a_file_with_the_corrected_value_forgets_that_correction(billed: Store) -> None:
    _correct(billed, member_id=CORRECTED_ID, patient_dob=CORRECTED_DOB)
    caught_up = _example_with(dob=CORRECTED_DOB.isoformat())  # the EHR fixed the birth date only
    tally = load_example(billed, caught_up)
    assert _said(tally.forgotten) == [DOB] and _said(tally.kept) == [MEMBER]
    assert tally.writes == 0
    assert "the file now has 1 correction made in claimbridge" in "\n".join(tally.lines())
    assert _remembered(billed) == [("policies", "member_id", "dana")]
    again = load_example(billed, caught_up)
    assert again.forgotten == [] and _said(again.kept) == [MEMBER] and again.writes == 0
    load_example(billed)  # a forgotten correction is the file's again: its later value is loaded
    assert _now(billed).patient_dob == OLD_DOB and _now(billed).member_id == CORRECTED_ID


def test_a_later_correction_says_who_made_it(billed: Store) -> None:
    _correct(billed, patient_dob=CORRECTED_DOB)
    _correct(billed, "lee", patient_dob=date(1984, 3, 22))
    assert _remembered(billed) == [("patients", "dob", "lee")]
    [kept] = load_example(billed).kept
    assert kept.corrected_by == "lee" and _now(billed).patient_dob == date(1984, 3, 22)


def test_an_uncorrected_field_still_follows_the_file(billed: Store) -> None:
    _correct(billed, patient_dob=CORRECTED_DOB)
    tally = load_example(billed, _example_with(first_name="Aron", member_id="U8823410202"))
    assert tally.changed["patients"] == 1 and tally.changed["policies"] == 1
    fix = _now(billed)
    assert (fix.patient_first_name, fix.member_id) == ("Aron", "U8823410202")
    assert fix.patient_dob == CORRECTED_DOB and _said(tally.kept) == [DOB]
