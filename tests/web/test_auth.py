"""Every route needs a user; forms need their CSRF token; roles hold; errors have one shape."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from web_support import PASSWORD, TestClient, csrf_of

from claimbridge.services.users import AUDIT_PAGE, audit_entries, record_audit
from claimbridge.store.db import Store
from claimbridge.web import views
from claimbridge.web.api import routes as api_routes


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every page and API route (FastAPI includes routers lazily, so walk the routers)."""
    found = []
    routers = [module.router for module in views.ROUTERS] + [api_routes.router]
    for route in (route for router in routers for route in router.routes):
        if isinstance(route, APIRoute):
            path = re.sub(r"\{[^}]+\}", "CB-1001", route.path)
            found += [(method, path) for method in sorted(route.methods)]
    return found


def test_every_route_refuses_anyone_not_signed_in(app: FastAPI, anonymous: TestClient) -> None:
    routes = _routes(app)
    assert len(routes) > 25
    for method, path in routes:
        if path == "/login":
            continue
        response = anonymous.request(method, path)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.json()["error"]["code"] == "not_signed_in"
        else:
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/login")


def test_the_openapi_document_needs_a_token(anonymous: TestClient, api: TestClient) -> None:
    assert anonymous.get("/api/v1/openapi.json").status_code == 401
    document = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/claims/{clm01}" in document["paths"]


def test_the_api_error_shape_is_pinned(api: TestClient) -> None:
    response = api.get("/api/v1/claims/NOPE-1")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "no claim 'NOPE-1'", "details": None}
    }


def test_a_wrong_password_does_not_sign_in(anonymous: TestClient) -> None:
    token = csrf_of(anonymous)
    data = {"username": "biller", "password": "not the password", "csrf_token": token}
    response = anonymous.post("/login", data=data)
    assert response.status_code == 401
    assert anonymous.get("/").status_code == 303


def test_sign_in_without_the_csrf_token_is_refused(anonymous: TestClient) -> None:
    anonymous.get("/login")
    response = anonymous.post("/login", data={"username": "biller", "password": PASSWORD})
    assert response.status_code == 403
    assert "security token" in response.text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/payers", {"payer_id": "X1", "name": "X", "claim_filing_indicator": "CI"}),
        ("/onboarding/steps/oa_account", {}),
        ("/logout", {}),
    ],
)
def test_forms_without_the_session_token_are_refused(
    biller: TestClient, path: str, data: dict[str, str]
) -> None:
    assert biller.post(path, data=data).status_code == 403
    assert biller.post(path, data={**data, "csrf_token": "forged"}).status_code == 403
    assert biller.get("/").status_code == 200  # still signed in


def test_a_forged_cookie_is_not_a_session(anonymous: TestClient) -> None:
    anonymous.cookies.set("cb_session", "eyJ1aWQiOjF9.forged.signature")
    assert anonymous.get("/").status_code == 303


def test_sign_out_ends_the_session(biller: TestClient) -> None:
    response = biller.post("/logout", data={"csrf_token": csrf_of(biller, "/")})
    assert response.status_code == 303
    assert biller.get("/").status_code == 303


def test_the_session_cookie_is_http_only_and_same_site(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    cookie = client.get("/login").headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_viewers_cannot_change_payers_or_dates(viewer: TestClient) -> None:
    token = csrf_of(viewer, "/payers")
    data = {"payer_id": "X1", "name": "X", "claim_filing_indicator": "CI", "csrf_token": token}
    assert viewer.post("/payers", data=data).status_code == 403
    assert viewer.get("/payers/new").status_code == 403
    assert viewer.get("/admin").status_code == 403


def test_billers_cannot_change_the_sftp_login(biller: TestClient) -> None:
    token = csrf_of(biller, "/provider")
    data = {"host": "evil.example", "port": "22", "username": "x", "csrf_token": token}
    assert biller.post("/provider/sftp", data=data).status_code == 403


def test_api_tokens_are_checked_and_roles_apply(app: FastAPI, store: Store) -> None:
    from web_support import token_for

    client = TestClient(app, follow_redirects=False)
    client.headers["Authorization"] = "Bearer cb_not-a-token"
    assert client.get("/api/v1/claims").status_code == 401
    client.headers["Authorization"] = f"Bearer {token_for(store, 'viewer')}"
    assert client.get("/api/v1/claims").status_code == 200
    body = {"name": "X", "claim_filing_indicator": "CI"}
    response = client.put("/api/v1/payers/X1", json=body)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_viewing_a_claim_is_audited(biller: TestClient, store: Store) -> None:
    assert biller.get("/claims/CB-1001").status_code == 200
    assert biller.get("/claims/CB-1001/eob").status_code == 200
    with store.read() as session:
        entries = audit_entries(session)
    assert [(e.username, e.action, e.entity, e.entity_key) for e in entries[:2]] == [
        ("biller", "view", "eob", "CB-1001"),
        ("biller", "view", "claim", "CB-1001"),
    ]


def test_changing_a_payer_is_audited(api: TestClient, store: Store) -> None:
    body = {"name": "Acme Health", "claim_filing_indicator": "CI", "par": False}
    assert api.put("/api/v1/payers/AC001", json=body).status_code == 200
    with store.read() as session:
        newest = audit_entries(session)[0]
    assert (newest.username, newest.action, newest.entity_key) == ("biller", "change", "AC001")


def test_the_audit_log_pages_back_fifty_entries_at_a_time(admin: TestClient, store: Store) -> None:
    with store.transaction() as session:
        for number in range(AUDIT_PAGE + 10):
            record_audit(session, "dana", "view", "claim", f"CB-{number:04d}")
    first = admin.get("/admin").text
    shown = re.findall(r"claim CB-(\d{4})", first)
    assert shown == [f"{n:04d}" for n in range(AUDIT_PAGE + 9, 9, -1)]
    [older] = re.findall(r'href="(/admin\?audit_before=\d+#audit)" rel="next"', first)
    second = admin.get(older.split("#")[0]).text
    assert re.findall(r"claim CB-(\d{4})", second)[:10] == [f"{n:04d}" for n in range(9, -1, -1)]
    assert 'rel="next"' not in second and 'href="/admin#audit">Newest</a>' in second
