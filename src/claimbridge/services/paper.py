"""Posting a paper EOB: a payer without ERA enrollment mails its remittance, a biller enters it.

::

    post_paper(session, json.loads(text), "biller")   # the JSON of ``domain.paper_eob``

The EOB is checked (every claim ours, billed to that payer, sent or billed on paper, not paid
beyond its charge; every line one of the claim's, balanced), made into the remittance an 835
would give (``domain.paper_eob.build_remittance``) and posted by ``services.post`` with the
same rules as an ERA, onto the claims it names. The remittance row has no returned file
(``inbound_file_id`` None): that is what marks it paper. ``paper_remittances`` keeps the EOB as
entered, so the EOB page, undoing (``services.reposting``, which takes each claim back to the
status kept here) and posting again work as for an ERA.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain import posting
from claimbridge.domain.fields import refusal
from claimbridge.domain.paper_eob import (
    OurClaim,
    OurLine,
    PaperEob,
    Party,
    build_remittance,
    check_lines,
    read_paper_eob,
)
from claimbridge.domain.posting import Amounts
from claimbridge.domain.status import ClaimStatus, can_move
from claimbridge.errors import StoreError
from claimbridge.services.changes import Changes, ClaimIndex, ClaimRef
from claimbridge.services.era_match import posted_amounts
from claimbridge.services.post import Posted, post_remittance
from claimbridge.store import tables as t
from claimbridge.store.practices import practice_row
from claimbridge.store.repositories import utcnow
from claimbridge.x12.tx835_005010X221A1 import Remittance

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PaperPosted:
    """A paper EOB posted: its remittance row and what posting it did."""

    remittance_id: int
    posted: Posted

    def __str__(self) -> str:
        return f"paper EOB posted as remittance {self.remittance_id}: {self.posted}"


def post_paper(session: Session, data: object, actor: str) -> PaperPosted:
    """Check and post the paper EOB ``data`` (parsed JSON); ``InputError`` naming each problem,
    ``StoreError`` when the same check (payer, number, amount) is already posted."""
    eob = read_paper_eob(data)
    existing = _remittance_id(session, eob)
    if existing is not None:
        raise StoreError(
            f"check {eob.check_number} from payer {eob.payer} for {eob.paid} is already "
            f"entered (remittance {existing}); if its posting was undone, post it again"
        )
    remittance, refs = _remittance(session, eob)
    before = {ref.id: ref.status.value for ref in refs.values()}
    changes = Changes(None, actor=actor)
    posted = post_remittance(session, remittance, None, changes, settled=dict(refs))
    changes.write(session)
    remittance_id = _remittance_id(session, eob)
    assert remittance_id is not None
    session.add(
        t.PaperRemittanceRow(
            remittance_id=remittance_id,
            entered_at=utcnow(),
            entered_by=actor,
            content=json.dumps(data, sort_keys=True),
            statuses_before=json.dumps(before),
        )
    )
    session.flush()
    return PaperPosted(remittance_id, posted)


def paper_row(session: Session, remittance_id: int) -> t.PaperRemittanceRow:
    """The paper EOB behind remittance ``remittance_id``; ``StoreError`` when it has none."""
    row = session.get(t.PaperRemittanceRow, remittance_id)
    if row is None:
        raise StoreError(f"remittance {remittance_id} has neither a kept 835 nor a paper EOB")
    return row


def kept_paper(session: Session, remittance_id: int) -> tuple[Remittance, dict[int, ClaimRef]]:
    """The remittance the paper EOB of ``remittance_id`` gives, and our claim for each CLP by
    segment position (to post it again), checked as when it was entered."""
    row = paper_row(session, remittance_id)
    remittance, refs = _remittance(session, read_paper_eob(json.loads(row.content)))
    row.statuses_before = json.dumps({ref.id: ref.status.value for ref in refs.values()})
    return remittance, refs


def paper_remittance(session: Session, remittance_id: int) -> Remittance:
    """The remittance the paper EOB of ``remittance_id`` gives, as entered (for its EOB)."""
    row = paper_row(session, remittance_id)
    eob = read_paper_eob(json.loads(row.content))
    ours = _our_claims(session, eob, [])
    return build_remittance(eob, ours, _payer(session, eob, []), _payee(session))


def statuses_before(session: Session, remittance_id: int) -> dict[int, ClaimStatus]:
    """Each claim's status before the paper EOB of ``remittance_id`` was posted, by claim id."""
    kept: dict[str, str] = json.loads(paper_row(session, remittance_id).statuses_before)
    return {int(claim_id): ClaimStatus(status) for claim_id, status in kept.items()}


def _remittance(session: Session, eob: PaperEob) -> tuple[Remittance, dict[int, ClaimRef]]:
    problems: list[str] = []
    payer = _payer(session, eob, problems)
    ours = _our_claims(session, eob, problems)
    refs = _refs(session, eob, problems)
    if not problems:
        problems += check_lines(eob, ours)
    if problems:
        raise refusal(problems)
    remittance = build_remittance(eob, ours, payer, _payee(session))
    _check_amounts(session, remittance, refs)
    by_position = {claim.clp.position: refs[claim.clp.patient_control_number]
                   for claim in remittance.claims}  # fmt: skip
    return remittance, by_position


def _payer(session: Session, eob: PaperEob, problems: list[str]) -> Party:
    row = session.scalars(select(t.PayerRow).where(t.PayerRow.payer_id == eob.payer)).first()
    if row is None:
        problems.append(f"payer: no payer {eob.payer!r} in the payer list (give its payer ID)")
        return Party(eob.payer, eob.payer)
    return Party(row.name, row.payer_id)


def _payee(session: Session) -> Party:
    practice = practice_row(session)
    return Party(practice.name, practice.npi) if practice else Party("", "")


_MAY_BE_PAID = (ClaimStatus.PAID, ClaimStatus.DENIED)


def _refs(session: Session, eob: PaperEob, problems: list[str]) -> dict[str, ClaimRef]:
    """Our claim of each claim of the EOB, by CLM01, when it may take this EOB."""
    index = ClaimIndex(session)
    index.load(claim.claim for claim in eob.claims)
    payer_ids = _payer_ids(session, [ref.payer_id for ref in index.found.values()])
    refs: dict[str, ClaimRef] = {}
    for claim in eob.claims:
        ref = index.found.get(claim.claim)
        where = f"{claim.path}.claim"
        if ref is None:
            problems.append(f"{where}: no claim {claim.claim!r} (give its claim number, CLM01)")
        elif payer_ids.get(ref.payer_id) != eob.payer:
            sent_to = payer_ids.get(ref.payer_id, "another payer")
            problems.append(f"{where}: claim {ref.clm01} was billed to {sent_to}, not {eob.payer}")
        elif not any(can_move(ref.status, target) for target in _MAY_BE_PAID):
            problems.append(
                f"{where}: claim {ref.clm01} is {ref.status.value}; only a claim sent to the "
                "payer (or billed on paper) can be posted"
            )
        else:
            refs[claim.claim] = ref
    return refs


def _payer_ids(session: Session, ids: list[int]) -> dict[int, str]:
    query = select(t.PayerRow.id, t.PayerRow.payer_id).where(t.PayerRow.id.in_(ids))
    return {row_id: payer_id for row_id, payer_id in session.execute(query)}


def _our_claims(session: Session, eob: PaperEob, problems: list[str]) -> dict[str, OurClaim]:
    """Our claims the EOB names, with their lines; a claim we do not have gets no lines."""
    ours: dict[str, OurClaim] = {}
    for claim in eob.claims:
        found = session.execute(
            select(t.ClaimRow, t.PatientRow.last_name, t.PatientRow.first_name)
            .outerjoin(t.AppointmentRow, t.AppointmentRow.id == t.ClaimRow.appointment_id)
            .outerjoin(t.PatientRow, t.PatientRow.id == t.AppointmentRow.patient_id)
            .where(t.ClaimRow.clm01 == claim.claim)
        ).first()
        if found is None:
            ours[claim.claim] = OurClaim(claim.claim, "primary", "", "", {})
            continue
        row, last, first = found
        ours[claim.claim] = OurClaim(
            row.clm01, row.payer_sequence, last or "", first or "", _lines(session, row.id)
        )
    return ours


def _lines(session: Session, claim_id: int) -> dict[int, OurLine]:
    query = select(t.ClaimLineRow).where(t.ClaimLineRow.claim_id == claim_id)
    return {
        row.line_number: OurLine(
            row.line_number,
            row.code,
            tuple(m for m in row.modifiers.split(":") if m),
            row.charge,
            row.units,
            row.service_date,
            row.line_control_number,
        )
        for row in session.scalars(query)
    }


def _check_amounts(session: Session, remittance: Remittance, refs: Mapping[str, ClaimRef]) -> None:
    """Refuse a claim this EOB would pay beyond what it can take (``domain.posting``)."""
    charges = _charges(session, [ref.id for ref in refs.values()])
    before = posted_amounts(session, [ref.id for ref in refs.values()])
    problems = []
    for position, claim in enumerate(remittance.claims):
        clp, ref = claim.clp, refs[claim.clp.patient_control_number]
        patient = sum(
            (a.amount for line in claim.service_lines for a in line.adjustments
             if a.group == posting.PATIENT_GROUP), ZERO,
        )  # fmt: skip
        adding = Amounts(clp.charge, clp.paid, patient)
        why = posting.beyond_claim(charges[ref.id], before.get(ref.id, Amounts()), adding)
        if why is not None:
            problems.append(f"claims[{position}]: claim {ref.clm01} {why}")
    if problems:
        raise refusal(problems)


def _charges(session: Session, claim_ids: list[int]) -> dict[int, Decimal]:
    query = select(t.ClaimRow.id, t.ClaimRow.total_charge).where(t.ClaimRow.id.in_(claim_ids))
    return {claim_id: Decimal(charge) for claim_id, charge in session.execute(query)}


def _remittance_id(session: Session, eob: PaperEob) -> int | None:
    query = select(t.RemittanceRow.id).where(
        t.RemittanceRow.payer_identifier == eob.payer,
        t.RemittanceRow.trace_number == eob.check_number,
        t.RemittanceRow.amount == eob.paid,
    )
    return session.scalars(query).first()


def is_paper(row: t.RemittanceRow) -> bool:
    """True when remittance ``row`` was entered from a paper EOB (it came in no file)."""
    return row.inbound_file_id is None
