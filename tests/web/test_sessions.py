"""Sessions end when they should: signing out, being disabled and a new password (one's own or
an admin's reset) make every cookie from before stop working at once. An admin manages the
practice's users on the Admin page; what reaches other practices needs an admin of each.
Signing in is limited per username and per address, and old argon2 hashes are replaced."""

from __future__ import annotations

import inspect
import threading
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select
from web_support import CSRF, PASSWORD, TestClient, csrf_of, empty_ledger, sign_in

from claimbridge.domain.models import Secret
from claimbridge.services.users import Role, add_user, audit_entries, list_users
from claimbridge.settings import Settings
from claimbridge.store import tables as t
from claimbridge.store.crypto import generate_key
from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load
from claimbridge.web.app import WebConfig, create_app
from claimbridge.web.throttle import SignInLimits
from claimbridge.web.views import session as session_views

NEW_PASSWORD = "a brand new passphrase"


def _copy(client: TestClient, app: FastAPI) -> TestClient:
    """Another client holding ``client``'s cookie as it is now (a cookie kept from before)."""
    kept = TestClient(app, follow_redirects=False)
    kept.cookies.set("cb_session", client.cookies["cb_session"])
    return kept


def _signed_out(client: TestClient) -> bool:
    answer = client.get("/")
    return answer.status_code == 303 and answer.headers["location"].startswith("/login")


def _user_id(store: Store, username: str) -> int:
    with store.across_practices() as session:
        return session.scalars(select(t.UserRow.id).where(t.UserRow.username == username)).one()


def _post(client: TestClient, path: str, **data: str) -> httpx.Response:
    return client.post(path, data={**data, "csrf_token": csrf_of(client, "/")})


def _admin_post(client: TestClient, path: str, **data: str) -> str:
    """An Admin-page action sent as HTMX sends it; the answer's text (the result panel)."""
    answer = client.post(
        path,
        data={**data, "csrf_token": csrf_of(client, "/admin")},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def test_a_cookie_from_before_sign_out_no_longer_works(app: FastAPI, biller: TestClient) -> None:
    kept = _copy(biller, app)
    assert kept.get("/").status_code == 200
    assert biller.post("/logout", data={"csrf_token": csrf_of(biller, "/")}).status_code == 303
    assert _signed_out(kept)
    assert _signed_out(biller)
    again = sign_in(TestClient(app, follow_redirects=False), "biller")
    assert again.get("/").status_code == 200
    assert _signed_out(kept)  # signing in again does not bring the old cookie back


def test_disabling_a_user_ends_their_sessions_and_stops_sign_in(
    app: FastAPI, admin: TestClient, biller: TestClient, store: Store
) -> None:
    kept = _copy(biller, app)
    said = _admin_post(
        admin, "/admin/users/active", user_id=str(_user_id(store, "biller")), active="no"
    )
    assert "biller is disabled" in said and "<strong>disabled</strong>" in said
    assert _signed_out(biller) and _signed_out(kept)
    client = TestClient(app, follow_redirects=False)
    refused = client.post(
        "/login",
        data={"username": "biller", "password": PASSWORD, "csrf_token": csrf_of(client)},
    )
    assert refused.status_code == 401
    _admin_post(admin, "/admin/users/active", user_id=str(_user_id(store, "biller")), active="yes")
    assert sign_in(client, "biller").get("/").status_code == 200
    with store.read() as session:
        details = [e.detail for e in audit_entries(session) if e.entity == "user"]
    assert details[:2] == ["enabled", "disabled"]


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(
    app: FastAPI, biller: TestClient
) -> None:
    other = sign_in(TestClient(app, follow_redirects=False), "biller")
    kept = _copy(biller, app)
    token = csrf_of(biller, "/password")
    answer = biller.post(
        "/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
            "csrf_token": token,
        },
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and "Your password is changed" in answer.text
    assert biller.get("/").status_code == 200
    assert _signed_out(other) and _signed_out(kept)
    client = TestClient(app, follow_redirects=False)
    old = {"username": "biller", "password": PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post("/login", data=old).status_code == 401
    new = {**old, "password": NEW_PASSWORD}
    assert client.post("/login", data=new).status_code == 303


def test_a_wrong_current_password_changes_nothing(biller: TestClient) -> None:
    token = csrf_of(biller, "/password")
    data = {
        "current_password": "not the password",
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
        "csrf_token": token,
    }
    answer = biller.post("/password", data=data, headers={"HX-Request": "true"})
    assert answer.status_code == 400
    assert 'role="alert"' in answer.text and "current password is not right" in answer.text
    differ = {**data, "current_password": PASSWORD, "new_password_again": "something else 1"}
    answer = biller.post("/password", data=differ, headers={"HX-Request": "true"})
    assert answer.status_code == 400 and "type the same password" in answer.text
    short = {
        **data,
        "current_password": PASSWORD,
        "new_password": "short",
        "new_password_again": "short",
    }
    answer = biller.post("/password", data=short, headers={"HX-Request": "true"})
    assert answer.status_code == 400 and "at least 10 characters" in answer.text
    assert biller.get("/").status_code == 200


def test_an_admins_reset_ends_the_users_sessions(
    app: FastAPI, admin: TestClient, biller: TestClient, store: Store
) -> None:
    kept = _copy(biller, app)
    said = _admin_post(
        admin,
        "/admin/users/password",
        user_id=str(_user_id(store, "biller")),
        password=NEW_PASSWORD,
    )
    assert "biller has a new password" in said
    assert _signed_out(biller) and _signed_out(kept)
    client = TestClient(app, follow_redirects=False)
    data = {"username": "biller", "password": NEW_PASSWORD, "csrf_token": csrf_of(client)}
    assert client.post("/login", data=data).status_code == 303
    assert admin.get("/admin").status_code == 200  # the admin's own session goes on


def test_an_admin_adds_a_user_and_changes_their_role(
    app: FastAPI, admin: TestClient, store: Store
) -> None:
    said = _admin_post(admin, "/admin/users", username="dana", role="viewer", password=PASSWORD)
    assert "dana is a viewer here" in said and 'data-user="dana"' in said
    dana = sign_in(TestClient(app, follow_redirects=False), "dana")
    assert dana.get("/payers/new").status_code == 403
    said = _admin_post(
        admin, "/admin/users/role", user_id=str(_user_id(store, "dana")), role="biller"
    )
    assert "dana is now a biller here" in said
    assert dana.get("/payers/new").status_code == 200  # the next request has the new role
    with store.read() as session:
        assert {(u.username, u.role) for u in list_users(session)} >= {("dana", Role.BILLER)}


@pytest.mark.parametrize(
    ("path", "data", "says"),
    [
        (
            "/admin/users",
            {"username": "dana", "role": "biller", "password": "short"},
            "at least 10",
        ),
        (
            "/admin/users",
            {"username": "biller", "role": "biller", "password": ""},
            "exists already",
        ),
        (
            "/admin/users",
            {"username": "x y", "role": "biller", "password": PASSWORD},
            "not a username",
        ),
        ("/admin/users", {"username": "dana", "role": "boss", "password": PASSWORD}, "not a role"),
        ("/admin/users/password", {"user_id": "BILLER", "password": "short"}, "at least 10"),
        ("/admin/users/active", {"user_id": "ADMIN", "active": "no"}, "cannot do this to yourself"),
        ("/admin/users/role", {"user_id": "ADMIN", "role": "viewer"}, "your own role"),
        ("/admin/users/active", {"user_id": "9999", "active": "no"}, "no such user"),
        ("/admin/tokens", {"name": "ehr", "scope": "write", "days": "366"}, "1 to 365 days"),
        ("/admin/tokens/revoke", {"token_id": "9999"}, "no API token 9999"),
    ],
)
def test_admin_actions_that_cannot_be_done_say_why_in_the_panel(
    admin: TestClient, store: Store, path: str, data: dict[str, str], says: str
) -> None:
    ids = {"BILLER": str(_user_id(store, "biller")), "ADMIN": str(_user_id(store, "admin"))}
    sent = {name: ids.get(value, value) for name, value in data.items()}
    answer = admin.post(
        path,
        data={**sent, "csrf_token": csrf_of(admin, "/admin")},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code in {400, 404}, answer.text
    assert answer.text.startswith('<div class="alert error" role="alert">')
    assert says in answer.text
    with store.read() as session:
        assert {u.username for u in list_users(session) if u.active} == {
            "admin",
            "biller",
            "viewer",
        }


def test_billers_and_viewers_cannot_manage_users(
    biller: TestClient, viewer: TestClient, store: Store
) -> None:
    target = str(_user_id(store, "admin"))
    for client in (biller, viewer):
        answer = _post(client, "/admin/users/active", user_id=target, active="no")
        assert answer.status_code == 403
        answer = _post(client, "/admin/users/password", user_id=target, password=NEW_PASSWORD)
        assert answer.status_code == 403
    with store.read() as session:
        assert all(u.active for u in list_users(session))


@pytest.fixture
def two_practices(tmp_path: Path) -> tuple[FastAPI, Store]:
    """cedar-valley with a user per role; oak-grove where the biller is an admin too, and
    oakbob is admin of oak-grove only."""
    ledger = empty_ledger(tmp_path / "ledger.db")
    with store_for_load(ledger, "oak-grove").transaction() as session:
        add_user(session, "biller", Role.ADMIN, None)
        add_user(session, "oakbob", Role.ADMIN, Secret(PASSWORD))
    settings = Settings(db_url=ledger.url, secret_key=generate_key())
    config = WebConfig(session_secret="s", secure_cookies=False, archive=tmp_path / "archive")
    return create_app(settings, ledger, None, config), ledger


def test_what_reaches_another_practice_needs_an_admin_there(
    two_practices: tuple[FastAPI, Store],
) -> None:
    app, ledger = two_practices
    admin = sign_in(TestClient(app, follow_redirects=False), "admin")  # cedar-valley only
    biller = _user_id(ledger, "biller")
    for path, data in (
        ("/admin/users/active", {"active": "no"}),
        ("/admin/users/password", {"password": NEW_PASSWORD}),
    ):
        answer = admin.post(
            path,
            data={**data, "user_id": str(biller), "csrf_token": csrf_of(admin, "/admin")},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 400
        assert "biller also works in oak-grove, where you are not an admin" in answer.text
    oakbob = _user_id(ledger, "oakbob")  # no role in cedar-valley: not this admin's to touch
    for path, data in (
        ("/admin/users/active", {"active": "no"}),
        ("/admin/users/role", {"role": "viewer"}),
    ):
        answer = admin.post(
            path, data={**data, "user_id": str(oakbob), "csrf_token": csrf_of(admin, "/admin")}
        )
        assert answer.status_code == 404
    with ledger.across_practices() as session:
        assert all(session.scalars(select(t.UserRow.active)))
    assert sign_in(TestClient(app, follow_redirects=False), "biller").get("/").status_code == 200


def _limits_at(app: FastAPI, clock: list[float]) -> None:
    app.state.sign_in_limits = SignInLimits(clock=lambda: clock[0])


def _try(client: TestClient, username: str, password: str) -> httpx.Response:
    data = {"username": username, "password": password, "csrf_token": csrf_of(client)}
    return client.post("/login", data=data)


def test_sign_in_attempts_are_limited_per_username_with_growing_delays(app: FastAPI) -> None:
    clock = [1000.0]
    _limits_at(app, clock)
    client = TestClient(app, follow_redirects=False)
    for _ in range(5):
        assert _try(client, "biller", "wrong password").status_code == 401
    refused = _try(client, "biller", PASSWORD)  # even the right password is not checked now
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "2"
    assert "try again in 2 seconds" in refused.text
    assert _try(client, "viewer", PASSWORD).status_code == 303
    clock[0] += 2
    assert _try(client, "biller", "wrong again").status_code == 401
    refused = _try(client, "biller", PASSWORD)
    assert "try again in 4 seconds" in refused.text
    clock[0] += 4
    assert _try(client, "biller", PASSWORD).status_code == 303
    assert _try(client, "biller", "wrong").status_code == 401  # cleared


def test_sign_in_attempts_are_limited_per_address(app: FastAPI) -> None:
    clock = [1000.0]
    _limits_at(app, clock)
    client = TestClient(app, follow_redirects=False)
    for n in range(20):
        assert _try(client, f"nobody{n}", "wrong password").status_code == 401
    refused = _try(client, "admin", PASSWORD)
    assert refused.status_code == 429
    assert "from this address: try again in 2 seconds" in refused.text


def test_an_old_hash_still_signs_in_and_is_replaced(app: FastAPI, store: Store) -> None:
    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    with store.transaction() as session:
        row = session.scalars(select(t.UserRow).where(t.UserRow.username == "biller")).one()
        row.password_hash = old
    client = sign_in(TestClient(app, follow_redirects=False), "biller")
    assert client.get("/").status_code == 200
    with store.read() as session:
        row = session.scalars(select(t.UserRow).where(t.UserRow.username == "biller")).one()
        stored, last = row.password_hash, row.last_sign_in_at
    assert stored != old and stored.startswith("$argon2id$v=19$m=32768,t=3,p=1$")
    assert last is not None
    assert sign_in(TestClient(app, follow_redirects=False), "biller").get("/").status_code == 200


def test_every_page_view_runs_in_the_thread_pool() -> None:
    """FastAPI runs a plain ``def`` view in its thread pool: hashing, SFTP and the ledger stay
    off the event loop."""
    from fastapi.routing import APIRoute

    from claimbridge.web import views

    routes = [r for m in views.ROUTERS for r in m.router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 30
    assert [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)] == []


def test_a_sign_in_being_checked_does_not_hold_up_other_requests(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = session_views.check_password

    def slow_check(*args: object, **kwargs: object) -> object:
        entered.set()
        release.wait(timeout=20)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session_views, "check_password", slow_check)
    answers: list[int] = []

    def signing_in() -> None:
        with httpx.Client(base_url=served) as client:
            token = CSRF.search(client.get("/login").text)
            assert token is not None
            data = {"username": "biller", "password": PASSWORD, "csrf_token": token.group(1)}
            answers.append(client.post("/login", data=data).status_code)

    thread = threading.Thread(target=signing_in)
    thread.start()
    try:
        assert entered.wait(timeout=20), "the sign-in never reached its password check"
        with httpx.Client(base_url=served) as other:
            assert other.get("/login").status_code == 200  # answered while the check waits
        assert answers == []
    finally:
        release.set()
        thread.join(timeout=20)
    assert answers == [303]
