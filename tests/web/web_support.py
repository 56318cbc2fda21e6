"""Fixtures of the web tests: a migrated ledger with the example practice, users, and clients."""

from __future__ import annotations

import re
import shutil
import sys
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from claimbridge.domain.models import ClearinghouseAccount, Secret
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import TransportError
from claimbridge.services.users import (
    Role,
    TokenScope,
    add_user,
    create_token,
    find_user_id,
    get_user,
)
from claimbridge.settings import Settings
from claimbridge.store.crypto import generate_key
from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load
from claimbridge.transport.memory import MemoryTransport
from claimbridge.web.app import WebConfig, create_app

with warnings.catch_warnings():
    # Starlette 1.x asks for the httpx2 package in its test client; httpx (declared) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from ledger_fixtures import add_claim, load_example

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
JOB_PANEL = re.compile(r'hx-get="(/jobs/\d+)" hx-trigger="every 1s"')
JOB_WAIT_S = 60.0


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite ledger with the example practice, three users and some claims."""
    path = tmp_path_factory.mktemp("web") / "ledger.db"
    store = example_ledger(path)
    sent = datetime(2026, 11, 5, 15, 0, tzinfo=UTC)
    add_claim(store, "CB-1001", "62308", ClaimStatus.SUBMITTED, submitted_at=sent)
    add_claim(store, "CB-1002", "87726", ClaimStatus.HELD)
    add_claim(
        store,
        "CB-1003",
        "SX123",
        ClaimStatus.SUBMITTED,
        submitted_at=sent,
        charges=("80.00", "20.00"),
    )
    store.dispose()
    return path


def empty_ledger(path: Path) -> Store:
    """A new migrated SQLite ledger at ``path`` with a practice keyed cedar-valley whose file
    is not loaded yet, one user per role in it, and nothing else."""
    ledger = Store(f"sqlite:///{path}")
    ledger.upgrade()
    with store_for_load(ledger, "cedar-valley").transaction() as session:
        for role in Role:
            add_user(session, role.value, role, Secret(PASSWORD))
    return ledger


def example_ledger(path: Path) -> Store:
    """``empty_ledger`` with the example practice loaded, and no claim yet (the template's
    claims have no appointments, so the claim checks cannot run on them)."""
    ledger = empty_ledger(path)
    load_example(ledger)
    return ledger


@pytest.fixture
def store(web_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the web template ledger."""
    path = tmp_path / "ledger.db"
    shutil.copyfile(web_template, path)
    ledger = Store(f"sqlite:///{path}")
    yield ledger
    ledger.dispose()


class Transports:
    """Makes a fresh ``MemoryTransport`` per connection; ``failure`` makes its listing fail."""

    def __init__(self) -> None:
        self.failure: TransportError | None = None
        self.made = 0
        self.instances: list[MemoryTransport] = []

    def __call__(self, account: ClearinghouseAccount, store: Store) -> MemoryTransport:
        self.made += 1
        made = MemoryTransport()
        self.instances.append(made)
        if self.failure is not None:
            made.fail_next("list", self.failure)
        return made


@pytest.fixture
def transport() -> Transports:
    """The transports the app's connection test uses."""
    return Transports()


@pytest.fixture
def app(store: Store, transport: Transports, tmp_path: Path) -> FastAPI:
    """The web app over ``store``, plain-HTTP cookies, a fixed session secret."""
    settings = Settings(db_url=store.url, secret_key=generate_key())
    config = WebConfig(
        session_secret="test-secret",
        secure_cookies=False,
        known_hosts=tmp_path / "known_hosts",
        archive=tmp_path / "archive",
    )
    return create_app(settings, store, transport, config)


@pytest.fixture
def anonymous(app: FastAPI) -> TestClient:
    """A client that has not signed in (redirects are not followed)."""
    return TestClient(app, follow_redirects=False)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token in the form at ``path``."""
    found = CSRF.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, username: str) -> TestClient:
    """Sign ``client`` in as ``username``."""
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(client)},
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def biller(app: FastAPI) -> TestClient:
    """A client signed in as a biller."""
    return sign_in(TestClient(app, follow_redirects=False), "biller")


@pytest.fixture
def admin(app: FastAPI) -> TestClient:
    """A client signed in as an admin."""
    return sign_in(TestClient(app, follow_redirects=False), "admin")


@pytest.fixture
def viewer(app: FastAPI) -> TestClient:
    """A client signed in as a viewer."""
    return sign_in(TestClient(app, follow_redirects=False), "viewer")


def token_for(
    store: Store, username: str, scope: TokenScope = TokenScope.WRITE, days: int = 90
) -> str:
    """A new API token of ``username`` (a viewer's reads only)."""
    with store.transaction() as session:
        user = get_user(session, find_user_id(session, username))
        assert user is not None
        if user.role is Role.VIEWER:
            scope = TokenScope.READ
        return create_token(session, user, "test", scope, days).reveal()


@pytest.fixture
def api(app: FastAPI, store: Store) -> TestClient:
    """A client with a biller's API token."""
    client = TestClient(app, follow_redirects=False)
    client.headers["Authorization"] = f"Bearer {token_for(store, 'biller')}"
    return client


__all__ = ["Decimal", "add_claim"]


def job_result(client: TestClient, response: Any) -> str:
    """What a long action's panel ends with: ``/jobs/{id}`` followed as the page does, every
    50 ms, until it answers with the job's result instead of the running panel."""
    assert response.status_code == 200, response.text
    text: str = response.text
    found = JOB_PANEL.search(text)
    assert found, f"not a job's panel: {text[:300]}"
    deadline = time.monotonic() + JOB_WAIT_S
    while (found := JOB_PANEL.search(text)) and time.monotonic() < deadline:
        time.sleep(0.05)
        text = client.get(found.group(1), headers={"HX-Request": "true"}).text
    assert not found, f"the job did not end in {JOB_WAIT_S} s: {text[:300]}"
    return text


def api_job(client: TestClient, response: Any) -> dict[str, Any]:
    """The job a 202 answer names, followed at its URL until it has ended."""
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    assert response.headers["location"] == job["url"]
    deadline = time.monotonic() + JOB_WAIT_S
    while not job["finished"] and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(str(job["url"])).json()
    assert job["finished"], f"the job did not end in {JOB_WAIT_S} s: {job}"
    return job
