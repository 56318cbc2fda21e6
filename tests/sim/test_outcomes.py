"""Each default scenario rule does what it says, and every X12 answer is valid and balances.

The example practice's claims meet the default rules as follows (amounts from the rules):
CB5001 99214 copay 25 at 85% allowed, interest 2.50 and an unsent claim; CB5002 99393 denied
CO 96 / N130; CB5003 Medicare, 80% allowed, 20% coinsurance, paid across two ERAs; CB5004 99213
reversed and corrected at 90%; CB5005 98940 deductible 40 at 80% allowed, recoupment 30.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sample_claims
from sim_support import NOW, Run, upload_and_process

from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.tx277ca_005010X214.codes import Outcome
from claimbridge.x12.tx835_005010X221A1 import Loop2100, Remittance, check_balance
from claimbridge.x12.validate import validate_text
from support import need

D = Decimal
CLAIM_NUMBERS = ["CB5001", "CB5002", "CB5003", "CB5004", "CB5005"]


def x12_names(run: Run) -> list[str]:
    return run.named(".999") + run.named("_277ca_") + run.named("_ERA_835_")


def test_every_answer_arrives_in_outbound(practice_run: Run) -> None:
    (submission,) = practice_run.result.submissions
    assert not submission.failed and submission.name == "OATEST_837P_CB0000101.txt"
    file_id = submission.file_id
    assert set(practice_run.files) == set(practice_run.result.delivered)
    assert f"FS_HCFA_{file_id}_IN_C.txt" in practice_run.files
    assert "OATEST_837P_CB0000101_999.999" in practice_run.files
    assert f"claimbridge_{file_id}_HCFA_277ca_{NOW:%Y%m%d}.txt" in practice_run.files
    assert f"{file_id}_EDI_STATUS_HCFA_{NOW:%Y%m%d}.txt" in practice_run.files
    assert len(practice_run.named("_ERA_835_5010_")) == 2  # the first ERA run and the later one
    assert not list((practice_run.root / "inbound").iterdir())


def test_x12_answers_pass_our_checks_and_pyx12(practice_run: Run) -> None:
    need(pyx12_available(), "pyx12 is not installed")
    for name in x12_names(practice_run):
        text = practice_run.files[name]
        assert [str(p) for p in pyx12_problems(text)] == [], name
        assert validate_text(text).is_clean, name
        assert practice_run.parsed(name), name


def test_every_835_balances(practice_run: Run) -> None:
    for name, remittances in practice_run.eras().items():
        for remittance in remittances:
            assert check_balance(remittance) == (), name
            paid = sum((c.clp.paid for c in remittance.claims), D(0))
            provider = sum((p.amount for p in remittance.provider_adjustments), D(0))
            assert remittance.bpr.amount == paid - provider >= 0


def test_the_999_accepts_the_transaction_set(practice_run: Run) -> None:
    (parsed,) = practice_run.parsed(practice_run.named(".999")[0])
    ack = parsed.value
    assert (ack.group.functional_id, ack.group.control_number) == ("HC", "101")
    assert [(s.control_number, s.accepted) for s in ack.transaction_sets] == [("0001", True)]
    assert (ack.result.acknowledgment.code, ack.result.accepted) == ("A", 1)
    assert parsed.envelope.interchange.receiver_id == sample_claims.SUBMITTER_ID


def test_the_277ca_accepts_each_claim_with_its_oa_claim_id(practice_run: Run) -> None:
    (parsed,) = practice_run.parsed(practice_run.named("_277ca_")[0])
    ack = parsed.value
    assert ack.source_kind.value == "clearinghouse"
    assert [c.patient_control_number for c in ack.claims] == CLAIM_NUMBERS
    assert {c.outcome for c in ack.claims} == {Outcome.ACCEPTED}
    summary = practice_run.one("FS_HCFA_")
    for claim in ack.claims:
        assert claim.clearinghouse_trace and claim.clearinghouse_trace in summary
    assert ack.claims[0].charge == D("233.00")


def only(run: Run, number: str) -> Loop2100:
    (found,) = run.claims(number)
    return found[1]


def adjustments(claim: Loop2100) -> list[tuple[str, str, Decimal]]:
    return [(a.group, a.reason, a.amount) for ln in claim.service_lines for a in ln.adjustments]


def test_paid_in_full_when_no_rule_matches(tmp_path: Path) -> None:
    line = sample_claims.line("99211", "55.00", NOW.date())
    batch = sample_claims.batch(sample_claims.claim("CB6001", line))
    run = upload_and_process(tmp_path, sample_claims.file_text(batch))
    claim = only(run, "CB6001")
    assert (claim.clp.status_code, claim.clp.charge, claim.clp.paid) == ("1", D("55"), D("55"))
    assert adjustments(claim) == [] and claim.clp.patient_responsibility == 0


def test_denied_with_carc_and_rarc(practice_run: Run) -> None:
    claim = only(practice_run, "CB5002")
    assert (claim.clp.status_code, claim.clp.paid) == ("4", D(0))
    assert adjustments(claim) == [("CO", "96", D("210")), ("CO", "96", D("35"))]
    assert [r.code for ln in claim.service_lines for r in ln.remarks] == ["N130", "N130"]


def test_partly_paid_with_copay(practice_run: Run) -> None:
    claim = only(practice_run, "CB5001")
    # 85% of 185 = 157.25 allowed, copay 25 → 132.25; 85% of 48 = 40.80
    assert adjustments(claim) == [
        ("CO", "45", D("27.75")), ("PR", "3", D("25")), ("CO", "45", D("7.20")),
    ]  # fmt: skip
    assert (claim.clp.paid, claim.clp.patient_responsibility) == (D("173.05"), D("25"))
    assert [ln.line_control_number for ln in claim.service_lines] == ["CB5001-1", "CB5001-2"]


def test_partly_paid_with_deductible(practice_run: Run) -> None:
    claim = only(practice_run, "CB5005")
    # 80% of 60 = 48 allowed, 40 to the deductible → 8; 80% of 30 = 24, deductible used up
    assert adjustments(claim) == [
        ("CO", "45", D("12")), ("PR", "1", D("40")), ("CO", "45", D("6")),
    ]  # fmt: skip
    assert (claim.clp.paid, claim.clp.patient_responsibility) == (D("32"), D("40"))


def test_coinsurance_paid_across_two_eras(practice_run: Run) -> None:
    parts = practice_run.claims("CB5003")
    assert len({name for name, _ in parts}) == 2
    first, second = (claim for _, claim in parts)
    assert first.clp.payer_claim_control_number != second.clp.payer_claim_control_number
    assert sum((c.clp.charge for _, c in parts), D(0)) == D("165")  # the claim's total charge
    # 80% allowed: 60 and 72; 20% coinsurance: 12 and 14.40
    assert [c.clp.paid for _, c in parts] == [D("48"), D("57.60")]
    assert [c.clp.patient_responsibility for _, c in parts] == [D("12"), D("14.40")]
    assert [a for a in adjustments(first) + adjustments(second) if a[0] == "PR"] == [
        ("PR", "2", D("12")), ("PR", "2", D("14.40")),
    ]  # fmt: skip


def test_reversal_then_correction_in_the_later_era(practice_run: Run) -> None:
    (first_file, original), (later_file, reversal), (same_file, correction) = practice_run.claims(
        "CB5004"
    )
    assert first_file != later_file == same_file
    assert (original.clp.status_code, original.clp.paid) == ("1", D("140"))
    assert reversal.clp.status_code == "22"
    assert (reversal.clp.charge, reversal.clp.paid) == (-original.clp.charge, -original.clp.paid)
    assert [ln.svc.paid for ln in reversal.service_lines] == [-D("140")]
    assert reversal.clp.payer_claim_control_number == original.clp.payer_claim_control_number
    assert (correction.clp.status_code, correction.clp.paid) == ("1", D("126"))
    assert correction.clp.payer_claim_control_number != original.clp.payer_claim_control_number


def check_with(run: Run, number: str, era_run: int = 0) -> Remittance:
    found = [
        remittance
        for remittances in list(run.eras().values())[era_run : era_run + 1]
        for remittance in remittances
        if any(c.clp.patient_control_number == number for c in remittance.claims)
    ]
    (remittance,) = found
    return remittance


def test_the_reversal_check_carries_its_debit_forward(practice_run: Run) -> None:
    remittance = check_with(practice_run, "CB5004", era_run=1)
    (forward,) = remittance.provider_adjustments
    assert (forward.reason, forward.amount) == ("FB", D("-14"))  # 126 − 140
    assert (remittance.bpr.amount, remittance.bpr.transaction_handling_code) == (D(0), "H")


def test_plb_interest_and_recoupment(practice_run: Run) -> None:
    remittance = check_with(practice_run, "CB5001")
    plb = [(p.reason, p.amount) for p in remittance.provider_adjustments]
    assert plb == [("L6", D("-2.5")), ("WO", D("30"))]
    copay_claim = only(practice_run, "CB5001")
    interest = remittance.provider_adjustments[0]
    assert interest.reference == copay_claim.clp.payer_claim_control_number
    # CB5001 173.05 + unsent claim 95 + CB5005 32 − (−2.50 + 30)
    assert remittance.bpr.amount == D("272.55")
    assert remittance.bpr.payment_method_code == "CHK"


def test_an_era_for_a_claim_we_never_sent(practice_run: Run) -> None:
    remittance = check_with(practice_run, "CB5001")
    numbers = [c.clp.patient_control_number for c in remittance.claims]
    strangers = [n for n in numbers if n not in CLAIM_NUMBERS]
    assert len(strangers) == 1 and "837P" not in strangers[0]
    assert strangers[0] not in practice_run.one("FS_HCFA_")


def test_edi_status_reports_each_payer_answer(practice_run: Run) -> None:
    report = practice_run.one("_EDI_STATUS_HCFA_")
    header = next(line for line in report.splitlines() if line.startswith("    File ID"))
    rows = [line for line in report.splitlines() if line[4:13].isdigit()]
    status_at = header.index("Status")
    reference_at = header.index("Payer Ref ID")
    assert [row[26:40].strip() for row in rows] == CLAIM_NUMBERS
    assert {row[status_at : status_at + 8].strip() for row in rows} == {"ACCEPTED"}
    first_payment = {n: claims[0][1] for n in CLAIM_NUMBERS if (claims := practice_run.claims(n))}
    for row in rows:
        number = row[26:40].strip()
        reference = row[reference_at : reference_at + 15].strip()
        assert reference == first_payment[number].clp.payer_claim_control_number


def test_file_summary_lists_accepted_claims_in_its_columns(practice_run: Run) -> None:
    summary = practice_run.one("FS_HCFA_")
    lines = summary.splitlines()
    assert "File Name: OATEST_837P_CB0000101.txt" in lines and "File Status: PROCESSED" in lines
    accepted_at = lines.index("ACCEPTED CLAIM DETAIL")
    header = lines[accepted_at + 1]
    assert header.startswith("CLAIM#")
    account = header.index("ACCNT#")
    rows = lines[accepted_at + 2 : accepted_at + 7]
    assert [row[account : account + 14].strip() for row in rows] == CLAIM_NUMBERS
    assert [row.split(")")[0] for row in rows] == ["1", "2", "3", "4", "5"]
    assert lines[lines.index("ERROR CLAIM DETAIL") + 2] == "NONE"


@pytest.mark.parametrize("number", CLAIM_NUMBERS)
def test_each_claim_line_balances(practice_run: Run, number: str) -> None:
    for _, claim in practice_run.claims(number):
        for line in claim.service_lines:
            adjusted = sum((a.amount for a in line.adjustments), D(0))
            assert line.svc.charge - adjusted == line.svc.paid
