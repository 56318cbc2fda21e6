"""``/api/v1/account/mode``: the Office Ally account's mode (test or production), what keeps it
from production, and the switch (admin tokens only, audited), as on the Provider page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from claimbridge.domain.account_mode import AccountMode
from claimbridge.services.account_mode import (
    ModeStatus,
    mode_status,
    switch_to_production,
    switch_to_test,
)
from claimbridge.services.users import Role
from claimbridge.web.audit import audit
from claimbridge.web.auth import require
from claimbridge.web.errors import BadRequest, Conflict
from claimbridge.web.views.common import now, store_of

router = APIRouter(prefix="/api/v1", tags=["api"])


class ModeIn(BaseModel):
    """The mode to switch to; ``confirm`` must be true; ``reason`` is required to go back to
    test."""

    mode: AccountMode
    confirm: bool = False
    reason: str | None = None


def _as_json(status: ModeStatus) -> dict[str, Any]:
    change = status.last_change
    return {
        "mode": status.mode.value,
        "since": change.changed_at.isoformat() if change else None,
        "switched_by": change.changed_by if change else None,
        "reason": change.reason if change else None,
        "accepted_test_batches": status.accepted_test_batches,
        "unmet": list(status.unmet) if status.mode is AccountMode.TEST else [],
        "may_go_to_production": status.may_go_to_production,
    }


@router.get("/account/mode")
def get_mode(request: Request) -> Any:
    """The mode, who switched it and when, and every reason it may not go to production."""
    with store_of(request).read() as session:
        return _as_json(mode_status(session))


@router.put("/account/mode")
def put_mode(request: Request, body: ModeIn) -> Any:
    """Switch to ``production`` (every rule met) or back to ``test`` (with a reason)."""
    user = require(request, Role.ADMIN)
    if not body.confirm:
        raise BadRequest(f'send "confirm": true to switch the account to {body.mode.value}')
    with store_of(request).transaction() as session:
        if body.mode is AccountMode.TEST:
            switch_to_test(session, user.username, now(), body.reason or "")
        else:
            status = mode_status(session)
            if status.mode is AccountMode.TEST and status.unmet:  # each reason in ``details``
                message = "the Office Ally account cannot go to production yet"
                raise Conflict(message, list(status.unmet))
            switch_to_production(session, user.username, now())
        after = mode_status(session)
    reason = f": {body.reason.strip()}" if body.mode is AccountMode.TEST and body.reason else ""
    audit(
        request, "change", "account", "office_ally", None, f"api: mode: {body.mode.value}{reason}"
    )
    return _as_json(after)
