"""TEST or PRODUCTION on every page, and the switch on the Provider page: admins only, after a
confirmation page, CSRF-checked, recorded and audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import select, update
from web_support import TestClient, csrf_of, token_for

from claimbridge.services.users import audit_entries
from claimbridge.store import tables as t
from claimbridge.store.db import Store

SENT = datetime(2026, 10, 28, 16, 0, tzinfo=UTC)
MARKER = re.compile(r'<p class="mode mode-(\w+)" id="account-mode">\s*<strong>(\w+)</strong>')


def _accepted_test_batch(store: Store) -> None:
    """A test (OATEST) batch that Office Ally's 999 accepted, as the ledger keeps it."""
    with store.transaction() as session:
        session.add(
            t.BatchRow(
                isa13=900, gs06=900, file_name="OATEST_837P_847291635_B900_20261028T160000.txt",
                test_mode=True, status="accepted", claim_count=1, created_at=SENT, sent_at=SENT,
            )
        )  # fmt: skip


def _marker(html: str) -> tuple[str, str]:
    found = MARKER.search(html)
    assert found, "no TEST/PRODUCTION marker on the page"
    return found.group(1), found.group(2)


def _test_mode(store: Store) -> bool:
    with store.read() as session:
        return session.scalars(select(t.ClearinghouseAccountRow.test_mode)).one()


def test_every_page_says_test_or_production_in_words(
    biller: TestClient, anonymous: TestClient, store: Store
) -> None:
    for path in ("/", "/claims", "/claims/CB-1001", "/eras", "/payers", "/provider", "/reports"):
        assert _marker(biller.get(path).text) == ("test", "TEST"), path
    assert "uploads are named OATEST and reach no payer" in biller.get("/").text
    assert _marker(anonymous.get("/login").text) == ("test", "TEST")
    assert _marker(biller.get("/claims/NOPE-1").text) == ("test", "TEST")  # the error page too
    with store.transaction() as session:
        session.execute(update(t.ClearinghouseAccountRow).values(test_mode=False))
    page = biller.get("/claims").text
    assert _marker(page) == ("production", "PRODUCTION")
    assert "Office Ally production: claims go to the payers" in page and "TEST" not in page


def test_the_provider_page_lists_what_keeps_the_account_from_production(
    admin: TestClient, biller: TestClient
) -> None:
    page = admin.get("/provider").text
    assert "Not ready for production:" in page
    assert "Office Ally has not accepted a test batch yet" in page
    assert 'href="/provider/mode/production"' not in page
    assert "Only an admin can switch" in biller.get("/provider").text
    confirm = admin.get("/provider/mode/production").text
    assert "Settle every point above first" in confirm and 'name="confirm"' not in confirm


def test_billers_and_viewers_cannot_switch(
    biller: TestClient, viewer: TestClient, store: Store
) -> None:
    _accepted_test_batch(store)
    for client in (biller, viewer):
        token = csrf_of(client, "/provider")
        assert client.get("/provider/mode/production").status_code == 403
        data = {"csrf_token": token, "confirm": "yes"}
        assert client.post("/provider/mode/production", data=data).status_code == 403
    assert _test_mode(store)


def test_an_admin_confirms_then_switches_and_it_is_audited(admin: TestClient, store: Store) -> None:
    _accepted_test_batch(store)
    page = admin.get("/provider").text
    assert "Ready for production." in page and 'href="/provider/mode/production"' in page
    confirm = admin.get("/provider/mode/production").text
    assert "Switch to production now" in confirm and 'name="confirm" value="yes"' in confirm
    token = csrf_of(admin, "/provider/mode/production")
    assert admin.post("/provider/mode/production", data={"confirm": "yes"}).status_code == 403
    assert admin.post("/provider/mode/production", data={"csrf_token": token}).status_code == 400
    assert _test_mode(store)
    done = admin.post("/provider/mode/production", data={"csrf_token": token, "confirm": "yes"})
    assert (
        done.status_code == 303 and done.headers["location"] == "/provider?switched=production#mode"
    )
    assert not _test_mode(store)
    page = admin.get("/provider?switched=production").text
    assert "now in PRODUCTION mode" in page and "switched by admin" in page
    assert _marker(page) == ("production", "PRODUCTION")
    with store.read() as session:
        newest = audit_entries(session)[0]
    assert (newest.username, newest.action, newest.entity, newest.detail) == (
        "admin", "change", "account", "mode: production"
    )  # fmt: skip
    again = admin.post("/provider/mode/production", data={"csrf_token": token, "confirm": "yes"})
    assert again.status_code == 409 and "already in production" in again.text


def test_back_to_test_needs_an_admin_a_reason_and_a_confirmation(
    admin: TestClient, biller: TestClient, store: Store
) -> None:
    _accepted_test_batch(store)
    token = csrf_of(admin, "/provider")
    admin.post("/provider/mode/production", data={"csrf_token": token, "confirm": "yes"})
    assert 'href="/provider/mode/test"' in admin.get("/provider").text
    confirm = admin.get("/provider/mode/test").text
    assert "Switch back to test now" in confirm and 'name="reason"' in confirm
    biller_token = csrf_of(biller, "/provider")
    data = {"csrf_token": biller_token, "confirm": "yes", "reason": "retest"}
    assert biller.post("/provider/mode/test", data=data).status_code == 403
    data = {"csrf_token": token, "confirm": "yes", "reason": " "}
    assert admin.post("/provider/mode/test", data=data).status_code == 400
    assert not _test_mode(store)
    data["reason"] = "a new rendering provider to test"
    assert admin.post("/provider/mode/test", data=data).status_code == 303
    assert _test_mode(store)
    page = admin.get("/provider").text
    assert _marker(page) == ("test", "TEST") and "(a new rendering provider to test)" in page
    with store.read() as session:
        newest = audit_entries(session)[0]
    assert newest.detail == "mode: test: a new rendering provider to test"


def test_production_is_refused_while_a_rule_is_unmet(admin: TestClient, store: Store) -> None:
    token = csrf_of(admin, "/provider")
    response = admin.post("/provider/mode/production", data={"csrf_token": token, "confirm": "yes"})
    assert response.status_code == 409
    assert "Office Ally has not accepted a test batch yet" in response.text
    assert _test_mode(store)
    assert admin.get("/provider/mode/staging").status_code == 404


def test_the_api_reads_the_mode_and_only_an_admin_token_switches(
    app: FastAPI, api: TestClient, store: Store
) -> None:
    body = api.get("/api/v1/account/mode").json()
    assert body["mode"] == "test" and body["since"] is None and body["accepted_test_batches"] == 0
    assert body["may_go_to_production"] is False
    assert body["unmet"][0].startswith("Office Ally has not accepted a test batch yet")
    refused = api.put("/api/v1/account/mode", json={"mode": "production", "confirm": True})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    admin_api = TestClient(app, follow_redirects=False)
    admin_api.headers["Authorization"] = f"Bearer {token_for(store, 'admin')}"
    unmet = admin_api.put("/api/v1/account/mode", json={"mode": "production", "confirm": True})
    assert unmet.status_code == 409
    assert unmet.json()["error"]["code"] == "conflict"
    assert unmet.json()["error"]["details"] == body["unmet"]
    _accepted_test_batch(store)
    unconfirmed = admin_api.put("/api/v1/account/mode", json={"mode": "production"})
    assert unconfirmed.status_code == 400 and _test_mode(store)
    done = admin_api.put("/api/v1/account/mode", json={"mode": "production", "confirm": True})
    assert done.status_code == 200
    assert (done.json()["mode"], done.json()["switched_by"], done.json()["unmet"]) == (
        "production", "admin", []
    )  # fmt: skip
    assert api.get("/api/v1/account/mode").json()["since"] == done.json()["since"]
    no_reason = admin_api.put("/api/v1/account/mode", json={"mode": "test", "confirm": True})
    assert no_reason.status_code == 400 and not _test_mode(store)
    back = {"mode": "test", "confirm": True, "reason": "retest a new provider"}
    assert admin_api.put("/api/v1/account/mode", json=back).json()["reason"] == back["reason"]
    assert _test_mode(store)
    with store.read() as session:
        details = [entry.detail for entry in audit_entries(session)[:2]]
    assert details == ["api: mode: test: retest a new provider", "api: mode: production"]


def test_onboarding_ends_with_the_switch_to_production(
    biller: TestClient, api: TestClient, store: Store
) -> None:
    steps = api.get("/api/v1/onboarding").json()["steps"]
    assert steps[-1]["key"] == "production" and steps[-1]["done"] is False
    assert 'href="/provider#mode"' in biller.get("/onboarding").text
    with store.transaction() as session:
        session.execute(update(t.ClearinghouseAccountRow).values(test_mode=False))
    last = api.get("/api/v1/onboarding").json()["steps"][-1]
    assert last["done"] is True and last["what"].endswith("Now: production.")
