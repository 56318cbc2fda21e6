from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.reader import parse_text, read_file
from claimbridge.x12.tx277ca_005010X214 import (
    ClaimAck,
    ClaimResult,
    Coded,
    DatePeriod,
    Outcome,
    Quantity,
    SourceKind,
    StatusCode,
    Trace,
    TransactionHeader,
    outcome_of,
)

ENVELOPE = (
    "ISA*00*          *00*          *ZZ*330897513      *ZZ*123456789      "
    "*250302*1300*^*00501*000000920*0*P*:~GS*HN*330897513*123456789*20250302*1300*920*X*"
    "005010X214~ST*277*0001*005010X214~{body}SE*9*0001~GE*1*920~IEA*1*000000920~"
)
TOP = (
    "BHT*0085*08*R1*20250302*1300*TH~HL*1**20*1~NM1*AY*2*OFFICE ALLY*****46*330897513~"
    "HL*2*1*21*1~NM1*41*2*SUNNY PATH CLINIC*****46*123456789~HL*3*2*19*1~"
    "NM1*85*2*SUNNY PATH CLINIC*****XX*1234567893~HL*4*3*PT~NM1*QC*1*DOE*JANE****MI*X1~"
)
SERVICE_472 = Coded("472", "Service")


def only_ack(path: Path, kind: str = "277CA") -> ClaimAck:
    (parsed,) = read_file(path)
    assert parsed.kind == kind
    assert isinstance(parsed.value, ClaimAck)
    return parsed.value


def ack_of(body: str) -> ClaimAck:
    (parsed,) = parse_text(ENVELOPE.format(body=body))
    assert isinstance(parsed.value, ClaimAck)
    return parsed.value


def by_claim(ack: ClaimAck) -> dict[str | None, ClaimResult]:
    return {claim.patient_control_number: claim for claim in ack.claims}


def test_rejected_billing_npi(test_data: Path) -> None:
    ack = only_ack(test_data / "277ca" / "rejected-billing-npi.277")
    assert ack.header == TransactionHeader(
        "0085", "08", "OA20250302001", date(2025, 3, 2), "1300", "TH"
    )
    assert ack.source_kind is SourceKind.CLEARINGHOUSE
    assert [(lv.id, lv.parent_id, lv.code.code) for lv in ack.levels] == [
        ("1", "", "20"),
        ("2", "1", "21"),
        ("3", "2", "19"),
        ("4", "3", "PT"),
        ("5", "3", "PT"),
    ]
    accepted, rejected = ack.claims
    assert accepted.patient_control_number == "CB1001"
    assert accepted.outcome is Outcome.ACCEPTED
    assert accepted.payer_claim_number == "PAYERICN0001"
    assert accepted.clearinghouse_trace == "OA000123"
    assert accepted.charge == Decimal("150.00")
    assert accepted.service_dates == DatePeriod(
        SERVICE_472, "D8", "20250225", date(2025, 2, 25), date(2025, 2, 25)
    )
    assert rejected.patient_control_number == "CB1002"
    assert rejected.outcome is Outcome.REJECTED
    assert rejected.payer_claim_number is None
    assert rejected.charge == Decimal("90.00")
    (status,) = rejected.statuses
    assert status.primary == StatusCode(
        Coded("A7", "Acknowledgement/Rejected for invalid information"),
        Coded("562", "Entity's National Provider Identifier (NPI)"),
        Coded("85", "Billing provider"),
        "",
    )
    assert status.action == Coded("U", "Reject")
    assert status.effective_date == date(2025, 3, 2)
    assert rejected.service_dates == DatePeriod(
        SERVICE_472, "RD8", "20250224-20250226", date(2025, 2, 24), date(2025, 2, 26)
    )
    assert rejected.provider is not None and rejected.provider.id == "1234567893"
    assert rejected.source_kind is SourceKind.CLEARINGHOUSE


def test_receiver_level_totals(test_data: Path) -> None:
    ack = only_ack(test_data / "277ca" / "rejected-billing-npi.277")
    receiver = ack.level("2")
    assert receiver is not None and receiver.name is not None
    assert receiver.name.entity == Coded("41", "Submitter")
    (loop,) = receiver.tracking
    assert loop.trace == Trace("2", "CB0000101", "", "")
    assert loop.quantities == (
        Quantity(Coded("90", "Acknowledged quantity"), Decimal("1")),
        Quantity(Coded("AA", "Unacknowledged quantity"), Decimal("1")),
    )
    assert [(a.qualifier.code, a.amount) for a in loop.amounts] == [
        ("YU", Decimal("150.00")),
        ("YY", Decimal("90.00")),
    ]
    source = ack.level("1")
    assert source is not None
    assert [(d.qualifier.code, d.start) for d in source.tracking[0].dates] == [
        ("050", date(2025, 3, 1)),
        ("009", date(2025, 3, 2)),
    ]


def test_billing_provider_level_rejection(test_data: Path) -> None:
    ack = only_ack(test_data / "277ca" / "billing-provider-level-rejection.277")
    provider = ack.level("3")
    assert provider is not None
    (status,) = provider.statuses
    assert status.outcome is Outcome.REJECTED
    assert status.effective_date is None
    assert status.primary.status == Coded("24", "Entity not approved as an electronic submitter")
    assert status.secondary is not None and status.tertiary is None
    assert (status.secondary.status.code, status.secondary.entity) == (
        "562",
        Coded("85", "Billing provider"),
    )
    assert [c.category.code for c in status.codes] == ["A3", "A3"]
    assert provider.tracking[0].quantities[0].qualifier == Coded("QC", "Quantity disapproved")
    assert [lv.id for lv in ack.children("2")] == ["3", "6"]
    outcomes = {c.patient_control_number: c.outcome for c in ack.claims}
    assert outcomes == {
        "CB1011": Outcome.REJECTED,
        "CB1012": Outcome.REJECTED,
        "CB1010": Outcome.ACCEPTED,
    }
    names = {
        c.patient_control_number: c.provider.last_or_organization if c.provider else None
        for c in ack.claims
    }
    assert names == {
        "CB1011": "SUNNY PATH CLINIC",
        "CB1012": "SUNNY PATH CLINIC",
        "CB1010": "SUNNY PATH NORTH",
    }


def test_payer_acknowledgment_with_rejected_lines(test_data: Path) -> None:
    ack = only_ack(test_data / "277ca" / "payer-accepted-and-line-rejected.277")
    assert ack.source_kind is SourceKind.PAYER
    claims = by_claim(ack)
    accepted = claims["CB1003"]
    assert (accepted.outcome, accepted.charge) == (Outcome.ACCEPTED, Decimal("150.50"))
    assert accepted.payer_claim_number == "EHP250305001"
    assert accepted.source_kind is SourceKind.PAYER
    assert accepted.statuses[0].primary.entity == Coded("PR", "Payer")
    rejected = claims["CB1004"]
    assert rejected.outcome is Outcome.REJECTED
    first, second = rejected.service_lines
    assert first.procedure == ("HC", "97110", "GP")
    assert (first.charge, first.paid, first.units) == (Decimal("100.00"), None, Decimal("2"))
    assert first.line_item_control_number == "CB1004-1"
    assert first.dates[0].start == date(2025, 3, 1)
    (line_status,) = first.statuses
    assert line_status.primary.status == Coded(
        "453", "Procedure code modifier(s) for service(s) rendered"
    )
    assert line_status.secondary == StatusCode(
        Coded("A3", "Acknowledgement/Returned as unprocessable claim: rejected, not entered"),
        Coded("187", "Date(s) of service"),
        None,
        "",
    )
    assert first.outcome is Outcome.REJECTED
    assert second.line_item_control_number == "CB1004-2"
    assert second.outcome is Outcome.REJECTED
    # claim-level REF and DTP stay with the claim, line-level ones with their line
    assert rejected.clearinghouse_trace == "OA000130"
    assert [d.text for d in rejected.tracking.dates] == ["20250301-20250302"]


def test_x212_claim_status_levels_and_outcomes(test_data: Path) -> None:
    ack = only_ack(test_data / "277ca" / "pending-rfi-error-x212.277", kind="277")
    assert ack.implementation == "005010X212"
    assert ack.header.transaction_type == "DG"
    assert [(c.level_id, c.patient_control_number, c.outcome) for c in ack.claims] == [
        ("4", "CB1005", Outcome.PENDING),
        ("6", "CB1006", Outcome.REQUEST_FOR_INFORMATION),
        ("6", "CB1007", Outcome.ERROR),
        ("6", "CB1008", Outcome.FINALIZED),
    ]
    claims = by_claim(ack)
    rfi = claims["CB1006"].statuses[0]
    assert rfi.secondary is not None and rfi.secondary.status.code == "297"
    assert claims["CB1006"].patient is not None
    assert claims["CB1006"].patient.entity.code == "QC"
    assert claims["CB1005"].patient is not None
    assert claims["CB1005"].patient.entity.code == "IL"
    paid = claims["CB1008"].statuses[0]
    assert (paid.charge, paid.paid) == (Decimal("100.00"), Decimal("80.00"))
    assert (paid.payment_date, paid.payment_method) == (date(2025, 3, 8), "CHK")
    assert (paid.check_date, paid.check_number) == (date(2025, 3, 9), "CHK10023")
    (line,) = claims["CB1008"].service_lines
    assert (line.procedure, line.paid, line.units) == (
        ("HC", "99213"),
        Decimal("80.00"),
        Decimal("1"),
    )
    assert ack.source_kind is SourceKind.PAYER


@pytest.mark.parametrize(
    ("category", "outcome"),
    [
        ("A0", Outcome.OTHER),
        ("A1", Outcome.RECEIVED),
        ("A2", Outcome.ACCEPTED),
        ("A3", Outcome.REJECTED),
        ("A4", Outcome.OTHER),
        ("A5", Outcome.ACCEPTED),
        ("A6", Outcome.REJECTED),
        ("A7", Outcome.REJECTED),
        ("A8", Outcome.REJECTED),
        ("P0", Outcome.PENDING),
        ("P5", Outcome.PENDING),
        ("R0", Outcome.REQUEST_FOR_INFORMATION),
        ("R13", Outcome.REQUEST_FOR_INFORMATION),
        ("E0", Outcome.ERROR),
        ("E4", Outcome.ERROR),
        ("F1", Outcome.FINALIZED),
        ("F3F", Outcome.FINALIZED),
        ("D0", Outcome.OTHER),
        ("X9", Outcome.OTHER),
        ("PX", Outcome.OTHER),
        ("", Outcome.OTHER),
    ],
)
def test_category_outcomes(category: str, outcome: Outcome) -> None:
    assert outcome_of(category) is outcome


@pytest.mark.parametrize(
    ("statuses", "outcome"),
    [
        ("STC*A1:19:PR*20250302*WQ*10~STC*A7:562:85*20250302*U*10~", Outcome.REJECTED),
        ("STC*A1:19:PR*20250302*WQ*10~STC*A2:20*20250302*WQ*10~", Outcome.ACCEPTED),
        ("STC*A1:19*20250302*WQ*10~STC*P1:20*20250302~", Outcome.PENDING),
        ("STC*R4:294*20250302~STC*P3:294*20250302~", Outcome.REQUEST_FOR_INFORMATION),
        ("STC*A2:20*20250302*WQ*10******A7:562:85~", Outcome.REJECTED),
        ("", Outcome.OTHER),
    ],
)
def test_claim_outcome_weighs_every_status(statuses: str, outcome: Outcome) -> None:
    (claim,) = ack_of(TOP + "TRN*2*CB1~" + statuses + "DTP*472*D8*20250301~").claims
    assert claim.outcome is outcome


def test_several_claims_under_one_level_and_loops_without_trace() -> None:
    ack = ack_of(TOP + "STC*A1:19*20250302*WQ*5~TRN*2*CB1~STC*A2:20*20250302*WQ*5~TRN*2*CB2~")
    assert [c.patient_control_number for c in ack.claims] == [None, "CB1", "CB2"]
    assert ack.claims[0].tracking.trace is None


def test_free_text_message_and_many_information_sources(samples_dir: Path) -> None:
    ack = only_ack(samples_dir / "277" / "imsweb__x12_277_x212.txt", kind="277")
    assert len([lv for lv in ack.levels if lv.code.code == "20"]) == 8
    assert len(ack.claims) == 8
    first = ack.claims[0].statuses[0]
    assert first.message == "PAYER ACKNOWLEDGED RECEIPT OF THE CLAIM"
    assert (first.primary.status, first.charge) == (
        Coded("704", "Claim note text"),
        Decimal("600.00"),
    )
    assert ack.claims[0].outcome is Outcome.RECEIVED
    assert ack.claims[0].provider is not None and ack.claims[0].provider.entity.code == "1P"


def test_sloppy_dates_read_as_none_with_their_text_kept(samples_dir: Path) -> None:
    ack = only_ack(samples_dir / "277CA" / "oopfactory__FromLatitude81uk.txt")
    assert ack.header.created_date is None
    (claim,) = ack.claims
    assert claim.service_dates == DatePeriod(SERVICE_472, "RD8", "4545454-5454545", None, None)
    assert claim.statuses[0].effective_date is None
    assert claim.charge == Decimal("442.00")
    assert claim.outcome is Outcome.ACCEPTED


def test_names_stay_out_of_repr(test_data: Path) -> None:
    ack = only_ack(test_data / "277ca" / "rejected-billing-npi.277")
    patient = ack.claims[0].patient
    assert patient is not None and patient.last_or_organization == "DOE"
    assert "DOE" not in repr(patient) and "XYZ123456789" not in repr(patient)


def test_json_shape(test_data: Path) -> None:
    (parsed,) = read_file(test_data / "277ca" / "rejected-billing-npi.277")
    shape = parsed.to_json()
    json.dumps(shape)
    assert shape["type"] == "277CA"
    assert shape["source_kind"] == "clearinghouse"
    assert shape["header"]["created_date"] == "2025-03-02"
    assert [lv["code"]["code"] for lv in shape["levels"]] == ["20", "21", "19", "PT", "PT"]
    assert shape["levels"][1]["tracking"][0]["amounts"] == [
        {"qualifier": {"code": "YU", "meaning": "In process"}, "amount": "150.00"},
        {"qualifier": {"code": "YY", "meaning": "Returned"}, "amount": "90.00"},
    ]
    rejected = shape["claims"][1]
    status = rejected.pop("statuses")[0]
    assert rejected == {
        "level_id": "5",
        "patient_control_number": "CB1002",
        "outcome": "rejected",
        "source_kind": "clearinghouse",
        "payer_claim_number": None,
        "clearinghouse_trace": "OA000124",
        "charge": "90.00",
        "service_dates": {
            "qualifier": {"code": "472", "meaning": "Service"},
            "format": "RD8",
            "text": "20250224-20250226",
            "start": "2025-02-24",
            "end": "2025-02-26",
        },
        "service_lines": [],
    }
    assert status["primary"] == {
        "category": {"code": "A7", "meaning": "Acknowledgement/Rejected for invalid information"},
        "status": {"code": "562", "meaning": "Entity's National Provider Identifier (NPI)"},
        "entity": {"code": "85", "meaning": "Billing provider"},
        "code_list_qualifier": "",
    }
    assert (status["effective_date"], status["charge"], status["outcome"]) == (
        "2025-03-02",
        "90.00",
        "rejected",
    )


def test_json_of_service_lines(test_data: Path) -> None:
    (parsed,) = read_file(test_data / "277ca" / "payer-accepted-and-line-rejected.277")
    line = parsed.to_json()["claims"][1]["service_lines"][0]
    assert line["procedure"] == ["HC", "97110", "GP"]
    assert (line["charge"], line["units"], line["paid"]) == ("100.00", "2", None)
    assert line["line_item_control_number"] == "CB1004-1"
    assert line["outcome"] == "rejected"
    assert line["statuses"][0]["outcome"] == "rejected"


@pytest.mark.parametrize(
    ("body", "message", "position"),
    [
        (TOP + "CLM*CB1*100~", "CLM is not a segment of a 277", 13),
        ("BHT*0085*08*R1*20250302*1300*TH~NM1*QC*1*DOE~HL*1**20*1~", "must follow an HL", 5),
        ("HL*1**20*1~NM1*AY*2*OA~", "BHT is missing", 4),
        (TOP + "BHT*0085*08*R2*20250302*1300*TH~", "BHT must come once", 13),
        (TOP + "TRN*2*CB1~STC**20250302*WQ*5~", "STC01", 14),
        (TOP + "TRN*2*CB1~STC*A1:20*20250302*WQ*ABC~", "'ABC' is not a number", 14),
        (TOP + "TRN*2*CB1~QTY*90*~", "'' is not a number", 14),
        ("BHT*0085*08*R1*20250302*1300*TH~HL***20*1~", "HL01", 5),
    ],
)
def test_broken_277s_name_the_place(body: str, message: str, position: int) -> None:
    with pytest.raises(X12SyntaxError, match=message) as caught:
        ack_of(body)
    assert caught.value.segment_position == position
