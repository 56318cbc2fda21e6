"""docs/cli.md's "Every command" table: every command is in it, each link leads somewhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from claimbridge.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"
ROW = re.compile(r"^\| `([a-z0-9 -]+)` \| (.+) \| \[[^]]+\]\(([^)]+)\) \|$")


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every command under ``group`` (a click group, as Typer builds it), by its full name."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group of subcommands
            found |= _commands(command, (*prefix, name))
        else:
            found[" ".join((*prefix, name))] = command
    return found


def _table() -> dict[str, tuple[str, str]]:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = text.split("\n## Every command\n", 1)[1].split("\n## ", 1)[0]
    rows = [ROW.match(line) for line in section.splitlines() if line.startswith("| `")]
    assert all(rows), [line for line in section.splitlines() if line.startswith("| `")]
    return {row[1]: (row[2], row[3]) for row in rows if row}


def _anchors(page: Path) -> set[str]:
    """The anchors a Markdown renderer gives the page's headings (GitHub's rule)."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_every_command_is_in_the_table_and_the_table_names_no_other() -> None:
    assert sorted(_table()) == sorted(_commands(typer.main.get_group(app)))


def test_each_row_says_what_its_help_says_first() -> None:
    for name, command in _commands(typer.main.get_group(app)).items():
        first = " ".join((command.help or "").split("\n\n")[0].split()).removesuffix(" Example:")
        said = _table()[name][0]
        # the page may mark code with backquotes where the help quotes it or leaves it plain
        assert _plain(said) == _plain(first), name


def _plain(text: str) -> str:
    return text.replace("`", "").replace("'", "")


def test_every_link_of_the_table_leads_to_a_page_and_a_heading() -> None:
    for name, (_, link) in _table().items():
        page, _, anchor = link.partition("#")
        target = (DOCS / page) if page else DOCS / "cli.md"
        assert target.is_file(), f"{name}: {link}"
        if anchor:
            assert anchor in _anchors(target), f"{name}: no heading for #{anchor} in {target.name}"
