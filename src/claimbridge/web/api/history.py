"""``/api/v1`` routes for what went out and what was fetched: a claim's X12, the polls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from claimbridge.services.claim_x12 import claim_x12
from claimbridge.services.polls import recent_polls
from claimbridge.services.worklist import claim_detail
from claimbridge.web.api.encode import to_json
from claimbridge.web.audit import audit
from claimbridge.web.views.common import store_of

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.get("/claims/{clm01}/x12")
def get_claim_x12(request: Request, clm01: str) -> Any:
    """Each submission of a claim: batch file, ST02, sent_at and its segments; audited."""
    with store_of(request).read() as session:
        detail = claim_detail(session, clm01)
        sent = claim_x12(session, clm01)
    audit(request, "view", "x12", clm01, detail.patient_key, "api")
    return to_json(sent)


@router.get("/polls")
def get_polls(request: Request, limit: int = 20) -> Any:
    """The newest ``limit`` polls (1 to 1000), newest first: when, who, source, files, result."""
    with store_of(request).read() as session:
        return to_json(recent_polls(session, limit))
