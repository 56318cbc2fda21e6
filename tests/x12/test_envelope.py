from __future__ import annotations

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.envelope import Ta1, TransactionSet, iter_envelopes
from claimbridge.x12.tokenizer import parse_segments

pytestmark = pytest.mark.usefixtures("reading_loops")  # the C loops and the Python ones

ISA = (
    "ISA*00*          *00*          *ZZ*123456789      *ZZ*330897513      "
    "*250301*1200*^*00501*000000101*0*P*:~"
)


def transaction(number: str) -> str:
    return f"ST*837*{number}*005010X222A1~BHT*0019*00*X*20250301*1200*CH~SE*3*{number}~"


def envelopes(text: str) -> list[object]:
    return list(iter_envelopes(parse_segments(text)))


def test_groups_transactions_with_their_envelope() -> None:
    text = (
        ISA
        + "GS*HC*S*OA*20250301*1200*101*X*005010X222A1~"
        + transaction("0001")
        + transaction("0002")
        + "GE*2*101~IEA*1*000000101~"
    )
    found = envelopes(text)
    assert [t.control_number for t in found if isinstance(t, TransactionSet)] == ["0001", "0002"]
    first = found[0]
    assert isinstance(first, TransactionSet)
    assert first.interchange.receiver_id == "330897513"
    assert first.interchange.component_separator == ":"
    assert first.group.control_number == "101"
    assert first.implementation == "005010X222A1"
    assert [s.id for s in first.segments] == ["ST", "BHT", "SE"]


def test_several_interchanges_and_groups() -> None:
    one = ISA + "GS*HC*S*OA*1*1*1*X*V~" + transaction("0001") + "GE*1*1~IEA*1*000000101~"
    text = one + one.replace("000000101", "000000102")
    found = envelopes(text)
    assert [t.interchange.control_number for t in found] == ["000000101", "000000102"]


def test_ta1_is_yielded_with_its_interchange() -> None:
    found = envelopes(ISA + "TA1*000000101*250301*1200*R*006~IEA*0*000000101~")
    assert len(found) == 1 and isinstance(found[0], Ta1)
    assert found[0].segment.element(4) == "R"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ISA + "GS*HC*S*OA*1*1*1*X*V~ST*837*1~BHT*1~", "SE is missing"),
        (ISA + "ST*837*1~SE*2*1~", "GS is missing"),
        (ISA + "GS*HC*S*OA*1*1*1*X*V~CLM*1~", "outside a transaction set"),
        (ISA + "GS*HC*S*OA*1*1*1*X*V~ST*837*1~GE*1*1~", "its SE is missing"),
    ],
)
def test_broken_envelopes_name_the_place(text: str, message: str) -> None:
    with pytest.raises(X12SyntaxError, match=message):
        envelopes(text)
