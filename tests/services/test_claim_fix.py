"""Correcting a claim: a payer rejection fixed and sent again through the simulator; what may be
corrected, what is refused, and what the scrubber says afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError, InvalidTransition
from claimbridge.services.claim_fix import (
    ClaimFix,
    LineFix,
    current_fix,
    fix_claim,
    fix_problems,
    rejected_alongside,
)
from claimbridge.services.claims import Resubmission, check_claims, create_claims, resubmit
from claimbridge.services.ingest import poll
from claimbridge.services.submit import SubmitResult, submit
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from claimbridge.transport import LocalDirTransport
from cycle_support import status_of
from ledger_fixtures import MEMBER_ID, load_example, mistype_member_id

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


@pytest.fixture
def made(store: Store) -> Store:
    """The example practice with its claims made; CB000001's member ID mistyped (ZZ…), which
    the simulator's payer rejects as unknown."""
    load_example(store)
    mistype_member_id(store)
    with store.transaction() as session:
        create_claims(session, "test", NOW.date())
    return store


def _round(store: Store, root: Path, at: datetime) -> SubmitResult:
    """Submit what is ready, let the simulator answer, fetch and apply its answers."""
    transport = LocalDirTransport(root)
    sent = submit(store, transport, "test", at)
    process_inbound_once(root, SimConfig(root=root), at.replace(tzinfo=None))
    poll(store, transport, root / "archive", now=at, actor="test", source="folder")
    return sent


def test_a_payer_rejection_is_corrected_and_paid_on_the_second_round(
    made: Store, tmp_path: Path
) -> None:
    _round(made, tmp_path, NOW)
    assert status_of(made, "CB000001") is ClaimStatus.PAYER_REJECTED
    with made.read() as session:  # the patient's other visit bills the same policy
        assert rejected_alongside(session, "CB000001") == ("CB000005",)
    with made.transaction() as session:
        fix = replace(current_fix(session, "CB000001"), member_id=MEMBER_ID)
        checked = fix_claim(session, "CB000001", fix, "dana", NOW.date())
    assert checked.status is ClaimStatus.READY
    with made.read() as session:
        events = ClaimRepository(session).events("CB000001")
    corrected = [e for e in events if e.what == "corrected"]
    assert [(e.why, e.actor) for e in corrected] == [("changed insured's ID (1a)", "dana")]
    assert MEMBER_ID not in (corrected[0].why or "")  # field names, never the values
    [batch] = _round(made, tmp_path, NOW + timedelta(days=1)).batches
    # with the Medigap claim the first round's Medicare ERA made for Harold Nguyen
    assert batch.patient_control_numbers == ("CB000001", "CB000003S")
    assert f"*MI*{MEMBER_ID}~" in batch.text and "*11:B:1*" in batch.text
    assert status_of(made, "CB000001") in {ClaimStatus.PAID, ClaimStatus.PAYER_ACCEPTED}


def test_lines_and_diagnoses_are_corrected_and_the_total_follows(made: Store) -> None:
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        line = before.lines[0]
        fix = replace(
            before,
            diagnoses=("J02.9", "R50.9"),
            lines=(replace(line, charge=Decimal("175.5"), modifiers=("25",),
                           diagnosis_pointers=(1, 2)), *before.lines[1:]),
        )  # fmt: skip
        fix_claim(session, "CB000002", fix, "dana", NOW.date())
    with made.read() as session:
        after = current_fix(session, "CB000002")
        total = session.scalars(
            select(t.ClaimRow.total_charge).where(t.ClaimRow.clm01 == "CB000002")
        ).one()
        events = ClaimRepository(session).events("CB000002")
    assert after.diagnoses == ("J02.9", "R50.9")
    assert after.lines[0] == LineFix(line.number, line.code, ("25",), line.units,
                                     Decimal("175.50"), (1, 2))  # fmt: skip
    assert total == sum(x.charge for x in after.lines)
    corrected = [e.why for e in events if e.what == "corrected"]
    assert corrected == ["changed diagnoses (21), line 1 (24)"]


def test_a_bad_code_is_refused_in_the_scrubbers_words(made: Store) -> None:
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        fix = replace(before, lines=(replace(before.lines[0], code="9921"), *before.lines[1:]))
        with pytest.raises(InputError) as caught:
            fix_claim(session, "CB000002", fix, "dana", NOW.date())
    number = before.lines[0].number
    assert caught.value.fields == {
        f"lines.{number}.code": "'9921' is not a CPT or HCPCS code (e.g. 99213)"
    }
    assert caught.value.path == f"24 Line {number} procedure"
    assert status_of(made, "CB000002") is ClaimStatus.READY
    assert _corrected(made, "CB000002") == []  # nothing written


def test_an_accepted_claim_is_not_corrected_in_place(made: Store, tmp_path: Path) -> None:
    _round(made, tmp_path, NOW)
    assert status_of(made, "CB000002") in {ClaimStatus.PAID, ClaimStatus.PAYER_ACCEPTED,
                                           ClaimStatus.DENIED}  # fmt: skip
    with made.transaction() as session, pytest.raises(InvalidTransition, match="replacement"):
        fix_claim(session, "CB000002", current_fix(session, "CB000002"), "dana", NOW.date())


@pytest.mark.parametrize(
    ("change", "place"),
    [
        ({"member_id": "  "}, "1a Insured's ID"),
        ({"units": Decimal(0)}, "24 Line 1 units"),
        ({"charge": Decimal("-1")}, "24 Line 1 charge"),
        ({"charge": Decimal("95.009")}, "24 Line 1 charge"),
        ({"number": 9}, "24 Lines"),
    ],
)
def test_bad_values_are_refused_naming_the_box(
    made: Store, change: dict[str, object], place: str
) -> None:
    with made.transaction() as session:
        fix = current_fix(session, "CB000002")
        if "member_id" in change:
            fix = replace(fix, member_id=str(change["member_id"]))
        else:
            fix = replace(fix, lines=(replace(fix.lines[0], **change), *fix.lines[1:]))  # type: ignore[arg-type]
        with pytest.raises(InputError) as caught:
            fix_claim(session, "CB000002", fix, "dana", NOW.date())
    assert caught.value.path == place


def _corrected(store: Store, clm01: str) -> list[str | None]:
    with store.read() as session:
        return [e.why for e in ClaimRepository(session).events(clm01) if e.what == "corrected"]


def _lines(store: Store, clm01: str) -> list[tuple[int, str, str | None, object]]:
    with store.read() as session:
        query = (
            select(t.ClaimLineRow.line_number, t.ClaimLineRow.code,
                   t.ClaimLineRow.line_control_number, t.ClaimLineRow.service_date)
            .join(t.ClaimRow, t.ClaimRow.id == t.ClaimLineRow.claim_id)
            .where(t.ClaimRow.clm01 == clm01).order_by(t.ClaimLineRow.line_number)
        )  # fmt: skip
        return [tuple(row) for row in session.execute(query)]


def _new(code: str, charge: str) -> LineFix:
    return LineFix(None, code, (), Decimal(1), Decimal(charge), (1,))


def test_a_line_is_removed_and_one_added_with_the_claims_defaults(made: Store) -> None:
    with made.transaction() as session:
        before = current_fix(session, "CB000001")
        claim = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == "CB000001")).one()
        served = claim.service_date
    assert len(before.lines) == 2
    first, second = before.lines
    with made.transaction() as session:
        fix = replace(before, lines=(first, replace(second, remove=True), _new("85025", "32")))
        checked = fix_claim(session, "CB000001", fix, "dana", NOW.date())
    assert checked.status is ClaimStatus.READY, checked.result.edits  # scrubbed again
    assert _lines(made, "CB000001") == [
        (1, first.code, "CB000001-1", served),
        (3, "85025", "CB000001-3", served),
    ]
    assert _corrected(made, "CB000001") == [f"removed line 2 ({second.code}); added line 3 (85025)"]
    with made.read() as session:
        total = session.scalars(
            select(t.ClaimRow.total_charge).where(t.ClaimRow.clm01 == "CB000001")
        ).one()
        assert current_fix(session, "CB000001").lines[1] == LineFix(
            3, "85025", (), Decimal(1), Decimal("32.00"), (1,)
        )
    assert total == first.charge + Decimal("32.00")


def test_a_removed_lines_number_is_never_taken_again(made: Store) -> None:
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        *kept, last = before.lines
        fix = replace(before, lines=(*kept, replace(last, remove=True)))
        fix_claim(session, "CB000002", fix, "dana", NOW.date())
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        fix = replace(before, lines=(*before.lines, _new("j3301", "18.5")))
        checked = fix_claim(session, "CB000002", fix, "dana", NOW.date())
    assert checked.status is ClaimStatus.READY, checked.result.edits
    numbers = [line[0] for line in _lines(made, "CB000002")]
    assert numbers == [*(line.number for line in kept), last.number + 1]
    assert _corrected(made, "CB000002")[-1] == f"added line {last.number + 1} (J3301)"


def test_a_new_line_with_a_bad_code_is_refused_naming_it(made: Store) -> None:
    with made.transaction() as session:
        first, second = current_fix(session, "CB000001").lines
        fix = replace(current_fix(session, "CB000001"),
                      lines=(first, replace(second, remove=True), _new("9921", "10")))  # fmt: skip
        with pytest.raises(InputError, match="24 New line 1 procedure: '9921' is not a CPT"):
            fix_claim(session, "CB000001", fix, "dana", NOW.date())
    assert len(_lines(made, "CB000001")) == 2  # the removal was not written either


def test_the_last_line_is_never_removed(made: Store) -> None:
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        fix = replace(before, lines=tuple(replace(line, remove=True) for line in before.lines))
        with pytest.raises(InputError, match="at least one service line") as caught:
            fix_claim(session, "CB000002", fix, "dana", NOW.date())
    assert caught.value.path == f"24 Line {before.lines[-1].number}"
    assert len(_lines(made, "CB000002")) == len(before.lines)


def test_a_claim_carries_at_most_fifty_lines(made: Store) -> None:
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        room = 50 - len(before.lines)
        fix = replace(before, lines=(*before.lines, *[_new("85025", "1")] * (room + 1)))
        with pytest.raises(InputError, match="at most 50") as caught:
            fix_claim(session, "CB000002", fix, "dana", NOW.date())
    assert caught.value.path == f"24 New line {room + 1}"
    with made.transaction() as session:
        fix = replace(before, lines=(*before.lines, *[_new("85025", "1")] * room))
        fix_claim(session, "CB000002", fix, "dana", NOW.date())
    assert len(_lines(made, "CB000002")) == 50


def test_a_line_with_a_payment_posted_stays(made: Store) -> None:
    with made.transaction() as session:
        line = session.scalars(
            select(t.ClaimLineRow).join(t.ClaimRow, t.ClaimRow.id == t.ClaimLineRow.claim_id)
            .where(t.ClaimRow.clm01 == "CB000002").order_by(t.ClaimLineRow.line_number)
        ).first()  # fmt: skip
        assert line is not None
        remittance = t.RemittanceRow(payer_identifier="62308", method="CHK", amount=Decimal(0),
                                     trace_number="T1", created_at=NOW)  # fmt: skip
        session.add(remittance)
        session.flush()
        session.add(t.PaymentRow(remittance_id=remittance.id, claim_id=line.claim_id,
                                 claim_line_id=line.id, charge=line.charge, paid=Decimal(0),
                                 created_at=NOW))  # fmt: skip
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        fix = replace(before, lines=(replace(before.lines[0], remove=True), *before.lines[1:]))
        with pytest.raises(InputError, match="payments or adjustments") as caught:
            fix_claim(session, "CB000002", fix, "dana", NOW.date())
    assert caught.value.path == f"24 Line {before.lines[0].number}"


@pytest.mark.parametrize(
    ("new", "place"),
    [
        (LineFix(None, " ", (), Decimal(1), Decimal(5), (1,)), "24 New line 1 procedure"),
        (LineFix(None, "85025", (), Decimal(0), Decimal(5), (1,)), "24 New line 1 units"),
        (LineFix(None, "850251", (), Decimal(1), Decimal(5), (1,)), "24 New line 1 procedure"),
        (LineFix(None, "85025", (), Decimal(1), Decimal(5), ()), "24 New line 1 pointers"),
    ],
)
def test_a_bad_new_line_is_refused_naming_it(made: Store, new: LineFix, place: str) -> None:
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        with pytest.raises(InputError) as caught:
            fix_claim(
                session, "CB000002", replace(before, lines=(*before.lines, new)), "d", NOW.date()
            )
    assert caught.value.path == place


def test_a_replacement_of_a_corrected_claim_numbers_its_lines_afresh(
    made: Store, tmp_path: Path
) -> None:
    _round(made, tmp_path, NOW)  # CB000001 rejected: its member ID was mistyped
    with made.transaction() as session:
        before = current_fix(session, "CB000001")
        first, second = before.lines
        fix = replace(before, member_id=MEMBER_ID,
                      lines=(replace(first, remove=True), second, _new("85025", "32")))  # fmt: skip
        fix_claim(session, "CB000001", fix, "dana", NOW.date())
        assert [line.number for line in current_fix(session, "CB000001").lines] == [2, 3]
    _round(made, tmp_path, NOW + timedelta(days=1))
    assert status_of(made, "CB000001") in {ClaimStatus.PAID, ClaimStatus.PAYER_ACCEPTED}
    with made.transaction() as session:
        copy = resubmit(session, "CB000001", Resubmission.REPLACEMENT, "dana", NOW.date())
        controls = session.scalars(
            select(t.ClaimLineRow.line_control_number)
            .join(t.ClaimRow, t.ClaimRow.id == t.ClaimLineRow.claim_id)
            .where(t.ClaimRow.clm01 == copy.patient_control_number)
            .order_by(t.ClaimLineRow.line_number)
        ).all()
    assert controls == [f"{copy.patient_control_number}-1", f"{copy.patient_control_number}-2"]


SERVED = date(2026, 11, 3)
BEFORE = ClaimFix(
    member_id="U8823410201",
    patient_first_name="AARON",
    patient_last_name="BLAKE",
    patient_dob=date(1980, 5, 1),
    rendering_npi="1234567893",
    place_of_service="11",
    diagnoses=("J20.9", "R05.9"),
    lines=(LineFix(1, "99213", (), Decimal(1), Decimal("95.00"), (1, 2)),),
)


def _problems(fix: ClaimFix, before: ClaimFix = BEFORE) -> dict[str, str]:
    return {p.field: p.message for p in fix_problems(before, fix, SERVED, NOW.date())}


def _line(**change: object) -> ClaimFix:
    return replace(BEFORE, lines=(replace(BEFORE.lines[0], **change),))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fix", "field", "reason"),
    [
        (replace(BEFORE, rendering_npi="1234567890"), "rendering_npi", "wrong check digit"),
        (replace(BEFORE, rendering_npi="123456789"), "rendering_npi", "10 digits"),
        (replace(BEFORE, place_of_service="99x"), "place_of_service", "not a place of service"),
        (replace(BEFORE, patient_dob=date(2030, 1, 2)), "patient_dob", "2030-01-02 is in the fu"),
        (replace(BEFORE, patient_dob=date(2026, 11, 10)), "patient_dob", "after the date of se"),
        (replace(BEFORE, member_id=" "), "member_id", "may not be empty"),
        (replace(BEFORE, member_id="X" * 81), "member_id", "at most 80"),
        (replace(BEFORE, patient_last_name=""), "patient_last_name", "may not be empty"),
        (replace(BEFORE, diagnoses=("J20.9", "R5")), "diagnoses.2", "not an ICD-10-CM code"),
        (replace(BEFORE, diagnoses=("J20.9", "", "j209")), "diagnoses.3", "listed twice"),
        (_line(charge=Decimal("95.009")), "lines.1.charge", "'95.009' has more than two"),
        (_line(charge=Decimal("-5")), "lines.1.charge", "negative"),
        (_line(units=Decimal("0")), "lines.1.units", "out of range"),
        (_line(code="9921"), "lines.1.code", "not a CPT or HCPCS code"),
        (_line(modifiers=("2",)), "lines.1.modifiers", "not a modifier"),
        (_line(diagnosis_pointers=(1, 3)), "lines.1.diagnosis_pointers", "points past the 2"),
    ],
)
def test_each_changed_field_is_checked_as_creation_checks_it(
    fix: ClaimFix, field: str, reason: str
) -> None:
    problems = _problems(fix)
    assert list(problems) == [field] and reason in problems[field]


def test_a_correction_with_good_values_has_no_problem() -> None:
    good = replace(BEFORE, rendering_npi="1987654328", place_of_service="02",
                   diagnoses=("j209", "R50.9"), patient_dob=date(1981, 1, 1))  # fmt: skip
    assert _problems(replace(good, lines=(replace(good.lines[0], charge=Decimal("1095")),))) == {}


def test_only_the_fields_a_correction_changes_are_checked() -> None:
    bad_before = replace(BEFORE, rendering_npi="1234567890", place_of_service="9")
    assert _problems(replace(bad_before, member_id="U1"), bad_before) == {}


def test_fewer_diagnoses_check_the_pointers_of_every_line_again() -> None:
    problems = _problems(replace(BEFORE, diagnoses=("J20.9",)))
    assert problems == {
        "lines.1.diagnosis_pointers": "diagnosis pointer 2 points past the 1 diagnoses of the visit"
    }
    none = _problems(replace(BEFORE, diagnoses=("", "")))
    assert none["diagnoses"] == "the visit has no diagnosis"
    assert set(none) == {"diagnoses", "lines.1.diagnosis_pointers"}


def test_every_problem_is_named_at_once_and_nothing_is_written(made: Store) -> None:
    with made.transaction() as session:
        before = current_fix(session, "CB000002")
        line = before.lines[0]
        lines = (replace(line, charge=Decimal("95.009")), *before.lines[1:])
        fix = replace(before, rendering_npi="1234567890", place_of_service="99x",
                      patient_dob=date(2030, 1, 1), lines=lines)  # fmt: skip
        with pytest.raises(InputError) as caught:
            fix_claim(session, "CB000002", fix, "dana", NOW.date())
    refused = caught.value
    assert set(refused.fields) == {"rendering_npi", "place_of_service", "patient_dob",
                                   f"lines.{line.number}.charge"}  # fmt: skip
    assert "24J Rendering NPI: '1234567890' is not an NPI (wrong check digit)" in refused.problems
    assert "nothing was saved; 4 problems" in str(refused)
    with made.read() as session:
        assert current_fix(session, "CB000002") == before  # not rounded to 95.01, not written


def test_a_corrected_npi_and_place_of_service_are_what_is_checked_and_sent(
    made: Store, tmp_path: Path
) -> None:
    with made.transaction() as session:  # a wrong NPI on the claim holds it
        claim = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == "CB000002")).one()
        claim.rendering_npi = "1234567890"
        [held] = check_claims(session, [claim.id], "test", NOW.date())
    assert held.status is ClaimStatus.HELD
    assert any("'1234567890' is not an NPI (wrong check digit)" in e for e in held.result.edits)
    with made.transaction() as session:
        fix = replace(current_fix(session, "CB000002"), rendering_npi="1987654328",
                      place_of_service="02")  # fmt: skip
        checked = fix_claim(session, "CB000002", fix, "dana", NOW.date())
    assert checked.status is ClaimStatus.READY, checked.result.edits
    sent = submit(made, LocalDirTransport(tmp_path), "test", NOW)
    [text] = [b.text for b in sent.batches if "CB000002" in b.patient_control_numbers]
    claim_part = text[text.index("CLM*CB000002*") :]
    claim_part = claim_part[: claim_part.find("CLM*", 4) if "CLM*" in claim_part[4:] else None]
    assert "*02:B:1*" in claim_part and "*XX*1987654328~" in claim_part


def test_the_insureds_name_and_group_number_are_corrected_kept_and_sent(
    made: Store, tmp_path: Path
) -> None:
    with made.read() as session:  # Sofia Ramirez's claim: her mother Elena is the insured
        before = current_fix(session, "CB000002")
    assert (before.insured_is_patient, before.insured_first_name, before.insured_last_name) == (
        False, "Elena", "Ramirez",
    )  # fmt: skip
    assert before.group_number == "770021"
    with made.transaction() as session:
        fix = replace(before, insured_last_name="Ramirez-Ortiz", group_number="770021-B")
        checked = fix_claim(session, "CB000002", fix, "dana", NOW.date())
    assert checked.status is ClaimStatus.READY, checked.result.edits
    with made.read() as session:
        said = [event.why for event in ClaimRepository(session).events("CB000002")]
    assert "changed insured's name (4), insured's group number (11)" in said
    load_example(made)  # the EHR's export again, still with the old values: the corrections stay
    with made.read() as session:
        after = current_fix(session, "CB000002")
    assert (after.insured_last_name, after.group_number) == ("Ramirez-Ortiz", "770021-B")
    sent = submit(made, LocalDirTransport(tmp_path), "test", NOW)
    [text] = [b.text for b in sent.batches if "CB000002" in b.patient_control_numbers]
    assert "*770021-B*" in text and "NM1*IL*1*RAMIREZ-ORTIZ*ELENA" in text.upper()


def test_box_4_of_the_patients_own_policy_is_the_patients_name(made: Store) -> None:
    with made.read() as session:
        before = current_fix(session, "CB000005")  # Aaron Blake's own policy
    assert before.insured_is_patient and before.insured_first_name == ""
    with made.transaction() as session, pytest.raises(InputError) as refused:
        fix_claim(
            session, "CB000005", replace(before, insured_last_name="Smith"), "dana", NOW.date()
        )
    assert "correct the patient's name (2)" in refused.value.fields["insured_last_name"]
    too_long = replace(before, group_number="G" * 51)
    with made.transaction() as session, pytest.raises(InputError) as refused:
        fix_claim(session, "CB000005", too_long, "dana", NOW.date())
    assert refused.value.fields["group_number"] == "has 51 characters; at most 50 fit"
