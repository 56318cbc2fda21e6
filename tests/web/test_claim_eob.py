"""The claim's EOB page and API read the 835 the ledger kept, through ``services/eob``."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from claimbridge.services.claim_view import claim_totals
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import add_claim, data


def _paid_era(store: Store) -> None:
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    [report] = ingest_bytes(store, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    assert report.outcome is Outcome.APPLIED


def test_the_eob_page_shows_each_line_as_the_payer_sent_it(
    biller: TestClient, store: Store
) -> None:
    _paid_era(store)
    page = biller.get("/claims/CB2001/eob").text
    assert "ICN20001" in page and "99214:25" in page and "85025" in page
    assert "CO-45 40.00" in page and "PR-3 20.00" in page  # CARCs with their amounts
    assert "CB2002" not in page  # the other claim of the same ERA stays out


def test_the_eob_api_returns_only_this_claim_of_each_remittance(
    api: TestClient, store: Store
) -> None:
    _paid_era(store)
    [eob] = api.get("/api/v1/claims/CB2001/eob").json()
    [claim] = eob["claims"]
    assert claim["payer_claim_number"] == "ICN20001"
    assert [line["paid"] for line in claim["lines"]] == ["90.00", "30.00"]
    assert eob["provider_adjustments"] == []


def test_the_claim_page_links_its_eob_only_once_a_remittance_was_posted(
    biller: TestClient, store: Store
) -> None:
    _paid_era(store)  # pays CB2001; CB-1001 of the ledger has none
    assert 'href="/claims/CB-1001/eob"' not in biller.get("/claims/CB-1001").text
    assert 'href="/claims/CB2001/eob">EOB</a>' in biller.get("/claims/CB2001").text


def test_the_whole_check_shows_every_claim_and_how_the_deposit_is_made(
    viewer: TestClient, store: Store
) -> None:
    _paid_era(store)
    with store.read() as session:
        remittance_id = session.scalars(select(t.RemittanceRow.id)).one()
    listed = viewer.get("/eras").text
    assert f'href="/eras/{remittance_id}/eob">EFT55501</a>' in listed
    assert (
        f'href="/eras/{remittance_id}/eob">the whole check</a>'
        in viewer.get("/claims/CB2001/eob").text
    )
    page = viewer.get(f"/eras/{remittance_id}/eob").text
    assert "ICN20001" in page and "ICN20002" in page  # the claim that is not ours too
    assert re.search(r"Claims paid \(2\)</th><td class=\"num\">120.00<", page)
    assert re.search(r"Deposit</th><td class=\"num\"><b>87.50</b>", page)
    assert page.count("Provider adjustment</th>") == 3 and "data-print" in page
    assert viewer.get("/eras/999999/eob").status_code == 404


def test_a_claim_no_era_mentioned_says_so(biller: TestClient) -> None:
    assert "No ERA has mentioned this claim yet." in biller.get("/claims/CB-1001/eob").text


def test_the_worklist_shows_what_was_paid_and_what_is_left(api: TestClient, store: Store) -> None:
    _paid_era(store)
    with store.read() as session:
        claim_id = session.scalars(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == "CB2001")).one()
        posted = claim_totals(session, [claim_id])[claim_id]
    [row] = api.get("/api/v1/claims?q=CB2001").json()
    assert row["paid"] == "120.00"  # CLP04 of the ERA
    assert Decimal(row["balance"]) == posted.balance(Decimal(row["total_charge"]))
    assert Decimal(row["balance"]) < Decimal(row["total_charge"]) - Decimal("120.00")
