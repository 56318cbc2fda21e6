"""The unmatched queue worked by hand: match an ERA claim to one of ours, or dismiss it; and
the payments held for review: post one, or mark it refunded.

::

    match_by_hand(session, unmatched_id, "CB-1001", "biller")   # posted as ingest would have
    match_by_hand(session, unmatched_id, "CB-1002", "biller", override="payer confirmed")
    dismiss_unmatched(session, unmatched_id, "biller", "another practice's patient")
    candidates(session, unmatched_id)                            # likely claims of ours
    post_held_payment(session, held_id, "biller", "payer confirmed both checks")
    refund_held_payment(session, held_id, "biller", "check 4417 returned to the payer")

A match posts that CLP, read back from the kept 835, through ``services.post.post_claims``
with the CLP settled to the chosen claim: the same lines, adjustments and status moves as
automatic posting. The row is resolved (``resolved_at``/``resolved_by``, ``matched_claim_id``,
``resolution``) and stays resolved if the remittance is undone and posted again. A CLP queued
because its claim was never sent or was sent to another payer is matched the same way, to the
claim it names or another: a person decided.

A match onto a claim that is settled (paid, cancelled, or that this payment would take beyond
what it can take) or whose patient, member ID or charge disagree with the ERA claim's is
refused, saying why (``disagreements``), unless the person gives an ``override``: the reason
is kept on the claim with what disagreed.

A held payment (``services.era_match``: beyond what its claim can take) is posted to the claim
it names the same way, or marked refunded without posting; either needs a reason, and each is
an event on the claim's timeline.

Likely claims are those awaiting payment with the same charge, a service date of the ERA claim
(its statement period or a line's date, read from the kept 835) or a patient control number
much like it; the more counts a claim matches on, the higher it ranks.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import Row, Select, func, select, union
from sqlalchemy.orm import Session

from claimbridge.domain import posting
from claimbridge.domain.posting import Amounts
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ClaimNotFound, InputError, RecordNotFound, StoreError
from claimbridge.services.changes import Changes, ClaimIndex, ClaimRef
from claimbridge.services.era_match import OVERPAYMENT, adding_by_number, posted_amounts
from claimbridge.services.post import Posted, post_claims
from claimbridge.services.reposting import kept_remittance, remittance_row
from claimbridge.store import tables as t
from claimbridge.store.repositories import ClaimRepository, utcnow
from claimbridge.x12.tx835_005010X221A1 import Loop2100, Remittance

AWAITING = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.CLEARINGHOUSE_ACCEPTED,
    ClaimStatus.PAYER_ACCEPTED,
    ClaimStatus.DENIED,
    ClaimStatus.PAID,
)
MOST_CANDIDATES = 5  # found per count (charge, service date, number); twice that are shown
_SCANNED = 100  # claims compared by patient control number: the newest, and as many alike
_FREE_TAIL = 3  # of a patient control number, the last characters that may differ
_CLOSE = 0.6  # how alike two patient control numbers are to be "similar" (difflib ratio)

_Found = Row[int, str, str, Decimal, date]  # a claim's id, clm01, status, charge, service date
_Candidates = Select[int, str, str, Decimal, date]  # a query of such claims
_KEPT = "unmatched.kept_835"  # the session's 835s read so far, by remittance id
HELD_POSTED_EVENT = "held_payment_posted"
REFUNDED_EVENT = "payment_refunded"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A claim of ours an unmatched ERA claim may belong to, and why it is suggested."""

    clm01: str
    status: ClaimStatus
    total_charge: Decimal
    service_date: date
    why: str


_SETTLED = (ClaimStatus.PAID, ClaimStatus.CANCELLED)


def match_by_hand(
    session: Session, unmatched_id: int, clm01: str, actor: str, override: str | None = None
) -> Posted:
    """Post unmatched ERA claim ``unmatched_id`` to our claim ``clm01`` (see the module); one
    that is settled or disagrees with the ERA claim needs ``override``, the person's reason."""
    row = _waiting(session, unmatched_id, held=False)
    ref = ClaimIndex(session).get(clm01.strip())
    if ref is None:
        raise ClaimNotFound(
            f"no claim {clm01!r}: give the patient control number (CLM01) of one of our claims",
            claim_id=clm01,
        )
    found = disagreements(session, unmatched_id, ref)
    override = (override or "").strip()
    if found and not override:
        raise InputError(
            f"ERA claim {unmatched_id} is not matched to {ref.clm01}: "
            + "; ".join(found)
            + ". Match another claim, or say why it is right anyway (an override reason)",
            problems=tuple(found),
        )
    posted, trace = _post_to(session, row, ref, actor)
    why = f"ERA {trace}: its claim {row.patient_control_number} matched to {ref.clm01} by hand"
    if found:
        why += f", overriding ({'; '.join(found)}): {override}"
    ClaimRepository(session).note_many(
        [(ref.id, f"{why} by {actor}")], "matched by hand", actor, row.inbound_file_id
    )
    _resolve(row, actor, f"matched to {ref.clm01}", ref.id)
    session.flush()
    return posted


def disagreements(session: Session, unmatched_id: int, ref: ClaimRef) -> list[str]:
    """Why ERA claim ``unmatched_id`` may not be claim ``ref``'s: the claim is settled, or its
    patient, member ID or charge differ from what the ERA says (none: they agree)."""
    row = _row(session, unmatched_id)
    clp = next((clp for _, clp in _clps(session, [unmatched_id])), None)
    claim = session.get_one(t.ClaimRow, ref.id)
    found: list[str] = []
    if ref.status in _SETTLED:
        found.append(f"{ref.clm01} is settled ({ref.status.value})")
    elif clp is not None:
        before = posted_amounts(session, [ref.id]).get(ref.id, Amounts())
        adding = adding_by_number([clp])[clp.clp.patient_control_number]
        beyond = posting.beyond_claim(claim.total_charge, before, adding)
        if beyond:
            found.append(f"{ref.clm01} is settled: {beyond}")
    if row.charge != claim.total_charge:
        found.append(
            f"the ERA claim's charge {row.charge} is not {ref.clm01}'s {claim.total_charge}"
        )
    # Names and member IDs are named, never shown: the Unmatched page shows both side by side.
    said = _era_claim(clp)
    patient, member = _patient_and_member(session, claim)
    if said.patient and patient and not _same_person(said.patient, patient):
        found.append(f"the ERA's patient is not {ref.clm01}'s (another name)")
    if said.member_id and member and _letters(said.member_id) != _letters(member):
        found.append(f"the ERA's member ID is not the one {ref.clm01} was sent with")
    return found


def _patient_and_member(session: Session, claim: t.ClaimRow) -> tuple[str, str]:
    """Our claim's patient ('LAST, FIRST') and member ID, as the ERA names them."""
    if claim.policy_id is None:
        return "", ""
    policy = session.get_one(t.PolicyRow, claim.policy_id)
    patient = session.get_one(t.PatientRow, policy.patient_id)
    return f"{patient.last_name}, {patient.first_name}", policy.member_id


def _same_person(era: str, ours: str) -> bool:
    """The same last name, and the same first initial when both have a first name."""
    era_last, _, era_first = era.partition(",")
    our_last, _, our_first = ours.partition(",")
    era_first, our_first = _letters(era_first), _letters(our_first)
    same_first = not era_first or not our_first or era_first[0] == our_first[0]
    return _letters(era_last) == _letters(our_last) and same_first


def _letters(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def dismiss_unmatched(session: Session, unmatched_id: int, actor: str, reason: str) -> None:
    """Take an ERA claim that belongs to no claim of ours off the queue, without posting it."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("a reason is required to dismiss an unmatched ERA claim (whose is it?)")
    _resolve(_waiting(session, unmatched_id, held=False), actor, f"not ours: {reason}", None)
    session.flush()


def post_held_payment(session: Session, held_id: int, actor: str, reason: str) -> Posted:
    """Post payment ``held_id``, held as beyond what its claim can take, onto that claim."""
    reason = _reason(reason, "posting a held payment (what did the payer say?)")
    row = _waiting(session, held_id, held=True)
    ref = ClaimIndex(session).of_ids([row.claim_id or 0])[0]
    posted, trace = _post_to(session, row, ref, actor)
    why = f"ERA {trace}: payment of {row.paid} held for review posted by {actor}: {reason}"
    ClaimRepository(session).note_many(
        [(ref.id, why)], HELD_POSTED_EVENT, actor, row.inbound_file_id
    )
    _resolve(row, actor, f"posted to {ref.clm01}: {reason}", ref.id)
    session.flush()
    return posted


def refund_held_payment(session: Session, held_id: int, actor: str, reason: str) -> None:
    """Mark payment ``held_id`` refunded to the payer: resolved, never posted."""
    reason = _reason(reason, "marking a held payment refunded (how, when, which check?)")
    row = _waiting(session, held_id, held=True)
    trace = remittance_row(session, row.remittance_id).trace_number
    why = f"ERA {trace}: payment of {row.paid} held for review marked refunded by {actor}: {reason}"
    ClaimRepository(session).note_many(
        [(row.claim_id or 0, why)], REFUNDED_EVENT, actor, row.inbound_file_id
    )
    _resolve(row, actor, f"refunded: {reason}", None)
    session.flush()


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InputError(f"a reason is required for {what}")
    return text


def _post_to(
    session: Session, row: t.UnmatchedClaimRow, ref: ClaimRef, actor: str
) -> tuple[Posted, str]:
    """Post the row's CLP, read back from the kept 835, to claim ``ref``; and the ERA's trace."""
    remittance_record = remittance_row(session, row.remittance_id)
    if remittance_record.undone_at is not None:
        raise StoreError(
            f"the posting of ERA {remittance_record.trace_number} is undone; post it again "
            "before matching its claims"
        )
    remittance = _only_clp(kept_remittance(session, remittance_record), row)
    changes = Changes(row.inbound_file_id, actor=actor)
    settled = {row.segment_position: ref}
    posted = post_claims(
        session, remittance, row.remittance_id, row.inbound_file_id, changes, settled
    )
    changes.write(session)
    return posted, remittance_record.trace_number


def candidates(session: Session, unmatched_id: int) -> list[Candidate]:
    """Claims of ours it may be, those matching on most counts first (see ``likely_claims``)."""
    return likely_claims(session, [unmatched_id])[unmatched_id]


@dataclass(frozen=True, slots=True)
class EraClaim:
    """What the ERA says of one of its claims that a biller matches by: the patient (NM1*QC,
    or as the payer corrected it, NM1*74), the member ID (NM1*IL's, else the patient's) and
    the dates served. Empty when the 835's bytes are not kept."""

    patient: str = ""
    member_id: str = ""
    service_dates: tuple[date, ...] = ()

    @property
    def served(self) -> tuple[date, date] | None:
        """The first and last date served, if the ERA names any."""
        return (self.service_dates[0], self.service_dates[-1]) if self.service_dates else None


def era_claims(session: Session, unmatched_ids: Sequence[int]) -> dict[int, EraClaim]:
    """Per unmatched ERA claim, what its ERA says of it (``EraClaim``); each 835 read once."""
    return {unmatched_id: _era_claim(clp) for unmatched_id, clp in _clps(session, unmatched_ids)}


def _era_claim(clp: Loop2100 | None) -> EraClaim:
    if clp is None:
        return EraClaim()
    patient = clp.corrected_patient or clp.patient
    name = f"{patient.last_name}, {patient.first_name}".strip(", ") if patient else ""
    member = next((n.id for n in (clp.insured, clp.patient) if n is not None and n.id), "")
    return EraClaim(name, member, clp.service_dates)


def likely_claims(session: Session, unmatched_ids: Sequence[int]) -> dict[int, list[Candidate]]:
    """Per unmatched ERA claim, claims of ours awaiting payment it may be: the same charge, a
    service date of the ERA claim (the claim's own or one of its lines'), or a patient control
    number much like it. A claim matching on more counts ranks first; each 835 is read once."""
    likely: dict[int, list[Candidate]] = {}
    charged = _by_charge(
        session, {_row(session, unmatched_id).charge for unmatched_id in unmatched_ids}
    )
    for unmatched_id, clp in _clps(session, unmatched_ids):
        row = _row(session, unmatched_id)
        days = clp.service_dates if clp else ()
        likely[unmatched_id] = _likely(session, row, days, charged.get(row.charge, []))
    return likely


def _clps(session: Session, unmatched_ids: Sequence[int]) -> Iterator[tuple[int, Loop2100 | None]]:
    """Each unmatched ERA claim's CLP loop, read from its kept 835: each file once per session
    (``era_claims`` and ``likely_claims`` on one page share the reading)."""
    kept: dict[int, Remittance | None] = session.info.setdefault(_KEPT, {})
    for unmatched_id in unmatched_ids:
        row = _row(session, unmatched_id)
        if row.remittance_id not in kept:
            kept[row.remittance_id] = _kept(session, row.remittance_id)
        remittance = kept[row.remittance_id]
        yield unmatched_id, _clp_of(remittance, row) if remittance else None


def _kept(session: Session, remittance_id: int) -> Remittance | None:
    """The 835 a remittance was posted from, or None when its bytes are not kept."""
    row = session.get_one(t.RemittanceRow, remittance_id)
    try:
        return kept_remittance(session, row)
    except StoreError:
        return None


def _awaiting() -> _Candidates:
    claim = t.ClaimRow
    columns = (claim.id, claim.clm01, claim.status, claim.total_charge, claim.service_date)
    awaiting = [status.value for status in AWAITING]
    return select(*columns).where(claim.status.in_(awaiting))


def _by_charge(session: Session, charges: set[Decimal]) -> dict[Decimal, list[_Found]]:
    """Per charge, the newest ``MOST_CANDIDATES`` claims awaiting payment with that charge: one
    query for a page of ERA claims, through the index on the charge in cents (under
    PostgreSQL's row-level security a comparison of NUMERIC amounts cannot use an index, its
    operator not being leakproof; one of integers can)."""
    if not charges:
        return {}
    newest = func.row_number().over(
        partition_by=t.ClaimRow.total_charge_cents, order_by=t.ClaimRow.id.desc()
    )
    ranked = (
        _awaiting()
        .add_columns(newest.label("rank"))
        .where(t.ClaimRow.total_charge_cents.in_(sorted(_cents(c) for c in charges)))
        .subquery()
    )
    columns = (
        ranked.c.id,
        ranked.c.clm01,
        ranked.c.status,
        ranked.c.total_charge,
        ranked.c.service_date,
    )
    query = select(*columns).where(ranked.c.rank <= MOST_CANDIDATES).order_by(ranked.c.id.desc())
    found: dict[Decimal, list[_Found]] = {}
    for claim in session.execute(query):
        found.setdefault(claim.total_charge, []).append(claim)
    return found


def _likely(
    session: Session, row: t.UnmatchedClaimRow, days: tuple[date, ...], charged: list[_Found]
) -> list[Candidate]:
    claim, line = t.ClaimRow, t.ClaimLineRow
    query = _awaiting()
    charge = claim.total_charge_cents == _cents(row.charge)
    matches: list[_Candidates | list[_Found]] = [charged]
    if days:  # from the indexes on claims.service_date and claim_lines.service_date
        on_day = query.where(claim.service_date.in_(days))
        lines = query.join(line, line.claim_id == claim.id)
        on_line_day = lines.where(line.service_date.in_(days)).distinct()
        matches = [on_day.where(charge), on_line_day.where(charge), charged, on_day, on_line_day]
    found: dict[str, _Found] = {}
    for match in matches:
        rows = (
            match if isinstance(match, list) else session.execute(_newest(match, MOST_CANDIDATES))
        )
        for found_row in rows:
            found.setdefault(found_row.clm01, found_row)
    number = row.patient_control_number
    newest = query.order_by(claim.id.desc()).limit(_SCANNED)
    scanned = {r.clm01: r for r in session.execute(newest)}
    if number:
        scanned |= {r.clm01: r for r in session.execute(_numbered_alike(query, number))}
    for clm01 in difflib.get_close_matches(number, scanned, n=MOST_CANDIDATES, cutoff=_CLOSE):
        found.setdefault(clm01, scanned[clm01])
    served = _days_served(session, [r.id for r in found.values()], days)
    ranked = [_candidate(r, row, served.get(r.id, set())) for r in found.values()]
    ranked.sort(key=lambda pair: -len(pair[0]))  # stable: the order found breaks ties
    likely = [candidate for _, candidate in ranked][: MOST_CANDIDATES * 2]
    named = _named(session, row, days)
    return named + [c for c in likely if c.clm01 not in {n.clm01 for n in named}]


def _cents(amount: Decimal) -> int:
    """``amount`` in whole cents, as ``claims.total_charge_cents`` keeps a charge."""
    return int(amount.scaleb(2))


def _newest(match: _Candidates, most: int) -> _Candidates:
    """The ``most`` newest claims of ``match``: the matching claims found first (through the
    index of what they match on, the charge or the date of service), then ordered. Asked as one
    ordered and limited query, PostgreSQL walks every claim newest first looking for a charge
    that a few claims have (0.8 s at a million claims)."""
    found = match.cte("match").prefix_with("MATERIALIZED")
    columns = (
        found.c.id,
        found.c.clm01,
        found.c.status,
        found.c.total_charge,
        found.c.service_date,
    )
    return select(*columns).order_by(found.c.id.desc()).limit(most)


def _numbered_alike(query: _Candidates, number: str) -> _Candidates:
    """The claims of ``query`` whose number begins as ``number`` does but for its last few
    characters (a digit mistyped or cut off at the end), found through the index on CLM01,
    at most ``_SCANNED``: with the newest claims, what is compared by number, so that the
    comparing stays cheap at a million claims."""
    claim = t.ClaimRow
    prefix = number[: max(1, len(number) - _FREE_TAIL)]
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    alike = claim.clm01 >= prefix, claim.clm01 < following, claim.clm01.startswith(prefix)
    return query.where(*alike).limit(_SCANNED)


def _named(session: Session, row: t.UnmatchedClaimRow, days: tuple[date, ...]) -> list[Candidate]:
    """The claim the ERA claim names (never sent, or sent to another payer), to list first."""
    if row.claim_id is None:
        return []
    claim = t.ClaimRow
    columns = (claim.id, claim.clm01, claim.status, claim.total_charge, claim.service_date)
    found = session.execute(select(*columns).where(claim.id == row.claim_id)).one()
    served = _days_served(session, [row.claim_id], days).get(row.claim_id, set())
    reasons, candidate = _candidate(found, row, served)
    return [replace(candidate, why=", ".join(["named by the ERA", *reasons]))]


def _days_served(
    session: Session, claim_ids: list[int], days: tuple[date, ...]
) -> dict[int, set[date]]:
    """Of ``days``, those each claim (by id) or one of its lines was served on."""
    served: dict[int, set[date]] = {}
    if not claim_ids or not days:
        return served
    claim, line = t.ClaimRow, t.ClaimLineRow
    own = select(claim.id, claim.service_date).where(
        claim.id.in_(claim_ids), claim.service_date.in_(days)
    )
    lines = select(line.claim_id, line.service_date).where(
        line.claim_id.in_(claim_ids), line.service_date.in_(days)
    )
    for claim_id, day in session.execute(union(own, lines)):
        served.setdefault(claim_id, set()).add(day)
    return served


def _candidate(
    found: _Found, row: t.UnmatchedClaimRow, days: set[date]
) -> tuple[list[str], Candidate]:
    """Why ``found`` is suggested for ``row``, each count a reason, and the candidate."""
    _, clm01, status, charge, day = found
    reasons = ["same charge"] if charge == row.charge else []
    if days:
        reasons.append("same service date " + " and ".join(d.isoformat() for d in sorted(days)))
    similar = difflib.SequenceMatcher(None, clm01, row.patient_control_number)
    if similar.ratio() >= _CLOSE:
        reasons.append("similar number")
    return reasons, Candidate(clm01, ClaimStatus(status), charge, day, ", ".join(reasons))


def _row(session: Session, unmatched_id: int, lock: bool = False) -> t.UnmatchedClaimRow:
    row = session.get(t.UnmatchedClaimRow, unmatched_id, with_for_update=lock)
    if row is None:
        raise RecordNotFound(
            f"no unmatched ERA claim {unmatched_id} (the Unmatched page lists them)"
        )
    return row


def _waiting(session: Session, unmatched_id: int, held: bool) -> t.UnmatchedClaimRow:
    """The row, unresolved, locked; a held payment when ``held``, else an unmatched claim."""
    row = _row(session, unmatched_id, lock=True)  # one person settles it, the other is refused
    if row.resolved_at is not None:
        raise StoreError(
            f"unmatched ERA claim {unmatched_id} was already resolved by {row.resolved_by} "
            f"({row.resolution or 'no reason kept'})"
        )
    if held and (row.reason != OVERPAYMENT or row.claim_id is None):
        raise StoreError(
            f"ERA claim {unmatched_id} is not a held payment: match it to a claim or mark it "
            "not ours (the Unmatched page)"
        )
    if not held and row.reason == OVERPAYMENT:
        raise StoreError(
            f"ERA claim {unmatched_id} is a payment held for review: post it or mark it "
            "refunded (the Unmatched page, Held for review)"
        )
    return row


def _clp_of(remittance: Remittance, row: t.UnmatchedClaimRow) -> Loop2100 | None:
    """The CLP of the remittance at the row's segment position, if it is the row's claim."""
    claims = [c for c in remittance.claims if c.clp.position == row.segment_position]
    if not claims or claims[0].clp.patient_control_number[:38] != row.patient_control_number:
        return None
    return claims[0]


def _only_clp(remittance: Remittance, row: t.UnmatchedClaimRow) -> Remittance:
    """The remittance with only the CLP at the row's segment position (and no PLB)."""
    claim = _clp_of(remittance, row)
    if claim is None:
        raise StoreError(
            f"the kept 835 has no claim {row.patient_control_number} at segment "
            f"{row.segment_position}; the unmatched row does not fit its file"
        )
    group = remittance.header_numbers[0]._replace(claims=(claim,))
    return remittance._replace(header_numbers=(group,), provider_adjustments=())


def _resolve(row: t.UnmatchedClaimRow, actor: str, resolution: str, claim_id: int | None) -> None:
    row.resolved_at, row.resolved_by = utcnow(), actor
    row.resolution, row.matched_claim_id = resolution, claim_id
