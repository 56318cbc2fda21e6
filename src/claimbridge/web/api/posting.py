"""The ``/api/v1`` routes that change postings: undo an ERA's posting, post it again, post a
held 835 anyway or dismiss it, mark a claim whose ERA did not add up reviewed, work the
unmatched queue, and post or refund the payments held for review. Billers and admins only; each
change audited."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from claimbridge.services.post import held_payments, unmatched
from claimbridge.services.reposting import (
    dismiss_held,
    mark_balance_reviewed,
    post_again,
    post_held,
    undo_posting,
)
from claimbridge.services.unmatched import (
    dismiss_unmatched,
    era_claims,
    likely_claims,
    match_by_hand,
    post_held_payment,
    refund_held_payment,
)
from claimbridge.services.users import Role
from claimbridge.web.api.encode import to_json
from claimbridge.web.audit import audit
from claimbridge.web.auth import require
from claimbridge.web.views.common import RecordId, store_of

router = APIRouter(prefix="/api/v1", tags=["api"])


class ReasonIn(BaseModel):
    """Why a person did it: kept in the claims' history and the audit log."""

    reason: str


class MatchIn(BaseModel):
    """Our claim (its patient control number, CLM01) an unmatched ERA claim belongs to; with
    ``override``, why it does although the claim is settled or disagrees with the ERA's."""

    clm01: str
    override: str | None = None


@router.post("/eras/{remittance_id}/undo")
def post_undo(request: Request, remittance_id: RecordId, body: ReasonIn) -> Any:
    """Undo a remittance's posting: its payments go, its claims go back; the 835 stays."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        done = undo_posting(session, remittance_id, user.username, body.reason)
    audit(request, "change", "remittance", str(remittance_id), None, f"api: {done}")
    return to_json(done)


@router.post("/eras/{remittance_id}/post")
def post_era_again(request: Request, remittance_id: RecordId) -> Any:
    """Post an undone remittance again from its kept 835."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        posted = post_again(session, remittance_id, user.username)
    audit(request, "change", "remittance", str(remittance_id), None, f"api: again: {posted}")
    return to_json(posted)


@router.post("/claims/{clm01}/balance-reviewed")
def post_balance_reviewed(request: Request, clm01: str, body: ReasonIn) -> Any:
    """Mark a claim posted from an ERA that did not add up reviewed; it leaves the alert."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        mark_balance_reviewed(session, clm01, user.username, body.reason)
    audit(request, "change", "claim", clm01, None, f"api: balance reviewed: {body.reason}")
    return {"clm01": clm01, "reviewed": True}


@router.post("/held-files/{inbound_file_id}/post")
def post_held_file(request: Request, inbound_file_id: RecordId, body: ReasonIn) -> Any:
    """Post a held (unbalanced) 835 anyway, with why; one result per transaction set."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        posted = post_held(session, inbound_file_id, user.username, body.reason)
    detail = f"api: posted anyway: {body.reason}"
    audit(request, "change", "inbound_file", str(inbound_file_id), None, detail)
    return to_json(posted)


@router.post("/held-files/{inbound_file_id}/dismiss")
def post_dismiss_held_file(request: Request, inbound_file_id: RecordId, body: ReasonIn) -> Any:
    """Set a held 835 aside without posting what is held of it, with why."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        dismiss_held(session, inbound_file_id, user.username, body.reason)
    detail = f"api: dismissed: {body.reason}"
    audit(request, "change", "inbound_file", str(inbound_file_id), None, detail)
    return {"inbound_file_id": inbound_file_id, "outcome": "dismissed"}


@router.get("/unmatched")
def get_unmatched(request: Request) -> Any:
    """ERA claims not posted, oldest first, with why (``reason``: no_claim, never_sent,
    other_payer; ``clm01`` the claim it names; ``detail``), what the ERA says of it
    (``era_claim``: patient, member_id, service_dates) and ``likely`` claims of ours (clm01,
    status, total_charge, service_date and why), most counts first."""
    with store_of(request).read() as session:
        queue = unmatched(session)
        said = era_claims(session, [item.id for item in queue])
        likely = likely_claims(session, [item.id for item in queue])
    return [
        to_json(item) | {"era_claim": to_json(said[item.id]), "likely": to_json(likely[item.id])}
        for item in queue
    ]


@router.post("/unmatched/{unmatched_id}/match")
def post_match(request: Request, unmatched_id: RecordId, body: MatchIn) -> Any:
    """Post an unmatched ERA claim to our claim ``clm01``, as automatic posting would have."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        posted = match_by_hand(session, unmatched_id, body.clm01, user.username, body.override)
    audit(request, "change", "claim", body.clm01, None, f"api: ERA claim {unmatched_id} matched")
    return to_json(posted)


@router.post("/unmatched/{unmatched_id}/dismiss")
def post_dismiss(request: Request, unmatched_id: RecordId, body: ReasonIn) -> Any:
    """Take an ERA claim that is not ours off the queue, with why."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        dismiss_unmatched(session, unmatched_id, user.username, body.reason)
    audit(request, "change", "unmatched", str(unmatched_id), None, f"api: not ours: {body.reason}")
    return {"unmatched_id": unmatched_id, "resolved_by": user.username}


@router.get("/held-payments")
def get_held_payments(request: Request) -> Any:
    """Payments held for review, beyond what their claim (``clm01``) can take, oldest first."""
    with store_of(request).read() as session:
        return to_json(held_payments(session))


@router.post("/held-payments/{held_id}/post")
def post_held_payment_api(request: Request, held_id: RecordId, body: ReasonIn) -> Any:
    """Post a payment held for review onto the claim it names, with why."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        posted = post_held_payment(session, held_id, user.username, body.reason)
    detail = f"api: held payment posted: {body.reason}"
    audit(request, "change", "unmatched", str(held_id), None, detail)
    return to_json(posted)


@router.post("/held-payments/{held_id}/refund")
def post_refund_api(request: Request, held_id: RecordId, body: ReasonIn) -> Any:
    """Mark a payment held for review refunded to the payer, with why; nothing is posted."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        refund_held_payment(session, held_id, user.username, body.reason)
    detail = f"api: held payment refunded: {body.reason}"
    audit(request, "change", "unmatched", str(held_id), None, detail)
    return {"held_id": held_id, "refunded_by": user.username}
