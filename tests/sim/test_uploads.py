"""What the simulator picks up, when it answers, and what a failed file or a failed edit gives."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sample_claims
from sim_support import NOW, read_outbound, upload_and_process

from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx277ca_005010X214.codes import Outcome
from support import need


def one_claim_text(number: str = "CB7001", member_id: str = "U8823410201") -> str:
    line = sample_claims.line("99211", "50.00", NOW.date())
    claim = sample_claims.claim(number, line, member_id=member_id)
    return sample_claims.file_text(sample_claims.batch(claim))


def value_of(text: str) -> Any:
    (parsed,) = list(parse_text(text))
    return parsed.value


# ---------------------------------------------------------------------------------- failed files


def test_a_wrong_segment_count_fails_the_file_and_the_999_rejects_it(tmp_path: Path) -> None:
    text = one_claim_text()
    count = text.split("SE*")[1].split("*")[0]
    broken = text.replace(f"SE*{count}*", f"SE*{int(count) + 3}*")
    run = upload_and_process(tmp_path, broken)
    (submission,) = run.result.submissions
    assert submission.failed
    assert sorted(run.files) == sorted(
        [f"FS_HCFA_{submission.file_id}_IN_C.txt", "OATEST_837P_CB0000101_999.999"]
    )
    summary = run.one("FS_HCFA_")
    assert "File Status: FAILED" in summary and "+---> 1 # errors X12 - " in summary
    ack = value_of(run.one(".999"))
    (response,) = ack.transaction_sets
    assert (response.result.acknowledgment.code, ack.result.acknowledgment.code) == ("R", "R")
    assert response.segment_errors == ()
    assert [e.code for e in response.result.errors] == ["4"]  # SE01 count wrong


def test_an_invalid_code_is_named_in_the_999_with_its_claim(tmp_path: Path) -> None:
    need(pyx12_available(), "pyx12 is not installed")
    broken = one_claim_text().replace("*50*UN*1*", "*50*ZZ*1*")  # SV103: no such unit
    run = upload_and_process(tmp_path, broken)
    assert run.result.submissions[0].failed
    text = run.one(".999")
    assert pyx12_problems(text) == []
    (response,) = value_of(text).transaction_sets
    (error,) = response.segment_errors
    assert (error.segment_id, error.loop_id, error.error.code) == ("SV1", "2400", "8")
    assert [(c.name, c.reference) for c in error.contexts] == [("CLM01", "CB7001")]
    (element,) = error.element_errors
    assert (element.position.element, element.error.code) == (3, "7")


def test_text_that_is_not_x12_gets_only_a_failed_file_summary(tmp_path: Path) -> None:
    run = upload_and_process(tmp_path, "this is not an X12 file\n")
    (submission,) = run.result.submissions
    assert submission.failed and list(run.files) == [f"FS_HCFA_{submission.file_id}_IN_C.txt"]
    assert "File Status: FAILED" in run.one("FS_HCFA_")


def two_set_text(broken_second: bool) -> str:
    """One file holding two transaction sets (CB7001, CB7002); the second's DMG maybe broken."""
    first, second = one_claim_text("CB7001"), one_claim_text("CB7002")
    body = second[second.index("ST*837*") : second.index("GE*")]
    body = body.replace("ST*837*0001*", "ST*837*0002*").replace("*0001~", "*0002~")
    if broken_second:
        count = body.split("SE*")[1].split("*")[0]
        body = body.replace(f"SE*{count}*", f"SE*{int(count) + 1}*")
    at = first.index("GE*")
    return first[:at] + body + first[at:].replace("GE*1*", "GE*2*", 1)


def test_a_rejected_transaction_set_leaves_the_others_accepted(tmp_path: Path) -> None:
    run = upload_and_process(tmp_path, two_set_text(broken_second=True))
    assert not run.result.submissions[0].failed
    ack = value_of(run.one(".999"))
    assert ack.result.acknowledgment.code == "P"
    codes = [(s.control_number, s.accepted) for s in ack.transaction_sets]
    assert codes == [("0001", True), ("0002", False)]
    claims = value_of(run.one("_277ca_")).claims
    assert [c.patient_control_number for c in claims] == ["CB7001"]
    assert "TRANSACTION SET 0002 REJECTED" in run.one("FS_HCFA_")
    assert [c.clp.patient_control_number for _, c in run.claims("CB7002")] == []


def test_two_clean_transaction_sets_are_both_answered(tmp_path: Path) -> None:
    run = upload_and_process(tmp_path, two_set_text(broken_second=False))
    claims = value_of(run.one("_277ca_")).claims
    assert [c.patient_control_number for c in claims] == ["CB7001", "CB7002"]


# ---------------------------------------------------------------------------------- edits


def test_unknown_member_id_is_rejected_by_the_payer(tmp_path: Path) -> None:
    text = sample_claims.file_text(
        sample_claims.batch(
            sample_claims.claim("CB7001", sample_claims.line("99211", "50.00", NOW.date())),
            sample_claims.claim(
                "CB7002", sample_claims.line("99211", "60.00", NOW.date()), member_id="ZZ0001"
            ),
        )
    )
    run = upload_and_process(tmp_path, text)
    results = {c.patient_control_number: c for c in value_of(run.one("_277ca_")).claims}
    assert results["CB7001"].outcome == Outcome.ACCEPTED
    rejected = results["CB7002"]
    assert rejected.outcome == Outcome.REJECTED
    code = rejected.statuses[0].primary
    assert (code.category.code, code.status.code, code.entity.code) == ("A7", "33", "IL")
    assert rejected.statuses[0].action.code == "U"
    status = run.one("_EDI_STATUS_")
    row = next(line for line in status.splitlines() if "CB7002" in line)
    assert "REJECTED" in row and "SUBSCRIBER ID NOT FOUND" in row
    assert run.claims("CB7002") == [] and len(run.claims("CB7001")) == 1
    assert "ERROR CLAIM DETAIL" in run.one("FS_HCFA_")  # a payer edit is not an OA error


def test_wrong_npi_is_rejected_by_office_ally(tmp_path: Path) -> None:
    text = one_claim_text().replace("XX*1300000019~", "XX*1300000018~")  # fails the check digit
    run = upload_and_process(tmp_path, text)
    lines = run.one("FS_HCFA_").splitlines()
    errors = lines[lines.index("ERROR CLAIM DETAIL") :]
    assert any("CB7001" in line and "INVALID BILLING PROVIDER NPI" in line for line in errors)
    assert "+---> 1 # errors 562 - INVALID BILLING PROVIDER NPI" in lines
    (claim,) = value_of(run.one("_277ca_")).claims
    assert claim.statuses[0].primary.status.code == "562"
    assert "CB7001" not in run.one("_EDI_STATUS_") and run.named("_ERA_835_") == []


# ---------------------------------------------------------------------------------- pickup


def test_only_complete_837p_uploads_are_picked_up(tmp_path: Path) -> None:
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    left = [".part-3f2a9c", "837P_batch.txt.part", "notes.txt", "claims_837I.txt"]
    for name in left:
        (inbound / name).write_text(one_claim_text())
    (inbound / "837P_busy.txt").write_text(one_claim_text())
    result = process_inbound_once(tmp_path, None, NOW, busy={"837P_busy.txt"})
    assert result.submissions == () and result.delivered == ()
    assert sorted(p.name for p in inbound.iterdir()) == sorted([*left, "837P_busy.txt"])
    result = process_inbound_once(tmp_path, None, NOW)
    assert [s.name for s in result.submissions] == ["837P_busy.txt"]


def test_an_upload_is_answered_once_and_kept(tmp_path: Path) -> None:
    first = upload_and_process(tmp_path, one_claim_text())
    file_id = first.result.submissions[0].file_id
    again = process_inbound_once(tmp_path, None, NOW + timedelta(hours=1))
    assert again.submissions == () and again.delivered == ()
    kept = tmp_path / ".sim" / "processed" / f"{file_id}_OATEST_837P_CB0000101.txt"
    assert kept.read_text() == one_claim_text()


def test_ids_never_repeat_across_runs(tmp_path: Path) -> None:
    first = upload_and_process(tmp_path, one_claim_text("CB7001"), name="837P_a.txt")
    second = upload_and_process(tmp_path, one_claim_text("CB7002"), name="837P_b.txt")
    ids = [first.result.submissions[0].file_id, second.result.submissions[0].file_id]
    assert ids[1] == ids[0] + 1
    oa_ids = [value_of(second.files[n]).claims[0].clearinghouse_trace
              for n in second.named("_277ca_")]  # fmt: skip
    assert len(set(oa_ids)) == 2


def test_the_same_name_twice_does_not_overwrite_an_answer(tmp_path: Path) -> None:
    upload_and_process(tmp_path, one_claim_text("CB7001"), name="837P_same.txt")
    run = upload_and_process(tmp_path, one_claim_text("CB7002"), name="837P_same.txt")
    second_id = run.result.submissions[0].file_id
    assert run.named("_999") == ["837P_same_999.999", f"837P_same_999_{second_id}.999"]


# ---------------------------------------------------------------------------------- timing


def test_answers_wait_for_the_delay(tmp_path: Path) -> None:
    (tmp_path / "inbound").mkdir()
    (tmp_path / "inbound" / "837P_late.txt").write_text(sample_claims.file_text(
        sample_claims.practice_batch()))  # fmt: skip
    config = SimConfig(root=tmp_path, delay=600, second_era_delay=3600)
    early = process_inbound_once(tmp_path, config, NOW)
    assert len(early.submissions) == 1 and early.delivered == ()
    assert process_inbound_once(tmp_path, config, NOW + timedelta(seconds=599)).delivered == ()
    on_time = process_inbound_once(tmp_path, config, NOW + timedelta(seconds=600)).delivered
    assert len([n for n in on_time if "_ERA_835_" in n]) == 1  # the first ERA run only
    later = process_inbound_once(tmp_path, config, NOW + timedelta(seconds=4200)).delivered
    assert len(later) == 1 and "_ERA_835_" in later[0]
    assert set(read_outbound(tmp_path)) == {*on_time, *later}


def test_test_uploads_can_stop_at_office_ally(tmp_path: Path) -> None:
    run = upload_and_process(tmp_path, one_claim_text(), forward_test_claims=False)
    assert run.named("_EDI_STATUS_") == [] and run.named("_ERA_835_") == []
    assert "Mode: TEST" in run.one("FS_HCFA_") and run.named("_277ca_")


def test_production_uploads_are_marked_as_such(tmp_path: Path) -> None:
    run = upload_and_process(tmp_path, one_claim_text(), name="837P_prod.txt")
    assert "Mode: PRODUCTION" in run.one("FS_HCFA_")
    assert value_of(run.one("_277ca_")).claims[0].charge == Decimal("50.00")
