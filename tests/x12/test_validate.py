"""Structural checks and the pyx12 adapter: each rule catches a fault planted in a clean 837P."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from claimbridge.errors import ConfigError, InputError, X12SyntaxError
from claimbridge.x12 import validate as validate_module
from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.problems import Problem
from claimbridge.x12.validate import ValidationReport, validate_file, validate_text
from support import need

CLEAN_NAME = "837p/office-ally-two-claims.837"
SE_POSITION = 50  # the SE of the clean file: 52 segments, SE is the third from last


@pytest.fixture
def clean_text(test_data: Path) -> str:
    """A synthetic 837P in Office Ally's envelope: two subscribers, a dependent, three lines."""
    return (test_data / CLEAN_NAME).read_text().replace("~\n", "~")


def planted(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def ours(report: ValidationReport) -> list[Problem]:
    return [p for p in report.problems if p.source == "claimbridge"]


def check(text: str, *, office_ally: bool = False) -> list[Problem]:
    return ours(validate_text(text, office_ally=office_ally, guide="none"))


def need_pyx12() -> None:
    need(pyx12_available(), "pyx12 4.0.0 is not installed (pip install -e '.[dev]')")


# --- the clean file ------------------------------------------------------------------------------


def test_clean_837p_passes_our_checks_and_office_ally_rules(clean_text: str) -> None:
    report = validate_text(clean_text, office_ally=True, guide="none")
    assert report.problems == ()
    assert report.is_clean
    assert report.guide_checked_by == "none"
    assert (report.interchanges, report.groups, report.transaction_sets) == (1, 1, 1)
    assert report.segments == 52


def test_clean_837p_passes_pyx12(clean_text: str) -> None:
    need_pyx12()
    report = validate_text(clean_text, office_ally=True, guide="pyx12")
    assert report.guide_checked_by == "pyx12"
    assert report.problems == ()
    assert pyx12_problems(clean_text) == []


def test_validate_file_reads_the_same_as_validate_text(test_data: Path, clean_text: str) -> None:
    broken = planted(clean_text, "SE*48*0001~", "SE*47*0001~")
    path = test_data / CLEAN_NAME
    assert validate_file(path, guide="none") == validate_text(clean_text, guide="none")
    assert validate_file(path, guide="none").is_clean
    assert not validate_text(broken, guide="none").is_clean


# --- envelope ------------------------------------------------------------------------------------

ENVELOPE_FAULTS = [
    ("SE*48*0001~", "SE*47*0001~", SE_POSITION, "SE01", "says 47 segments"),
    ("SE*48*0001~", "SE*48*0002~", SE_POSITION, "SE02", "differs from ST02 '0001'"),
    ("GE*1*101~", "GE*2*101~", 51, "GE01", "says 2 transaction sets"),
    ("GE*1*101~", "GE*1*102~", 51, "GE02", "differs from GS06 '101'"),
    ("IEA*1*000000101~", "IEA*2*000000101~", 52, "IEA01", "says 2 functional groups"),
    ("IEA*1*000000101~", "IEA*1*000000102~", 52, "IEA02", "differs from ISA13 '000000101'"),
    ("SE*48*0001~", "SE*4B*0001~", SE_POSITION, "SE01", "'4B' is not a count"),
    ("SE*48*0001~", "SE*4²*0001~", SE_POSITION, "SE01", "'4²' is not a count"),
    ("IEA*1*000000101~", "IEA*1*00000010¹~", 52, "IEA02", "differs from ISA13 '000000101'"),
    # 5,000 digits were a ValueError from int() (Python refuses over 4,300) and a traceback
    ("SE*48*0001~", f"SE*{'4' * 5000}*0001~", SE_POSITION, "SE01", "not a count of at most 18"),
    ("GE*1*101~", f"GE*1*{'1' * 5000}~", 51, "GE02", "differs from GS06 '101'"),
]


@pytest.mark.parametrize(("old", "new", "position", "element", "words"), ENVELOPE_FAULTS)
def test_envelope_counts_and_control_numbers(
    clean_text: str, old: str, new: str, position: int, element: str, words: str
) -> None:
    problems = check(planted(clean_text, old, new))
    assert [(p.segment_position, p.element) for p in problems] == [(position, element)]
    assert words in problems[0].message
    assert problems[0].severity == "error"


def test_control_numbers_compare_as_numbers(clean_text: str) -> None:
    assert check(planted(clean_text, "GE*1*101~", "GE*1*0101~")) == []


def test_an_hl01_of_thousands_of_digits_is_named_not_a_traceback(clean_text: str) -> None:
    text = planted(clean_text, "HL*1**20*1~", f"HL*{'9' * 5000}**20*1~")
    assert "HL01" in {p.element for p in check(text)}


def test_st02_must_be_unique_in_its_group(clean_text: str) -> None:
    body = clean_text[clean_text.index("ST*837") : clean_text.index("GE*")]
    twice = planted(clean_text, body, body + body).replace("GE*1*101~", "GE*2*101~")
    problems = check(twice)
    assert [(p.segment_position, p.element) for p in problems] == [(51, "ST02")]
    assert "used already by the ST at segment 3" in problems[0].message


def test_missing_se_and_segments_outside_a_transaction(clean_text: str) -> None:
    problems = check(planted(clean_text, "SE*48*0001~", "REF*EI*1~"))
    assert any("GE comes inside transaction set '0001'" in p.message for p in problems)
    stray = check(planted(clean_text, "GE*1*101~", "REF*EI*1~GE*1*101~"))
    assert [(p.segment_id, p.segment_position) for p in stray] == [("REF", 51)]
    assert "outside a transaction set" in stray[0].message


def test_a_file_that_ends_early_reports_every_open_envelope(clean_text: str) -> None:
    cut = clean_text[: clean_text.index("SE*48")]
    messages = [p.message for p in check(cut)]
    assert any("SE is missing" in m for m in messages)
    assert any("GE is missing" in m for m in messages)
    assert any("IEA is missing" in m for m in messages)


# --- HL tree --------------------------------------------------------------------------------------

HL_FAULTS = [
    ("HL*4*3*23*0~", "HL*4*9*23*0~", "HL02", "names no HL before this one"),
    ("HL*4*3*23*0~", "HL*4*4*23*0~", "HL02", "names no HL before this one"),
    ("HL*4*3*23*0~", "HL*4*1*23*0~", "HL02", "cannot sit under HL 1"),
    ("HL*4*3*23*0~", "HL*5*3*23*0~", "HL01", "should be 4"),
    ("HL*4*3*23*0~", "HL*4*3*24*0~", "HL03", "'24' is not a level"),
    ("HL*4*3*23*0~", "HL*4*3*23*1~", "HL04", "HL04 is 1"),
    ("HL*4*3*23*0~", "HL*4**23*0~", "HL02", "needs a parent"),
]


@pytest.mark.parametrize(("old", "new", "element", "words"), HL_FAULTS)
def test_hl_structure(clean_text: str, old: str, new: str, element: str, words: str) -> None:
    problems = check(planted(clean_text, old, new))
    found = [p for p in problems if p.element == element]
    assert found, problems
    assert found[0].segment_position == 38
    assert words in found[0].message


def test_hl04_zero_with_children(clean_text: str) -> None:
    problems = check(planted(clean_text, "HL*3*1*22*1~", "HL*3*1*22*0~"))
    assert [(p.segment_position, p.element) for p in problems] == [(31, "HL04")]


# --- required segments, sums, pointers ------------------------------------------------------------

CLAIM_2 = (
    "CLM*CB1002*90.5***11:B:1*Y*A*Y*Y~HI*ABK:J069~LX*1~SV1*HC:99212*90.5*UN*1***1~"
    "DTP*472*D8*20250226~REF*6R*CB1002-1~"
)


def test_missing_clm_under_a_lowest_level(clean_text: str) -> None:
    problems = check(planted(clean_text, CLAIM_2, ""))
    missing = [p for p in problems if "CLM is missing" in p.message]
    assert [(p.segment_position, p.segment_id, p.loop) for p in missing] == [(38, "HL", "2000C")]


def test_claim_total_must_equal_the_sum_of_line_charges(clean_text: str) -> None:
    problems = check(planted(clean_text, "CLM*CB1001*150*", "CLM*CB1001*150.01*"))
    assert [(p.segment_position, p.element, p.loop) for p in problems] == [(21, "CLM02", "2300")]
    assert "150.01" in problems[0].message and "150" in problems[0].message
    assert check(planted(clean_text, "CLM*CB1001*150*", "CLM*CB1001*150.00*")) == []


def test_line_charge_that_is_not_an_amount(clean_text: str) -> None:
    problems = check(planted(clean_text, "SV1*HC:87880*50*", "SV1*HC:87880*5O*"))
    assert [(p.segment_position, p.element) for p in problems] == [(28, "SV102")]


@pytest.mark.parametrize(
    ("pointers", "bad"), [("1:3", "SV107-2"), ("0", "SV107-1"), ("A", "SV107-1")]
)
def test_diagnosis_pointer_beyond_the_hi_codes(clean_text: str, pointers: str, bad: str) -> None:
    problems = check(
        planted(clean_text, "SV1*HC:99213*100*UN*1***1:2~", f"SV1*HC:99213*100*UN*1***{pointers}~")
    )
    assert [(p.segment_position, p.element, p.loop) for p in problems] == [(24, bad, "2400")]
    assert "2 diagnosis code(s)" in problems[0].message


@pytest.mark.parametrize(
    ("removed", "position", "words"),
    [
        ("HI*ABK:J069~", 44, "no HI segment"),
        ("DTP*472*D8*20250226~", 46, "no DTP*472"),
        ("SV1*HC:99212*90.5*UN*1***1~", 46, "no SV1"),
        ("BHT*0019*00*CB0000101*20250301*1200*CH~", 3, "no BHT"),
        ("NM1*40*2*OFFICE ALLY*****46*330897513~", 3, "no NM1*40"),
        ("NM1*85*2*SUNNY PATH CLINIC*****XX*1234567893~", 8, "no NM1*85"),
        ("SBR*P**GRP200******CI~", 31, "no SBR"),
    ],
)
def test_required_segments(clean_text: str, removed: str, position: int, words: str) -> None:
    problems = check(planted(clean_text, removed, ""))
    found = [p for p in problems if words in p.message]
    assert [p.segment_position for p in found] == [position]


ISA_AB = (
    "ISA*00*          *00*          *ZZ*A              *ZZ*B              "
    "*250301*1200*^*00501*000000001*0*P*:~"
)


def one_set(gs: str, body: str) -> str:
    """An interchange holding one group with one transaction set of ``body`` (ST … SE)."""
    return f"{ISA_AB}{gs}~{body}GE*1*1~IEA*1*000000001~"


@pytest.mark.parametrize(
    ("gs", "body", "expected"),
    [
        (
            "GS*HP*A*B*20250301*1200*1*X*005010X221A1",
            "ST*835*1~TRN*1*X*1~LX*1~SE*4*1~",
            ["LX (header number) has no claim", "no BPR", "no N1*PR", "no N1*PE"],
        ),
        (
            "GS*FA*A*B*20250301*1200*1*X*005010X231A1",
            "ST*999*1*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*1~SE*4*1~",
            ["AK2 (transaction set response) has no IK5", "no AK9"],
        ),
        (
            "GS*HN*A*B*20250301*1200*1*X*005010X214",
            "ST*277*1*005010X214~HL*1**20*0~SE*3*1~",
            ["no BHT", "no HL level 21", "BHT is missing"],  # the last, the reader's refusal
        ),
    ],
)
def test_required_segments_of_the_returned_transactions(
    gs: str, body: str, expected: list[str]
) -> None:
    messages = [p.message for p in check(one_set(gs, body))]
    assert len(messages) == len(expected), messages
    for words in expected:
        assert [m for m in messages if words in m], (words, messages)


def test_277ca_levels_follow_source_receiver_provider_patient() -> None:
    body = "ST*277*1*005010X214~BHT*0085*08*1*20250301*1200*TH~HL*1**20*1~HL*2*1*21*1~HL*3*2*PT*0~"
    problems = check(one_set("GS*HN*A*B*20250301*1200*1*X*005010X214", body + "SE*6*1~"))
    assert [(p.segment_position, p.element, p.loop) for p in problems] == [(7, "HL02", "2000D")]
    assert "cannot sit under HL 2" in problems[0].message


# --- Office Ally ---------------------------------------------------------------------------------

ISA_RECEIVER = "*ZZ*330897513      *"


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        (ISA_RECEIVER, "*ZZ*999999999      *", "ISA08"),
        (ISA_RECEIVER, "*ZZ*      330897513*", "ISA08"),  # 15 wide, not left-justified
        (ISA_RECEIVER, "*01*330897513      *", "ISA07"),
        ("GS*HC*123456789*OA*", "GS*HC*123456789*OFFICEALLY*", "GS03"),
        (  # ST03 repeats GS08: an X222A2 file, which Office Ally does not take
            "*X*005010X222A1~ST*837*0001*005010X222A1~",
            "*X*005010X222A2~ST*837*0001*005010X222A2~",
            "GS08",
        ),
        ("NM1*40*2*OFFICE ALLY*****46*330897513~", "NM1*40*2*OFFICEALLY*****46*330897513~", None),
    ],
)
def test_office_ally_rules(clean_text: str, old: str, new: str, element: str | None) -> None:
    text = planted(clean_text, old, new)
    assert check(text) == [], "the file is still guide-valid without --office-ally"
    problems = check(text, office_ally=True)
    assert [p.element for p in problems] == [element]
    assert "Office Ally" in problems[0].message


def test_office_ally_takes_one_interchange_and_one_group(clean_text: str) -> None:
    twice = clean_text.strip() + "\n" + clean_text.replace("000000101", "000000102")
    messages = [p.message for p in check(twice, office_ally=True)]
    assert messages == [
        "Office Ally takes one interchange (ISA) per file",
        "Office Ally takes one functional group (GS) per file",
    ]
    assert check(twice) == []


def test_office_ally_takes_at_most_5000_transaction_sets(clean_text: str) -> None:
    start, end = clean_text.index("ST*837"), clean_text.index("GE*")
    body = clean_text[start:end]
    many = "".join(body.replace("*0001", f"*{n:04d}") for n in range(1, 5002))
    text = clean_text[:start] + many + clean_text[end:].replace("GE*1*", "GE*5001*")
    problems = check(text, office_ally=True)
    assert [p.message for p in problems] == [
        "Office Ally takes at most 5000 transaction sets per file"
    ]
    assert problems[0].segment_position == 2 + 5000 * 48 + 1


# --- unreadable input -----------------------------------------------------------------------------


def test_text_that_is_not_x12_raises_a_syntax_error() -> None:
    with pytest.raises(X12SyntaxError):
        validate_text("hello, this is not X12")
    with pytest.raises(X12SyntaxError):
        validate_text("")


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        validate_file(tmp_path / "missing.837")
    assert caught.value.path == str(tmp_path / "missing.837")


# --- pyx12 adapter --------------------------------------------------------------------------------


def test_pyx12_names_segment_loop_and_element(clean_text: str) -> None:
    need_pyx12()
    problems = pyx12_problems(planted(clean_text, "DMG*D8*19800115*F~", "DMG*D8*19800115*X~"))
    assert [(p.segment_position, p.segment_id, p.loop, p.element) for p in problems] == [
        (19, "DMG", "2010BA", "DMG03")
    ]
    assert problems[0].source == "pyx12"
    assert "Gender" in problems[0].message


def test_pyx12_missing_segment_is_placed_in_its_loop(clean_text: str) -> None:
    need_pyx12()
    text = planted(clean_text, "PER*IC*PAT BILLER*TE*5555550100~", "")
    missing = [p for p in pyx12_problems(text) if p.segment_id == "PER"]
    assert [(p.segment_position, p.loop) for p in missing] == [(6, "1000A")]


def test_pyx12_and_our_checks_both_report_into_one_sorted_list(clean_text: str) -> None:
    need_pyx12()
    report = validate_text(planted(clean_text, "SE*48*0001~", "SE*47*0001~"), guide="pyx12")
    assert {p.source for p in report.problems} == {"claimbridge", "pyx12"}
    assert {p.segment_position for p in report.problems} == {SE_POSITION}


def test_pyx12_reads_pretty_printed_text_with_a_bom(clean_text: str) -> None:
    need_pyx12()
    pretty = "\ufeff  " + clean_text.replace("~", "~\r\n    ")
    assert pyx12_problems(pretty) == []
    assert validate_text(pretty, guide="pyx12").problems == ()


def test_pyx12_cannot_open_a_short_isa(clean_text: str) -> None:
    need_pyx12()
    problems = pyx12_problems(planted(clean_text, "*ZZ*123456789      *", "*ZZ*123456789*"))
    assert [(p.segment_position, p.segment_id, p.severity) for p in problems] == [
        (1, "ISA", "error")
    ]
    assert "pyx12 cannot read the file" in problems[0].message


def test_pyx12_without_a_map_is_a_warning_not_an_error(clean_text: str) -> None:
    need_pyx12()
    text = clean_text.replace("005010X222A1", "005010X222A2")
    problems = pyx12_problems(text)
    assert [(p.severity, p.segment_position) for p in problems] == [("warning", None)]
    assert "Map not found" in problems[0].message
    assert validate_text(text, guide="pyx12").is_clean


def test_pyx12_logging_stays_quiet(
    clean_text: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    need_pyx12()
    caplog.set_level(logging.DEBUG)
    assert pyx12_problems(planted(clean_text, "SE*48*0001~", "SE*47*0001~"))
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")
    assert not [r for r in caplog.records if r.name.startswith("pyx12")]
    assert logging.getLogger("pyx12").level == logging.NOTSET


def test_without_pyx12_installed(clean_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("pyx12.errors", "pyx12.params", "pyx12.x12file", "pyx12.x12n_document"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(validate_module, "pyx12_available", pyx12_available)
    assert not pyx12_available()
    report = validate_text(clean_text, guide="pyx12")
    assert report.guide_checked_by == "none" and report.is_clean
    assert [p.severity for p in report.problems] == ["warning"]
    with pytest.raises(ConfigError):
        pyx12_problems(clean_text)
