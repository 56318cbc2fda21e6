"""A claim's status and the moves allowed between statuses.

::

    draft                   → held, ready, cancelled, billed_on_paper
    held                    → ready, draft, cancelled, billed_on_paper
    ready                   → submitted, held, draft, cancelled, billed_on_paper
    submitted               → clearinghouse_accepted, clearinghouse_rejected,
                              payer_accepted, payer_rejected, paid, denied
    clearinghouse_accepted  → payer_accepted, payer_rejected, paid, denied
    clearinghouse_rejected  → ready, held
    payer_accepted          → paid, denied, payer_rejected
    payer_rejected          → ready, held
    paid                    → denied (a reversal), paid (a further payment)
    denied                  → paid (a correction or appeal), ready (a corrected claim)
    cancelled               → (nothing: it never goes)
    billed_on_paper         → paid, denied (an ERA for the paper claim)

A rejected or denied claim goes back to ``ready`` once corrected; a reversal in an ERA moves
``paid`` to ``denied`` and a later correction back to ``paid``. The claim cycle (a later part)
records each move as an event; ``check_transition`` refuses any other move. Undoing a posted
ERA takes a claim back along a move it made (``check_undo``), e.g. ``paid`` → ``submitted``.

A claim not yet sent may leave the electronic path, always by a person and with a reason:
``cancelled`` (it is never billed: a visit billed by mistake, a replacement no longer wanted)
or ``billed_on_paper`` (the payer gets a paper CMS-1500, e.g. for visits before the go-live
date that the previous system bills). Neither is checked or sent again; a paper claim may
still be paid or denied by an ERA that names it.
"""

from __future__ import annotations

from enum import StrEnum

from claimbridge.errors import InvalidTransition


class ClaimStatus(StrEnum):
    """Where a claim stands; the value is what the ledger stores."""

    DRAFT = "draft"
    HELD = "held"
    READY = "ready"
    SUBMITTED = "submitted"
    CLEARINGHOUSE_ACCEPTED = "clearinghouse_accepted"
    CLEARINGHOUSE_REJECTED = "clearinghouse_rejected"
    PAYER_ACCEPTED = "payer_accepted"
    PAYER_REJECTED = "payer_rejected"
    PAID = "paid"
    DENIED = "denied"
    CANCELLED = "cancelled"
    BILLED_ON_PAPER = "billed_on_paper"


_S = ClaimStatus
_OFF_THE_EDI_PATH = frozenset({_S.CANCELLED, _S.BILLED_ON_PAPER})

ALLOWED: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    _S.DRAFT: frozenset({_S.HELD, _S.READY}) | _OFF_THE_EDI_PATH,
    _S.HELD: frozenset({_S.READY, _S.DRAFT}) | _OFF_THE_EDI_PATH,
    _S.READY: frozenset({_S.HELD, _S.SUBMITTED, _S.DRAFT}) | _OFF_THE_EDI_PATH,
    _S.SUBMITTED: frozenset(
        {_S.CLEARINGHOUSE_ACCEPTED, _S.CLEARINGHOUSE_REJECTED, _S.PAYER_ACCEPTED, _S.PAYER_REJECTED}
        | {_S.PAID, _S.DENIED}  # an ERA can arrive before any acknowledgment
    ),
    _S.CLEARINGHOUSE_ACCEPTED: frozenset(
        {_S.PAYER_ACCEPTED, _S.PAYER_REJECTED, _S.PAID, _S.DENIED}
    ),
    _S.CLEARINGHOUSE_REJECTED: frozenset({_S.READY, _S.HELD}),
    _S.PAYER_ACCEPTED: frozenset({_S.PAID, _S.DENIED, _S.PAYER_REJECTED}),
    _S.PAYER_REJECTED: frozenset({_S.READY, _S.HELD}),
    _S.PAID: frozenset({_S.DENIED, _S.PAID}),  # reversal; another payment on the same claim
    _S.DENIED: frozenset({_S.PAID, _S.READY}),  # correction after a reversal; corrected claim
    _S.CANCELLED: frozenset(),
    _S.BILLED_ON_PAPER: frozenset({_S.PAID, _S.DENIED}),  # an ERA for the paper claim
}

NOT_YET_SUBMITTED = frozenset({_S.DRAFT, _S.HELD, _S.READY})


def can_move(current: ClaimStatus, target: ClaimStatus) -> bool:
    """True when a claim in ``current`` may move to ``target``."""
    return target in ALLOWED[current]


def can_undo(current: ClaimStatus, previous: ClaimStatus) -> bool:
    """True when a claim in ``current`` may go back to ``previous`` because a posting is undone.

    Only a move the machine allows can be undone: ``previous`` → ``current`` must be allowed
    (a claim paid from ``submitted`` goes back to ``submitted``; a ``ready`` claim does not).
    """
    return can_move(previous, current)


def check_undo(current: ClaimStatus, previous: ClaimStatus) -> None:
    """Raise ``InvalidTransition`` unless ``can_undo(current, previous)``."""
    if not can_undo(current, previous):
        raise InvalidTransition(
            f"a claim cannot go back from {current.value} to {previous.value}: "
            f"no claim moves from {previous.value} to {current.value}"
        )


def check_transition(current: ClaimStatus, target: ClaimStatus) -> None:
    """Raise ``InvalidTransition`` unless a claim may move from ``current`` to ``target``."""
    if not can_move(current, target):
        allowed = ", ".join(sorted(ALLOWED[current])) or "nothing"
        raise InvalidTransition(
            f"a claim cannot move from {current.value} to {target.value} (allowed: {allowed})"
        )
