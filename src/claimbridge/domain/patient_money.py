"""Money between a practice and its patients, as pure rules: payments, refunds, write-offs.

A payment or a refund goes by cash, check (its number) or card (the card's reference, never
its number). A write-off says why, and is kept as an adjustment code the way an 835 keeps a
payer's, so reports read both alike::

    reason          group  code  meaning
    contractual     CO     45    the charge exceeds the contracted fee
    timely_filing   CO     29    the time limit for filing has passed
    small_balance   OA     SB    too little to bill the patient for (the practice's code)
    charity         OA     CH    charity care (the practice's code)
    bad_debt        OA     BD    not collectable (the practice's code)

CO 45 and CO 29 are the CARCs a payer would send; SB, CH and BD are the practice's own, no
payer sends them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from claimbridge.domain.fields import Node, Problems, at_most, refusal


class MoneyKind(StrEnum):
    """What moved: the patient paid, the practice paid back, or a balance was written off."""

    PAYMENT = "payment"
    REFUND = "refund"
    WRITE_OFF = "write_off"


class PayMethod(StrEnum):
    """How a payment or a refund was made."""

    CASH = "cash"
    CHECK = "check"
    CARD = "card"


@dataclass(frozen=True, slots=True)
class WriteOffReason:
    """Why a balance was written off, and the adjustment code it is kept as."""

    key: str
    group: str
    code: str
    words: str


WRITE_OFF_REASONS = {
    reason.key: reason
    for reason in (
        WriteOffReason("small_balance", "OA", "SB", "small balance"),
        WriteOffReason("charity", "OA", "CH", "charity care"),
        WriteOffReason("bad_debt", "OA", "BD", "bad debt"),
        WriteOffReason("timely_filing", "CO", "29", "timely filing limit passed"),
        WriteOffReason("contractual", "CO", "45", "contractual adjustment"),
    )
}


def reason_of_code(group: str | None, code: str | None) -> WriteOffReason | None:
    """The write-off reason kept as ``group``-``code``, or None."""
    return next((r for r in WRITE_OFF_REASONS.values() if (r.group, r.code) == (group, code)), None)


@dataclass(frozen=True, slots=True)
class MoneyIn:
    """A payment, refund or write-off as a person entered it, checked; where it goes is
    ``claim`` (CLM01, and ``line`` one of its line numbers) or ``appointment`` (its key)."""

    kind: MoneyKind
    amount: Decimal
    received_on: date
    method: PayMethod | None = None
    reference: str | None = None
    reason: WriteOffReason | None = None
    note: str | None = None
    claim: str | None = None
    line: int | None = None
    appointment: str | None = None

    def words(self) -> str:
        """What it was, for the claim's history (without where it went)."""
        if self.kind is MoneyKind.WRITE_OFF:
            assert self.reason is not None
            return (
                f"{self.amount} written off: {self.reason.words} "
                f"({self.reason.group}-{self.reason.code})"
            )
        how = self.method.value if self.method else ""
        if self.reference:
            how += f" {self.reference}"
        verb = "patient paid" if self.kind is MoneyKind.PAYMENT else "refunded to the patient"
        return f"{verb} {self.amount} by {how}"


_FIELDS: tuple[str, ...] = ("kind", "amount", "method", "reference", "reason", "received_on")
_FIELDS += ("note", "claim", "line", "appointment")


def read_money(data: object, today: date) -> MoneyIn:
    """The payment, refund or write-off ``data`` (parsed JSON, or a form's fields) holds;
    ``InputError`` naming each problem by its field."""
    if not isinstance(data, dict):
        raise refusal(["a payment, refund or write-off must be a JSON object"])
    problems = Problems()
    node = Node(data, "", problems)
    node.allow_only(*_FIELDS)
    kind = MoneyKind(node.choice("kind", tuple(MoneyKind)))
    entry = MoneyIn(
        kind=kind,
        amount=node.money("amount"),
        received_on=node.optional_date("received_on") or today,
        method=_method(node, kind),
        reference=node.optional_text("reference", at_most(50)),
        reason=_reason(node, kind),
        note=node.optional_text("note", at_most(500)),
        claim=node.optional_text("claim", at_most(20)),
        line=node.integer("line", 1, 50) if node.has("line") else None,
        appointment=node.optional_text("appointment", at_most(64)),
    )
    _check(entry, problems)
    if problems:
        raise refusal(problems.items)
    return entry


def _method(node: Node, kind: MoneyKind) -> PayMethod | None:
    if kind is MoneyKind.WRITE_OFF:
        if node.has("method"):
            node.problems.add(node.at("method"), "a write-off moves no money; leave it out")
        return None
    return PayMethod(node.choice("method", tuple(PayMethod)))


def _reason(node: Node, kind: MoneyKind) -> WriteOffReason | None:
    if kind is not MoneyKind.WRITE_OFF:
        if node.has("reason"):
            node.problems.add(node.at("reason"), "only a write-off has a reason")
        return None
    return WRITE_OFF_REASONS[node.choice("reason", tuple(WRITE_OFF_REASONS))]


def _check(entry: MoneyIn, problems: Problems) -> None:
    if entry.amount <= 0 and not any(p.startswith("amount") for p in problems.items):
        problems.add("amount", "must be more than 0.00")
    if entry.method in (PayMethod.CHECK, PayMethod.CARD) and not entry.reference:
        what = "check number" if entry.method is PayMethod.CHECK else "card payment's reference"
        problems.add("reference", f"the {what} is required")
    if entry.method is PayMethod.CASH and entry.reference:
        problems.add("reference", "cash has no reference; leave it out")
    if (entry.claim is None) == (entry.appointment is None):
        problems.add("claim", "give either a claim (CLM01) or an appointment, not both")
    if entry.line is not None and entry.claim is None:
        problems.add("line", "a line is one of a claim's; give the claim too")
