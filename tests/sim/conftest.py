"""Fixtures of the simulator tests; the helpers live in ``sim_support`` (a unique name)."""

from __future__ import annotations

from sim_support import practice_run

__all__ = ["practice_run"]
