"""A person's say over posting: undo an ERA's posting, post it again, post a held 835 anyway
or dismiss it,
mark a claim whose ERA did not add up reviewed, the unmatched queue with matching by hand, and
payments held for review (post or mark refunded). Billers and admins change; viewers look."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

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
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.render import page
from claimbridge.web.views.common import RecordId, store_of

router = APIRouter()
HELD_DONE = {  # what an action on the Unmatched page did, said on the page it comes back to
    "posted": "The held payment was posted to its claim.",
    "refunded": "The held payment was marked refunded; nothing was posted.",
    "matched": "The ERA claim was posted to the claim named; it is off the queue.",
    "dismissed": "The ERA claim was taken off the queue as not ours; nothing was posted.",
}
ERA_DONE = {  # the same for the ERAs page
    "undone": "The ERA's posting was undone: its payments and adjustments count for nothing, "
    "and its claims went back to where they were. Post it again from its row.",
    "posted": "The ERA was posted again from its kept 835.",
    "held-posted": "The held 835 was posted as it is; the reason is in its claims' history.",
    "held-dismissed": "The held 835 was set aside: what was held of it is not posted.",
}


@router.post("/eras/{remittance_id}/undo")
def undo(request: Request, remittance_id: RecordId, form: CheckedForm) -> Response:
    """Undo the posting of one remittance, with the reason the biller gave."""
    user = require(request, Role.BILLER)
    reason = field(form, "reason")
    with store_of(request).transaction() as session:
        done = undo_posting(session, remittance_id, user.username, reason)
    audit(request, "change", "remittance", str(remittance_id), None, f"{done}: {reason}")
    return RedirectResponse("/eras?done=undone", status_code=303)


@router.post("/eras/{remittance_id}/post")
def again(request: Request, remittance_id: RecordId, form: CheckedForm) -> Response:
    """Post an undone remittance again from its kept 835."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        posted = post_again(session, remittance_id, user.username)
    audit(request, "change", "remittance", str(remittance_id), None, f"posted again: {posted}")
    return RedirectResponse("/eras?done=posted", status_code=303)


@router.post("/held-files/{inbound_file_id}/post")
def anyway(request: Request, inbound_file_id: RecordId, form: CheckedForm) -> Response:
    """Post a held (unbalanced) 835 because a person decided to, with why."""
    user = require(request, Role.BILLER)
    reason = field(form, "reason")
    with store_of(request).transaction() as session:
        posted = post_held(session, inbound_file_id, user.username, reason)
    detail = f"posted anyway: {reason}; " + "; ".join(str(p) for p in posted)
    audit(request, "change", "inbound_file", str(inbound_file_id), None, detail)
    return RedirectResponse("/eras?done=held-posted", status_code=303)


@router.post("/held-files/{inbound_file_id}/dismiss")
def dismiss_held_file(request: Request, inbound_file_id: RecordId, form: CheckedForm) -> Response:
    """Set a held 835 aside without posting what is held of it, with why."""
    user = require(request, Role.BILLER)
    reason = field(form, "reason")
    with store_of(request).transaction() as session:
        dismiss_held(session, inbound_file_id, user.username, reason)
    audit(request, "change", "inbound_file", str(inbound_file_id), None, f"dismissed: {reason}")
    return RedirectResponse("/eras?done=held-dismissed", status_code=303)


@router.post("/claims/{clm01}/balance-reviewed")
def balance_reviewed(request: Request, clm01: str, form: CheckedForm) -> Response:
    """Mark a claim posted from an ERA that did not add up reviewed, with what was found."""
    user = require(request, Role.BILLER)
    reason = field(form, "reason")
    with store_of(request).transaction() as session:
        mark_balance_reviewed(session, clm01, user.username, reason)
    audit(request, "change", "claim", clm01, None, f"balance reviewed: {reason}")
    return RedirectResponse(f"/claims/{clm01}?done=reviewed", status_code=303)


@router.get("/unmatched", response_class=HTMLResponse)
def queue(request: Request) -> HTMLResponse:
    """ERA claims not posted, each with why and likely claims of ours; payments held for review."""
    with store_of(request).read() as session:
        rows = unmatched(session)
        said = era_claims(session, [row.id for row in rows])
        likely = likely_claims(session, [row.id for row in rows])
        held = held_payments(session)
    done = HELD_DONE.get(request.query_params.get("done", ""))
    return page(
        request, "unmatched.html", rows=rows, said=said, likely=likely, held=held, done=done
    )


@router.post("/unmatched/{unmatched_id}/match")
def match(request: Request, unmatched_id: RecordId, form: CheckedForm) -> Response:
    """Post an unmatched ERA claim to the claim the biller named (CLM01)."""
    user = require(request, Role.BILLER)
    clm01 = field(form, "clm01").strip()
    override = field(form, "override").strip() or None
    with store_of(request).transaction() as session:
        posted = match_by_hand(session, unmatched_id, clm01, user.username, override)
    audit(request, "change", "claim", clm01, None, f"ERA claim {unmatched_id} matched: {posted}")
    return RedirectResponse("/unmatched?done=matched", status_code=303)


@router.post("/unmatched/{unmatched_id}/dismiss")
def dismiss(request: Request, unmatched_id: RecordId, form: CheckedForm) -> Response:
    """Take an ERA claim that is not ours off the queue, with why."""
    user = require(request, Role.BILLER)
    reason = field(form, "reason")
    with store_of(request).transaction() as session:
        dismiss_unmatched(session, unmatched_id, user.username, reason)
    audit(request, "change", "unmatched", str(unmatched_id), None, f"not ours: {reason}")
    return RedirectResponse("/unmatched?done=dismissed", status_code=303)


@router.post("/held-payments/{held_id}/post")
def post_held_payment_view(request: Request, held_id: RecordId, form: CheckedForm) -> Response:
    """Post a payment held for review onto the claim it names, with why."""
    user = require(request, Role.BILLER)
    reason = field(form, "reason")
    with store_of(request).transaction() as session:
        posted = post_held_payment(session, held_id, user.username, reason)
    detail = f"held payment posted: {reason}; {posted}"
    audit(request, "change", "unmatched", str(held_id), None, detail)
    return RedirectResponse("/unmatched?done=posted#held", status_code=303)


@router.post("/held-payments/{held_id}/refund")
def refund_held_payment_view(request: Request, held_id: RecordId, form: CheckedForm) -> Response:
    """Mark a payment held for review refunded to the payer, with why; nothing is posted."""
    user = require(request, Role.BILLER)
    reason = field(form, "reason")
    with store_of(request).transaction() as session:
        refund_held_payment(session, held_id, user.username, reason)
    audit(request, "change", "unmatched", str(held_id), None, f"held payment refunded: {reason}")
    return RedirectResponse("/unmatched?done=refunded#held", status_code=303)
