"""The pages' and the API's side of the inputs: a payer's filing indicator and enrollments set
alone, a held 835 dismissed, a match that needs an override."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from web_support import csrf_of

from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import add_claim, data


def test_patch_sets_a_payers_filing_indicator_and_enrollment_alone(
    api: TestClient, store: Store
) -> None:
    body = {"claim_filing_indicator": "bl", "enrollments": {"837P": "approved"}}
    answer = api.patch("/api/v1/payers/BS001", json=body)
    assert answer.status_code == 200, answer.text
    saved = answer.json()
    assert saved["claim_filing_indicator"] == "BL" and saved["name"] == "BLUE SHIELD OF CALIFORNIA"
    claims = next(e for e in saved["enrollments"] if e["transaction"] == "837P")
    assert claims["status"] == "approved" and claims["approved_on"] is not None
    refused = api.patch("/api/v1/payers/BS001", json={"claim_filing_indicator": "09"})
    assert refused.status_code == 400, refused.text
    assert "4010" in refused.text
    assert api.patch("/api/v1/payers/NOPE", json={"claim_filing_indicator": "CI"}).status_code in (
        404,
        409,
    )


def test_a_held_835_is_dismissed_through_the_api(api: TestClient, store: Store) -> None:
    text = data("835/multi-transaction.835").replace("BPR*C*45*", "BPR*C*545*")
    [report] = ingest_bytes(store, "two-checks.835", text.encode())
    assert report.outcome is Outcome.HELD
    path = f"/api/v1/held-files/{report.inbound_file_id}/dismiss"
    answer = api.post(path, json={"reason": "a corrected 835 follows"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "dismissed"
    assert api.post(path, json={"reason": "again"}).status_code == 404


def test_a_match_that_disagrees_needs_an_override(api: TestClient, store: Store) -> None:
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    add_claim(store, "CB-9004", (("99213", "95", None),))
    ingest_bytes(store, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    [waiting] = api.get("/api/v1/unmatched").json()
    path = f"/api/v1/unmatched/{waiting['id']}/match"
    refused = api.post(path, json={"clm01": "CB-9004"})
    assert refused.status_code == 400, refused.text
    assert "the ERA claim's charge 90.00 is not CB-9004's 95.00" in refused.text
    answer = api.post(path, json={"clm01": "CB-9004", "override": "the EOB names it"})
    assert answer.status_code == 200, answer.text


def test_a_partly_held_835_is_listed_and_dismissed_from_the_eras_page(
    biller: TestClient, store: Store
) -> None:
    add_claim(store, "CB4002", (("99204", "300", None),))
    text = data("835/multi-transaction.835").replace("BPR*C*45*", "BPR*C*545*")
    [report] = ingest_bytes(store, "two-checks.835", text.encode())
    page = biller.get("/eras").text
    assert "two-checks.835" in page and "1 of 2 ERAs held" in page and ">Dismiss<" in page
    token = csrf_of(biller, "/eras")
    path = f"/held-files/{report.inbound_file_id}/dismiss"
    assert biller.post(path, data={"csrf_token": token, "reason": " "}).status_code == 400
    answer = biller.post(path, data={"csrf_token": token, "reason": "corrected 835 follows"})
    assert answer.status_code == 303
    assert "No file is held." in biller.get("/eras").text


def test_the_unmatched_page_matches_with_an_override(biller: TestClient, store: Store) -> None:
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    add_claim(store, "CB-9004", (("99213", "95", None),))
    ingest_bytes(store, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    page = biller.get("/unmatched").text
    assert 'name="override"' in page
    with store.read() as session:
        waiting = session.scalars(select(t.UnmatchedClaimRow.id)).one()
    token = csrf_of(biller, "/unmatched")
    path = f"/unmatched/{waiting}/match"
    refused = biller.post(path, data={"csrf_token": token, "clm01": "CB-9004"})
    assert refused.status_code == 400 and "95.00" in refused.text
    done = biller.post(
        path, data={"csrf_token": token, "clm01": "CB-9004", "override": "EOB names it"}
    )
    assert done.status_code == 303
