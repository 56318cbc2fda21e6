from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from claimbridge.errors import X12ValidationError
from claimbridge.x12.delimiters import Delimiters
from claimbridge.x12.envelope import TransactionSet, iter_envelopes
from claimbridge.x12.envelope_build import (
    InterchangeParams,
    TransactionBody,
    build_interchange,
    format_amount,
    format_segment,
    st_control_number,
)
from claimbridge.x12.tokenizer import parse_segments
from claimbridge.x12.validate import validate_text

PARAMS = InterchangeParams(
    sender_id="330897513",
    receiver_id="847291635",
    interchange_control_number=42,
    group_control_number=7,
    created=datetime(2026, 11, 3, 14, 5),
    functional_id="FA",
    version="005010X231A1",
)


def ack_body(number: int) -> TransactionBody:
    segments = [("AK1", "HC", "101", "005010X222A1"), ("AK9", "A", "1", "1", "1")]
    return TransactionBody("999", st_control_number(number), "005010X231A1", segments)


def test_counts_and_control_numbers_match_their_trailers() -> None:
    text = build_interchange(PARAMS, [ack_body(1), ack_body(2)])
    segments = list(parse_segments(text))
    ids = [s.id for s in segments]
    assert ids[:2] == ["ISA", "GS"] and ids[-2:] == ["GE", "IEA"]
    assert segments[0].element(13) == "000000042" == segments[-1].element(2)
    assert segments[1].element(6) == "7" == segments[-2].element(2)
    assert segments[-2].element(1) == "2"
    assert segments[-1].element(1) == "1"
    se = [s for s in segments if s.id == "SE"]
    assert [s.element(1) for s in se] == ["4", "4"]
    assert [s.element(2) for s in se] == ["0001", "0002"]
    assert validate_text(text).is_clean


def test_isa_is_fixed_width_and_dates_come_from_params() -> None:
    text = build_interchange(PARAMS, [ack_body(1)])
    isa = text[: text.index("~") + 1]
    assert len(isa) == 106
    assert isa[3] == "*" and isa[82] == "^" and isa[104] == ":" and isa[105] == "~"
    found = next(iter_envelopes(parse_segments(text)))
    assert isinstance(found, TransactionSet)
    assert (found.interchange.date, found.interchange.time) == ("261103", "1405")
    assert (found.group.date, found.group.functional_id) == ("20261103", "FA")
    assert found.interchange.sender_id == "330897513"


def test_other_delimiters_are_used_everywhere() -> None:
    params = InterchangeParams(**{**_fields(PARAMS), "delimiters": Delimiters("|", "!", ">", "\n")})
    text = build_interchange(params, [ack_body(1)])
    assert "*" not in text and "~" not in text
    found = next(iter_envelopes(parse_segments(text)))
    assert isinstance(found, TransactionSet)
    assert [s.id for s in found.segments] == ["ST", "AK1", "AK9", "SE"]


def _fields(params: InterchangeParams) -> dict[str, object]:
    return {name: getattr(params, name) for name in params.__dataclass_fields__}


def test_trailing_empty_elements_and_components_are_dropped() -> None:
    delimiters = Delimiters()
    assert format_segment(("SVC", ("HC", "99213", "", ""), "100", "", ""), delimiters) == (
        "SVC*HC:99213*100~"
    )
    assert format_segment(("NM1", "QC", "1", "", "", "X"), delimiters) == "NM1*QC*1***X~"


def test_a_value_holding_a_delimiter_is_refused() -> None:
    with pytest.raises(X12ValidationError, match="NM103 holds the delimiter"):
        format_segment(("NM1", "QC", "1", "SMITH*JONES"), Delimiters())
    with pytest.raises(X12ValidationError, match="SVC01"):
        format_segment(("SVC", ("HC", "99:213")), Delimiters())


def test_an_isa_id_longer_than_fifteen_is_refused() -> None:
    params = InterchangeParams(**{**_fields(PARAMS), "sender_id": "X" * 16})
    with pytest.raises(X12ValidationError, match="ISA06"):
        build_interchange(params, [ack_body(1)])


@pytest.mark.parametrize(
    ("value", "text"),
    [("80.00", "80"), ("52.50", "52.5"), ("-2.50", "-2.5"), ("0.00", "0"), ("100", "100"),
     ("1E+3", "1000"), ("-0.00", "0"), ("0.125", "0.125")],
)  # fmt: skip
def test_amounts_are_written_plainly(value: str, text: str) -> None:
    assert format_amount(Decimal(value)) == text
    assert Decimal(text) == Decimal(value)
