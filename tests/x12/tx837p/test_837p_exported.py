"""The public surface of the 837P package is exactly its ``__all__``."""

from __future__ import annotations

import types

from claimbridge.x12 import tx837p_005010X222A1 as tx837p


def test_exported_names_are_exactly_all() -> None:
    public = {
        name
        for name, value in vars(tx837p).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert public == set(tx837p.__all__)
    assert tx837p.__all__ == sorted(tx837p.__all__)
