"""Insert-or-update by natural key, touching a row only when a value really differs.

This is what makes loading the same file twice change nothing: an unchanged row is not
written at all, and ``Tally`` counts what was added, changed and left alone per kind, and
which corrections made in claimbridge a load kept over the file or forgot
(``store.corrections``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.store.corrections import Correction, Kept
from claimbridge.store.tables import Base

RowT = TypeVar("RowT", bound=Base)


@dataclass
class Tally:
    """How many rows of each kind were added, changed or already as given."""

    added: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    kept: list[Correction] = field(default_factory=list)
    forgotten: list[Correction] = field(default_factory=list)

    @property
    def writes(self) -> int:
        """Rows added or changed."""
        return sum(self.added.values()) + sum(self.changed.values())

    def count(self, kind: str, outcome: str) -> None:
        """Record one row of ``kind`` with ``outcome`` ('added', 'changed', 'unchanged')."""
        getattr(self, outcome)[kind] += 1

    def note(self, kept: Kept) -> None:
        """Record the corrections one record kept over the file, and those it forgot."""
        self.kept.extend(kept.kept)
        self.forgotten.extend(kept.forgotten)

    def lines(self) -> list[str]:
        """One line per kind: 'payers: 1 added, 2 changed, 2 unchanged'; then the corrections
        kept (one indented line each) and forgotten."""
        kinds = dict.fromkeys([*self.added, *self.changed, *self.unchanged])
        counts = [
            f"{kind}: {self.added[kind]} added, {self.changed[kind]} changed, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        ]
        return counts + self._kept_lines() + self._forgotten_lines()

    def _kept_lines(self) -> list[str]:
        if not self.kept:
            return []
        one = len(self.kept) == 1
        head = (
            f"kept {len(self.kept)} correction{'' if one else 's'} made in claimbridge; the file "
            f"has {'another value' if one else 'other values'}, correct "
            f"{'it' if one else 'them'} in the EHR:"
        )
        return [head, *(f"  {correction}" for correction in self.kept)]

    def _forgotten_lines(self) -> list[str]:
        if not self.forgotten:
            return []
        one = len(self.forgotten) == 1
        head = (
            f"the file now has {len(self.forgotten)} correction{'' if one else 's'} made in "
            "claimbridge, no longer kept over later files:"
        )
        return [head, *(f"  {correction}" for correction in self.forgotten)]


def assign(row: Base, values: dict[str, Any]) -> bool:
    """Set each differing attribute of ``row`` from ``values``; True when any differed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def find(session: Session, model: type[RowT], key: dict[str, Any]) -> RowT | None:
    """The row of ``model`` with ``key``, if there is one."""
    conditions = [getattr(model, name) == value for name, value in key.items()]
    return session.scalars(select(model).where(*conditions)).one_or_none()


def upsert(
    session: Session, model: type[RowT], key: dict[str, Any], values: dict[str, Any]
) -> tuple[RowT, str]:
    """The row of ``model`` with ``key``, created or updated to ``values``, and what happened."""
    return upsert_found(session, model, key, find(session, model, key), values)


def upsert_found(
    session: Session, model: type[RowT], key: dict[str, Any], row: RowT | None,
    values: dict[str, Any],
) -> tuple[RowT, str]:  # fmt: skip
    """As ``upsert``, with ``row`` the one ``find`` gave for ``key`` (None: not there)."""
    if row is None:
        row = model(**key, **values)
        session.add(row)
        session.flush()
        return row, "added"
    return row, "changed" if assign(row, values) else "unchanged"
