"""``claimbridge demo``: show what claimbridge does, end to end, on synthetic data."""

from __future__ import annotations

from rich.console import Console

from claimbridge.cli.common import report_errors


@report_errors
def demo() -> None:
    """Run the demonstration on synthetic data. Example:

    claimbridge demo
    """
    console = Console()
    console.print("claimbridge demo: the X12 layer reads TA1, 999, 277CA, 835 and 837P files.")
