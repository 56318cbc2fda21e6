"""API tokens: a read token is refused on every route that writes; a token stops at its expiry
and when revoked; its last use is kept and shown; it acts in its practice only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from web_support import TestClient, csrf_of, token_for

from claimbridge.errors import InputError
from claimbridge.services.users import (
    TOKEN_DAYS_MAX,
    TokenScope,
    create_token,
    find_user_id,
    get_user,
    list_tokens,
)
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import utcnow


def _client(app: FastAPI, token: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _writing_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every API route but GET, from the OpenAPI document (so a route added later is tried)."""
    found = [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in operations
        if method.upper() not in {"GET", "HEAD", "OPTIONS"}
    ]
    assert len(found) >= 15
    return found


def _snapshot(store: Store) -> list[tuple[object, ...]]:
    with store.read() as session:
        claims = session.execute(select(t.ClaimRow.clm01, t.ClaimRow.status)).all()
        payers = session.execute(select(t.PayerRow.payer_id, t.PayerRow.name)).all()
        jobs = session.execute(select(t.JobRow.id)).all()
    return [tuple(r) for r in [*claims, *payers, *jobs]]


def test_a_read_token_is_refused_on_every_route_that_writes(app: FastAPI, store: Store) -> None:
    reader = _client(app, token_for(store, "admin", TokenScope.READ))
    before = _snapshot(store)
    for method, path in _writing_routes(app):
        answer = reader.request(method, path, json={})
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "forbidden"
        assert "may only read" in answer.json()["error"]["message"]
    assert _snapshot(store) == before
    assert reader.get("/api/v1/claims").status_code == 200
    assert reader.get("/api/v1/account/mode").status_code == 200


def test_a_write_token_writes_as_its_users_role(app: FastAPI, store: Store) -> None:
    writer = _client(app, token_for(store, "biller", TokenScope.WRITE))
    body = {"name": "Acme Health", "claim_filing_indicator": "CI", "par": False}
    assert writer.put("/api/v1/payers/AC001", json=body).status_code == 200
    mode = {"mode": "production", "confirm": True}
    assert writer.put("/api/v1/account/mode", json=mode).status_code == 403  # a biller's token


def test_a_token_stops_at_its_expiry(app: FastAPI, store: Store) -> None:
    token = token_for(store, "biller", TokenScope.READ, days=1)
    client = _client(app, token)
    assert client.get("/api/v1/claims").status_code == 200
    with store.transaction() as session:
        session.execute(update(t.ApiTokenRow).values(expires_at=utcnow() - timedelta(seconds=1)))
    answer = client.get("/api/v1/claims")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_signed_in"


def test_expiry_and_scope_are_checked_when_a_token_is_made(store: Store) -> None:
    with store.transaction() as session:
        viewer = get_user(session, find_user_id(session, "viewer"))
        admin = get_user(session, find_user_id(session, "admin"))
        assert viewer is not None and admin is not None
        with pytest.raises(InputError, match="can only read"):
            create_token(session, viewer, "x", TokenScope.WRITE)
        for days in (0, TOKEN_DAYS_MAX + 1):
            with pytest.raises(InputError, match=f"1 to {TOKEN_DAYS_MAX} days"):
                create_token(session, admin, "x", TokenScope.READ, days)
        create_token(session, admin, "longest", TokenScope.READ, TOKEN_DAYS_MAX)
        [made] = list_tokens(session)
    assert made.expires_at - made.created_at == timedelta(days=TOKEN_DAYS_MAX)


def test_an_admin_sees_the_last_use_and_revokes_a_token(
    app: FastAPI, store: Store, admin: TestClient
) -> None:
    client = _client(app, token_for(store, "biller", TokenScope.READ))
    with store.read() as session:
        [listed] = list_tokens(session)
    assert listed.last_used_at is None and "never" in admin.get("/admin").text
    assert client.get("/api/v1/claims").status_code == 200
    with store.read() as session:
        [used] = list_tokens(session)
    assert used.last_used_at is not None and used.state(utcnow()) == "active"
    answer = admin.post(
        "/admin/tokens/revoke",
        data={"token_id": str(used.id), "csrf_token": csrf_of(admin, "/admin")},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "The token &#39;test&#39; of biller is revoked." in answer.text
    assert client.get("/api/v1/claims").status_code == 401
    with store.read() as session:
        [revoked] = list_tokens(session)
    assert revoked.state(utcnow()) == "revoked"


def test_an_admin_makes_a_read_token_that_only_reads(
    app: FastAPI, store: Store, admin: TestClient
) -> None:
    answer = admin.post(
        "/admin/tokens",
        data={"name": "ehr", "scope": "read", "days": "30", "csrf_token": csrf_of(admin, "/admin")},
        headers={"HX-Request": "true"},
    )
    found = re.search(r'<code id="token">([^<]+)</code>', answer.text)
    assert answer.status_code == 200 and found, answer.text
    client = _client(app, found.group(1))
    assert client.get("/api/v1/claims").status_code == 200
    assert client.post("/api/v1/submit").status_code == 403
    with store.read() as session:
        [made] = list_tokens(session)
    assert (made.name, made.username, made.scope) == ("ehr", "admin", TokenScope.READ)
    assert made.expires_at - made.created_at == timedelta(days=30)


def test_disabling_a_user_stops_their_tokens(app: FastAPI, store: Store, admin: TestClient) -> None:
    client = _client(app, token_for(store, "biller", TokenScope.WRITE))
    assert client.get("/api/v1/claims").status_code == 200
    with store.read() as session:
        biller = find_user_id(session, "biller")
    admin.post(
        "/admin/users/active",
        data={"user_id": str(biller), "active": "no", "csrf_token": csrf_of(admin, "/admin")},
    )
    assert client.get("/api/v1/claims").status_code == 401
