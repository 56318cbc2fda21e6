"""A report's CSV opens in a spreadsheet as text and numbers, never as formulas."""

from __future__ import annotations

import csv
import io

import pytest

from claimbridge.services.reports import Report, spreadsheet_safe


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("-20.00", "-20.00"),  # a negative amount stays a number
        ("-7", "-7"),
        ("NGUYEN, HAROLD", "NGUYEN, HAROLD"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_quoted(cell: str, written: str) -> None:
    assert spreadsheet_safe(cell) == written


def test_the_csv_quotes_formulas_in_rows_and_keeps_the_headers() -> None:
    report = Report("t", "Test", ("patient", "balance"), (("=1+1", "-5.00"), ("DOE", "3.00")))
    rows = list(csv.reader(io.StringIO(report.to_csv())))
    assert rows == [["patient", "balance"], ["'=1+1", "-5.00"], ["DOE", "3.00"]]
