"""Test connection, Submit ready claims and Poll Office Ally now, over SFTP to the simulator.

The app makes its real SFTP transport (``sftp_factory``) from the account stored in the ledger,
as ``claimbridge serve`` does; the simulator answers as Office Ally would. The views run in
FastAPI's thread pool, off the server's event loop, while the transport runs a loop of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from sqlalchemy import update
from web_support import TestClient, csrf_of, example_ledger

from claimbridge.domain.models import Secret
from claimbridge.settings import Settings
from claimbridge.sim import SimConfig, start_simulator
from claimbridge.sim.server import RunningSimulator
from claimbridge.store import tables as t
from claimbridge.store.crypto import Cipher
from claimbridge.store.db import Store
from claimbridge.store.repositories import set_password
from claimbridge.web.app import WebConfig, create_app
from cycle_support import statuses

KEY = Fernet.generate_key().decode()


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[RunningSimulator]:
    with start_simulator(SimConfig(root=tmp_path / "sim", port=0)) as running:
        yield running


@pytest.fixture
def store(tmp_path: Path, simulator: RunningSimulator) -> Iterator[Store]:
    """The example practice, its Office Ally account pointed at the simulator, password stored."""
    ledger = example_ledger(tmp_path / "ledger.db")
    config = simulator.config
    with ledger.transaction() as session:
        session.execute(
            update(t.ClearinghouseAccountRow).values(
                sftp_host=config.host, sftp_port=simulator.port, username=config.user
            )
        )
        set_password(session, Secret(config.password), Cipher(Secret(KEY)))
    yield ledger
    ledger.dispose()


@pytest.fixture
def app(store: Store, tmp_path: Path) -> FastAPI:
    """The app as serve makes it: no transport given, so SFTP to the stored account."""
    settings = Settings(db_url=store.url, secret_key=Secret(KEY), home=tmp_path / "home")
    config = WebConfig(
        session_secret="test-secret",
        secure_cookies=False,
        known_hosts=tmp_path / "known_hosts",
        archive=tmp_path / "archive",
    )
    return create_app(settings, store, None, config)


def test_an_admin_tests_the_connection_over_sftp(admin: TestClient) -> None:
    response = admin.post("/provider/sftp/test", data={"csrf_token": csrf_of(admin, "/provider")})
    assert response.status_code == 200, response.text
    assert "Connected to claimbridge@127.0.0.1:" in response.text
    assert "inbound has 0 files, outbound 0" in response.text


def test_a_biller_submits_and_polls_over_sftp(
    biller: TestClient, store: Store, simulator: RunningSimulator, tmp_path: Path
) -> None:
    made = biller.post("/claims/create", data={"csrf_token": csrf_of(biller, "/claims")})
    assert made.status_code == 200, made.text

    sent = biller.post("/claims/submit", data={"csrf_token": csrf_of(biller, "/claims")})

    assert sent.status_code == 200, sent.text
    assert "OATEST_837P_" in sent.text
    [uploaded] = (simulator.root / "inbound").iterdir()
    assert uploaded.name.startswith("OATEST_837P_") and uploaded.name in sent.text
    assert "submitted" in statuses(store).values()

    simulator.process_now()  # Office Ally answers: reports, 999, 277CA, ERAs
    polled = biller.post("/poll", data={"csrf_token": csrf_of(biller, "/")})

    assert polled.status_code == 200, polled.text
    assert "new files from Office Ally" in polled.text
    assert "paid" in statuses(store).values()
    assert any((tmp_path / "archive").rglob("*"))
