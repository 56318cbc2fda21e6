"""How every command prints a table: the same light style, and no cell ever cut short.

Rich fits a table to 80 columns, or to the terminal, by cutting cells with an ellipsis: a claim's
charge printed as ``233.…`` or a file name as ``OATEST_837P_…``. Here a table keeps its
identifiers, dates and money whole. Only the columns named as free text (a detail, a result)
wrap, at their words, to fit a terminal; a table that still does not fit is printed wider than
the terminal. Anywhere else (a pipe, a file, a log) every row is one line, whole, for ``grep``
and for people reading a log afterwards.
"""

from __future__ import annotations

from collections.abc import Collection

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

UNBOUNDED = 1_000_000  # columns: wider than any table, so that measuring finds its full width


def print_table(console: Console, table: Table, *, wrap: Collection[str] = ()) -> None:
    """Print ``table`` whole; the columns whose headers are in ``wrap`` may wrap at words."""
    table.box = box.SIMPLE_HEAD
    table.show_edge = False
    table.pad_edge = False
    table.collapse_padding = True
    options = console.options.update_width(UNBOUNDED)
    for column in table.columns:
        if str(column.header) in wrap:
            column.overflow = "fold"  # a word longer than the column folds, never ends in "…"
            continue
        column.no_wrap = True
        cells = [column.header, *column.cells]
        column.min_width = max(Measurement.get(console, options, cell).maximum for cell in cells)
    measured = Measurement.get(console, options, table)
    table.width = max(console.width, measured.minimum) if console.is_terminal else measured.maximum
    console.print(table, crop=False)
