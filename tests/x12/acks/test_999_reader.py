from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.reader import parse_text, read_file
from claimbridge.x12.tx999_005010X231A1 import (
    Coded,
    Context,
    ElementError,
    ElementPosition,
    FunctionalAck,
    GroupResponse,
    GroupResult,
    SegmentError,
    SetResponse,
    SetResult,
)

ENVELOPE = (
    "ISA*00*          *00*          *ZZ*330897513      *ZZ*123456789      "
    "*250301*1210*^*00501*000000910*0*P*:~GS*FA*330897513*123456789*20250301*1210*910*X*"
    "005010X231A1~ST*999*0001*005010X231A1~{body}SE*9*0001~GE*1*910~IEA*1*000000910~"
)
REJECTED = Coded("R", "Rejected")


def only_ack(path: Path) -> FunctionalAck:
    (parsed,) = read_file(path)
    assert parsed.kind == "999"
    assert isinstance(parsed.value, FunctionalAck)
    return parsed.value


def ack_of(body: str) -> FunctionalAck:
    (parsed,) = parse_text(ENVELOPE.format(body=body))
    assert isinstance(parsed.value, FunctionalAck)
    return parsed.value


def test_rejected_dmg(test_data: Path) -> None:
    assert only_ack(test_data / "999" / "rejected-dmg.999") == FunctionalAck(
        control_number="0001",
        implementation="005010X231A1",
        group=GroupResponse("HC", "101", "005010X222A1"),
        transaction_sets=(
            SetResponse(
                code="837",
                control_number="0001",
                implementation="005010X222A1",
                segment_errors=(
                    SegmentError(
                        segment_id="DMG",
                        position=17,
                        loop_id="2010",
                        error=Coded("8", "Segment has data element errors"),
                        contexts=(Context("CLM01", "CB1001", "", None, "", None, ()),),
                        element_errors=(
                            ElementError(
                                position=ElementPosition(3, None, None),
                                data_element="1068",
                                error=Coded("7", "Invalid code value"),
                                bad_value="X",
                                contexts=(),
                            ),
                        ),
                    ),
                ),
                result=SetResult(REJECTED, (Coded("5", "One or more segments in error"),)),
            ),
        ),
        result=GroupResult(REJECTED, included=1, received=1, accepted=0, errors=()),
    )


def test_accepted_two_sets(test_data: Path) -> None:
    ack = only_ack(test_data / "999" / "accepted-two-sets.999")
    assert [(s.control_number, s.accepted) for s in ack.transaction_sets] == [
        ("0001", True),
        ("0002", True),
    ]
    assert all(s.segment_errors == () for s in ack.transaction_sets)
    assert ack.result == GroupResult(Coded("A", "Accepted"), 2, 2, 2, ())
    assert ack.group == GroupResponse("HC", "102", "005010X222A1")


def test_partially_accepted_keeps_every_context_and_position(test_data: Path) -> None:
    ack = only_ack(test_data / "999" / "partially-accepted.999")
    first, second, third = ack.transaction_sets
    assert first.accepted and third.accepted and not second.accepted
    assert third.result.acknowledgment == Coded("E", "Accepted but errors were noted")
    sv1, ref = second.segment_errors
    assert (sv1.segment_id, sv1.position, sv1.loop_id) == ("SV1", 24, "2400")
    assert sv1.contexts == (Context("CLM01", "CB1002", "", None, "", None, ()),)
    pointer, pattern = sv1.element_errors
    assert pointer == ElementError(
        ElementPosition(1, 2, None), "235", Coded("7", "Invalid code value"), "XX", ()
    )
    assert pattern.position == ElementPosition(7, 1, 2)
    assert pattern.error == Coded("I12", "Implementation pattern match failure")
    assert pattern.bad_value == ""
    assert pattern.contexts == (
        Context("SITUATIONAL TRIGGER", "", "CLM", 20, "", ElementPosition(5, 3, None), ("1325",)),
    )
    assert ref.error == Coded("I4", 'Implementation "not used" segment present')
    assert ref.element_errors == ()
    assert second.result.errors == (
        Coded("5", "One or more segments in error"),
        Coded("I5", "Implementation one or more segments in error"),
    )
    assert ack.result.acknowledgment == Coded(
        "P", "Partially accepted, at least one transaction set was rejected"
    )
    assert (ack.result.included, ack.result.received, ack.result.accepted) == (3, 3, 2)
    assert ack.response_for("0002") is second
    assert ack.response_for("0009") is None


def test_group_rejected_without_set_loops(test_data: Path) -> None:
    ack = only_ack(test_data / "999" / "group-rejected.999")
    assert ack.transaction_sets == ()
    assert ack.result == GroupResult(
        REJECTED,
        included=2,
        received=1,
        accepted=0,
        errors=(
            Coded("5", "Number of included transaction sets does not match actual count"),
            Coded(
                "4",
                "Group control number in the functional group header and trailer do not agree",
            ),
        ),
    )


def test_context_between_ik3_and_ik4_belongs_to_the_segment(samples_dir: Path) -> None:
    ack = only_ack(samples_dir / "999" / "oopfactory__DHS_Wisconsin_Sample.txt")
    assert [s.control_number for s in ack.transaction_sets] == ["0001", "002", "0003"]
    assert [s.implementation for s in ack.transaction_sets] == ["", "", ""]
    (clm,) = ack.transaction_sets[1].segment_errors
    assert clm.contexts == (Context("CLM01", "123456789", "", None, "", None, ()),)
    assert [(e.data_element, e.error.code) for e in clm.element_errors] == [("782", "1")]
    (ref,) = ack.transaction_sets[2].segment_errors
    trigger, business_unit = ref.contexts
    assert trigger == Context(
        "SITUATIONAL TRIGGER", "", "CLM", 43, "", ElementPosition(5, 3, None), ("C023", "1325")
    )
    assert business_unit.reference == "987654321"
    assert ack.result.acknowledgment.code == "P"


def test_unknown_codes_keep_the_code() -> None:
    ack = ack_of("AK1*HC*1*005010X222A1~AK2*837*0001~IK3*NM1*3**Z9~IK5*R*99~AK9*R*1*1*0~")
    (segment_error,) = ack.transaction_sets[0].segment_errors
    assert segment_error.error == Coded("Z9", None)
    assert ack.transaction_sets[0].result.errors == (Coded("99", None),)


def test_json_shape(test_data: Path) -> None:
    (parsed,) = read_file(test_data / "999" / "rejected-dmg.999")
    shape = parsed.to_json()
    json.dumps(shape)
    assert shape["type"] == "999"
    assert shape["envelope"]["transaction_control_number"] == "0001"
    assert shape["group"] == {
        "functional_id": "HC",
        "control_number": "101",
        "version": "005010X222A1",
    }
    assert shape["result"] == {
        "acknowledgment": {"code": "R", "meaning": "Rejected"},
        "included": 1,
        "received": 1,
        "accepted": 0,
        "errors": [],
    }
    assert shape["transaction_sets"] == [
        {
            "code": "837",
            "control_number": "0001",
            "implementation": "005010X222A1",
            "segment_errors": [
                {
                    "segment_id": "DMG",
                    "position": 17,
                    "loop_id": "2010",
                    "error": {"code": "8", "meaning": "Segment has data element errors"},
                    "contexts": [
                        {
                            "name": "CLM01",
                            "reference": "CB1001",
                            "segment_id": "",
                            "segment_position": None,
                            "loop_id": "",
                            "element_position": None,
                            "element_reference": [],
                        }
                    ],
                    "element_errors": [
                        {
                            "position": {"element": 3, "component": None, "repeat": None},
                            "data_element": "1068",
                            "error": {"code": "7", "meaning": "Invalid code value"},
                            "bad_value": "X",
                            "contexts": [],
                        }
                    ],
                }
            ],
            "result": {
                "acknowledgment": {"code": "R", "meaning": "Rejected"},
                "errors": [{"code": "5", "meaning": "One or more segments in error"}],
            },
            "accepted": False,
        }
    ]


@pytest.mark.parametrize(
    ("body", "message", "position"),
    [
        ("AK1*HC*1*X~AK2*837*0001~AK9*R*1*1*0~", "IK5 is missing", 5),
        ("AK1*HC*1*X~AK2*837*0001~IK5*A~", "AK9 is missing", 3),
        ("AK2*837*0001~IK5*A~AK9*A*1*1*1~", "AK1 is missing", 3),
        ("AK1*HC*1*X~AK1*HC*1*X~AK9*A*0*0*0~", "AK1 appears 2 times", 5),
        ("AK1*HC*1*X~IK3*CLM*5**8~AK9*R*1*1*0~", "IK3 must follow an AK2", 5),
        ("AK1*HC*1*X~AK2*837*1~IK4*2*782*1~IK5*R~AK9*R*1*1*0~", "IK4 must follow an IK3", 6),
        ("AK1*HC*1*X~AK5*A~AK9*A*1*1*1~", "AK5 is not a segment of a 999", 5),
        ("AK1*HC*1*X~AK2*837*1~IK3*CLM*X1~IK5*R~AK9*R*1*1*0~", "'X1' is not a number", 6),
        ("AK1*HC*1*X~AK2*837*1~IK3*CLM*5~IK4*A:1*1*1~IK5*R~AK9*R*1*1*0~", "not a position", 7),
        ("AK1*HC*1*X~AK9*A*1.5*1*1~", "not a whole number", 5),
        ("AK1*HC*1*X~AK9*A**1*1~", "AK902 is required", 5),
    ],
)
def test_broken_999s_name_the_place(body: str, message: str, position: int) -> None:
    with pytest.raises(X12SyntaxError, match=message) as caught:
        ack_of(body)
    assert caught.value.segment_position == position


HUGE = "1E+99999999"  # 300 bytes of 999 once hung every reader for days (int() of it)


@pytest.mark.parametrize(
    ("body", "segment", "element"),
    [
        (f"AK1*HC*1*005010X222A1~AK9*A*{HUGE}*1*1~", "AK9", 2),
        (f"AK1*HC*1*005010X222A1~AK9*A*1*{HUGE}*1~", "AK9", 3),
        (f"AK1*HC*1*005010X222A1~AK9*A*1*1*{HUGE}~", "AK9", 4),
        (
            f"AK1*HC*1*005010X222A1~AK2*837*0001~IK3*CLM*{HUGE}*2300*8~IK5*R*5~AK9*R*1*1*0~",
            "IK3",
            2,
        ),
        (
            "AK1*HC*1*005010X222A1~AK2*837*0001~IK3*CLM*22*2300*8~"
            f"CTX*SITUATIONAL TRIGGER*CLM*{HUGE}~IK5*R*5~AK9*R*1*1*0~",
            "CTX",
            3,
        ),
    ],
)
def test_a_number_beyond_x12s_range_is_refused_at_once_naming_its_element(
    body: str, segment: str, element: int
) -> None:
    with pytest.raises(X12SyntaxError) as caught:
        list(parse_text(ENVELOPE.format(body=body)))
    assert (caught.value.segment_id, caught.value.element_position) == (segment, element)
    assert "out of range" in str(caught.value)
