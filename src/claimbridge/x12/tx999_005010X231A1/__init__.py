"""999 implementation acknowledgment (005010X231A1): did each of our transaction sets pass?

``parse(transaction)`` turns a 999 ``TransactionSet`` into a ``FunctionalAck``; ``to_json``
gives its plain-JSON shape (documented in docs/x12-json.md, "999").
"""

from __future__ import annotations

from typing import Any

from claimbridge.x12.jsonable import to_jsonable
from claimbridge.x12.tx999_005010X231A1.models import (
    Coded,
    Context,
    ElementError,
    ElementPosition,
    FunctionalAck,
    GroupResponse,
    GroupResult,
    SegmentError,
    SetResponse,
    SetResult,
)
from claimbridge.x12.tx999_005010X231A1.parse import parse

__all__ = [
    "Coded",
    "Context",
    "ElementError",
    "ElementPosition",
    "FunctionalAck",
    "GroupResponse",
    "GroupResult",
    "SegmentError",
    "SetResponse",
    "SetResult",
    "parse",
    "to_json",
]


def to_json(value: FunctionalAck) -> dict[str, Any]:
    """``value`` as plain JSON: every loop and element, codes as ``{"code", "meaning"}``."""
    shape: dict[str, Any] = to_jsonable(value)
    for response, as_json in zip(value.transaction_sets, shape["transaction_sets"], strict=True):
        as_json["accepted"] = response.accepted
    return shape
