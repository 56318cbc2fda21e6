from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.reader import parse_text, read_file
from claimbridge.x12.ta1 import Coded, InterchangeAck

ISA = (
    "ISA*00*          *01*SECRETPASS*ZZ*330897513      *ZZ*123456789      "
    "*250301*1205*^*00501*000000900*0*P*:~"
)


def only_ack(path: Path) -> InterchangeAck:
    (parsed,) = read_file(path)
    assert parsed.kind == "TA1"
    assert isinstance(parsed.value, InterchangeAck)
    return parsed.value


def ack_of(ta1: str) -> InterchangeAck:
    (parsed,) = parse_text(ISA + ta1 + "IEA*0*000000900~")
    assert isinstance(parsed.value, InterchangeAck)
    return parsed.value


def test_rejected_interchange(test_data: Path) -> None:
    ack = only_ack(test_data / "ta1" / "rejected-interchange.ta1")
    assert ack.control_number == "000000101"
    assert ack.interchange_date == date(2025, 3, 1)
    assert ack.interchange_date_text == "250301"
    assert ack.interchange_time == "1200"
    assert ack.acknowledgment == Coded(
        "R", "Interchange rejected because of errors; nothing in it was processed"
    )
    assert ack.note == Coded("006", "Invalid interchange sender ID")
    assert not ack.accepted
    assert ack.interchange.sender_id == "330897513"
    assert ack.interchange.control_number == "000000900"
    assert ack.position == 2


def test_accepted_interchange(test_data: Path) -> None:
    ack = only_ack(test_data / "ta1" / "accepted-interchange.ta1")
    assert (ack.control_number, ack.acknowledgment.code, ack.note.code) == ("000000102", "A", "000")
    assert ack.note.meaning == "No error"
    assert ack.interchange_date == date(2025, 3, 2)
    assert ack.accepted


def test_duplicate_control_number(test_data: Path) -> None:
    ack = only_ack(test_data / "ta1" / "duplicate-control-number.ta1")
    assert ack.note == Coded("025", "Duplicate interchange control number")
    assert not ack.accepted


def test_accepted_with_errors_counts_as_accepted() -> None:
    ack = ack_of("TA1*000000101*250301*1200*E*020~")
    assert ack.accepted
    assert ack.note == Coded("020", "Invalid test indicator value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20110922", date(2011, 9, 22)),  # CCYYMMDD, as one public sample writes it
        ("110922", date(2011, 9, 22)),
        ("250231", None),  # not a real day
        ("2501", None),
        ("", None),
    ],
)
def test_interchange_date_forms(text: str, expected: date | None) -> None:
    ack = ack_of(f"TA1*000000101*{text}*1200*A*000~")
    assert ack.interchange_date == expected
    assert ack.interchange_date_text == text


def test_unknown_note_code_keeps_the_code() -> None:
    assert ack_of("TA1*000000101*250301*1200*R*099~").note == Coded("099", None)


def test_missing_acknowledgment_code_is_an_error() -> None:
    with pytest.raises(X12SyntaxError, match="TA104") as caught:
        ack_of("TA1*000000101*250301*1200~")
    assert caught.value.segment_position == 2


def test_json_shape_leaves_out_isa_secrets(test_data: Path) -> None:
    (parsed,) = read_file(test_data / "ta1" / "rejected-interchange.ta1")
    shape = parsed.to_json()
    assert shape["type"] == "TA1"
    assert {k: v for k, v in shape.items() if k not in ("interchange", "envelope")} == {
        "type": "TA1",
        "control_number": "000000101",
        "interchange_date": "2025-03-01",
        "interchange_date_text": "250301",
        "interchange_time": "1200",
        "acknowledgment": {
            "code": "R",
            "meaning": "Interchange rejected because of errors; nothing in it was processed",
        },
        "note": {"code": "006", "meaning": "Invalid interchange sender ID"},
        "accepted": False,
    }
    assert shape["interchange"]["sender_id"] == "330897513"
    assert "authorization" not in shape["interchange"]
    assert "security" not in shape["interchange"]
    json.dumps(shape)


def test_json_never_carries_the_security_value() -> None:
    (parsed,) = parse_text(ISA + "TA1*000000101*250301*1200*A*000~IEA*0*000000900~")
    assert "SECRETPASS" not in json.dumps(parsed.to_json())
