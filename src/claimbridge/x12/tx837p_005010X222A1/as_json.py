"""``to_json``: a ``ClaimTransaction`` as plain JSON, in the shape docs/x12-json.md describes."""

from __future__ import annotations

from typing import Any

from claimbridge.x12.jsonable import to_jsonable
from claimbridge.x12.tx837p_005010X222A1.models import ClaimTransaction


def to_json(value: ClaimTransaction) -> dict[str, Any]:
    """``value`` as plain JSON (docs/x12-json.md); kept segments as ``position``, ``id``,
    ``elements``."""
    data: dict[str, Any] = _segments_as_text(to_jsonable(value))
    return data


def _segments_as_text(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: [_segment_json(s) for s in value]
            if key == "other_segments"
            else _segments_as_text(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_segments_as_text(item) for item in data]
    return data


def _segment_json(segment: dict[str, Any]) -> dict[str, Any]:
    fields = segment["fields"]
    return {"position": segment["position"], "id": fields[0], "elements": fields[1:]}
