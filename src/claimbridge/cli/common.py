"""What every command shares: turning ``ClaimbridgeError`` into a message and an exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from claimbridge.errors import ClaimbridgeError

P = ParamSpec("P")
R = TypeVar("R")

err_console = Console(stderr=True, highlight=False)


def report_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command``; a ``ClaimbridgeError`` prints ``error: …`` and exits with its code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ClaimbridgeError as error:
            err_console.print(f"[bold red]error:[/] {error}", markup=True, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None

    return wrapper
