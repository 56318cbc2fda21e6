"""What every command shares: turning ``ClaimbridgeError`` into a message and an exit code."""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer

from claimbridge.errors import ClaimbridgeError

P = ParamSpec("P")
R = TypeVar("R")

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def err_console() -> Console:
    """The console for errors, on stderr; made (and rich imported) when first needed."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def report_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command``; a ``ClaimbridgeError`` prints ``error: …`` and exits with its code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ClaimbridgeError as error:
            err_console().print(f"[bold red]error:[/] {error}", markup=True, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None

    return wrapper


def actor() -> str:
    """Who runs the command, as events record it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
