"""The dashboard's last poll, the poll button's record of a failure, and ``/api/v1/polls``."""

from __future__ import annotations

from datetime import timedelta

from web_support import TestClient, Transports, csrf_of, job_result

from claimbridge.errors import AuthenticationFailed
from claimbridge.services.polls import Poll, record_poll
from claimbridge.store.db import Store
from cycle_support import NOW

ACCOUNT = "cedarvalley@ftp10.officeally.com:22"  # the example practice's SFTP login


def _poll_now(client: TestClient) -> str:
    response = client.post("/poll", data={"csrf_token": csrf_of(client, "/")})
    return job_result(client, response)


def _tile(page: str) -> str:
    start = page.rindex("<div", 0, page.index('id="last-poll"'))
    return page[start : page.index("</div>", start)]


def test_a_poll_from_the_button_shows_as_the_last_poll(biller: TestClient, api: TestClient) -> None:
    assert "Last poll: none yet" in _tile(biller.get("/").text)
    partial = _poll_now(biller)
    assert "Nothing new" in partial
    swapped = _tile(partial)
    assert 'hx-swap-oob="true"' in swapped and "warning" not in swapped
    assert "Last poll: by biller, 0 files, ok — nothing new" in swapped
    assert "Last poll: by biller" in _tile(biller.get("/").text)
    [recorded] = api.get("/api/v1/polls").json()
    assert (recorded["actor"], recorded["source"], recorded["ok"]) == ("biller", ACCOUNT, True)


def test_a_refused_login_is_shown_and_recorded(
    biller: TestClient, api: TestClient, transport: Transports
) -> None:
    transport.failure = AuthenticationFailed(f"Office Ally refused the login {ACCOUNT}")
    partial = _poll_now(biller)
    assert f"The poll failed: Office Ally refused the login {ACCOUNT}" in partial
    assert transport.instances[0].closed
    tile = _tile(biller.get("/").text)
    assert 'class="tile warning"' in tile and "FAILED" in tile
    [recorded] = api.get("/api/v1/polls?limit=5").json()
    assert (recorded["ok"], recorded["files"], recorded["actor"]) == (False, 0, "biller")
    assert "password" not in str(recorded).lower()


def test_the_api_lists_polls_newest_first_and_bounds_the_limit(
    api: TestClient, store: Store
) -> None:
    for hours, actor in ((0, "cli"), (2, "watch"), (1, "dana")):
        at = NOW + timedelta(hours=hours)
        record_poll(store, Poll(at, at, actor, "folder oa", hours, 0, True, "nothing new"))
    listed = api.get("/api/v1/polls?limit=2").json()
    assert [p["actor"] for p in listed] == ["watch", "dana"]
    assert listed[0]["started_at"] == (NOW + timedelta(hours=2)).isoformat()
    refused = api.get("/api/v1/polls?limit=0")
    assert refused.status_code == 400
    assert set(refused.json()["error"]) == {"code", "message", "details"}


def test_the_new_routes_are_published_and_need_a_token(
    anonymous: TestClient, api: TestClient
) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/polls", "/api/v1/claims/{clm01}/x12"} <= set(paths)
    assert anonymous.get("/api/v1/polls").status_code == 401
    assert anonymous.get("/api/v1/claims/CB-1001/x12").status_code == 401
