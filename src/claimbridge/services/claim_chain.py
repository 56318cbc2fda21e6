"""Claims to the second and third payer, made by themselves from what the payer before paid.

``after_posting(session, posted, changes)`` runs when an 835 (or a CLP matched by hand, or a
posting done again) has been posted, with the CLPs posted per claim of ours:

1. **Crossovers.** A CLP that says the payer forwarded the claim to the next payer itself
   (``domain.posting.crossed_over``: CLP02 19, 20 or 21, an NM1*TT, remark MA18 or N89) sets the
   claim's ``crossed_over_to``: our payer the NM1*TT names (by payer ID, else by name), else the
   payer of the patient's next policy, else what NM1*TT says. No claim to that payer is made;
   its 835 for this claim (same CLM01) is posted onto it (``services.era_match``).
2. **Reversals.** A CLP02 22 changed the adjudication that claims following this one carry:
   see ``prior_changed``.
3. **The next claim.** A claim whose payer adjudicated its whole charge (a claim paid across two
   ERAs waits for the second), that was not crossed over and has no live claim following it,
   gets a claim to the patient's next policy (``services.claims.next_payer_claim``) when the
   payer left the patient something to pay (PR) or denied it; with nothing left (paid in full,
   or written off by contract) the next payer has nothing to pay, and an event says so.

``prior_changed`` (a reversal, or a person undid the posting): a following claim not yet sent
is checked again (its 837P is built when it is sent, from what is posted then) or cancelled
when no adjudication is left to carry; one the payer accepted (its claim number known) gets a
replacement (frequency 7) carrying the new adjudication, or a void (frequency 8) when there is
none; one sent but not yet accepted waits (``WAITING_EVENT``, a dashboard alert) until its
payer answers: ``follow_waiting``, run after every file ingested and every posting, makes its
replacement or void once the payer accepted it, from what is posted then. A biller sees every
step in both claims' histories.

``after_undo``: a person undid postings; besides ``prior_changed``, a claim with no posting of
its own payer left is no longer crossed over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, aliased

from claimbridge.domain import posting
from claimbridge.domain.frequency import ClaimFrequency
from claimbridge.domain.status import NOT_YET_SUBMITTED, ClaimStatus
from claimbridge.errors import InvalidTransition
from claimbridge.services.adjudication import PostedAdjudication, posted_adjudications
from claimbridge.services.changes import Changes, chunks
from claimbridge.services.claims import (
    ACCEPTED_BY_PAYER,
    REJECTED_BEFORE_ADJUDICATION,
    Resubmission,
    check_claims,
    next_payer_claim,
    resubmit,
    take_off_edi,
)
from claimbridge.services.era_match import normal_key
from claimbridge.store import tables as t
from claimbridge.store.repositories import ClaimRepository, utcnow
from claimbridge.x12.tx835_005010X221A1 import Loop2100

NEXT = {"primary": "secondary", "secondary": "tertiary"}
CROSSOVER_EVENT = "crossover"
NEXT_CLAIM_EVENT = "next_payer"
WAITING_EVENT = "next_payer_waits"  # its replacement or void waits for its payer's answer
FOLLOWED_EVENT = "next_payer_followed"  # the payer answered; what waited was done
ANSWERED = ACCEPTED_BY_PAYER | REJECTED_BEFORE_ADJUDICATION
VOID = ClaimFrequency.VOID.value
NOTHING_TO_CARRY = (
    "no adjudication is left for it to carry, or the payer left nothing for the next payer to pay"
)


def after_posting(
    session: Session, posted: Mapping[int, Sequence[Loop2100]], changes: Changes
) -> None:
    """Crossovers, reversals and next claims of the claims ``posted`` (see the module
    docstring); ``changes`` are written first, so the claims' statuses are the new ones.

    Only the few claims a crossover, a reversal or a patient's next policy concerns are read
    whole, so a remittance of many claims costs a few statements more, not a few per claim."""
    if not posted:
        return
    changes.write(session)
    today, actor = utcnow().date(), changes.actor
    forwarded = {i: [c for c in clps if posting.crossed_over(c)] for i, clps in posted.items()}
    reversed_ = {i for i, clps in posted.items()
                 if any(c.clp.status_code == posting.REVERSAL for c in clps)}  # fmt: skip
    policies = _next_policies(session, list(posted))
    concerned = {i for i, found in forwarded.items() if found} | reversed_ | set(policies)
    claims = {row.id: row for row in _rows(session, concerned)}
    for claim_id in sorted(concerned):
        claim = claims[claim_id]
        if forwarded[claim_id] and claim.crossed_over_to is None:
            _cross_over(session, claim, forwarded[claim_id][0], actor, changes.inbound_file_id)
        if claim_id in reversed_:
            prior_changed(session, claim, "its payer reversed its payment", actor, today)
    waiting = [claims[claim_id] for claim_id in sorted(policies)]
    _next_claims(session, waiting, policies, actor, today)
    follow_waiting(session, actor)


def after_undo(session: Session, claim_ids: Sequence[int], why: str, actor: str) -> None:
    """A person undid postings on ``claim_ids``: a crossover no posting says any more is
    undone (``_undo_crossovers``), and the claims that carry their adjudication follow
    (``prior_changed``); claims nothing follows cost one statement per chunk."""
    _undo_crossovers(session, claim_ids, why, actor)
    followed: set[int] = set()
    for part in chunks(sorted(set(claim_ids))):
        query = select(t.ClaimRow.follows_claim_id).where(t.ClaimRow.follows_claim_id.in_(part))
        followed |= {claim_id for claim_id in session.scalars(query.distinct()) if claim_id}
    today = utcnow().date()
    for prior in _rows(session, followed):
        prior_changed(session, prior, why, actor, today)


def prior_changed(session: Session, prior: t.ClaimRow, why: str, actor: str, today: date) -> None:
    """Bring the claims that carry ``prior``'s adjudication in line with what is posted now."""
    still = _carries(posted_adjudications(session, [prior.id]).get(prior.id))
    for claim in _followers(session, prior.id):
        _follow_change(session, prior, claim, still, why, actor, today)


def _follow_change(
    session: Session,
    prior: t.ClaimRow,
    claim: t.ClaimRow,
    still: bool,
    why: str,
    actor: str,
    today: date,
) -> None:
    status = ClaimStatus(claim.status)
    cause = f"claim {prior.clm01}'s adjudication, which this claim carries, changed: {why}"
    repository = ClaimRepository(session)
    if status in NOT_YET_SUBMITTED:
        if still:
            repository.note(
                claim.clm01, NEXT_CLAIM_EVENT, f"{cause}; it goes with the new one", actor
            )
            check_claims(session, [claim.id], actor, today)
        else:
            why_not = f"{cause}; {NOTHING_TO_CARRY}"
            take_off_edi(session, claim.clm01, ClaimStatus.CANCELLED, why_not, actor)
        return
    if status in ACCEPTED_BY_PAYER:
        try:
            _replace_or_void(session, prior, claim, still, cause, actor, today)
        except InvalidTransition as error:
            repository.note(claim.clm01, NEXT_CLAIM_EVENT, f"{cause}; {error}", actor)
        return
    if status in REJECTED_BEFORE_ADJUDICATION or status is ClaimStatus.BILLED_ON_PAPER:
        repository.note(claim.clm01, NEXT_CLAIM_EVENT, _off_the_wait(claim, still, cause), actor)
        return
    waits = (
        f"{cause}; its payer has the old one and has not accepted it yet: once it does, a "
        "replacement carrying what is posted then (a void if no adjudication is left) is made "
        "by itself"
    )
    repository.note(claim.clm01, WAITING_EVENT, waits, actor)
    repository.note(prior.clm01, NEXT_CLAIM_EVENT, f"claim {claim.clm01}: {waits}", actor)


def _off_the_wait(claim: t.ClaimRow, still: bool, cause: str) -> str:
    """What a claim its payer rejected (or one billed on paper) does about a changed prior
    adjudication, in words: sent again it is built from what is posted then."""
    if ClaimStatus(claim.status) is ClaimStatus.BILLED_ON_PAPER:
        return f"{cause}; it was billed on paper: send the payer a corrected paper claim"
    if still:
        return f"{cause}; it was rejected: sent again, it carries what is posted then"
    return f"{cause}; it was rejected: do not send it again, {NOTHING_TO_CARRY}"


def _carries(adjudication: PostedAdjudication | None) -> bool:
    """True when a claim to the next payer has an adjudication to carry: a complete one that
    left that payer something to pay (the rule by which such a claim is made)."""
    return (
        adjudication is not None
        and adjudication.complete
        and adjudication.leaves_next_payer_something
    )


def _replace_or_void(
    session: Session,
    prior: t.ClaimRow,
    claim: t.ClaimRow,
    still: bool,
    cause: str,
    actor: str,
    today: date,
) -> str:
    """Make the replacement of ``claim`` (``still``: an adjudication is left to carry) or its
    void, noted on both claims; returns what was done, in words. ``InvalidTransition`` when
    the payer's claim number is not known yet."""
    how = Resubmission.REPLACEMENT if still else Resubmission.VOID
    made = resubmit(session, claim.clm01, how, actor, today)
    done = f"replacement claim {made.patient_control_number} made"
    if not still:
        done = f"void claim {made.patient_control_number} made: {NOTHING_TO_CARRY}"
    ClaimRepository(session).note(prior.clm01, NEXT_CLAIM_EVENT, f"{cause}; {done}", actor)
    return done


def waiting_ids() -> Select[int]:
    """The ids of claims to a next payer whose prior adjudication changed while their payer
    had them but had not accepted them: their replacement or void waits for that payer."""
    waits, done = aliased(t.ClaimEventRow), aliased(t.ClaimEventRow)
    since = exists().where(
        done.claim_id == waits.claim_id, done.what == FOLLOWED_EVENT, done.id > waits.id
    )
    return select(waits.claim_id).where(waits.what == WAITING_EVENT, ~since).distinct()


def waiting_reason(session: Session, claim_id: int) -> str | None:
    """Why claim ``claim_id`` waits for its payer's answer (``waiting_ids``), or None."""
    event = t.ClaimEventRow
    query = select(event.why).where(event.claim_id == claim_id, event.what == WAITING_EVENT)
    waits = query.where(event.claim_id.in_(waiting_ids())).order_by(event.id.desc())
    return session.scalars(waits.limit(1)).first()


def follow_waiting(session: Session, actor: str) -> int:
    """Bring in line each waiting claim (``waiting_ids``) its payer has answered since: once
    accepted (a 277CA, its 835), its replacement carrying what is posted now, or its void; once
    rejected, nothing more (sent again, it carries what is posted then). One accepted without
    the payer's claim number waits on (its 835 brings the number). Returns how many ended."""
    ids = list(session.scalars(waiting_ids()))
    answered = [claim for claim in _rows(session, ids) if ClaimStatus(claim.status) in ANSWERED]
    today = utcnow().date()
    return sum(_follow_answered(session, claim, actor, today) for claim in answered)


def _follow_answered(session: Session, claim: t.ClaimRow, actor: str, today: date) -> bool:
    """End the wait of ``claim``, which its payer answered; False when it waits on."""
    if claim.follows_claim_id is None:  # never: only a claim that follows one waits
        return False
    prior = session.get_one(t.ClaimRow, claim.follows_claim_id)
    still = _carries(posted_adjudications(session, [prior.id]).get(prior.id))
    cause = f"its payer answered ({claim.status}) after claim {prior.clm01}'s adjudication changed"
    if ClaimStatus(claim.status) not in ACCEPTED_BY_PAYER:
        done = _off_the_wait(claim, still, cause)
    else:
        try:
            done = f"{cause}; {_replace_or_void(session, prior, claim, still, cause, actor, today)}"
        except InvalidTransition:  # accepted without its claim number: its 835 brings it
            return False
    ClaimRepository(session).note(claim.clm01, FOLLOWED_EVENT, done, actor)
    return True


def _next_claims(
    session: Session,
    claims: Iterable[t.ClaimRow],
    policies: Mapping[int, t.PolicyRow],
    actor: str,
    today: date,
) -> None:
    """The claim to the next payer (``policies``) of each claim whose adjudication is now
    complete."""
    ready = [
        claim
        for claim in claims
        if claim.crossed_over_to is None
        and claim.frequency_code != VOID
        and not _followers(session, claim.id)
    ]
    adjudications = posted_adjudications(session, [claim.id for claim in ready])
    for claim in ready:
        found, policy = adjudications.get(claim.id), policies[claim.id]
        if found is None or not found.complete:
            continue
        if not found.leaves_next_payer_something:
            _note_nothing_left(session, claim, policy, actor)
            continue
        made = next_payer_claim(session, claim, policy, actor, today)
        ClaimRepository(session).note(
            claim.clm01,
            NEXT_CLAIM_EVENT,
            f"{policy.priority} claim {made.patient_control_number} made with this claim's "
            f"adjudication; it is {made.status.value}",
            actor,
        )


def _note_nothing_left(
    session: Session, claim: t.ClaimRow, policy: t.PolicyRow, actor: str
) -> None:
    what = (
        f"no {policy.priority} claim: the payer left nothing for the patient to pay, so the "
        "next payer has nothing to pay"
    )
    already = select(t.ClaimEventRow.id).where(
        t.ClaimEventRow.claim_id == claim.id, t.ClaimEventRow.why == what
    )
    if session.scalars(already).first() is None:
        ClaimRepository(session).note(claim.clm01, NEXT_CLAIM_EVENT, what, actor)


def _cross_over(
    session: Session, claim: t.ClaimRow, clp: Loop2100, actor: str, file_id: int | None
) -> None:
    to, label = _crossover_payer(session, claim, clp)
    claim.crossed_over_to = to[:80]
    why = (
        f"crossed over: the payer forwarded the claim to {label}; its 835 for this claim is "
        "expected and posted here, and no claim to that payer is made"
    )
    ClaimRepository(session).note(claim.clm01, CROSSOVER_EVENT, why, actor, file_id)


def _crossover_payer(session: Session, claim: t.ClaimRow, clp: Loop2100) -> tuple[str, str]:
    """(what ``crossed_over_to`` keeps, the payer in words): our payer NM1*TT names, else the
    payer of the patient's next policy, else NM1*TT as sent."""
    carrier = clp.crossover_carrier
    payers = list(session.execute(select(t.PayerRow.payer_id, t.PayerRow.name)))
    if carrier is not None:
        for payer_id, name in payers:
            if (carrier.id and normal_key(carrier.id) == normal_key(payer_id)) or (
                carrier.last_name and normal_key(carrier.last_name) == normal_key(name)
            ):
                return payer_id, f"{name} ({payer_id})"
    policy = _next_policies(session, [claim.id]).get(claim.id)
    if policy is not None:
        payer = session.get_one(t.PayerRow, policy.payer_id)
        return payer.payer_id, f"{payer.name} ({payer.payer_id})"
    if carrier is not None and (carrier.id or carrier.last_name):
        return carrier.id or carrier.last_name, " ".join(
            part for part in (carrier.last_name, carrier.id) if part
        )
    return "unknown", "a payer the 835 does not name"


def _undo_crossovers(session: Session, claim_ids: Sequence[int], why: str, actor: str) -> None:
    """Clear ``crossed_over_to`` of those of ``claim_ids`` on which no posting of their own
    payer is left (the one that said it crossed them over was undone), with an event; what
    the payer they were crossed over to posted on one stays, and the event says so."""
    crossed = [claim for claim in _rows(session, claim_ids) if claim.crossed_over_to]
    if not crossed:
        return
    payment, remittance = t.PaymentRow, t.RemittanceRow
    query = (
        select(payment.claim_id, remittance.payer_id == t.ClaimRow.payer_id)
        .join(remittance, remittance.id == payment.remittance_id)
        .join(t.ClaimRow, t.ClaimRow.id == payment.claim_id)
        .where(payment.claim_id.in_([claim.id for claim in crossed]))
    )
    left = list(session.execute(query.distinct()))
    own = {claim_id for claim_id, by_own in left if by_own}
    forwarded = {claim_id for claim_id, by_own in left if not by_own}
    for claim in crossed:
        if claim.id in own:
            continue
        what = (
            f"no longer crossed over to {claim.crossed_over_to}: the posting that said so was "
            f"undone ({why})"
        )
        if claim.id in forwarded:
            what += (
                f"; what {claim.crossed_over_to} posted on it stays: undo its ERA too if it "
                "paid on that adjudication"
            )
        claim.crossed_over_to = None
        ClaimRepository(session).note(claim.clm01, CROSSOVER_EVENT, what, actor)


def _rows(session: Session, claim_ids: Iterable[int]) -> list[t.ClaimRow]:
    """The claims, read afresh (a bulk UPDATE may have changed their status)."""
    found: list[t.ClaimRow] = []
    for part in chunks(sorted(set(claim_ids))):
        query = select(t.ClaimRow).where(t.ClaimRow.id.in_(part))
        found += session.scalars(query.execution_options(populate_existing=True))
    return found


def _followers(session: Session, claim_id: int) -> list[t.ClaimRow]:
    """The live claims that carry this claim's adjudication: not cancelled, not voids, and not
    replaced by a claim that is not cancelled (the replacement is the live one)."""
    query = select(t.ClaimRow).where(
        t.ClaimRow.follows_claim_id == claim_id,
        t.ClaimRow.status != ClaimStatus.CANCELLED.value,
        t.ClaimRow.frequency_code != VOID,
    )
    fresh = query.order_by(t.ClaimRow.id).execution_options(populate_existing=True)
    found = list(session.scalars(fresh))
    replaced = {claim.replaces_claim_id for claim in found if claim.replaces_claim_id}
    voided = select(t.ClaimRow.replaces_claim_id).where(
        t.ClaimRow.replaces_claim_id.in_([claim.id for claim in found]),
        t.ClaimRow.frequency_code == VOID,
        t.ClaimRow.status != ClaimStatus.CANCELLED.value,
    )
    replaced |= set(session.scalars(voided))
    return [claim for claim in found if claim.id not in replaced]


def _next_policies(session: Session, claim_ids: Sequence[int]) -> dict[int, t.PolicyRow]:
    """The patient's policy of the next priority, by claim id, for those of these claims whose
    patient has one (a primary claim and a secondary policy, a secondary and a tertiary)."""
    claim, visit, policy = t.ClaimRow, t.AppointmentRow, t.PolicyRow
    found: dict[int, t.PolicyRow] = {}
    for part in chunks(sorted(set(claim_ids))):
        query = (
            select(claim.id, claim.payer_sequence, policy)
            .join(visit, visit.id == claim.appointment_id)
            .join(policy, policy.patient_id == visit.patient_id)
            .where(claim.id.in_(part), policy.priority != "primary")
            .where(policy.priority != claim.payer_sequence)
        )
        for claim_id, sequence, row in session.execute(query):
            if NEXT.get(sequence) == row.priority:
                found[claim_id] = row
    return found
