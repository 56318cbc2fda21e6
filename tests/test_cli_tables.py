"""``cli.tables.print_table``: no command's table cuts a claim number, a file name or an amount."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from claimbridge.cli.tables import print_table

REASON = "the payer has no record of this subscriber ID for the date of service"
ROWS = [
    ("CB000003S", "OATEST_837P_847291635_B12_20261207T190706.txt", "12345.67", REASON),
    ("CB000001", "FS_HCFA_310000002_IN_C.txt", "233.00", "accepted"),
]


def _table() -> Table:
    table = Table("CLM01", "file")
    table.add_column("charge", justify="right")
    table.add_column("why")
    for row in ROWS:
        table.add_row(*row)
    return table


def _printed(terminal: bool, width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=width, color_system=None)
    print_table(console, _table(), wrap={"why"})
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_off_a_terminal_each_row_is_one_whole_line_however_narrow_the_console() -> None:
    lines = _printed(terminal=False, width=40)
    for row in ROWS:
        [line] = [line for line in lines if line.startswith(row[0] + " ")]
        assert tuple(line.split(None, 3)) == row
    assert not any("…" in line for line in lines)


def test_in_a_terminal_free_text_wraps_to_fit_and_the_rest_stays_whole() -> None:
    lines = _printed(terminal=True, width=110)
    assert max(len(line) for line in lines) <= 110
    [first] = [line for line in lines if line.startswith("CB000003S ")]
    assert first.split()[:3] == list(ROWS[0][:3])
    assert not any(REASON in line for line in lines)  # wrapped over lines ...
    why_at = lines[0].index("why")
    assert " ".join(line[why_at:].strip() for line in lines[2:-1]) == REASON  # ... word by word
    assert not any("…" in line for line in lines)


def test_in_a_terminal_too_narrow_for_the_whole_columns_they_stay_whole_and_lines_grow() -> None:
    lines = _printed(terminal=True, width=30)
    [first] = [line for line in lines if line.startswith("CB000003S ")]
    assert first.split()[:3] == list(ROWS[0][:3])
    assert not any("…" in line for line in lines)
