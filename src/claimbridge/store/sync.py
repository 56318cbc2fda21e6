"""Insert-or-update by natural key, touching a row only when a value really differs.

This is what makes loading the same file twice change nothing: an unchanged row is not
written at all, and ``Tally`` counts what was added, changed and left alone per kind.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.store.tables import Base

RowT = TypeVar("RowT", bound=Base)


@dataclass
class Tally:
    """How many rows of each kind were added, changed or already as given."""

    added: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def writes(self) -> int:
        """Rows added or changed."""
        return sum(self.added.values()) + sum(self.changed.values())

    def count(self, kind: str, outcome: str) -> None:
        """Record one row of ``kind`` with ``outcome`` ('added', 'changed', 'unchanged')."""
        getattr(self, outcome)[kind] += 1

    def lines(self) -> list[str]:
        """One line per kind: 'payers: 1 added, 2 changed, 2 unchanged'."""
        kinds = dict.fromkeys([*self.added, *self.changed, *self.unchanged])
        return [
            f"{kind}: {self.added[kind]} added, {self.changed[kind]} changed, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        ]


def assign(row: Base, values: dict[str, Any]) -> bool:
    """Set each differing attribute of ``row`` from ``values``; True when any differed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def upsert(
    session: Session, model: type[RowT], key: dict[str, Any], values: dict[str, Any]
) -> tuple[RowT, str]:
    """The row of ``model`` with ``key``, created or updated to ``values``, and what happened."""
    conditions = [getattr(model, name) == value for name, value in key.items()]
    row = session.scalars(select(model).where(*conditions)).one_or_none()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        session.flush()
        return row, "added"
    return row, "changed" if assign(row, values) else "unchanged"
