"""Fixtures shared by every test, and the rule for tests that need outside programs.

A test that needs sshd, PostgreSQL or Chromium calls ``need(available, reason)``: on a laptop
without the program it is skipped with the reason; with ``CLAIMBRIDGE_REQUIRE_ALL=1`` (as CI
sets) it fails instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "x12-samples"
TEST_DATA = Path(__file__).resolve().parent / "data"


def require_all() -> bool:
    """True when every optional part must be present (CI)."""
    return os.environ.get("CLAIMBRIDGE_REQUIRE_ALL") == "1"


def need(available: bool, reason: str) -> None:
    """Skip the calling test with ``reason`` unless ``available``; fail instead under CI."""
    if available:
        return
    if require_all():
        pytest.fail(f"required for CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def samples_dir() -> Path:
    """The public X12 sample files kept beside the checkout."""
    need(SAMPLES.is_dir(), f"the shared X12 samples are not at {SAMPLES}")
    return SAMPLES


@pytest.fixture
def test_data() -> Path:
    """Our own synthetic X12 files, named by scenario."""
    return TEST_DATA
