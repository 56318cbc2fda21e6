"""The likely claims of an unmatched ERA claim: by charge, service date and patient control
number, those matching on more counts first; on SQLite and PostgreSQL.

The ERA (paid-and-denied-with-plb.835) pays CB2001 and denies CB2002, a claim of 90.00
served on 2025-02-26 (DTM*232) that is none of ours; CB2001 was served on 2025-02-25."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.services.post import unmatched
from claimbridge.services.unmatched import _SCANNED, candidates, likely_claims
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import PAID_AND_DENIED, add_claim, data, posted_paid_and_denied
from ledger_fixtures import load_example

ERA_DAY = date(2025, 2, 26)  # the unmatched claim's statement date
OTHER_DAY = date(2025, 3, 1)


@pytest.fixture
def ledger(store: Store) -> Store:
    load_example(store)
    return store


def _likely(store: Store) -> list[tuple[str, str]]:
    """(CLM01, why) of each likely claim of the one unmatched ERA claim, in rank order."""
    with store.read() as session:
        [row] = unmatched(session)
        return [(c.clm01, c.why) for c in candidates(session, row.id)]


def _serve_line_on(store: Store, clm01: str, day: date) -> None:
    claim_id = select(t.ClaimRow.id).where(t.ClaimRow.clm01 == clm01).scalar_subquery()
    with store.transaction() as session:
        session.execute(
            update(t.ClaimLineRow)
            .where(t.ClaimLineRow.claim_id == claim_id)
            .values(service_date=day)
        )


def test_a_claim_of_the_same_service_date_is_suggested_whatever_its_charge(ledger: Store) -> None:
    add_claim(ledger, "DAY-1", (("99213", "60", None),), service_date=ERA_DAY)
    add_claim(ledger, "LINE-1", (("99213", "75", None),), service_date=OTHER_DAY)
    _serve_line_on(ledger, "LINE-1", ERA_DAY)  # its line was served that day, not the claim
    add_claim(ledger, "ELSE-1", (("99213", "60", None),), service_date=OTHER_DAY)
    posted_paid_and_denied(ledger)
    assert _likely(ledger) == [
        ("DAY-1", "same service date 2025-02-26"),
        ("LINE-1", "same service date 2025-02-26"),
        ("CB2001", "similar number"),
    ]


def test_a_claim_matching_charge_and_date_ranks_above_one_matching_the_charge(
    ledger: Store,
) -> None:
    add_claim(ledger, "BOTH-1", (("99213", "90", None),), service_date=ERA_DAY)
    add_claim(ledger, "CHARGE-1", (("99213", "90", None),), service_date=OTHER_DAY)  # newer
    add_claim(ledger, "DAY-1", (("99213", "60", None),), service_date=ERA_DAY)
    posted_paid_and_denied(ledger)
    assert _likely(ledger) == [
        ("BOTH-1", "same charge, same service date 2025-02-26"),
        ("CHARGE-1", "same charge"),
        ("DAY-1", "same service date 2025-02-26"),
        ("CB2001", "similar number"),
    ]


def test_a_similar_number_adds_to_the_other_counts(ledger: Store) -> None:
    add_claim(ledger, "CB2009", (("99213", "90", None),), service_date=ERA_DAY)
    add_claim(ledger, "BOTH-1", (("99213", "90", None),), service_date=ERA_DAY)
    posted_paid_and_denied(ledger)
    assert _likely(ledger)[:2] == [
        ("CB2009", "same charge, same service date 2025-02-26, similar number"),
        ("BOTH-1", "same charge, same service date 2025-02-26"),
    ]


def test_nothing_is_suggested_when_nothing_matches(ledger: Store) -> None:
    add_claim(ledger, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    add_claim(ledger, "SIBLING-1", (("99213", "60", None),), service_date=date(2025, 2, 25))
    add_claim(ledger, "DRAFT-1", (("99213", "90", None),), ERA_DAY, ClaimStatus.DRAFT)
    add_claim(ledger, "YEAR-1", (("99213", "60", None),), service_date=date(2026, 2, 26))
    text = data(PAID_AND_DENIED).replace("CLP*CB2002*", "CLP*QZ-88*")  # like no number of ours
    [report] = ingest_bytes(ledger, "era.835", text.encode())
    assert report.outcome is Outcome.APPLIED
    # SIBLING-1 has the date of the ERA's other claim, DRAFT-1 awaits no payment
    assert _likely(ledger) == []


def test_the_queue_page_gets_the_same_claims_reading_each_era_once(ledger: Store) -> None:
    add_claim(ledger, "BOTH-1", (("99213", "90", None),), service_date=ERA_DAY)
    posted_paid_and_denied(ledger)
    with ledger.read() as session:
        [row] = unmatched(session)
        assert likely_claims(session, [row.id]) == {row.id: candidates(session, row.id)}
        assert likely_claims(session, []) == {}


def test_without_the_kept_835_the_charge_and_number_still_count(ledger: Store) -> None:
    add_claim(ledger, "BOTH-1", (("99213", "90", None),), service_date=ERA_DAY)
    add_claim(ledger, "DAY-1", (("99213", "60", None),), service_date=ERA_DAY)
    posted_paid_and_denied(ledger)
    with ledger.transaction() as session:
        session.execute(update(t.InboundFileRow).values(content=None))
    assert _likely(ledger) == [("BOTH-1", "same charge"), ("CB2001", "similar number")]


def test_a_similar_number_is_found_among_more_claims_than_are_compared(ledger: Store) -> None:
    add_claim(ledger, "CB2009", (("99213", "61", None),), service_date=OTHER_DAY)  # the oldest
    for n in range(_SCANNED + 5):  # newer claims awaiting payment, none alike
        add_claim(ledger, f"ZZ-{n:04d}", (("99213", "61", None),), service_date=OTHER_DAY)
    posted_paid_and_denied(ledger)
    assert ("CB2009", "similar number") in _likely(ledger)
