"""Fixtures shared by every test, and the rule for tests that need outside programs.

A test that needs sshd, PostgreSQL or Chromium calls ``need(available, reason)``: on a laptop
without the program it is skipped with the reason; with ``CLAIMBRIDGE_REQUIRE_ALL=1`` (as CI
sets) it fails instead, so CI can never pass by skipping.

No test writes into the real claimbridge home: every test gets its own ``CLAIMBRIDGE_HOME`` (and
``XDG_DATA_HOME``, where the default home lies on Linux) in a temporary folder, and the
variables that would move a file out of that home are unset.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support import SAMPLES, TEST_DATA, compiled_loops_built, need, python_loops

__all__ = ["need"]

pytest_plugins = ["ledger_db"]  # store, store_url, empty_store_url: SQLite and PostgreSQL


PLACES = ("DB", "KEY_FILE", "SECRET_KEY", "ARCHIVE", "SFTP_KNOWN_HOSTS")


@pytest.fixture(autouse=True)
def claimbridge_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """This test's claimbridge home (not created until something is written there)."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "xdg-data"))
    monkeypatch.setenv("CLAIMBRIDGE_HOME", str(base / "claimbridge"))
    for name in PLACES:
        monkeypatch.delenv(f"CLAIMBRIDGE_{name}", raising=False)
    return base / "claimbridge"


@pytest.fixture
def samples_dir() -> Path:
    """The public X12 sample files kept beside the checkout."""
    need(SAMPLES.is_dir(), f"the shared X12 samples are not at {SAMPLES}")
    return SAMPLES


@pytest.fixture
def test_data() -> Path:
    """Our own synthetic X12 files, named by scenario."""
    return TEST_DATA


@pytest.fixture(params=["compiled", "python"])
def reading_loops(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test with the X12 reader's C loops, then with its Python loops only."""
    if request.param == "python":
        with python_loops():
            yield "python"
        return
    need(compiled_loops_built(), "the X12 reader's C loops were not built (is gcc installed?)")
    yield "compiled"
