"""The public surface of ``claimbridge.transport`` is exactly its ``__all__``."""

from __future__ import annotations

import inspect

import claimbridge.transport as transport


def test_exported_names_are_exactly_all() -> None:
    public = {
        name
        for name, value in vars(transport).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }

    assert public == set(transport.__all__)
