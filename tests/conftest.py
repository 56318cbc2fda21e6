"""Fixtures shared by every test, and the rule for tests that need outside programs.

A test that needs sshd, PostgreSQL or Chromium calls ``need(available, reason)``: on a laptop
without the program it is skipped with the reason; with ``CLAIMBRIDGE_REQUIRE_ALL=1`` (as CI
sets) it fails instead, so CI can never pass by skipping.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import SAMPLES, TEST_DATA, need

__all__ = ["need"]

pytest_plugins = ["ledger_db"]  # store, store_url, empty_store_url: SQLite and PostgreSQL


@pytest.fixture
def samples_dir() -> Path:
    """The public X12 sample files kept beside the checkout."""
    need(SAMPLES.is_dir(), f"the shared X12 samples are not at {SAMPLES}")
    return SAMPLES


@pytest.fixture
def test_data() -> Path:
    """Our own synthetic X12 files, named by scenario."""
    return TEST_DATA
