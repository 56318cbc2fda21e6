"""What a biller does to several claims picked in the worklist at once: send them, send rejected
ones again, print them.

::

    refusal = submit_refusal(session, ["CB-1001", "CB-1002"])   # None: the Submit job may run
    done = resubmit_many(session, ["CB-1001", "CB-1002"], "dana", today)

Sending is the same background job as "Submit ready claims" (``services.jobs``), limited to the
selection: it sends those claims and no other. A selection with a claim that is not ready is
refused whole, in words that say what to do instead. Resubmitting sends each
rejected claim again as an original exactly as the claim page's Resubmit does
(``services.claims.resubmit``), each in its own savepoint: one that may not go is listed with
why, and the others still go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimbridgeError, InputError
from claimbridge.services.claims import Checked, Resubmission, resubmit
from claimbridge.store import tables as t
from claimbridge.store.bulk import among, chunks

MOST_SELECTED = 200  # the largest worklist page


@dataclass(frozen=True, slots=True)
class Resubmitted:
    """The claims sent again (scrubbed: ready, or held with why) and those refused, with why."""

    checked: tuple[Checked, ...]
    refused: tuple[str, ...]


def selection(clm01s: Sequence[str]) -> list[str]:
    """The selected claim numbers, once each, in order; ``InputError`` when there is none or
    more than ``MOST_SELECTED``."""
    picked = list(dict.fromkeys(c.strip() for c in clm01s if c.strip()))
    if not picked:
        raise InputError("select at least one claim first (the boxes in the first column)")
    if len(picked) > MOST_SELECTED:
        raise InputError(f"select at most {MOST_SELECTED} claims at once")
    return picked


def submit_refusal(session: Session, clm01s: Sequence[str]) -> str | None:
    """Why the Submit job may not send the selection ``clm01s``; None when it may (every one is
    a ready claim)."""
    statuses = _statuses(session, clm01s)
    missing = [clm01 for clm01 in clm01s if clm01 not in statuses]
    if missing:
        return f"no claim {', '.join(missing)}"
    not_ready = [f"{c} is {statuses[c].value.replace('_', ' ')}" for c in clm01s
                 if statuses[c] is not ClaimStatus.READY]  # fmt: skip
    if not_ready:
        return (
            "only ready claims are sent: " + "; ".join(not_ready) + ". Resubmit a rejected "
            "claim first, or correct a held one."
        )
    return None


def resubmit_many(session: Session, clm01s: Sequence[str], actor: str, today: date) -> Resubmitted:
    """Send each rejected claim of ``clm01s`` again as an original (see the module)."""
    checked: list[Checked] = []
    refused: list[str] = []
    for clm01 in clm01s:
        try:
            with session.begin_nested():
                checked.append(resubmit(session, clm01, Resubmission.ORIGINAL, actor, today))
        except ClaimbridgeError as error:
            refused.append(str(error))
    return Resubmitted(tuple(checked), tuple(refused))


def _statuses(session: Session, clm01s: Sequence[str]) -> dict[str, ClaimStatus]:
    claim = t.ClaimRow
    found: dict[str, ClaimStatus] = {}
    for chunk in chunks(clm01s):
        query = select(claim.clm01, claim.status).where(among(claim.clm01, chunk))
        found |= {clm01: ClaimStatus(status) for clm01, status in session.execute(query)}
    return found
