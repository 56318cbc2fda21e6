"""Following claims up through the API: notes, the follow-up of a claim, the follow-up list and
the claims near their payer's timely filing limit."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from claimbridge.domain.timely_filing import FilingLimit
from claimbridge.services.follow_ups import (
    FollowUpRow,
    add_note,
    claim_follow_up,
    filing_due,
    follow_ups,
    set_follow_up,
)
from claimbridge.services.users import Role
from claimbridge.services.worklist import claim_detail
from claimbridge.web.api.encode import to_json
from claimbridge.web.audit import audit
from claimbridge.web.auth import current_user, require
from claimbridge.web.views.common import now, store_of, today

router = APIRouter(prefix="/api/v1", tags=["api"])


class NoteIn(BaseModel):
    """A note to write on a claim (at most 2,000 characters)."""

    text: str


class FollowUpIn(BaseModel):
    """Who follows the claim up (a username with a role in the practice, or null for nobody)
    and when next (or null)."""

    assigned_to: str | None = None
    follow_up_on: date | None = None


@router.get("/claims/{clm01}/notes")
def get_notes(request: Request, clm01: str) -> Any:
    """The claim's notes, newest first, with its follow-up and timely filing state."""
    with store_of(request).read() as session:
        following = claim_follow_up(session, clm01, today())
    return {
        "notes": to_json(following.notes),
        "follow_up": to_json(following.follow_up),
        "filing": _filing(following.filing),
    }


@router.post("/claims/{clm01}/notes", status_code=201)
def post_note(request: Request, clm01: str, body: NoteIn) -> Any:
    """Write a note on the claim; answers the note."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        patient_key = claim_detail(session, clm01).patient_key
        note = add_note(session, clm01, body.text, user.username, now())
    audit(request, "change", "claim", clm01, patient_key, "api: note")
    return to_json(note)


@router.put("/claims/{clm01}/follow-up")
def put_follow_up(request: Request, clm01: str, body: FollowUpIn) -> Any:
    """Set who follows the claim up and when; answers the follow-up."""
    user = require(request, Role.BILLER)
    with store_of(request).transaction() as session:
        patient_key = claim_detail(session, clm01).patient_key
        follow = set_follow_up(
            session, clm01, body.assigned_to, body.follow_up_on, user.username, now()
        )
    audit(request, "change", "claim", clm01, patient_key, "api: follow-up")
    return to_json(follow)


@router.get("/follow-ups")
def get_follow_ups(request: Request, who: str = "me", due: bool = False) -> Any:
    """Claims with a follow-up date, oldest first: the caller's (``who=me``), everyone's
    (``who=all``) or a named user's; ``due=true`` keeps those due today or earlier. Also the
    claims near or past their payer's timely filing limit."""
    person = {"me": current_user(request).username, "all": None}.get(who, who)
    on = today()
    with store_of(request).read() as session:
        listed = follow_ups(session, on, person, due_only=due)
        near = filing_due(session, on)
    return {"follow_ups": [_row(row) for row in listed], "timely_filing": [_row(r) for r in near]}


def _row(row: FollowUpRow) -> dict[str, Any]:
    shown: dict[str, Any] = to_json(row)
    shown["filing"] = _filing(row.filing)
    return shown


def _filing(filing: FilingLimit | None) -> dict[str, Any] | None:
    if filing is None:
        return None
    return {**to_json(filing), "state": filing.state.value}
