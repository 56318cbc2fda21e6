"""Reading a JSON object field by field, collecting every problem with its JSON path.

``Node`` wraps one JSON object and the path that leads to it (``patients[2].policies[0]``).
Its readers record a problem and return a placeholder instead of raising, so one pass finds
every problem in a file; a caller refuses the whole file when ``Problems`` is not empty, which
means a placeholder never leaves the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from claimbridge.domain.money import to_money, to_units
from claimbridge.errors import InputError

Check = Callable[[str], str | None]
PLACEHOLDER_DATE = date(1, 1, 1)


@dataclass
class Problems:
    """Every problem found so far, each as 'path: message'."""

    items: list[str] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        """Record ``message`` about the value at ``path``."""
        self.items.append(f"{path}: {message}" if path else message)

    def __bool__(self) -> bool:
        return bool(self.items)


def refusal(problems: list[str]) -> InputError:
    """One ``InputError`` that lists every problem and says nothing was written."""
    noun = "problem" if len(problems) == 1 else "problems"
    summary = "\n  ".join(problems)
    return InputError(
        f"refused, nothing written; {len(problems)} {noun}:\n  {summary}",
        problems=tuple(problems),
    )


def at_most(length: int) -> Check:
    """A check that text is no longer than ``length`` characters."""
    return lambda text: f"is longer than {length} characters" if len(text) > length else None


def join(path: str, key: str) -> str:
    """The path of ``key`` inside the object at ``path``."""
    return f"{path}.{key}" if path else key


@dataclass
class Node:
    """One JSON object at ``path``; readers take a key and record problems in ``problems``."""

    data: dict[str, Any]
    path: str
    problems: Problems

    def at(self, key: str) -> str:
        """The path of ``key`` in this object."""
        return join(self.path, key)

    def has(self, key: str) -> bool:
        """True when ``key`` is present, not null and not blank text."""
        value = self.data.get(key)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def _required(self, key: str) -> bool:
        """True when ``key`` is there; else records that it is required."""
        if self.has(key):
            return True
        self.problems.add(self.at(key), "is required")
        return False

    def allow_only(self, *keys: str) -> None:
        """Record every key of this object that is not one of ``keys``."""
        for key in self.data:
            if key not in keys:
                self.problems.add(self.at(key), "unknown field")

    def text(self, key: str, check: Check | None = None) -> str:
        """A required text field, stripped, checked with ``check``; '' when wrong."""
        if not self._required(key):
            return ""
        return self.optional_text(key, check) or ""

    def optional_text(self, key: str, check: Check | None = None) -> str | None:
        """An optional text field ('' reads as absent), checked with ``check``."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problems.add(self.at(key), "must be text")
            return None
        value = value.strip()
        problem = check(value) if check and value else None
        if problem:
            self.problems.add(self.at(key), problem)
            return None
        return value or None

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        """A text field that must be one of ``choices``; ``default`` when absent."""
        if not self.has(key) and default is not None:
            return default
        value = self.text(key)
        if value and value not in choices:
            self.problems.add(self.at(key), f"{value!r} is not one of {', '.join(choices)}")
        return value if value in choices else choices[0]

    def required_date(self, key: str) -> date:
        """A required ISO date (YYYY-MM-DD) that exists in the calendar."""
        if not self._required(key):
            return PLACEHOLDER_DATE
        return self.optional_date(key) or PLACEHOLDER_DATE

    def optional_date(self, key: str) -> date | None:
        """An optional ISO date."""
        text = self.optional_text(key)
        if text is None:
            return None
        return parse_date(text, self.at(key), self.problems)

    def flag(self, key: str, default: bool | None = None) -> bool:
        """A true/false field; required when ``default`` is None."""
        value = self.data.get(key)
        if value is None:
            if default is None:
                self.problems.add(self.at(key), "is required")
            return bool(default)
        if not isinstance(value, bool):
            self.problems.add(self.at(key), "must be true or false")
            return False
        return value

    def integer(self, key: str, low: int, high: int, default: int | None = None) -> int:
        """A whole number from ``low`` to ``high``; required when ``default`` is None."""
        value = self.data.get(key)
        if value is None and default is not None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(self.at(key), "is required" if value is None else "must be a number")
            return low
        if not low <= value <= high:
            self.problems.add(self.at(key), f"{value} is out of range ({low}–{high})")
        return value

    def money(self, key: str) -> Decimal:
        """A required amount (text like "120.50" or "$1,095.00"), at most two decimals."""
        return self._decimal(key, to_money)

    def units(self, key: str) -> Decimal:
        """A required positive quantity, at most three decimals."""
        return self._decimal(key, to_units)

    def _decimal(self, key: str, read: Callable[[object], Decimal]) -> Decimal:
        value = self.data.get(key)
        if value is None:
            self.problems.add(self.at(key), "is required")
            return Decimal(0)
        try:
            return read(value)
        except ValueError as problem:
            self.problems.add(self.at(key), str(problem))
            return Decimal(0)

    def child(self, key: str, required: bool = True) -> Node | None:
        """The object under ``key``; None (with a problem when required) when absent."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.add(self.at(key), "is required")
            return None
        if not isinstance(value, dict):
            self.problems.add(self.at(key), "must be an object")
            return None
        return Node(value, self.at(key), self.problems)

    def children(self, key: str, required: bool = True) -> Iterator[Node]:
        """The objects of the list under ``key``, each with its indexed path."""
        for path, value in self.elements(key, required):
            if isinstance(value, dict):
                yield Node(value, path, self.problems)
            else:
                self.problems.add(path, "must be an object")

    def elements(self, key: str, required: bool = True) -> Iterator[tuple[str, Any]]:
        """(path, value) for each element of the list under ``key``."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.add(self.at(key), "is required")
            return
        if not isinstance(value, list):
            self.problems.add(self.at(key), "must be a list")
            return
        for index, element in enumerate(value):
            yield f"{self.at(key)}[{index}]", element


def parse_date(text: str, path: str, problems: Problems) -> date | None:
    """``text`` as an ISO date, or None with a problem recorded at ``path``."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        problems.add(path, f"{text!r} is not a date (YYYY-MM-DD)")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.add(path, f"{text!r} is not a real date")
        return None
