"""Audit helpers for views: record who viewed or changed a claim, a patient's EOB or a payer."""

from __future__ import annotations

from fastapi import Request

from claimbridge.services.users import record_audit
from claimbridge.web.auth import current_user


def audit(
    request: Request,
    action: str,
    entity: str,
    entity_key: str,
    patient_key: str | None = None,
    detail: str | None = None,
) -> None:
    """Write one audit row for the signed-in user in its own transaction, in the practice the
    request works in."""
    user = current_user(request)
    from claimbridge.web.views.common import store_of  # the views import this module

    with store_of(request).transaction() as session:
        record_audit(session, user.username, action, entity, entity_key, patient_key, detail)
