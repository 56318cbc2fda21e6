"""One verdict on a file from ``sniff``, ``x12 json``, ``x12 validate`` and ingest: the group
around a transaction set must fit it, whatever the reader refuses ``validate`` reports at the
same segment, an 835 that ingest would hold is not clean, and the envelope's own rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.errors import X12Error, X12SyntaxError
from claimbridge.x12.problems import Problem
from claimbridge.x12.reader import parse_text, read_file
from claimbridge.x12.sniff import FileKind, sniff_bytes
from claimbridge.x12.validate import validate_file, validate_text
from support import SAMPLES, TEST_DATA

runner = CliRunner()


def _text(name: str) -> str:
    return (TEST_DATA / name).read_text()


def _errors(text: str) -> list[Problem]:
    return list(validate_text(text, guide="none").errors)


# --- the group must fit its transaction set --------------------------------------------------


def test_an_835_inside_a_claims_group_is_refused_by_every_command(tmp_path: Path) -> None:
    text = _text("835/multi-transaction.835").replace("GS*HP*", "GS*HC*")
    assert sniff_bytes(text.encode()) is FileKind.X835  # named by its ST, as the reader does
    with pytest.raises(X12SyntaxError, match="GS01 'HC' does not fit ST01 '835'") as refused:
        list(parse_text(text))
    assert (refused.value.segment_id, refused.value.element_position) == ("GS", 1)
    [error] = [p for p in _errors(text) if p.element == "GS01"]
    assert error.segment_position == 2 and error.segment_id == "GS"
    path = tmp_path / "hc.835"
    path.write_text(text)
    result = runner.invoke(app, ["x12", "json", str(path)])
    assert result.exit_code == 1 and "does not fit ST01" in result.output
    result = runner.invoke(app, ["x12", "validate", str(path)])
    assert result.exit_code == 1 and "GS01 'HC' does not fit ST01 '835'" in result.output


def test_an_837_inside_a_payment_group_is_named_an_837p_and_refused() -> None:
    text = _text("837p/office-ally-two-claims.837").replace("GS*HC*", "GS*HP*")
    assert sniff_bytes(text.encode()) is FileKind.X837P
    with pytest.raises(X12SyntaxError, match="GS01 'HP' does not fit ST01 '837'"):
        list(parse_text(text))
    assert [p.element for p in _errors(text)] == ["GS01"]


def test_st03_must_repeat_gs08() -> None:
    text = _text("837p/office-ally-two-claims.837").replace(
        "ST*837*0001*005010X222A1~", "ST*837*0001*005010X222A2~"
    )
    with pytest.raises(X12SyntaxError, match="ST03 '005010X222A2' differs from GS08"):
        list(parse_text(text))
    [error] = _errors(text)
    assert (error.segment_position, error.element) == (3, "ST03")


# --- what the reader refuses, validate reports -------------------------------------------------


def test_validate_reports_the_readers_refusal_at_the_same_segment() -> None:
    # CTX03 (the segment's position) must be a number: the reader refuses it at the CTX
    text = _text("999/rejected-dmg.999").replace("CTX*CLM01:CB1001~", "CTX*CLM01:CB1001**X~")
    with pytest.raises(X12SyntaxError) as refused:
        list(parse_text(text))
    [error] = _errors(text)
    assert error.segment_position == refused.value.segment_position == 7
    assert error.segment_id == "CTX" and error.message == refused.value.message


def test_an_835_ingest_would_hold_is_not_clean() -> None:
    text = _text("835/multi-transaction.835").replace("BPR*C*45*", "BPR*C*545*")
    [error] = _errors(text)
    assert (error.segment_id, error.element) == ("BPR", "BPR02")
    assert "BPR02 is 545.00" in error.message and "holds such an ERA" in error.message
    assert _errors(_text("835/multi-transaction.835")) == []


def test_a_claim_that_does_not_balance_is_a_warning() -> None:
    text = _text("835/multi-transaction.835").replace("CAS*PR*2*15~", "CAS*PR*2*10~", 1)
    report = validate_text(text, guide="none")
    assert report.is_clean  # ingest posts it as sent, with a note on the claim
    assert {(w.segment_id, w.element) for w in report.warnings} == {
        ("SVC", "SVC03"),
        ("CLP", "CLP04"),
    }


# --- the interchange header ----------------------------------------------------------------------


def test_an_isa_that_is_not_106_characters_is_an_error() -> None:
    text = _text("999/rejected-dmg.999")
    short = text.replace("*ZZ*330897513      *", "*ZZ*330897513*", 1)
    [error] = _errors(short)
    assert error.segment_id == "ISA"
    assert "the ISA is 100 characters, not 106" in error.message
    assert "ISA06 has 9 (it takes 15)" in error.message


def test_an_interchange_control_number_used_twice_is_an_error() -> None:
    text = _text("999/rejected-dmg.999").replace("~\n", "~")
    twice = text + text
    [error] = _errors(twice)
    assert (error.segment_position, error.element) == (14, "ISA13")
    assert "used already by the ISA at segment 1" in error.message


# --- smaller readings --------------------------------------------------------------------------


def test_a_00401_ta1_names_isa11_the_standards_identifier() -> None:
    text = _text("ta1/accepted-interchange.ta1")
    old = text.replace("*^*00501*", "*U*00401*")
    [ta1] = parse_text(old)
    isa = ta1.to_json()["interchange"]
    assert isa["standards_identifier"] == "U" and "repetition_separator" not in isa
    [ta1] = parse_text(text)
    assert ta1.to_json()["interchange"]["repetition_separator"] == "^"


def test_repeated_ctx01_is_one_context_each() -> None:
    text = _text("999/rejected-dmg.999").replace(
        "CTX*CLM01:CB1001~", "CTX*CLM01:CB1001^SITUATIONAL TRIGGER:X~"
    )
    [ack] = parse_text(text)
    [context_a, context_b] = ack.value.transaction_sets[0].segment_errors[0].contexts
    assert (context_a.name, context_a.reference) == ("CLM01", "CB1001")
    assert (context_b.name, context_b.reference) == ("SITUATIONAL TRIGGER", "X")


def test_an_837p_line_without_its_date_is_read_with_the_claims_date_and_a_warning() -> None:
    text = _text("837p/office-ally-two-claims.837")
    missing = text.replace(
        "SV1*HC:87880*50*UN*1***1~\nDTP*472*D8*20250225~", "SV1*HC:87880*50*UN*1***1~"
    )
    missing = missing.replace("SE*48*0001~", "SE*47*0001~")
    [parsed] = parse_text(missing)
    claim = parsed.value.batch.claims[0]
    assert claim.lines[1].service_date.isoformat() == "2025-02-25"
    [warning] = claim.warnings
    assert "segment 27 LX: the service line has no service date (DTP*472)" in warning
    assert "the date of the claim's other lines, 20250225" in warning
    assert parsed.to_json()["batch"]["claims"][0]["warnings"] == [warning]
    [error] = _errors(missing)  # the guide still requires it: validate says so
    assert "no DTP*472 service date" in error.message
    alone = missing.replace("DTP*472*D8*20250225~\nREF*6R*CB1001-1~", "REF*6R*CB1001-1~")
    alone = alone.replace("SE*47*0001~", "SE*46*0001~")
    with pytest.raises(X12SyntaxError, match="no service date"):
        list(parse_text(alone))


def _every_sample() -> list[str]:
    names = sorted(f"{p.parent.name}/{p.name}" for p in SAMPLES.glob("*/*") if p.is_file())
    return [name for name in names if name != "SOURCES.md"] or ["(samples missing)"]


@pytest.mark.parametrize("name", _every_sample())
def test_a_sample_the_reader_refuses_is_not_clean(samples_dir: Path, name: str) -> None:
    path = samples_dir / name
    try:
        for parsed in read_file(path):
            parsed.to_json()
    except X12Error as refused:
        try:
            report = validate_file(path, guide="none")
        except X12Error:
            return  # not X12 at all: validate exits 2, json and import refuse it too
        assert report.errors, f"{name} is refused by the reader ({refused}) but validates clean"
