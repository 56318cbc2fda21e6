"""``claimbridge x12 …``: look inside X12 files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from claimbridge.cli.common import err_console, report_errors
from claimbridge.errors import ClaimbridgeError
from claimbridge.x12.reader import read_file

if TYPE_CHECKING:
    from rich.text import Text

    from claimbridge.x12.problems import Problem
    from claimbridge.x12.validate import ValidationReport

app = typer.Typer(help="Read, check and convert X12 files.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add ``x12 …`` to the ``claimbridge`` command."""
    root.add_typer(app, name="x12")


FileArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="An X12 file.")
]


@app.command("json")
@report_errors
def json_command(path: FileArgument) -> None:
    """Print the parsed file as JSON: one object per transaction set (or TA1).

    Money is a string ("120.50"), dates are ISO. Example:

        claimbridge x12 json outbound/1234_ERA_835_5010_20261120.835
    """
    out = sys.stdout
    out.write("[")
    for index, parsed in enumerate(read_file(path)):
        out.write(",\n" if index else "\n")
        out.write(json.dumps(parsed.to_json(), indent=2))
    out.write("\n]\n")


UNREADABLE_EXIT_CODE = 2


@app.command("validate")
@report_errors
def validate_command(
    path: FileArgument,
    office_ally: Annotated[
        bool, typer.Option("--office-ally", help="Also check Office Ally's rules for 837P uploads.")
    ] = False,
    pyx12: Annotated[
        bool,
        typer.Option(
            "--pyx12",
            help="Have pyx12 (a development dependency) check the implementation guide "
            "instead of claimbridge's guide tables; about 50 times slower.",
        ),
    ] = False,
    no_guide: Annotated[
        bool,
        typer.Option(
            "--no-guide",
            help="Skip the implementation-guide checks: envelopes, HL tree, required segments "
            "and sums only.",
        ),
    ] = False,
) -> None:
    """Check an X12 file: envelopes, HL tree, required segments, sums, implementation guide.

    The implementation guide (loops, segments, elements, code lists, syntax rules) is checked
    with claimbridge's tables for 837P, 835, 999 and 277CA. Prints one line per problem, then a
    summary.

    Exit codes: 0 no error, 1 errors found, 2 the file cannot be read as X12.

    Example:

        claimbridge x12 validate --office-ally outbound/837P_batch_0042.txt
    """
    # Imported here, not at the top: `x12 json` starts without them.
    from rich.console import Console
    from rich.text import Text

    from claimbridge.x12.validate import GuideChecker, validate_file

    if pyx12 and no_guide:
        err_console().print("error: --pyx12 and --no-guide exclude each other", soft_wrap=True)
        raise typer.Exit(UNREADABLE_EXIT_CODE)
    guide: GuideChecker = "pyx12" if pyx12 else "none" if no_guide else "claimbridge"
    try:
        report = validate_file(path, office_ally=office_ally, guide=guide)
    except ClaimbridgeError as error:  # exit 1 is kept for problems found in a readable file
        message = Text.assemble(("error:", "bold red"), f" cannot read {path}: {error}")
        err_console().print(message, soft_wrap=True)
        raise typer.Exit(UNREADABLE_EXIT_CODE) from None
    console = Console(highlight=False, soft_wrap=True)
    for problem in report.problems:
        console.print(_problem_line(problem))
    console.print(_summary(report, path))
    raise typer.Exit(0 if report.is_clean else 1)


def _problem_line(problem: Problem) -> Text:
    from rich.text import Text

    colour = "red" if problem.is_error else "yellow"
    return Text.assemble(
        (problem.where(), "bold"),
        ": ",
        (problem.severity, colour),
        ": ",
        problem.message,
        (f" [{problem.source}]", "dim"),
    )


_GUIDE_SUMMARY = {
    "claimbridge": "implementation guide checked",
    "pyx12": "pyx12 checked the implementation guide",
    "none": "implementation guide not checked",
}


def _summary(report: ValidationReport, path: Path) -> Text:
    from rich.text import Text

    errors, warnings = len(report.errors), len(report.warnings)
    verdict = ("clean", "bold green") if report.is_clean else ("not clean", "bold red")
    counted = (
        f"{report.interchanges} interchange(s), {report.groups} group(s), "
        f"{report.transaction_sets} transaction set(s), {report.segments} segment(s)"
    )
    guide = _GUIDE_SUMMARY[report.guide_checked_by]
    return Text.assemble(
        f"{path}: ", verdict, f": {errors} error(s), {warnings} warning(s) in {counted}; {guide}"
    )
