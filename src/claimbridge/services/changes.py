"""What applying one returned file changes, gathered and then written in bulk.

Every reader of a returned file (TA1, 999, 277CA, Office Ally's reports, 835) finds our claims
with ``ClaimIndex`` and proposes status changes to a ``Changes``; ``Changes.write`` hands them
to ``ClaimRepository.move_many`` (the status path that records an event for each change) and
``note_many``. A move to the status a claim already has is dropped; a move the state machine
does not allow (e.g. a late 277CA for a claim already paid) is kept as a note saying so.
Several moves of one claim in one file follow each other (a reversal, then its correction).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.status import ClaimStatus, can_move
from claimbridge.store import tables as t
from claimbridge.store.repositories import ClaimRepository, Move, utcnow

ACTOR = "ingest"
NOTE_EVENT = "note"
Item = TypeVar("Item")
CHUNK = 900  # ids per IN (…) list: under SQLite's old 999-variable limit


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """A claim as the appliers need it."""

    id: int
    clm01: str
    status: ClaimStatus
    payer_id: int
    billing_npi: str


def chunks(items: Sequence[Item], size: int = CHUNK) -> Iterator[list[Item]]:
    """``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


_COLUMNS = (
    t.ClaimRow.id,
    t.ClaimRow.clm01,
    t.ClaimRow.status,
    t.ClaimRow.payer_id,
    t.ClaimRow.billing_npi,
)


def _ref(found: Iterable[object]) -> ClaimRef:
    claim_id, clm01, status, payer_id, npi = found
    return ClaimRef(claim_id, clm01, ClaimStatus(status), payer_id, npi)  # type: ignore[arg-type]


class ClaimIndex:
    """Our claims by CLM01, looked up in chunks; Office Ally's 14-character cut is matched too."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.found: dict[str, ClaimRef] = {}

    def load(self, clm01s: Iterable[str]) -> dict[str, ClaimRef]:
        """Look up every CLM01 not yet known; returns the whole index."""
        wanted = sorted({c for c in clm01s if c and c not in self.found})
        for part in chunks(wanted):
            query = select(*_COLUMNS).where(t.ClaimRow.clm01.in_(part))
            for row in self.session.execute(query):
                ref = _ref(row)
                self.found[ref.clm01] = ref
        return self.found

    def get(self, clm01: str) -> ClaimRef | None:
        """The claim ``clm01`` names: exactly, else the one claim it is a 14-character cut of."""
        self.load([clm01])
        if clm01 in self.found or len(clm01) != 14:
            return self.found.get(clm01)
        query = select(*_COLUMNS).where(t.ClaimRow.clm01.startswith(clm01, autoescape=True))
        rows = self.session.execute(query.limit(2)).all()
        return _ref(rows[0]) if len(rows) == 1 else None

    def of_ids(self, claim_ids: Iterable[int]) -> list[ClaimRef]:
        """The claims with these ids, by id."""
        refs: list[ClaimRef] = []
        for part in chunks(sorted(set(claim_ids))):
            query = select(*_COLUMNS).where(t.ClaimRow.id.in_(part)).order_by(t.ClaimRow.id)
            refs += [_ref(row) for row in self.session.execute(query)]
        return refs


@dataclass
class Changes:
    """Status changes and notes gathered while applying one file."""

    inbound_file_id: int | None  # None: a paper EOB a person entered
    moves: list[Move] = field(default_factory=list)
    notes: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # by event kind
    current: dict[int, ClaimStatus] = field(default_factory=dict)
    written: int = 0
    actor: str = ACTOR  # who the events name: ingest, or the person who posted by hand

    def status_of(self, claim: ClaimRef) -> ClaimStatus:
        """The claim's status with the moves gathered so far."""
        return self.current.get(claim.id, claim.status)

    def propose(self, claim: ClaimRef, target: ClaimStatus, why: str) -> bool:
        """Move ``claim`` to ``target`` if allowed; True when it moves (or already is there)."""
        current = self.status_of(claim)
        if current is target and target is not ClaimStatus.PAID:
            return True
        if not can_move(current, target):
            self.note(claim, f"stays {current.value} (not {target.value}): {why}")
            return False
        self.moves.append(Move(claim.id, current, target, why))
        self.current[claim.id] = target
        return True

    def note(self, claim: ClaimRef, why: str, what: str = NOTE_EVENT) -> None:
        """An event that changes no status; ``what`` names its kind on the timeline."""
        self.notes.setdefault(what, []).append((claim.id, why))

    def write(self, session: Session) -> None:
        """Write the gathered moves and notes, and start gathering afresh.

        Large files write after each chunk, so memory stays flat; claims read after a write
        see the statuses written.
        """
        repository = ClaimRepository(session)
        repository.move_many(self.moves, self.actor, self.inbound_file_id)
        for what, notes in self.notes.items():
            repository.note_many(notes, what, self.actor, self.inbound_file_id)
        self.written += len(self.moves)
        self.moves, self.notes, self.current = [], {}, {}

    @property
    def moved(self) -> int:
        """How many status changes were gathered, written or not."""
        return self.written + len(self.moves)


def add_acknowledgments(
    session: Session, rows: Sequence[dict[str, object]], inbound_file_id: int | None
) -> None:
    """Insert acknowledgment rows (kind, batch_id, claim_id, control_number, code, detail)."""
    assert inbound_file_id is not None, "acknowledgments come in a returned file"
    if rows:
        extra = {"created_at": utcnow(), "inbound_file_id": inbound_file_id}
        table = t.Base.metadata.tables["acknowledgments"]
        session.execute(table.insert(), [{**row, **extra} for row in rows])
