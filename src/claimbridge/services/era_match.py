"""Which claim of ours an ERA claim (CLP) may be posted onto, and what waits for a person.

A CLP names our claim by its patient control number (CLP01 = CLM01). ``Gate.sort`` lets it be
posted there only when:

1. the claim was sent (it has a ``claim_submissions`` row), else it is queued ``never_sent``;
2. it was sent to the ERA's payer, or its payer crossed it over to the ERA's payer (the
   claim's ``crossed_over_to``, ``services.claim_chain``), else ``other_payer``
   (``PayerCheck``). A secondary or tertiary payer often names the primary's CLM01 (it got
   the claim by crossover, or a biller sent it with that number): when the ERA's payer is the
   payer of a later claim of the same visit (one that follows another, live, sent), the CLP
   is posted onto that claim; onto the primary claim itself when it was crossed over to that
   payer and no such claim was sent. Two such claims: ``other_payer``, the detail naming
   both; one never sent: ``never_sent``, naming it. Never a claim of another visit;
3. posting it would not take the claim beyond what it can take, else it is held for review,
   ``overpayment`` (the rule is ``domain.posting.beyond_claim``): a second check paying a claim
   already paid in full, or payments and patient responsibility beyond the charge.

A crossed-over claim is posted again by the payer it was forwarded to, under the same CLM01:
that payer's CLP is judged against what that payer posted on it (nothing, the first time), not
against the first payer's, so a second check from it for a claim it already paid is held for
review as a second check from the first payer is. Each claim of a secondary chain has its own
CLM01 (``CB17``, ``CB17S``, ``CB17T``), sent to its own payer, so a secondary payer's 835
names its own claim.

A CLP that names no claim of ours is queued ``no_claim``. Queued CLPs keep their amounts in
``unmatched_claims``, so a remittance still adds up: BPR02 = what was posted + what waits − PLB.

The ERA's payer is known by REF*2U (payer identification), N1*PR N104, TRN03 (the payer's
company id) and N1*PR N102 (its name). A claim's payer is the ERA's when our payer's Office Ally
payer ID is one of those identifiers, its name is the ERA's (ignoring case, spaces and
punctuation), or a person matched an earlier ERA with the same identifier to a claim of that
payer (the remittance's ``payer_id``, set from the claims posted to it).

All CLPs of one claim in one remittance are judged together (a reversal and its correction
net out), once: a claim whose CLPs span chunks keeps the first decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, aliased

from claimbridge.domain import posting
from claimbridge.domain.posting import Amounts
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.balances import VOID, posted_by_other_payer
from claimbridge.services.changes import ClaimIndex, ClaimRef, chunks
from claimbridge.store import tables as t
from claimbridge.x12.tx835_005010X221A1 import Loop2100, Remittance

NO_CLAIM, NEVER_SENT, OTHER_PAYER, OVERPAYMENT = t.UNMATCHED_REASONS
UNMATCHED = (NO_CLAIM, NEVER_SENT, OTHER_PAYER)  # the Unmatched queue; OVERPAYMENT is held
CANCELLED = ClaimStatus.CANCELLED.value
ZERO = Decimal("0.00")


def payer_identifier(remittance: Remittance) -> str:
    """Who paid: REF*2U or N104 of the payer loop, else TRN03 (the payer's company id)."""
    payer = remittance.payer
    ref = next((r.value for r in payer.references if r.qualifier == "2U"), "")
    return ref or payer.n1.id or remittance.trn.originating_company_id or payer.n1.name


def payer_label(remittance: Remittance) -> str:
    """The ERA's payer in words: its name and the identifier it is kept under."""
    name, identifier = remittance.payer.n1.name, payer_identifier(remittance)
    return f"{name} ({identifier})" if name and identifier != name else identifier


def normal_key(text: str) -> str:
    """A payer ID or name compared without case, spaces or punctuation."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


@dataclass(frozen=True, slots=True)
class NotPosted:
    """A CLP left for a person: why (``reason``, in words ``detail``) and the claim it names."""

    claim: Loop2100
    reason: str
    ref: ClaimRef | None = None
    detail: str | None = None


class PayerCheck:
    """Whether a payer of ours (by row id) is the remittance's payer; each payer read once."""

    def __init__(self, session: Session, remittance: Remittance) -> None:
        self.session = session
        references = remittance.payer.references
        keys = [r.value for r in references if r.qualifier == "2U"]
        keys += [remittance.payer.n1.id, remittance.trn.originating_company_id]
        self.keys = {normal_key(key) for key in keys} - {""}
        self.name = normal_key(remittance.payer.n1.name)
        learned = select(t.RemittanceRow.payer_id).where(
            t.RemittanceRow.payer_identifier == payer_identifier(remittance)[:80],
            t.RemittanceRow.payer_id.is_not(None),
        )
        self.learned = set(session.scalars(learned.distinct()))
        self.names: dict[int, str] = {}
        self.known: dict[int, bool] = {}

    def load(self, payer_ids: Iterable[int]) -> None:
        """Read the payers not yet known."""
        wanted = sorted(set(payer_ids) - self.known.keys())
        for part in chunks(wanted):
            columns = (t.PayerRow.id, t.PayerRow.payer_id, t.PayerRow.name)
            for row_id, payer_id, name in self.session.execute(
                select(*columns).where(t.PayerRow.id.in_(part))
            ):
                self.names[row_id] = f"{name} ({payer_id})"
                self.known[row_id] = row_id in self.learned or (
                    normal_key(payer_id) in self.keys
                    or bool(name and normal_key(name) == self.name)
                )

    def matches(self, payer_id: int) -> bool:
        """True when payer ``payer_id`` (loaded) is the remittance's."""
        return self.known.get(payer_id, False)


class Gate:
    """Sorts the CLPs of one remittance that name a claim of ours: posted, or left waiting."""

    def __init__(self, session: Session, remittance: Remittance) -> None:
        self.session = session
        self.payers = PayerCheck(session, remittance)
        self.label = payer_label(remittance)
        self.adding = adding_by_number(remittance.claims)
        self.decided: dict[str, ClaimRef | NotPosted] = {}  # by CLP01, the first decision
        self.crossed: dict[int, str] = {}  # crossed_over_to of the claims judged, by claim id
        self.crossover_payers: dict[int, int | None] = {}  # claims posted as crossovers
        self.redirected: dict[str, str] = {}  # CLP01 → the claim of its chain posted instead

    def paid_by(self, ref: ClaimRef) -> int | None:
        """Our payer (row id) that pays ``ref`` in this ERA: the claim's, or the payer it was
        crossed over to (None when that payer is not in our list)."""
        return self.crossover_payers.get(ref.id, ref.payer_id)

    def sort(
        self, named: Sequence[tuple[Loop2100, ClaimRef]]
    ) -> tuple[list[tuple[Loop2100, ClaimRef]], list[NotPosted]]:
        """The CLPs to post, and those left for a person (see the module docstring)."""
        fresh = [
            ref for claim, ref in named if claim.clp.patient_control_number not in self.decided
        ]
        charges = sent_charges(self.session, [ref.id for ref in fresh])
        self.payers.load(ref.payer_id for ref in fresh)
        self.crossed |= crossed_over(self.session, [ref.id for ref in fresh])
        before = posted_amounts(self.session, list(charges))
        posted: list[tuple[Loop2100, ClaimRef]] = []
        waiting: list[NotPosted] = []
        for claim, ref in named:
            number = claim.clp.patient_control_number
            if number not in self.decided:
                self.decided[number] = self._decide(claim, ref, charges, before)
            decision = self.decided[number]
            if isinstance(decision, ClaimRef):
                posted.append((claim, decision))
            else:
                waiting.append(
                    NotPosted(claim, decision.reason, decision.ref or ref, decision.detail)
                )  # held on the claim of the chain it would have been posted onto
        return posted, waiting

    def _decide(
        self,
        claim: Loop2100,
        ref: ClaimRef,
        charges: dict[int, Decimal],
        before: dict[int, Amounts],
    ) -> ClaimRef | NotPosted:
        """The claim to post ``claim`` onto (``ref``, or another claim of its chain), or why
        it waits."""
        if ref.id not in charges:
            detail = f"{ref.clm01} was never sent (it is {ref.status.value}); not posted"
            return NotPosted(claim, NEVER_SENT, ref, detail)
        if not self.payers.matches(ref.payer_id):
            found = self._other_payer(claim, ref, charges)
            if isinstance(found, NotPosted):
                return found
            ref, before = found
        adding = self.adding[claim.clp.patient_control_number]
        why = posting.beyond_claim(charges[ref.id], before.get(ref.id, Amounts()), adding)
        if why is None:
            return ref
        detail = f"{ref.clm01} {why}; held for review, post it or mark it refunded"
        return NotPosted(claim, OVERPAYMENT, ref, detail)

    def _other_payer(
        self, claim: Loop2100, ref: ClaimRef, charges: dict[int, Decimal]
    ) -> tuple[ClaimRef, dict[int, Amounts]] | NotPosted:
        """A CLP from a payer ``ref`` was not sent to: the claim of its chain sent to this
        payer (a secondary payer echoing the primary's CLM01), else ``ref`` when its payer
        crossed it over to this one, each with what this payer posted on it; else why not.
        A crossed-over claim is looked at first: no claim to the next payer follows one."""
        if ref.id in self.crossed and self._crossed_to_this_payer(ref):
            return ref, posted_amounts(self.session, [ref.id], by_other_payer=True)
        chain = self._chain(ref)
        sent = sent_charges(self.session, [other.id for other in chain])
        if len(sent) == 1:
            [target] = [other for other in chain if other.id in sent]
            charges[target.id] = sent[target.id]
            self.redirected[claim.clp.patient_control_number] = target.clm01
            return target, posted_amounts(self.session, [target.id])
        if len(sent) > 1:
            could = " or ".join(other.clm01 for other in chain if other.id in sent)
            detail = (
                f"{ref.clm01} was sent to {self._sent_to(ref)}; this ERA from {self.label} "
                f"names it, and could be for {could} (each sent to that payer): match it by hand"
            )
            return NotPosted(claim, OTHER_PAYER, ref, detail)
        detail = f"{ref.clm01} was sent to {self._sent_to(ref)}, this ERA is from {self.label}"
        if chain:
            listed = " or ".join(other.clm01 for other in chain)
            detail += f"; its claim to that payer, {listed}, was never sent"
            return NotPosted(claim, NEVER_SENT, ref, detail)
        return NotPosted(claim, OTHER_PAYER, ref, detail)

    def _sent_to(self, ref: ClaimRef) -> str:
        return self.payers.names.get(ref.payer_id, "another payer")

    def _chain(self, ref: ClaimRef) -> list[ClaimRef]:
        """The live claims to a later payer of ``ref``'s visit (or that follow ``ref``) whose
        payer is the ERA's: neither cancelled, nor a void, nor replaced by a live claim."""
        claim, later, named = t.ClaimRow, aliased(t.ClaimRow), aliased(t.ClaimRow)
        visit = select(named.appointment_id).where(named.id == ref.id).scalar_subquery()
        replaced = exists().where(later.replaces_claim_id == claim.id, later.status != CANCELLED)
        query = (
            select(claim.id, claim.payer_id)
            .where((claim.appointment_id == visit) | (claim.follows_claim_id == ref.id))
            .where(claim.id != ref.id, claim.follows_claim_id.is_not(None))
            .where(claim.status != CANCELLED, claim.frequency_code != VOID, ~replaced)
        )
        found = self.session.execute(query.order_by(claim.id)).all()
        self.payers.load(payer_id for _, payer_id in found)
        ids = [claim_id for claim_id, payer_id in found if self.payers.matches(payer_id)]
        return ClaimIndex(self.session).of_ids(ids)

    def _crossed_to_this_payer(self, ref: ClaimRef) -> bool:
        """True when the claim's payer crossed it over to the ERA's payer (recorded, if so)."""
        crossed = self.crossed.get(ref.id)
        if crossed is None:
            return False
        query = select(t.PayerRow.id).where(t.PayerRow.payer_id == crossed)
        payer_id = self.session.scalars(query).first()
        if payer_id is not None:
            self.payers.load([payer_id])
            matches = self.payers.matches(payer_id)
        else:
            matches = (
                normal_key(crossed) in self.payers.keys or normal_key(crossed) == self.payers.name
            )
        if matches:
            self.crossover_payers[ref.id] = payer_id
        return matches


def crossed_over(session: Session, claim_ids: Sequence[int]) -> dict[int, str]:
    """``crossed_over_to`` of those of these claims that a payer crossed over, by claim id."""
    found: dict[int, str] = {}
    column = t.ClaimRow.crossed_over_to
    for part in chunks(sorted(set(claim_ids))):
        query = select(t.ClaimRow.id, column).where(t.ClaimRow.id.in_(part), column.is_not(None))
        found.update({claim_id: to for claim_id, to in session.execute(query) if to})
    return found


def patient_share(claim: Loop2100) -> Decimal:
    """The PR adjustments of a CLP (claim level and lines): what the patient owes from it."""
    adjustments = [
        *claim.adjustments,
        *(a for line in claim.service_lines for a in line.adjustments),
    ]
    return sum((a.amount for a in adjustments if a.group == posting.PATIENT_GROUP), ZERO)


def adding_by_number(claims: Iterable[Loop2100]) -> dict[str, Amounts]:
    """What the CLPs of one remittance add to each claim, by CLP01 (reversals netted)."""
    adding: dict[str, Amounts] = {}
    for claim in claims:
        clp = claim.clp
        amounts = Amounts(clp.charge, clp.paid, patient_share(claim))
        number = clp.patient_control_number
        adding[number] = adding.get(number, Amounts()) + amounts
    return adding


def sent_charges(session: Session, claim_ids: Sequence[int]) -> dict[int, Decimal]:
    """The total charge of each of these claims that was sent (has a submission)."""
    found: dict[int, Decimal] = {}
    sent = exists().where(t.ClaimSubmissionRow.claim_id == t.ClaimRow.id)
    for part in chunks(sorted(set(claim_ids))):
        query = select(t.ClaimRow.id, t.ClaimRow.total_charge).where(t.ClaimRow.id.in_(part), sent)
        found.update({claim_id: Decimal(charge) for claim_id, charge in session.execute(query)})
    return found


def posted_amounts(
    session: Session, claim_ids: Sequence[int], by_other_payer: bool = False
) -> dict[int, Amounts]:
    """What every posting so far put on each of these claims (those with none left out); with
    ``by_other_payer``, only the remittances of a payer other than the claim's (the payer it
    was crossed over to)."""
    found: dict[int, Amounts] = {}
    for part in chunks(sorted(set(claim_ids))):
        found.update(_posted_part(session, part, by_other_payer))
    return found


def _posted_part(session: Session, part: list[int], by_other_payer: bool) -> dict[int, Amounts]:
    payment = t.PaymentRow
    which: ColumnElement[bool] = payment.claim_id.in_(part)
    if by_other_payer:
        which &= posted_by_other_payer()
    paid_query = (
        select(payment.claim_id, func.sum(payment.charge), func.sum(payment.paid))
        .where(which)
        .group_by(payment.claim_id)
    )
    paid = {row[0]: (Decimal(row[1]), Decimal(row[2])) for row in session.execute(paid_query)}
    if not paid:
        return {}
    patient_query = (
        select(payment.claim_id, func.sum(t.AdjustmentRow.amount))
        .join(t.AdjustmentRow, t.AdjustmentRow.payment_id == payment.id)
        .where(which, payment.claim_id.in_(list(paid)), t.AdjustmentRow.group_code == "PR")
        .group_by(payment.claim_id)
    )
    patient = {claim_id: Decimal(total) for claim_id, total in session.execute(patient_query)}
    return {
        claim_id: Amounts(charge, total, patient.get(claim_id, ZERO))
        for claim_id, (charge, total) in paid.items()
    }
