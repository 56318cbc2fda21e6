"""The claim page and the API's claim say which payer a claim bills, the claim it follows, and
where a crossover sent it."""

from __future__ import annotations

from sqlalchemy import select, update
from web_support import TestClient

from claimbridge.store import tables as t
from claimbridge.store.db import Store


def _chain(store: Store) -> None:
    """CB-1001 (CIGNA) crossed over to the Medigap plan; CB-1003 follows it as its secondary."""
    with store.transaction() as session:
        first = session.scalars(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == "CB-1001")).one()
        session.execute(
            update(t.ClaimRow).where(t.ClaimRow.id == first).values(crossed_over_to="SX123")
        )
        session.execute(
            update(t.ClaimRow)
            .where(t.ClaimRow.clm01 == "CB-1003")
            .values(payer_sequence="secondary", follows_claim_id=first)
        )


def test_the_claim_page_shows_the_crossover_and_the_chain(biller: TestClient, store: Store) -> None:
    assert "Crossed over to" not in biller.get("/claims/CB-1001").text
    _chain(store)
    first = biller.get("/claims/CB-1001").text
    assert "Crossed over to GOLDEN STATE MEDIGAP (SX123)" in first
    assert 'next payer\'s claim: <a href="/claims/CB-1003">CB-1003</a>' in first
    second = biller.get("/claims/CB-1003").text
    assert 'Secondary claim, carrying the adjudication of <a href="/claims/CB-1001">' in second


def test_the_api_claim_has_its_sequence_what_it_follows_and_its_crossover(
    api: TestClient, store: Store
) -> None:
    before = api.get("/api/v1/claims/CB-1003").json()
    assert (before["payer_sequence"], before["follows"], before["crossed_over_to"]) == (
        "primary", None, None,
    )  # fmt: skip
    _chain(store)
    second = api.get("/api/v1/claims/CB-1003").json()
    assert (second["payer_sequence"], second["follows"]) == ("secondary", "CB-1001")
    assert api.get("/api/v1/claims/CB-1001").json()["crossed_over_to"] == "SX123"
