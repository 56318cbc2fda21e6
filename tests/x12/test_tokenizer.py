from __future__ import annotations

from pathlib import Path

import pytest

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.delimiters import Delimiters, read_delimiters
from claimbridge.x12.tokenizer import iter_segments, parse_segments, read_segments

pytestmark = pytest.mark.usefixtures("reading_loops")  # the C loops and the Python ones

ISA = (
    "ISA*00*          *00*          *ZZ*123456789      *ZZ*330897513      "
    "*250301*1200*^*00501*000000101*0*P*:~"
)
BODY = "GS*HC*123456789*OA*20250301*1200*101*X*005010X222A1~ST*837*0001*005010X222A1~SE*2*0001~"
TAIL = "GE*1*101~IEA*1*000000101~"
TEXT = ISA + BODY + TAIL


def ids(text: str) -> list[str]:
    return [s.id for s in parse_segments(text)]


def test_reads_delimiters_from_the_isa() -> None:
    assert read_delimiters(TEXT) == Delimiters("*", "^", ":", "~")


def test_other_delimiters_are_read_not_assumed() -> None:
    text = TEXT.replace("*", "|").replace("~", "\n").replace(":\n", "}\n", 1)
    segments = list(parse_segments(text))
    assert [s.id for s in segments] == ["ISA", "GS", "ST", "SE", "GE", "IEA"]
    assert segments[0].fields[16] == "}"
    assert segments[1].element(8) == "005010X222A1"


def test_isa11_code_means_no_repetition_separator() -> None:
    assert read_delimiters(TEXT.replace("*^*", "*U*")).repetition == ""


def test_byte_order_mark_whitespace_and_crlf_are_skipped() -> None:
    pretty = "\ufeff\r\n  " + TEXT.replace("~", "~\r\n    ")
    assert ids(pretty) == ["ISA", "GS", "ST", "SE", "GE", "IEA"]


def test_positions_are_one_based_in_file_order() -> None:
    assert [s.position for s in parse_segments(TEXT)] == [1, 2, 3, 4, 5, 6]


def test_elements_by_guide_number() -> None:
    gs = list(parse_segments(TEXT))[1]
    assert gs.element(1) == "HC"
    assert gs.element(6) == "101"
    assert gs.element(40) == ""


def test_chunks_may_split_anywhere() -> None:
    whole = list(parse_segments(TEXT))
    for size in (1, 2, 7, 106, 107, 500):
        chunks = [TEXT[i : i + size] for i in range(0, len(TEXT), size)]
        assert list(iter_segments(chunks)) == whole


def test_reads_a_file_in_small_chunks(tmp_path: Path) -> None:
    path = tmp_path / "a.837"
    path.write_bytes(("\ufeff" + TEXT).encode())
    assert list(read_segments(path, chunk_size=5)) == list(parse_segments(TEXT))


def test_last_segment_without_terminator_is_kept() -> None:
    assert ids(TEXT.rstrip("~"))[-1] == "IEA"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \r\n", "empty"),
        ("GS*HC~", "does not start with an ISA"),
        ("ISA*00*    *00", "truncated"),
        (TEXT.replace("ST*837", "st*837"), "not a segment id"),
    ],
)
def test_broken_text_gives_a_syntax_error(text: str, message: str) -> None:
    with pytest.raises(X12SyntaxError, match=message):
        list(parse_segments(text))


def test_error_names_the_segment_position() -> None:
    with pytest.raises(X12SyntaxError) as caught:
        list(parse_segments(TEXT.replace("SE*2", "S E*2")))
    assert caught.value.segment_position == 4
    assert "segment 4" in str(caught.value)


def test_a_later_isa_with_other_delimiters_is_refused() -> None:
    second = (ISA + BODY + TAIL).replace("*:~", "*>~", 1)
    with pytest.raises(X12SyntaxError, match="other delimiters"):
        list(parse_segments(TEXT + second))


def test_one_character_for_two_delimiters_is_refused() -> None:
    with pytest.raises(X12SyntaxError, match="two delimiters"):
        list(parse_segments(TEXT.replace("*:~", "*^~", 1)))
