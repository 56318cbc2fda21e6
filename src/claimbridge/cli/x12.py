"""``claimbridge x12 …``: look inside X12 files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from claimbridge.cli.common import report_errors
from claimbridge.x12.reader import read_file

app = typer.Typer(help="Read, check and convert X12 files.", no_args_is_help=True)

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
