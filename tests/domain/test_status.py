"""Claim statuses: the allowed moves, and refusal of every other one."""

from __future__ import annotations

import itertools

import pytest

from claimbridge.domain.status import (
    ALLOWED,
    ClaimStatus,
    can_move,
    can_undo,
    check_transition,
    check_undo,
)
from claimbridge.errors import InvalidTransition

S = ClaimStatus


def test_the_statuses_are_the_twelve_agreed_values() -> None:
    assert [s.value for s in S] == [
        "draft",
        "held",
        "ready",
        "submitted",
        "clearinghouse_accepted",
        "clearinghouse_rejected",
        "payer_accepted",
        "payer_rejected",
        "paid",
        "denied",
        "cancelled",
        "billed_on_paper",
    ]
    assert set(ALLOWED) == set(S)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.READY),
        (S.DRAFT, S.HELD),
        (S.HELD, S.READY),
        (S.READY, S.SUBMITTED),
        (S.SUBMITTED, S.CLEARINGHOUSE_ACCEPTED),
        (S.SUBMITTED, S.CLEARINGHOUSE_REJECTED),
        (S.CLEARINGHOUSE_REJECTED, S.READY),
        (S.CLEARINGHOUSE_ACCEPTED, S.PAYER_ACCEPTED),
        (S.PAYER_ACCEPTED, S.PAID),
        (S.PAYER_REJECTED, S.READY),
        (S.PAID, S.DENIED),
        (S.DENIED, S.PAID),
        (S.HELD, S.CANCELLED),
        (S.HELD, S.BILLED_ON_PAPER),
        (S.READY, S.CANCELLED),
        (S.DRAFT, S.BILLED_ON_PAPER),
        (S.BILLED_ON_PAPER, S.PAID),
        (S.BILLED_ON_PAPER, S.DENIED),
    ],
)
def test_the_claim_cycle_moves_are_allowed(current: ClaimStatus, target: ClaimStatus) -> None:
    check_transition(current, target)
    assert can_move(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.SUBMITTED),
        (S.HELD, S.SUBMITTED),
        (S.SUBMITTED, S.READY),
        (S.PAID, S.DRAFT),
        (S.CLEARINGHOUSE_REJECTED, S.PAID),
        (S.READY, S.READY),
        (S.SUBMITTED, S.CANCELLED),
        (S.PAYER_REJECTED, S.BILLED_ON_PAPER),
        (S.CANCELLED, S.READY),
        (S.BILLED_ON_PAPER, S.READY),
        (S.BILLED_ON_PAPER, S.CANCELLED),
    ],
)
def test_other_moves_are_refused_with_both_statuses_named(
    current: ClaimStatus, target: ClaimStatus
) -> None:
    with pytest.raises(InvalidTransition, match=f"from {current.value} to {target.value}"):
        check_transition(current, target)


def test_every_status_is_reachable_from_draft() -> None:
    reached = {S.DRAFT}
    for _ in range(len(S)):
        reached |= {target for status in reached for target in ALLOWED[status]}
    assert reached == set(S)


def test_a_submitted_claim_never_goes_back_to_draft_or_held_directly() -> None:
    sent = [s for s in S if s not in (S.DRAFT, S.HELD, S.READY)]
    for current, target in itertools.product(sent, (S.DRAFT,)):
        assert not can_move(current, target)
    assert not can_move(S.SUBMITTED, S.HELD)


@pytest.mark.parametrize(
    ("current", "previous"), [(S.PAID, S.SUBMITTED), (S.DENIED, S.PAYER_ACCEPTED)]
)
def test_an_undone_posting_takes_a_claim_back_along_the_move_it_made(
    current: ClaimStatus, previous: ClaimStatus
) -> None:
    assert not can_move(current, previous)  # never a move of its own
    assert can_undo(current, previous)
    check_undo(current, previous)


def test_undo_refuses_a_way_back_no_claim_came() -> None:
    assert not can_undo(S.READY, S.SUBMITTED)  # no claim moves submitted → ready
    with pytest.raises(InvalidTransition, match="cannot go back from ready to submitted"):
        check_undo(S.READY, S.SUBMITTED)


def test_only_a_claim_not_yet_sent_leaves_the_electronic_path_and_a_cancelled_one_stays() -> None:
    for current in S:
        sendable = current in (S.DRAFT, S.HELD, S.READY)
        assert can_move(current, S.CANCELLED) is sendable
        assert can_move(current, S.BILLED_ON_PAPER) is sendable
    assert ALLOWED[S.CANCELLED] == frozenset()
