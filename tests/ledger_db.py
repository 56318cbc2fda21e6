"""Ledger fixtures shared by every test folder (a plugin loaded by ``tests/conftest.py``).

A test that takes ``store`` runs on SQLite and PostgreSQL. The schema is migrated once per
session into a template (a SQLite file, a PostgreSQL template database); each test gets a
fresh copy. The PostgreSQL cluster starts on first use, one per
test worker; when it cannot start, the PostgreSQL cases call ``need`` (skip, or fail in CI).
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load
from pg_support import PostgresCluster, missing_reason
from support import need

_TEMPLATE_DB = "claimbridge_template"
PRACTICE = "practice"  # the one practice of a fresh ledger; its file is not loaded yet
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that tests copy, holding one practice (``PRACTICE``) whose
    practice file is not loaded yet."""
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    store_for_load(store, PRACTICE)
    store.dispose()
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster | str]:
    """A running cluster with a migrated template database, or why there is none."""
    reason = missing_reason()
    if reason:
        yield reason
        return
    cluster = PostgresCluster()
    try:
        cluster.start()
        cluster.execute(f"CREATE DATABASE {_TEMPLATE_DB}")
        template = Store(cluster.url(_TEMPLATE_DB))
        template.upgrade()
        store_for_load(template, PRACTICE)
        template.dispose()
    except (subprocess.SubprocessError, OSError) as error:
        cluster.stop()
        yield f"PostgreSQL did not start: {error} {cluster.log_tail()}"
        return
    yield cluster
    cluster.stop()


def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated PostgreSQL database for one test, dropped afterwards."""
    cluster = request.getfixturevalue("pg_cluster")
    need(isinstance(cluster, PostgresCluster), str(cluster))
    assert isinstance(cluster, PostgresCluster)
    name = f"test_{next(_numbers)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE_DB} STRATEGY FILE_COPY")
    yield cluster.url(name)
    cluster.execute(f"DROP DATABASE {name} WITH (FORCE)")


def sqlite_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated SQLite file for one test."""
    template: Path = request.getfixturevalue("sqlite_template")
    tmp_path: Path = request.getfixturevalue("tmp_path")
    path = tmp_path / "ledger.db"
    shutil.copyfile(template, path)
    yield f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a fresh, migrated ledger with one practice, not loaded yet, once on SQLite
    and once on PostgreSQL."""
    make = postgres_url if request.param == "postgresql" else sqlite_url
    yield from make(request)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A fresh, migrated ledger, once on SQLite and once on PostgreSQL."""
    ledger = Store(store_url)
    yield ledger
    ledger.dispose()


@pytest.fixture
def empty_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema) on SQLite or PostgreSQL, chosen by ``indirect`` param."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    need(isinstance(cluster, PostgresCluster), str(cluster))
    assert isinstance(cluster, PostgresCluster)
    name = f"empty_{next(_numbers)}"
    cluster.execute(f"CREATE DATABASE {name}")
    yield cluster.url(name)
    cluster.execute(f"DROP DATABASE {name} WITH (FORCE)")
