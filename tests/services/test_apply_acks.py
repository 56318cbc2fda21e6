"""Acknowledgments applied: TA1, 999, 277CA (clearinghouse, payer, billing provider) and Office
Ally's File Summary and EDI Status report, each claim's status with the reason in words."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.services.submit import Batch
from claimbridge.services.worklist import claim_detail
from claimbridge.sim.reports import (
    EDI_STATUS_COLUMNS,
    Upload,
    failed_file_summary,
    fixed_row,
    header_row,
)
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import data, reasons, renumber, status_of, statuses, submitted

SENT = ["CB000001", "CB000002", "CB000003", "CB000005"]


@pytest.fixture
def sent(store: Store, tmp_path: Path) -> tuple[Store, Batch, t.BatchRow]:
    _, batch = submitted(store, tmp_path / "oa")
    with store.read() as session:
        row = session.get_one(t.BatchRow, batch.batch_id)
        session.expunge(row)
    return store, batch, row


def _ingest(store: Store, name: str, text: str) -> str:
    [report] = ingest_bytes(store, name, text.encode())
    assert report.outcome is Outcome.APPLIED, report.detail
    return report.detail


def test_a_rejected_999_set_rejects_its_claims_with_the_error_in_words(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, batch, row = sent
    text = renumber(data("999/rejected-dmg.999"), "101", str(row.gs06))
    text = renumber(text, "0001", batch.transaction_numbers[0]).replace("CB1001", "CB000001")
    assert _ingest(store, "ack.999", text).endswith(" (1 set, 1 rejected)")
    assert all(status_of(store, clm01) is ClaimStatus.CLEARINGHOUSE_REJECTED for clm01 in SENT)
    why = reasons(store, "CB000001")[-1]
    assert "segment DMG at position 17 in loop 2010BA" in why or "segment DMG at position 17" in why
    assert "element DMG03" in why and "[claim CB000001]" in why
    with store.read() as session:
        assert session.get_one(t.BatchRow, row.id).status == "rejected"


def test_a_999_that_rejects_the_whole_group_rejects_every_claim_of_the_batch(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, _, row = sent
    # AK9*R with no AK2: the group's error names no transaction set.
    text = renumber(data("999/group-rejected.999"), "104", str(row.gs06))
    assert "the functional group was rejected (0 sets, 0 rejected)" in _ingest(
        store, "group.999", text
    )
    assert {clm01: status_of(store, clm01) for clm01 in SENT} == dict.fromkeys(
        SENT, ClaimStatus.CLEARINGHOUSE_REJECTED
    )
    why = reasons(store, "CB000002")[-1]
    assert f"the 999 rejected the whole functional group (GS06 {row.gs06})" in why
    assert "Rejected (Number of included transaction sets does not match actual count" in why
    with store.read() as session:
        assert session.get_one(t.BatchRow, row.id).status == "rejected"
        kept = session.scalars(
            select(t.AcknowledgmentRow.code).where(t.AcknowledgmentRow.batch_id == row.id)
        )
        assert list(kept) == ["R"] * len(SENT)


def test_an_accepted_999_changes_no_claim(sent: tuple[Store, Batch, t.BatchRow]) -> None:
    store, _, row = sent
    text = renumber(data("999/accepted-two-sets.999"), "102", str(row.gs06))
    _ingest(store, "ok.999", text)
    assert set(statuses(store).values()) == {"submitted", "held"}


def test_a_rejected_ta1_rejects_the_whole_interchange(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, _, row = sent
    text = renumber(data("ta1/rejected-interchange.ta1"), "000000101", f"{row.isa13:09d}")
    assert "rejected" in _ingest(store, "x.ta1", text)
    assert all(status_of(store, clm01) is ClaimStatus.CLEARINGHOUSE_REJECTED for clm01 in SENT)
    assert "Invalid interchange sender ID" in reasons(store, "CB000003")[-1]


def test_a_billing_provider_rejection_applies_to_every_claim_under_it(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, _, _ = sent
    text = data("277ca/billing-provider-level-rejection.277")
    text = text.replace("CB1011", "CB000001").replace("CB1012", "CB000002")
    _ingest(store, "p.277", text)
    for clm01 in ("CB000001", "CB000002"):
        assert status_of(store, clm01) is ClaimStatus.CLEARINGHOUSE_REJECTED
        assert "billing provider rejected" in reasons(store, clm01)[-1]
    assert status_of(store, "CB000003") is ClaimStatus.SUBMITTED


def test_a_payer_277ca_accepts_and_keeps_the_payer_claim_number(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, _, _ = sent
    text = data("277ca/payer-accepted-and-line-rejected.277")
    text = text.replace("CB1003", "CB000001").replace("CB1004", "CB000002")
    _ingest(store, "payer.277", text)
    assert status_of(store, "CB000001") is ClaimStatus.PAYER_ACCEPTED
    assert status_of(store, "CB000002") is ClaimStatus.PAYER_REJECTED
    assert "277CA from the payer" in reasons(store, "CB000001")[-1]
    with store.read() as session:
        number = session.scalars(
            select(t.ClaimRow.payer_claim_control_number).where(t.ClaimRow.clm01 == "CB000001")
        ).one()
    assert number == "EHP250305001"
    with store.read() as session:  # REF*D9, Office Ally's claim ID, is on the claim's page
        assert claim_detail(session, "CB000002").oa_claim_id == "OA000130"
        assert claim_detail(session, "CB000001").oa_claim_id is None  # its 2200D has none


def test_a_failed_file_sends_every_claim_back(sent: tuple[Store, Batch, t.BatchRow]) -> None:
    store, batch, _ = sent
    upload = Upload(batch.file_name, 310000001, datetime(2026, 11, 20, 15), "CLAIMBRIDGE")
    text = failed_file_summary(upload, [("X12", "SEGMENT 4 SE: THE COUNT IS WRONG")])
    assert "FAILED" in _ingest(store, "FS_HCFA_310000001_IN_C.txt", text)
    assert all(status_of(store, clm01) is ClaimStatus.CLEARINGHOUSE_REJECTED for clm01 in SENT)
    assert "THE COUNT IS WRONG" in reasons(store, "CB000005")[-1]


def test_an_edi_status_rejection_changes_only_that_claim(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, _, _ = sent
    rows = [
        ("310000001", "OA1", "CB000001", "BLAKE, AARON", "233.00", "1300000019", "847291635",
         "62308", "11/20/2026", "PCN77", "ACCEPTED", "CLAIM ACCEPTED FOR PROCESSING"),
        ("310000001", "OA2", "CB000002", "RAMIREZ, SOFIA", "245.00", "1300000019", "847291635",
         "87726", "11/20/2026", "", "REJECTED", "SUBSCRIBER ID NOT FOUND"),
    ]  # fmt: skip
    lines = ["EDI STATUS REPORT", "", header_row(EDI_STATUS_COLUMNS)]
    lines += [fixed_row(EDI_STATUS_COLUMNS, row) for row in rows]
    _ingest(store, "310000001_EDI_STATUS_HCFA_20261120.txt", "\n".join(lines) + "\n")
    assert status_of(store, "CB000001") is ClaimStatus.PAYER_ACCEPTED
    assert status_of(store, "CB000002") is ClaimStatus.PAYER_REJECTED
    assert "SUBSCRIBER ID NOT FOUND" in reasons(store, "CB000002")[-1]
    assert status_of(store, "CB000003") is ClaimStatus.SUBMITTED


def _receiver_level_277(batch_id: int, source_status: str, receiver_status: str) -> str:
    """A 277CA with only its information source (HL 20) and receiver (HL 21) levels: the
    receiver names our batch (TRN02 B<id>), and no claim is listed one by one."""
    segments = [
        "ISA*00*          *00*          *ZZ*330897513      *ZZ*123456789      *261120*1500*^*"
        "00501*000000931*0*P*:",
        "GS*HN*330897513*123456789*20261120*1500*931*X*005010X214",
        "ST*277*0001*005010X214",
        "BHT*0085*08*OA20261120001*20261120*1500*TH",
        "HL*1**20*1",
        "NM1*AY*2*OFFICE ALLY*****46*330897513",
        "TRN*1*OA20261120001",
        *([source_status] if source_status else []),
        "DTP*050*D8*20261120",
        "DTP*009*D8*20261120",
        "HL*2*1*21*0",
        "NM1*41*2*CEDAR VALLEY FAMILY HEALTH*****46*847291635",
        f"TRN*2*B{batch_id}",
        receiver_status,
        "QTY*AA*4",
        "AMT*YY*777",
    ]
    body = len(segments) - 2 + 1  # ST … SE
    segments += [f"SE*{body}*0001", "GE*1*931", "IEA*1*000000931"]
    return "~".join(segments) + "~"


def test_a_rejection_at_the_information_receiver_rejects_every_claim_of_the_batch(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, batch, _ = sent
    text = _receiver_level_277(batch.batch_id, "", "STC*A3:24:41*20261120*U*777")
    assert _ingest(store, "hl21.277", text) == "277CA: 4 rejected"
    assert {clm01: status_of(store, clm01) for clm01 in SENT} == dict.fromkeys(
        SENT, ClaimStatus.CLEARINGHOUSE_REJECTED
    )
    why = reasons(store, "CB000003")[-1]
    assert why.startswith("277CA: information receiver rejected: A3:24")
    assert status_of(store, "CB000004") is ClaimStatus.HELD  # never sent: not in the batch


def test_a_rejection_at_the_information_source_rejects_every_claim_it_covers(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, batch, _ = sent
    source = "STC*A3:24:41*20261120*U*777"
    text = _receiver_level_277(batch.batch_id, source, "STC*A1:19*20261120*WQ*777")
    assert _ingest(store, "hl20.277", text) == "277CA: 4 rejected"
    assert all(status_of(store, clm01) is ClaimStatus.CLEARINGHOUSE_REJECTED for clm01 in SENT)
    assert "information source rejected" in reasons(store, "CB000001")[-1]


def test_a_level_rejection_that_names_no_batch_of_ours_says_so(
    sent: tuple[Store, Batch, t.BatchRow],
) -> None:
    store, _, _ = sent
    text = _receiver_level_277(999999, "", "STC*A3:24:41*20261120*U*777").replace(
        "TRN*2*B999999", "TRN*2*SOMEONEELSE"
    )
    detail = _ingest(store, "other.277", text)
    assert detail.startswith("277CA: no claim of ours named; 277CA: information receiver")
    assert "it names no batch of ours: nothing changed" in detail
    assert set(statuses(store).values()) == {"submitted", "held"}
