"""Claims posted from ERAs whose amounts do not add up: the dashboard's alert, the worklist it
links to, and marking a claim reviewed on its page or through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_support import csrf_of

from claimbridge.store.db import Store
from cycle_support import posted_paid_and_denied, posted_unbalanced

ALERT = "1 claim was posted from ERAs whose amounts do not add up"


def test_the_dashboard_links_to_the_claims_and_marking_reviewed_clears_it(
    biller: TestClient, store: Store
) -> None:
    posted_unbalanced(store)
    board = biller.get("/").text
    assert ALERT in board and 'href="/claims?unbalanced=1"' in board
    listed = biller.get("/claims?unbalanced=1").text
    assert 'href="/claims/CB2001"' in listed
    assert "Mark reviewed" in biller.get("/claims/CB2001").text
    response = biller.post(
        "/claims/CB2001/balance-reviewed",
        data={"csrf_token": csrf_of(biller, "/claims/CB2001"), "reason": "matches the EOB"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/claims/CB2001?done=reviewed"
    page = biller.get("/claims/CB2001").text
    assert "Mark reviewed" not in page and "reviewed by biller: matches the EOB" in page
    assert ALERT not in biller.get("/").text
    assert "No claims match." in biller.get("/claims?unbalanced=1").text


def test_a_balanced_era_lists_nothing(biller: TestClient, store: Store) -> None:
    posted_paid_and_denied(store)
    assert "amounts do not add up" not in biller.get("/").text
    assert "No claims match." in biller.get("/claims?unbalanced=1").text
    assert 'href="/claims/CB2001"' in biller.get("/claims").text


def test_a_viewer_sees_the_alert_but_cannot_mark_reviewed(viewer: TestClient, store: Store) -> None:
    posted_unbalanced(store)
    assert ALERT in viewer.get("/").text
    assert "Mark reviewed" not in viewer.get("/claims/CB2001").text
    response = viewer.post(
        "/claims/CB2001/balance-reviewed",
        data={"csrf_token": csrf_of(viewer, "/claims/CB2001"), "reason": "fine"},
    )
    assert response.status_code == 403
    assert ALERT in viewer.get("/").text


def test_the_api_counts_them_and_marks_one_reviewed(api: TestClient, store: Store) -> None:
    posted_unbalanced(store)
    assert api.get("/api/v1/dashboard").json()["unbalanced_claims"] == 1
    claims = api.get("/api/v1/claims", params={"unbalanced": "1"}).json()
    assert [claim["clm01"] for claim in claims] == ["CB2001"]
    empty = api.post("/api/v1/claims/CB2001/balance-reviewed", json={"reason": " "})
    assert empty.status_code == 400
    done = api.post("/api/v1/claims/CB2001/balance-reviewed", json={"reason": "payer called"})
    assert done.json() == {"clm01": "CB2001", "reviewed": True}
    assert api.get("/api/v1/dashboard").json()["unbalanced_claims"] == 0
    again = api.post("/api/v1/claims/CB2001/balance-reviewed", json={"reason": "twice"})
    assert again.status_code == 409
