"""Paths and the skip-or-fail rule shared by the tests; import it as ``from support import …``.

(``from conftest import …`` is ambiguous: pytest may have imported another folder's conftest under
that name.)
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
