"""277CA claim acknowledgment (005010X214), which also reads 277 claim status (005010X212).

``parse(transaction)`` turns a 277 ``TransactionSet`` into a ``ClaimAck``: every HL level with
its names, status loops and service lines, plus one ``ClaimResult`` per claim with
``patient_control_number`` (our CLM01), ``statuses``, ``outcome``, ``payer_claim_number``,
``clearinghouse_trace``, ``charge`` and ``service_dates``. ``to_json`` gives its plain-JSON
shape (documented in docs/x12-json.md, "277CA").
"""

from __future__ import annotations

from typing import Any

from claimbridge.x12.jsonable import to_jsonable
from claimbridge.x12.tx277ca_005010X214.codes import Outcome, outcome_of
from claimbridge.x12.tx277ca_005010X214.models import (
    Amount,
    ClaimAck,
    ClaimResult,
    Coded,
    Communication,
    Contact,
    DatePeriod,
    Level,
    Name,
    Quantity,
    Reference,
    ServiceLine,
    SourceKind,
    Status,
    StatusCode,
    Trace,
    Tracking,
    TransactionHeader,
)
from claimbridge.x12.tx277ca_005010X214.parse import parse

__all__ = [
    "Amount",
    "ClaimAck",
    "ClaimResult",
    "Coded",
    "Communication",
    "Contact",
    "DatePeriod",
    "Level",
    "Name",
    "Outcome",
    "Quantity",
    "Reference",
    "ServiceLine",
    "SourceKind",
    "Status",
    "StatusCode",
    "Trace",
    "Tracking",
    "TransactionHeader",
    "outcome_of",
    "parse",
    "to_json",
]


def to_json(value: ClaimAck) -> dict[str, Any]:
    """``value`` as plain JSON: levels in file order, then the claims; money as strings."""
    return {
        "control_number": value.control_number,
        "implementation": value.implementation,
        "source_kind": value.source_kind.value,
        "header": to_jsonable(value.header),
        "levels": [_level(level) for level in value.levels],
        "claims": [_claim(claim) for claim in value.claims],
    }


def _level(level: Level) -> dict[str, Any]:
    return {
        "id": level.id,
        "parent_id": level.parent_id,
        "code": to_jsonable(level.code),
        "child_code": level.child_code,
        "names": to_jsonable(level.names),
        "contacts": to_jsonable(level.contacts),
        "tracking": [_tracking(tracking) for tracking in level.tracking],
    }


def _tracking(tracking: Tracking) -> dict[str, Any]:
    return {
        "trace": to_jsonable(tracking.trace),
        "statuses": [_status(status) for status in tracking.statuses],
        "references": to_jsonable(tracking.references),
        "quantities": to_jsonable(tracking.quantities),
        "amounts": to_jsonable(tracking.amounts),
        "dates": to_jsonable(tracking.dates),
        "service_lines": [_service_line(line) for line in tracking.service_lines],
    }


def _service_line(line: ServiceLine) -> dict[str, Any]:
    shape: dict[str, Any] = to_jsonable(line)
    return shape | {
        "statuses": [_status(status) for status in line.statuses],
        "line_item_control_number": line.line_item_control_number,
        "outcome": line.outcome.value,
    }


def _status(status: Status) -> dict[str, Any]:
    shape: dict[str, Any] = to_jsonable(status)
    return shape | {"outcome": status.outcome.value}


def _claim(claim: ClaimResult) -> dict[str, Any]:
    return {
        "level_id": claim.level_id,
        "patient_control_number": claim.patient_control_number,
        "outcome": claim.outcome.value,
        "source_kind": claim.source_kind.value,
        "payer_claim_number": claim.payer_claim_number,
        "clearinghouse_trace": claim.clearinghouse_trace,
        "charge": to_jsonable(claim.charge),
        "service_dates": to_jsonable(claim.service_dates),
        "statuses": [_status(status) for status in claim.statuses],
        "service_lines": [_service_line(line) for line in claim.service_lines],
    }
