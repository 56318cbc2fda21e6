"""999 and 277CA writers: parse → build → parse gives the same values, and pyx12 agrees."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from claimbridge.x12.envelope_build import InterchangeParams
from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.reader import parse_text, read_file
from claimbridge.x12.tx277ca_005010X214 import codes as codes277
from claimbridge.x12.tx277ca_005010X214.build import build_277ca
from claimbridge.x12.tx277ca_005010X214.models import (
    ClaimAck,
    Coded,
    DatePeriod,
    Level,
    Name,
    Reference,
    Status,
    StatusCode,
    Trace,
    Tracking,
    TransactionHeader,
)
from claimbridge.x12.tx999_005010X231A1 import (
    Context,
    ElementError,
    ElementPosition,
    FunctionalAck,
    GroupResponse,
    GroupResult,
    SegmentError,
    SetResponse,
    SetResult,
    codes,
)
from claimbridge.x12.tx999_005010X231A1.build import build_999
from support import SAMPLES, need

PARAMS = InterchangeParams(
    sender_id="330897513",
    receiver_id="847291635",
    interchange_control_number=9001,
    group_control_number=9001,
    created=datetime(2026, 11, 3, 18, 0),
    functional_id="",
    version="",
)


def only_value(text: str) -> Any:
    (parsed,) = list(parse_text(text))
    return parsed.value


def sample_values(folder: str, name: str) -> list[Any]:
    need(SAMPLES.is_dir(), f"the shared X12 samples are not at {SAMPLES}")
    return [p.value for p in read_file(SAMPLES / folder / name)]


def rejected_999() -> FunctionalAck:
    def coded(table: Any, code: str) -> Any:
        return codes.coded(table, code)

    element = ElementError(
        ElementPosition(3, None, None), "1068", coded(codes.ELEMENT_ERRORS, "7"), "X", ()
    )
    context = Context("CLM01", "CB1001", "", None, "", None, ())
    segment = SegmentError(
        "DMG", 17, "2010", coded(codes.SEGMENT_ERRORS, "8"), (context,), (element,)
    )
    result = SetResult(coded(codes.SET_ACKNOWLEDGMENTS, "R"), (coded(codes.SET_ERRORS, "5"),))
    response = SetResponse("837", "0001", "005010X222A1", (segment,), result)
    return FunctionalAck(
        "0001",
        "005010X231A1",
        GroupResponse("HC", "101", "005010X222A1"),
        (response,),
        GroupResult(coded(codes.GROUP_ACKNOWLEDGMENTS, "R"), 1, 1, 0, ()),
    )


def test_a_999_made_by_hand_reads_back_the_same_and_passes_pyx12() -> None:
    ack = rejected_999()
    text = build_999(ack, PARAMS)
    assert "IK4*3*1068*7*X~" in text and "CTX*CLM01:CB1001~" in text
    assert only_value(text) == ack
    need(pyx12_available(), "pyx12 is not installed")
    assert [str(p) for p in pyx12_problems(text)] == []


@pytest.mark.parametrize(
    "name",
    ["herophilus__999_Sample_Accepted_.txt", "herophilus__999_Sample_Rejected_.txt",
     "imsweb__x12_999_rejected.txt", "pyx12__834_lui_id_5010.999.txt"],
)  # fmt: skip
def test_parse_build_parse_999_samples(name: str) -> None:
    for ack in sample_values("999", name):
        assert only_value(build_999(ack, PARAMS)) == ack


def name(entity: str, kind: str, last: str, qualifier: str, id_: str, first: str = "") -> Name:
    return Name(
        Coded(entity, codes277.ENTITIES.get(entity)), kind, last, first, "", "", "", qualifier, id_
    )


def status(category: str, code: str, action: str, charge: str | None) -> Status:
    primary = StatusCode(
        Coded(category, codes277.CATEGORIES.get(category)),
        Coded(code, codes277.STATUSES.get(code)),
        None,
        "",
    )
    act = Coded(action, codes277.ACTIONS.get(action))
    amount = None if charge is None else Decimal(charge)
    return Status(primary, date(2026, 11, 3), act, amount, None, None, "", None, "", None, None, "")


def tracking(trace: Trace, statuses: tuple[Status, ...], **more: Any) -> Tracking:
    values: dict[str, Any] = {"references": (), "quantities": (), "amounts": (), "dates": ()}
    return Tracking(trace, statuses, service_lines=(), **(values | more))


def on_day(qualifier: str) -> DatePeriod:
    day = date(2026, 11, 3)
    return DatePeriod(Coded(qualifier, codes277.DATES.get(qualifier)), "D8", "20261103", day, day)


def small_277ca() -> ClaimAck:
    service = on_day("472")
    clearinghouse = Level(
        "1", "", Coded("20", codes277.LEVELS.get("20")), "1",
        (name("AY", "2", "OFFICE ALLY", "46", "330897513"),), (),
        (tracking(Trace("1", "F100", "", ""), (), dates=(
            on_day("050"), on_day("009"),
        )),),
    )  # fmt: skip
    claim = tracking(
        Trace("2", "CB1001", "", ""),
        (status("A7", "562", "U", "233"),),
        references=(Reference(Coded("D9", codes277.REFERENCES.get("D9")), "OA0000000001", ""),),
        dates=(service,),
    )
    patient = Level(
        "2", "1", Coded("PT", codes277.LEVELS.get("PT")), "",
        (name("QC", "1", "BLAKE", "MI", "U8823410201", "AARON"),), (), (claim,),
    )  # fmt: skip
    header = TransactionHeader("0085", "08", "F100", date(2026, 11, 3), "1800", "TH")
    return ClaimAck("0001", "005010X214", header, (clearinghouse, patient), ())


def test_a_277ca_made_by_hand_reads_back_the_same_levels() -> None:
    ack = small_277ca()
    text = build_277ca(ack, PARAMS)
    assert "STC*A7:562*20261103*U*233~" in text
    back = only_value(text)
    assert back.levels == ack.levels and back.header == ack.header
    assert [c.patient_control_number for c in back.claims] == ["CB1001"]
    assert back.claims[0].outcome == codes277.Outcome.REJECTED


@pytest.mark.parametrize(
    "name",
    ["herophilus__277CA_Sample_Accepted_.txt", "herophilus__277CA_Sample_Rejected_.txt",
     "imsweb__x12_277CA_accepted.txt", "imsweb__x12_277CA_rejected.txt",
     "oopfactory__277_Deidentified_from_nth.txt"],
)  # fmt: skip
def test_parse_build_parse_277ca_samples(name: str) -> None:
    for ack in sample_values("277CA", name):
        assert only_value(build_277ca(ack, PARAMS)) == ack
