"""The claim page and the API's claim say which payer a claim bills, the claim it follows, and
where a crossover sent it."""

from __future__ import annotations

import html

from sqlalchemy import select, update
from web_support import TestClient

from claimbridge.services.claim_chain import FOLLOWED_EVENT, WAITING_EVENT
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository


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


def test_a_claim_to_the_next_payer_waiting_for_its_payer_is_on_its_page_and_the_dashboard(
    biller: TestClient, store: Store
) -> None:
    _chain(store)
    assert "Waiting for this claim" not in biller.get("/claims/CB-1003").text
    with store.transaction() as session:
        ClaimRepository(session).note(
            "CB-1003", WAITING_EVENT, "claim CB-1001's adjudication changed; it waits", "ingest"
        )
    page = html.unescape(biller.get("/claims/CB-1003").text)
    assert "Waiting for this claim's payer: claim CB-1001's adjudication changed" in page
    dashboard = biller.get("/").text
    assert (
        "1 claim to a next payer went out carrying an adjudication that has changed since: CB-1003"
        in dashboard
    )
    assert 'href="/claims/CB-1003"' in dashboard

    with store.transaction() as session:
        ClaimRepository(session).note("CB-1003", FOLLOWED_EVENT, "its payer answered", "ingest")
    assert "Waiting for this claim" not in biller.get("/claims/CB-1003").text
    assert "to a next payer went out" not in biller.get("/").text


def test_the_worklist_and_the_api_list_the_claims_waiting_for_their_payer(
    biller: TestClient, api: TestClient, store: Store
) -> None:
    _chain(store)
    with store.transaction() as session:
        repository = ClaimRepository(session)
        for clm01 in ("CB-1003", "CB-1002"):
            repository.note(clm01, WAITING_EVENT, "an earlier adjudication changed", "ingest")
        repository.note("CB-1002", FOLLOWED_EVENT, "its payer answered", "ingest")
    page = biller.get("/claims?waiting=1").text
    assert 'href="/claims/CB-1003"' in page and 'href="/claims/CB-1002"' not in page
    assert 'name="waiting" value="1" checked' in page
    assert 'href="/claims/CB-1002"' in biller.get("/claims").text
    listed = api.get("/api/v1/claims", params={"waiting": "1"})
    assert [claim["clm01"] for claim in listed.json()] == ["CB-1003"]
    assert listed.headers["X-Total-Count"] == "1"
    with store.transaction() as session:  # two waiting: the dashboard links to the list
        ClaimRepository(session).note("CB-1001", WAITING_EVENT, "changed again", "ingest")
    assert 'href="/claims?waiting=1"' in biller.get("/").text
