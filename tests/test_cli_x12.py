"""``claimbridge x12 validate``: what it prints and its exit codes 0, 1 and 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.x12.igcheck import pyx12_available
from support import need

CLEAN_NAME = "837p/office-ally-two-claims.837"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def clean_file(test_data: Path) -> Path:
    return test_data / CLEAN_NAME


@pytest.fixture
def wrong_se_count(tmp_path: Path, clean_file: Path) -> Path:
    path = tmp_path / "wrong-se-count.837"
    path.write_text(clean_file.read_text().replace("SE*48*0001~", "SE*47*0001~"))
    return path


def test_clean_file_exits_0(runner: CliRunner, clean_file: Path) -> None:
    result = runner.invoke(app, ["x12", "validate", "--office-ally", str(clean_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1
    assert ": clean: 0 error(s), 0 warning(s) in 1 interchange(s)" in result.stdout
    assert "52 segment(s); implementation guide checked" in result.stdout
    skipped = runner.invoke(app, ["x12", "validate", "--no-guide", str(clean_file)])
    assert "52 segment(s); implementation guide not checked" in skipped.stdout


def test_problems_print_one_line_each_and_exit_1(runner: CliRunner, wrong_se_count: Path) -> None:
    result = runner.invoke(app, ["x12", "validate", "--no-guide", str(wrong_se_count)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "segment 50 SE SE01: error: SE01 says 47 segments from ST to SE, but there are 48 "
        "[claimbridge]"
    )
    assert "not clean: 1 error(s), 0 warning(s)" in lines[-1]
    assert len(lines) == 2


def test_pyx12_problems_appear_beside_ours(runner: CliRunner, wrong_se_count: Path) -> None:
    need(pyx12_available(), "pyx12 4.0.0 is not installed")
    result = runner.invoke(app, ["x12", "validate", "--pyx12", str(wrong_se_count)])
    assert result.exit_code == 1, result.output
    assert "segment 50 SE: error: SE count of 47 for SE02=0001 is wrong. I count 48 [pyx12]" in (
        result.stdout
    )
    assert "2 error(s)" in result.stdout
    assert "pyx12 checked the implementation guide" in result.stdout


def test_office_ally_flag_adds_its_rules(
    runner: CliRunner, tmp_path: Path, clean_file: Path
) -> None:
    path = tmp_path / "other-receiver.837"
    path.write_text(clean_file.read_text().replace("*ZZ*330897513      *", "*ZZ*999999999      *"))
    plain = runner.invoke(app, ["x12", "validate", str(path)])
    assert plain.exit_code == 0, plain.output
    strict = runner.invoke(app, ["x12", "validate", "--office-ally", str(path)])
    assert strict.exit_code == 1, strict.output
    assert strict.stdout.startswith("segment 1 ISA ISA08: error: ISA08 '999999999      ' must be")


@pytest.mark.parametrize(
    "content",
    [b"", b"not X12 at all\n", b"GS*HC*A*B*20250301*1200*1*X*005010X222A1~", b"ISA*00*short~"],
)
def test_a_file_that_is_not_x12_exits_2(runner: CliRunner, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.837"
    path.write_bytes(content)
    result = runner.invoke(app, ["x12", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert f"cannot read {path}: segment 1" in result.stderr


def test_a_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["x12", "validate", str(tmp_path / "missing.837")])
    assert result.exit_code == 2


def test_help_ends_with_an_example(runner: CliRunner) -> None:
    result = runner.invoke(app, ["x12", "validate", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert all(flag in result.stdout for flag in ("--office-ally", "--pyx12", "--no-guide"))
    description = result.stdout.split("Arguments")[0].rstrip(" \n│╭─")
    assert description.rstrip().endswith(
        "claimbridge x12 validate --office-ally outbound/837P_batch_0042.txt"
    )


def test_an_unreadable_file_says_error_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "garbage.837"
    path.write_bytes(b"not X12 at all\n")
    result = runner.invoke(app, ["x12", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: cannot read {path}: ")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("SE*48*0001~", f"SE*{'4' * 5000}*0001~"),  # a count of 5,000 digits
        ("GE*1*101~", f"GE*1*{'1' * 5000}~"),  # a control number of 5,000 digits
        ("HL*1**20*1~", f"HL*{'9' * 5000}**20*1~"),
    ],
)
def test_numbers_of_thousands_of_digits_are_problems_not_tracebacks(
    runner: CliRunner, tmp_path: Path, clean_file: Path, old: str, new: str
) -> None:
    path = tmp_path / "long-number.837"
    path.write_text(clean_file.read_text().replace(old, new))
    result = runner.invoke(app, ["x12", "validate", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert ": error: " in result.stdout and "not clean" in result.stdout


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("999/partially-accepted.999", "AK9*P*", "AK9*P*1E+99999999*"),
        ("835/paid-and-denied-with-plb.835", "BPR*", "BPR*C*1E+99999999*"),
        ("837p/office-ally-two-claims.837", "SE*48*", f"SE*{'4' * 5000}*"),
    ],
)
def test_x12_json_says_error_for_numbers_out_of_range(
    runner: CliRunner, test_data: Path, tmp_path: Path, name: str, old: str, new: str
) -> None:
    path = tmp_path / "out-of-range.x12"
    text = (test_data / name).read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    result = runner.invoke(app, ["x12", "json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code:  # refused: one error line, nothing half-written on stdout
        assert result.stderr.startswith("error: ") and "Traceback" not in result.output
    else:  # a count is not read by x12 json: the file converts
        assert result.stdout.startswith("[")
