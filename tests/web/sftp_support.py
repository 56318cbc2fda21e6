"""Fixtures of the web tests over SFTP: the simulator, the example practice's account pointed
at it with its password stored, and the app as ``claimbridge serve`` makes it (its real SFTP
transport, its long actions run as jobs in the app's own threads on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from web_support import example_ledger

from claimbridge.domain.models import Secret
from claimbridge.settings import Settings
from claimbridge.sim import SimConfig, start_simulator
from claimbridge.sim.server import RunningSimulator
from claimbridge.store.db import Store
from claimbridge.web.app import WebConfig, create_app
from cycle_support import point_at_simulator

KEY = Fernet.generate_key().decode()


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[RunningSimulator]:
    with start_simulator(SimConfig(root=tmp_path / "sim", port=0)) as running:
        yield running


@pytest.fixture
def store(tmp_path: Path, simulator: RunningSimulator) -> Iterator[Store]:
    """The example practice, its Office Ally account pointed at the simulator, password stored."""
    ledger = example_ledger(tmp_path / "ledger.db")
    point_at_simulator(ledger, simulator, KEY)
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
