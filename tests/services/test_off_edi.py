"""A claim's ways out before it is sent: cancelled or billed on paper, with a reason on its
timeline; a claim held for the go-live date leaves the hold when the date moves, or on paper."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from claimbridge.domain.models import EraSplit
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError, InvalidTransition
from claimbridge.services.account import update_go_live
from claimbridge.services.claim_fix import current_fix, fix_claim
from claimbridge.services.claims import (
    Resubmission,
    create_claims,
    recheck_held,
    resubmit,
    take_off_edi,
)
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.services.submit import submit
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from claimbridge.transport import LocalDirTransport
from cycle_support import PAID_AND_DENIED, add_claim, data, reasons, status_of
from ledger_fixtures import load_example

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def held_for_go_live(store: Store) -> Store:
    """The example practice whose Office Ally account goes live on 2026-11-05: the visits of
    11-03 and 11-04 (CB000001, CB000002) are held for it, the later ones ready."""
    load_example(store)
    with store.transaction() as session:
        update_go_live(session, date(2026, 11, 5), EraSplit.BY_CHECK, "tester")
        create_claims(session, "test", TODAY)
    return store


def test_a_go_live_hold_is_released_when_the_date_moves(held_for_go_live: Store) -> None:
    store = held_for_go_live
    assert status_of(store, "CB000001") is ClaimStatus.HELD
    assert "before the go-live date 2026-11-05" in reasons(store, "CB000001")[-1]
    with store.transaction() as session:
        update_go_live(session, date(2026, 11, 4), EraSplit.BY_CHECK, "tester")
        released = recheck_held(session, "dana", TODAY)
    now = {c.patient_control_number: c.status for c in released}
    assert (now["CB000001"], now["CB000002"]) == (ClaimStatus.HELD, ClaimStatus.READY)
    assert "before the go-live date 2026-11-04" in reasons(store, "CB000001")[-1]


def test_a_claim_held_for_the_go_live_date_is_billed_on_paper(
    held_for_go_live: Store, tmp_path: Path
) -> None:
    store = held_for_go_live
    with store.transaction() as session:
        take_off_edi(
            session, "CB000001", ClaimStatus.BILLED_ON_PAPER, " old EHR billed it ", "dana"
        )
    assert status_of(store, "CB000001") is ClaimStatus.BILLED_ON_PAPER
    with store.read() as session:
        last = ClaimRepository(session).events("CB000001")[-1]
    assert (last.what, last.why, last.actor) == (
        "status",
        "billed on paper by dana: old EHR billed it",
        "dana",
    )
    with store.transaction() as session:  # never checked again, never billed again, never sent
        rechecked = create_claims(session, "dana", TODAY).rechecked
        update_go_live(session, None, EraSplit.BY_CHECK, "tester")
        rechecked += tuple(recheck_held(session, "dana", TODAY))
    assert "CB000001" not in {c.patient_control_number for c in rechecked}
    sent = submit(store, LocalDirTransport(tmp_path), "dana", NOW)
    assert "CB000001" not in {c for b in sent.batches for c in b.patient_control_numbers}
    assert "CB000002" in {c for b in sent.batches for c in b.patient_control_numbers}
    assert status_of(store, "CB000001") is ClaimStatus.BILLED_ON_PAPER


def test_a_claim_is_cancelled_only_with_a_reason_and_only_before_it_is_sent(
    held_for_go_live: Store, tmp_path: Path
) -> None:
    store = held_for_go_live
    with store.transaction() as session, pytest.raises(InputError, match="say why"):
        take_off_edi(session, "CB000001", ClaimStatus.CANCELLED, "  ", "dana")
    with store.transaction() as session, pytest.raises(InputError, match="cancelled or billed"):
        take_off_edi(session, "CB000001", ClaimStatus.PAID, "why not", "dana")
    with store.transaction() as session:
        take_off_edi(session, "CB000002", ClaimStatus.CANCELLED, "billed by mistake", "dana")
    assert status_of(store, "CB000002") is ClaimStatus.CANCELLED
    with store.transaction() as session, pytest.raises(InvalidTransition, match="correct it"):
        fix_claim(session, "CB000002", current_fix(session, "CB000002"), "dana", TODAY)
    submit(store, LocalDirTransport(tmp_path), "dana", NOW)
    assert status_of(store, "CB000003") is ClaimStatus.SUBMITTED
    with store.transaction() as session, pytest.raises(InvalidTransition, match="voided"):
        take_off_edi(session, "CB000003", ClaimStatus.CANCELLED, "too late", "dana")
    assert status_of(store, "CB000002") is ClaimStatus.CANCELLED


def test_a_replacement_not_yet_sent_is_cancelled_and_its_claim_says_so(
    held_for_go_live: Store,
) -> None:
    store = held_for_go_live
    with store.transaction() as session:
        session.execute(
            update(t.ClaimRow).where(t.ClaimRow.clm01 == "CB000003")
            .values(status=ClaimStatus.PAYER_ACCEPTED.value, payer_claim_control_number="PCN1")
        )  # fmt: skip
        copy = resubmit(session, "CB000003", Resubmission.REPLACEMENT, "dana", TODAY)
    assert (copy.patient_control_number, copy.status) == ("CB000003R1", ClaimStatus.READY)
    with store.transaction() as session:
        take_off_edi(session, "CB000003R1", ClaimStatus.CANCELLED, "wrong claim", "dana")
    assert status_of(store, "CB000003R1") is ClaimStatus.CANCELLED
    assert reasons(store, "CB000003")[-1] == (
        "replacement claim CB000003R1 cancelled by dana: wrong claim"
    )
    with store.transaction() as session:  # a replacement may be made again
        again = resubmit(session, "CB000003", Resubmission.REPLACEMENT, "dana", TODAY)
    assert again.patient_control_number == "CB000003R2"


def test_an_era_for_a_claim_billed_on_paper_is_posted_to_it(store: Store) -> None:
    load_example(store)
    lines = (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2"))
    add_claim(store, "CB2001", lines, status=ClaimStatus.BILLED_ON_PAPER)
    [report] = ingest_bytes(store, "era.835", data(PAID_AND_DENIED).encode())
    assert report.outcome is Outcome.APPLIED
    assert status_of(store, "CB2001") is ClaimStatus.PAID
