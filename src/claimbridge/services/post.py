"""Posting an 835 into the ledger, in bulk: one remittance (check or EFT) at a time.

``post_remittance(session, remittance, inbound_file_id, changes)``:

1. a transaction set whose totals do not balance (BPR02 ≠ Σ CLP04 − Σ PLB) is held whole:
   nothing of it is posted, and the reason is returned;
2. the same remittance twice (payer, TRN02 trace number, BPR02 amount) is refused;
3. the remittance and its PLB adjustments are recorded;
4. claims are posted in chunks of ``CHUNK`` CLPs: our claims looked up by CLM01 in one query,
   their lines in another, then payments (one row per SVC, plus the claim-level remainder; see
   ``domain.posting``) and their CAS adjustments inserted in bulk. A CLP is posted only onto a
   claim that was sent to the ERA's payer and can take it (``services.era_match``); one that
   matches none of our claims, names one never sent or sent to another payer goes to the
   unmatched queue (``unmatched_claims``) for a person, and a payment beyond what the claim
   can take (a second check, an overpayment) is held there for review, with an event on the
   claim (``PAYMENT_HELD_EVENT``);
5. each claim's status follows (``domain.posting.status_after``) with an event that says what
   the payer paid, what the patient owes, and for a denial the reasons (CARC/RARC) in words;
6. a CLP whose claim or line equation does not hold is posted as the payer sent it (the money
   moved), with a note on our claim naming each equation and how far off it is (an
   ``UNBALANCED_EVENT``). ``unbalanced_claim_ids`` selects the claims whose latest posting had
   such a note that nobody has marked reviewed since (a ``BALANCE_REVIEWED_EVENT``).

Totals are never overwritten: each CLP adds rows, so several ERAs, a reversal (negative
amounts) and its correction sum up. ``appointment_totals`` gives what insurance paid and what
the patient owes per appointment; ``unmatched`` lists the queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, insert, select, text
from sqlalchemy.orm import Session, aliased

from claimbridge.domain import posting
from claimbridge.domain.frequency import ClaimFrequency
from claimbridge.domain.posting import Amounts
from claimbridge.domain.remit_codes import carc_text, claim_status_text, rarc_text
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.balances import claim_balances
from claimbridge.services.changes import Changes, ClaimIndex, ClaimRef, chunks
from claimbridge.services.claim_chain import after_posting
from claimbridge.services.era_match import (
    NO_CLAIM,
    OVERPAYMENT,
    UNMATCHED,
    Gate,
    NotPosted,
    patient_share,
    payer_identifier,
    posted_amounts,
)
from claimbridge.store import tables as t
from claimbridge.store.repositories import Remittance as RemittanceRecord
from claimbridge.store.repositories import add_remittance, utcnow
from claimbridge.x12.tx835_005010X221A1 import (
    Imbalance,
    Level,
    Loop2100,
    Remittance,
    check_balance,
)

CHUNK = 900
UNBALANCED_EVENT = "does_not_balance"  # the claim event naming a CLP's failing equations
BALANCE_REVIEWED_EVENT = "balance_reviewed"  # a person compared it with the payer's EOB
PAYMENT_HELD_EVENT = "payment_held"  # a payment beyond what the claim can take, for review
NOT_POSTED_EVENT = "era_not_posted"  # an ERA named the claim, which was never sent or not to it
ZERO = Decimal("0.00")
VOID = ClaimFrequency.VOID.value
CANCELLED = ClaimStatus.CANCELLED.value  # a claim never sent, taken off the electronic path
_PAYMENTS = t.Base.metadata.tables["payments"]
_ADJUSTMENTS = t.Base.metadata.tables["adjustments"]
_NEXT_PAYMENT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('payments', 'id')) FROM generate_series(1, :n)"
)


@dataclass(frozen=True, slots=True)
class Posted:
    """What posting one remittance did; ``held`` or ``duplicate`` says why nothing was posted."""

    trace_number: str
    amount: Decimal
    claims: int = 0
    unmatched: int = 0
    held: str | None = None
    held_payments: int = 0  # beyond what their claim can take, waiting for review
    duplicate: bool = False
    unbalanced: int = 0  # claims of ours whose CLP or lines do not balance (noted on each)

    def __str__(self) -> str:
        name = f"ERA {self.trace_number} ({self.amount})"
        if self.held:
            return f"{name} held, nothing posted: {self.held}"
        if self.duplicate:
            return f"{name} already posted (same payer, trace number and amount); refused"
        posted = f"{name}: {self.claims} claims posted, {self.unmatched} unmatched"
        if self.held_payments:
            posted += f"; {self.held_payments} payments held for review (beyond their claim)"
        if self.unbalanced:
            posted += f"; {self.unbalanced} do not balance (see each claim's timeline)"
        return posted


def post_remittance(
    session: Session,
    remittance: Remittance,
    inbound_file_id: int | None,
    changes: Changes,
    *,
    hold_unbalanced: bool = True,
    settled: Mapping[int, ClaimRef | None] | None = None,
) -> Posted:
    """Post one 835 transaction set (see the module docstring).

    ``hold_unbalanced=False`` posts a transaction that does not balance: a person decided to.
    ``inbound_file_id`` None is a remittance a person entered from a paper EOB
    (``services.paper``): ``settled`` then names the claim of ours for each of its CLPs.
    """
    trace, amount = remittance.trn.trace_number, remittance.bpr.amount
    imbalances = check_balance(remittance)
    unbalanced = [i for i in imbalances if i.level is Level.TRANSACTION]
    if unbalanced and hold_unbalanced:
        return Posted(trace, amount, held=str(unbalanced[0]))
    remittance_id, new = add_remittance(session, _record(remittance, inbound_file_id))
    if not new:
        return Posted(trace, amount, duplicate=True)
    return post_claims(
        session, remittance, remittance_id, inbound_file_id, changes, settled, imbalances
    )


def post_claims(
    session: Session,
    remittance: Remittance,
    remittance_id: int,
    inbound_file_id: int | None,
    changes: Changes,
    settled: Mapping[int, ClaimRef | None] | None = None,
    imbalances: Sequence[Imbalance] | None = None,
) -> Posted:
    """Post the PLB and the claims of a recorded remittance (row ``remittance_id``).

    ``settled`` holds what a person decided about CLPs, by segment position: a claim of ours
    to post that CLP to (matched by hand), or None (not ours: neither posted nor queued).
    A CLP whose claim or line equation does not hold is posted as the payer sent it, with a
    note on our claim naming the equation (``imbalances``, from ``check_balance`` when None).
    """
    if imbalances is None:
        imbalances = check_balance(remittance)
    _add_provider_adjustments(session, remittance_id, remittance)
    poster = _Poster(
        session, remittance, remittance_id, inbound_file_id, changes, settled, _by_claim(imbalances)
    )
    for part in _claim_chunks(remittance.claims):
        poster.post(part)
    poster.finish()
    after_posting(session, poster.posted, changes)
    trace, amount = remittance.trn.trace_number, remittance.bpr.amount
    return Posted(
        trace,
        amount,
        poster.claims,
        poster.unmatched,
        unbalanced=poster.unbalanced,
        held_payments=poster.held_payments,
    )


def _by_claim(imbalances: Sequence[Imbalance]) -> dict[str, list[Imbalance]]:
    """The claim- and line-level imbalances by CLP01."""
    found: dict[str, list[Imbalance]] = {}
    for imbalance in imbalances:
        if imbalance.level is not Level.TRANSACTION and imbalance.patient_control_number:
            found.setdefault(imbalance.patient_control_number, []).append(imbalance)
    return found


def unbalanced_claim_ids(claim_id: int | None = None) -> Select[int]:
    """The ids of claims whose latest posting did not balance, not marked reviewed since
    (only ``claim_id`` when given).

    The latest posting is the 835 file of the claim's newest payment row: an undone posting
    has none left, a later ERA replaces it, and posting again notes it again.
    """
    note, later = aliased(t.ClaimEventRow), aliased(t.ClaimEventRow)
    latest_file = (
        select(t.RemittanceRow.inbound_file_id)
        .join(t.PaymentRow, t.PaymentRow.remittance_id == t.RemittanceRow.id)
        .where(t.PaymentRow.claim_id == note.claim_id)
        .order_by(t.PaymentRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    reviewed = exists().where(
        later.claim_id == note.claim_id,
        later.what == BALANCE_REVIEWED_EVENT,
        later.id > note.id,
    )
    query = select(note.claim_id).where(
        note.what == UNBALANCED_EVENT, note.inbound_file_id == latest_file, ~reviewed
    )
    if claim_id is not None:
        query = query.where(note.claim_id == claim_id)
    return query.distinct()


def _claim_chunks(claims: Sequence[Loop2100]) -> Iterable[Sequence[Loop2100]]:
    for start in range(0, len(claims), CHUNK):
        yield claims[start : start + CHUNK]


def _record(remittance: Remittance, inbound_file_id: int | None) -> RemittanceRecord:
    bpr = remittance.bpr
    return RemittanceRecord(
        payer_identifier=payer_identifier(remittance)[:80],
        trace_number=remittance.trn.trace_number,
        amount=bpr.amount,
        method=bpr.payment_method_code[:3],
        payment_date=bpr.payment_date,
        production_date=remittance.production_date,
        inbound_file_id=inbound_file_id,
    )


def _add_provider_adjustments(session: Session, remittance_id: int, remittance: Remittance) -> None:
    rows = [
        {"remittance_id": remittance_id, "provider_identifier": plb.provider_id[:50],
         "fiscal_period_end": plb.fiscal_period_end, "reason_code": plb.reason[:2],
         "reference": plb.reference[:50] or None, "amount": plb.amount}
        for plb in remittance.provider_adjustments
    ]  # fmt: skip
    if rows:
        session.execute(insert(t.ProviderAdjustmentRow), rows)


class _Poster:
    """Posts the claims of one remittance, chunk by chunk."""

    def __init__(
        self,
        session: Session,
        remittance: Remittance,
        remittance_id: int,
        inbound_file_id: int | None,
        changes: Changes,
        settled: Mapping[int, ClaimRef | None] | None = None,
        imbalances: dict[str, list[Imbalance]] | None = None,
    ) -> None:
        self.session = session
        self.settled = settled or {}
        self.imbalances = imbalances or {}  # claim- and line-level, by CLP01, noted once
        self.remittance_id = remittance_id
        self.inbound_file_id = inbound_file_id
        self.changes = changes
        self.index = ClaimIndex(session)
        self.gate = Gate(session, remittance)
        kind = "ERA" if inbound_file_id is not None else "Paper EOB"
        self.label = f"{kind} {remittance.trn.trace_number} from {remittance.payer.n1.name}"
        self.claims = self.unmatched = self.unbalanced = self.held_payments = 0
        self.payers: Counter[int] = Counter()
        self.posted: dict[int, list[Loop2100]] = {}  # the CLPs posted, by claim id
        self.now = utcnow()

    def post(self, part: Sequence[Loop2100]) -> None:
        """Post one chunk of CLPs."""
        matched = self._matched(part)
        claim_ids = [ref.id for _, ref in matched]
        lines = _line_keys(self.session, claim_ids)
        totals = posted_amounts(self.session, claim_ids)
        payments, plans = self._payment_rows(matched, lines)
        ids = self._insert_payments(payments)
        self._insert_adjustments(ids, plans)
        for claim, ref in matched:  # a claim twice in one chunk sees its first CLP
            totals[ref.id] = self._move(claim, ref, totals.get(ref.id, Amounts()))
            self.posted.setdefault(ref.id, []).append(claim)
        self.claims += len(matched)
        self.index.found.clear()  # keep memory flat on very large remittances
        self.changes.write(self.session)

    def _matched(self, part: Sequence[Loop2100]) -> list[tuple[Loop2100, ClaimRef]]:
        """The CLPs of the chunk to post, with our claim; the others are queued.

        A CLP a person settled goes where they said (or nowhere); the others go to the claim
        their patient control number names when ``Gate`` lets them.
        """
        found = self.index.load(c.clp.patient_control_number for c in part)
        automatic = [c for c in part if c.clp.position not in self.settled]
        named = [(c, ref) for c in automatic
                 if (ref := found.get(c.clp.patient_control_number)) is not None]  # fmt: skip
        posted, waiting = self.gate.sort(named)
        self._note_redirected(posted)
        known = {c.clp.position for c, _ in named}
        waiting += [NotPosted(c, NO_CLAIM) for c in automatic if c.clp.position not in known]
        self._queue(waiting)
        by_hand = [(c, ref) for c in part
                   if c.clp.position in self.settled
                   and (ref := self.settled[c.clp.position]) is not None]  # fmt: skip
        return sorted([*by_hand, *posted], key=lambda pair: pair[0].clp.position)

    def _note_redirected(self, posted: Sequence[tuple[Loop2100, ClaimRef]]) -> None:
        """Say on each claim posted in place of the one its CLP names that it was, once."""
        instead = self.gate.redirected
        named = {ref.id: (c.clp.patient_control_number, ref) for c, ref in posted
                 if instead.get(c.clp.patient_control_number) == ref.clm01}  # fmt: skip
        for clm01, ref in named.values():
            why = f"{self.label} names claim {clm01} of the same visit; posted here, on its "
            self.changes.note(ref, why + "claim to this payer")

    def _payment_rows(
        self, matched: Sequence[tuple[Loop2100, ClaimRef]], lines: dict[int, list[posting.LineKey]]
    ) -> tuple[list[dict[str, Any]], list[posting.PaymentPlan]]:
        rows: list[dict[str, Any]] = []
        plans: list[posting.PaymentPlan] = []
        for claim, ref in matched:
            payer = self.gate.paid_by(ref)
            if payer is not None:
                self.payers[payer] += 1
            line_ids = posting.match_lines(lines.get(ref.id, []), claim.service_lines)
            clp = claim.clp
            for plan in posting.plan_claim(claim, line_ids):
                plans.append(plan)
                rows.append({"remittance_id": self.remittance_id, "claim_id": ref.id,
                             "claim_line_id": plan.line_id, "status_code": clp.status_code[:2],
                             "charge": plan.charge, "paid": plan.paid,
                             "patient_responsibility": plan.patient_responsibility,
                             "payer_claim_control_number":
                                 clp.payer_claim_control_number[:50] or None,
                             "created_at": self.now})  # fmt: skip
        return rows, plans

    def _insert_payments(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert the rows; their ids, in order (from the sequence first on PostgreSQL, where
        a many-row INSERT … RETURNING is re-parsed by the driver for every batch)."""
        if not rows:
            return []
        if self.session.get_bind().dialect.name != "postgresql":
            statement = _PAYMENTS.insert().returning(_PAYMENTS.c.id, sort_by_parameter_order=True)
            return list(self.session.execute(statement, rows).scalars())
        ids = list(self.session.scalars(_NEXT_PAYMENT_IDS, {"n": len(rows)}))
        for row, payment_id in zip(rows, ids, strict=True):
            row["id"] = payment_id
        self.session.execute(_PAYMENTS.insert(), rows)
        return ids

    def _insert_adjustments(self, ids: list[int], plans: list[posting.PaymentPlan]) -> None:
        rows = [
            {"payment_id": payment_id, "group_code": a.group[:2], "reason_code": a.reason[:5],
             "amount": a.amount, "quantity": a.quantity}
            for payment_id, plan in zip(ids, plans, strict=True)
            for a in plan.adjustments
        ]  # fmt: skip
        if rows:
            self.session.execute(_ADJUSTMENTS.insert(), rows)

    def _move(self, claim: Loop2100, ref: ClaimRef, before: Amounts) -> Amounts:
        """Propose the claim's status after this CLP; returns its totals with the CLP."""
        clp = claim.clp
        patient = patient_share(claim)
        after = before + Amounts(clp.charge, clp.paid, patient)
        why = _why(self.label, claim, patient)
        target = posting.status_after(clp.status_code, after.paid, after.patient)
        if target is None:
            self.changes.note(ref, why)
        else:
            self.changes.propose(ref, target, why)
        self._note_imbalances(clp.patient_control_number, ref)
        return after

    def _note_imbalances(self, patient_control_number: str, ref: ClaimRef) -> None:
        """Say on the claim, once, that the payer's amounts for it do not add up."""
        found = self.imbalances.pop(patient_control_number, None)
        if not found:
            return
        self.unbalanced += 1
        listed = "; ".join(str(imbalance) for imbalance in found)
        self.changes.note(
            ref,
            f"{self.label} does not balance for this claim, posted as sent: {listed}. "
            "Compare with the payer's EOB and ask the payer if it is wrong.",
            UNBALANCED_EVENT,
        )

    def _queue(self, waiting: Sequence[NotPosted]) -> None:
        """Queue the CLPs left for a person, with why; a note on each claim of ours named."""
        rows = [
            {"inbound_file_id": self.inbound_file_id, "remittance_id": self.remittance_id,
             "patient_control_number": w.claim.clp.patient_control_number[:38],
             "payer_claim_control_number": w.claim.clp.payer_claim_control_number[:50] or None,
             "status_code": w.claim.clp.status_code[:2], "charge": w.claim.clp.charge,
             "paid": w.claim.clp.paid,
             "patient_responsibility": w.claim.clp.patient_responsibility,
             "segment_position": w.claim.clp.position, "created_at": self.now,
             "reason": w.reason, "claim_id": w.ref.id if w.ref else None, "detail": w.detail}
            for w in waiting
        ]  # fmt: skip
        if not rows:
            return
        self.session.execute(insert(t.UnmatchedClaimRow), rows)
        held = sum(1 for w in waiting if w.reason == OVERPAYMENT)
        self.held_payments += held
        self.unmatched += len(rows) - held
        for w in waiting:
            if w.ref is not None:
                self._note_not_posted(w, w.ref)

    def _note_not_posted(self, waiting: NotPosted, ref: ClaimRef) -> None:
        clp = waiting.claim.clp
        if waiting.reason == OVERPAYMENT:
            where, what = "held for review (the Unmatched page)", PAYMENT_HELD_EVENT
        else:
            where, what = "in the Unmatched queue", NOT_POSTED_EVENT
        why = f"{self.label}: paid {clp.paid} ({clp.status_code}) {where}: {waiting.detail}"
        self.changes.note(ref, why, what)

    def finish(self) -> None:
        """Name the remittance's payer from our claims when the 835 did not name a known one."""
        row = self.session.get_one(t.RemittanceRow, self.remittance_id)
        if row.payer_id is None and self.payers:
            row.payer_id = self.payers.most_common(1)[0][0]


def _why(label: str, claim: Loop2100, patient: Decimal) -> str:
    clp = claim.clp
    words = f"{label}: {claim_status_text(clp.status_code)}; paid {clp.paid}"
    words += f", patient owes {patient}" if patient else ""
    if clp.status_code == posting.DENIAL or (clp.paid == 0 and not patient):
        words += "; " + _reasons(claim)
    return words


def _reasons(claim: Loop2100) -> str:
    adjustments = [
        *claim.adjustments,
        *(a for line in claim.service_lines for a in line.adjustments),
    ]
    carcs = dict.fromkeys(f"{a.group}-{a.reason} {carc_text(a.reason)}" for a in adjustments)
    rarcs = [f"{code} {rarc_text(code)}" for code in posting.remark_codes(claim)]
    return "; ".join([*carcs, *rarcs]) or "no reason given"


def _line_keys(session: Session, claim_ids: list[int]) -> dict[int, list[posting.LineKey]]:
    lines: dict[int, list[posting.LineKey]] = {}
    if not claim_ids:
        return lines
    line = t.ClaimLineRow
    columns = (line.claim_id, line.id, line.line_control_number, line.code, line.modifiers)
    query = select(*columns, line.service_date).where(line.claim_id.in_(claim_ids))
    for claim_id, line_id, control, code, modifiers, day in session.execute(
        query.order_by(line.id)
    ):
        mods = tuple(m for m in modifiers.split(":") if m)
        lines.setdefault(claim_id, []).append(posting.LineKey(line_id, control, code, mods, day))
    return lines


@dataclass(frozen=True, slots=True)
class AppointmentTotals:
    """What insurance paid on an appointment's claims, and what the patient owes for it."""

    appointment_id: int
    appointment_key: str
    service_date: date
    charge: Decimal
    insurance_paid: Decimal
    patient_owes: Decimal


def appointment_totals(session: Session, appointment_ids: Sequence[int]) -> list[AppointmentTotals]:
    """Per appointment: charges of its claims, what payers paid, what the patient owes.

    A claim replaced or voided by a later one (frequency 7 or 8 naming it, not cancelled) is
    billed no longer, and a void or a cancelled claim bills nothing: a 233.00 visit corrected by
    a replacement is billed 233.00 once; a claim to the next payer (it follows another) bills
    the same charges again and is not counted. What was paid on any of them counts: the money
    moved. What the patient owes is the sum of its claims' patient balances
    (``services.balances``): a primary's patient responsibility that a secondary claim took
    over is the secondary payer's, and the patient's own payments and write-offs count."""
    found: list[AppointmentTotals] = []
    for part in chunks(list(appointment_ids)):
        found += _appointment_part(session, part)
    return found


def _appointment_part(session: Session, part: list[int]) -> list[AppointmentTotals]:
    claim = t.ClaimRow
    paid = (
        select(func.coalesce(func.sum(t.PaymentRow.paid), 0))
        .where(t.PaymentRow.claim_id == claim.id)
        .scalar_subquery()
    )
    later = aliased(t.ClaimRow)
    replaced = exists().where(later.replaces_claim_id == claim.id, later.status != CANCELLED)
    counts = ~replaced & (claim.frequency_code != VOID) & (claim.status != CANCELLED)
    counts = counts & claim.follows_claim_id.is_(None)
    billed = case((counts, claim.total_charge), else_=0)
    visit = t.AppointmentRow
    query = (
        select(
            claim.appointment_id,
            visit.key,
            visit.service_date,
            func.sum(billed),
            func.sum(paid),
        )
        .join(visit, visit.id == claim.appointment_id)
        .where(claim.appointment_id.in_(part))
        .group_by(claim.appointment_id, visit.key, visit.service_date)
        .order_by(claim.appointment_id)
    )
    owed = _patient_owes(session, part)
    return [
        AppointmentTotals(
            appointment or 0, key, day, _money(charge), _money(ins), owed[appointment or 0]
        )
        for appointment, key, day, charge, ins in session.execute(query)
    ]


def _patient_owes(session: Session, appointment_ids: list[int]) -> dict[int, Decimal]:
    """The patient balances of each appointment's claims, summed per appointment."""
    claims = select(t.ClaimRow.id, t.ClaimRow.appointment_id)
    rows = session.execute(claims.where(t.ClaimRow.appointment_id.in_(appointment_ids))).all()
    balances = claim_balances(session, (claim_id for claim_id, _ in rows))
    owed: dict[int, Decimal] = dict.fromkeys(appointment_ids, ZERO)
    for claim_id, appointment_id in rows:
        owed[appointment_id or 0] += balances[claim_id].patient  # every row has one: in_()
    return owed


def appointments_with_claims(session: Session) -> list[int]:
    """Ids of every appointment that has a claim, oldest first."""
    query = (
        select(t.ClaimRow.appointment_id)
        .where(t.ClaimRow.appointment_id.is_not(None))
        .distinct()
        .order_by(t.ClaimRow.appointment_id)
    )
    return [row for row in session.scalars(query) if row is not None]


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(ZERO)


@dataclass(frozen=True, slots=True)
class UnmatchedClaim:
    """An ERA claim left for a person: ``reason`` (``services.era_match``) says why, ``clm01``
    names the claim of ours it names (never sent, other payer, overpayment), ``detail`` in
    words."""

    id: int
    patient_control_number: str
    payer_claim_control_number: str | None
    status_code: str
    charge: Decimal
    paid: Decimal
    trace_number: str
    payer: str
    payment_date: date | None
    file_name: str
    remittance_id: int
    reason: str = NO_CLAIM
    clm01: str | None = None
    detail: str | None = None


def unmatched(session: Session, include_resolved: bool = False) -> list[UnmatchedClaim]:
    """The unmatched queue (no claim of ours, never sent, other payer), oldest first."""
    reason = t.UnmatchedClaimRow.reason
    return _waiting(session, reason.is_(None) | reason.in_(UNMATCHED), include_resolved)


def held_payments(session: Session, include_resolved: bool = False) -> list[UnmatchedClaim]:
    """Payments held for review (beyond what their claim can take), oldest first."""
    return _waiting(session, t.UnmatchedClaimRow.reason == OVERPAYMENT, include_resolved)


def _waiting(
    session: Session, which: ColumnElement[bool], include_resolved: bool
) -> list[UnmatchedClaim]:
    row = t.UnmatchedClaimRow
    query = (
        select(row, t.RemittanceRow, t.InboundFileRow.name, t.PayerRow.name, t.ClaimRow.clm01)
        .join(t.RemittanceRow, t.RemittanceRow.id == row.remittance_id)
        .join(t.InboundFileRow, t.InboundFileRow.id == row.inbound_file_id)
        .outerjoin(t.PayerRow, t.PayerRow.id == t.RemittanceRow.payer_id)
        .outerjoin(t.ClaimRow, t.ClaimRow.id == row.claim_id)
        .where(which)
        .order_by(row.id)
    )
    if not include_resolved:
        query = query.where(row.resolved_at.is_(None))
    return [
        UnmatchedClaim(
            u.id,
            u.patient_control_number,
            u.payer_claim_control_number,
            u.status_code,
            u.charge,
            u.paid,
            r.trace_number,
            payer_name or r.payer_identifier,
            r.payment_date,
            name,
            r.id,
            u.reason or NO_CLAIM,
            clm01,
            u.detail,
        )
        for u, r, name, payer_name, clm01 in session.execute(query)
    ]
