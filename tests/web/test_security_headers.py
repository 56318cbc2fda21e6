"""Every answer carries the security headers: pages, refusals, the API, static files."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from web_support import TestClient

from claimbridge.web.headers import HSTS, SECURITY_HEADERS


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/claims", "/static/app.css", "/nowhere"])
def test_every_answer_carries_the_security_headers(
    anonymous: TestClient, biller: TestClient, path: str
) -> None:
    for client in (anonymous, biller):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, response.status_code, name)
        assert "strict-transport-security" not in response.headers  # plain HTTP here


def test_over_https_browsers_are_told_to_stay_on_https(app: FastAPI) -> None:
    secure = TestClient(app, base_url="https://billing.example.test", follow_redirects=False)
    response = secure.get("/login")
    assert response.headers["strict-transport-security"] == HSTS
