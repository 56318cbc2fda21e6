"""A paper EOB as a biller types it, read and checked, then made into the remittance an 835
would give, so it is posted, undone and shown by the same code as an ERA.

The JSON (``POST /api/v1/remittances/manual``, ``claimbridge eras post-paper FILE``, the form of
the ERAs page)::

    {"payer": "87726", "check_number": "40017", "check_date": "2026-11-20", "amount": "95.00",
     "claims": [{"claim": "CB000002", "payer_claim_number": "UHC-1",
                 "lines": [{"line": 1, "allowed": "95.00", "paid": "95.00",
                            "adjustments": [{"group": "CO", "reason": "45", "amount": "25.00"}],
                            "remarks": ["N130"]}],
                 "remarks": ["MA01"]}]}

``payer`` is the payer's Office Ally payer ID; ``amount`` (optional) is the check, which must
be what the lines pay; each line is one of the claim's lines by number, billed at its charge,
and must balance: billed − paid = its adjustments. ``status`` (optional, X12 CLP02) says how the
payer processed the claim; by default 4 (denied) when nothing is paid and nothing is the
patient's, else 1, 2 or 3 as the claim went to the primary, secondary or tertiary payer.
Every problem is named by its place (``claims[0].lines[1].paid``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from claimbridge.domain.fields import Node, Problems, at_most, refusal
from claimbridge.x12.tx835_005010X221A1.models import (
    N1,
    Adjustment,
    Amt,
    Bpr,
    Clp,
    Dtm,
    Loop1000A,
    Loop1000B,
    Loop2000,
    Loop2100,
    Loop2110,
    Lq,
    Moa,
    Nm1,
    Procedure,
    Ref,
    Remittance,
    Svc,
    Trn,
)

ZERO = Decimal("0.00")
GROUPS = ("CO", "PR", "OA", "PI", "CR")
CLAIM_STATUSES = ("1", "2", "3", "4", "19", "20", "21", "22", "23")
_SEQUENCE_STATUS = {"primary": "1", "secondary": "2", "tertiary": "3"}
_CLAIM_REMARKS = 5  # MOA03–MOA07


@dataclass(frozen=True, slots=True)
class PaperAdjustment:
    """One adjustment of a line: group code, CARC, amount."""

    group: str
    reason: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaperLine:
    """What the payer said of one of the claim's lines (``line``, its number)."""

    line: int
    paid: Decimal
    allowed: Decimal | None
    adjustments: tuple[PaperAdjustment, ...]
    remarks: tuple[str, ...]
    path: str


@dataclass(frozen=True, slots=True)
class PaperClaim:
    """What the payer said of one claim (``claim``, its CLM01)."""

    claim: str
    status: str | None
    payer_claim_number: str
    lines: tuple[PaperLine, ...]
    remarks: tuple[str, ...]
    path: str


@dataclass(frozen=True, slots=True)
class PaperEob:
    """A paper EOB as entered."""

    payer: str
    check_number: str
    check_date: date
    amount: Decimal | None
    claims: tuple[PaperClaim, ...]

    @property
    def paid(self) -> Decimal:
        """What its lines pay."""
        return sum((line.paid for claim in self.claims for line in claim.lines), ZERO)


def read_paper_eob(data: object) -> PaperEob:
    """The paper EOB ``data`` (parsed JSON) holds; ``InputError`` naming every problem."""
    problems = Problems()
    if not isinstance(data, dict):
        raise refusal(["the paper EOB must be a JSON object"])
    root = Node(data, "", problems)
    root.allow_only("payer", "check_number", "check_date", "amount", "claims")
    eob = PaperEob(
        payer=root.text("payer", at_most(80)),
        check_number=root.text("check_number", at_most(50)),
        check_date=root.required_date("check_date"),
        amount=root.money("amount") if root.has("amount") else None,
        claims=tuple(_claim(node) for node in root.children("claims")),
    )
    if not problems and not eob.claims:
        problems.add("claims", "list at least one claim")
    _no_claim_twice(eob, problems)
    if problems:
        raise refusal(problems.items)
    return eob


def _claim(node: Node) -> PaperClaim:
    node.allow_only("claim", "status", "payer_claim_number", "lines", "remarks")
    status = node.optional_text("status")
    if status is not None and status not in CLAIM_STATUSES:
        node.problems.add(
            node.at("status"), f"{status!r} is not one of {', '.join(CLAIM_STATUSES)}"
        )
    lines = tuple(_line(child) for child in node.children("lines"))
    if not lines and not node.problems:
        node.problems.add(node.at("lines"), "list at least one line")
    numbers = [line.line for line in lines]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        node.problems.add(node.at("lines"), f"line {number} is listed twice")
    return PaperClaim(
        claim=node.text("claim", at_most(38)),
        status=status,
        payer_claim_number=node.optional_text("payer_claim_number", at_most(50)) or "",
        lines=lines,
        remarks=_remarks(node, _CLAIM_REMARKS),
        path=node.path,
    )


def _line(node: Node) -> PaperLine:
    node.allow_only("line", "allowed", "paid", "adjustments", "remarks")
    return PaperLine(
        line=node.integer("line", 1, 50),
        paid=node.money("paid"),
        allowed=node.money("allowed") if node.has("allowed") else None,
        adjustments=tuple(_adjustment(child) for child in node.children("adjustments", False)),
        remarks=_remarks(node, 20),
        path=node.path,
    )


def _adjustment(node: Node) -> PaperAdjustment:
    node.allow_only("group", "reason", "amount")
    reason = node.text("reason")
    if reason and (len(reason) > 5 or not reason.isalnum()):
        node.problems.add(node.at("reason"), f"{reason!r} is not a claim adjustment reason code")
    return PaperAdjustment(node.choice("group", GROUPS), reason.upper(), node.money("amount"))


def _remarks(node: Node, most: int) -> tuple[str, ...]:
    codes: list[str] = []
    for path, value in node.elements("remarks", False):
        if not isinstance(value, str) or not value.strip().isalnum() or len(value.strip()) > 5:
            node.problems.add(path, f"{value!r} is not a remark code (RARC)")
            continue
        codes.append(value.strip().upper())
    if len(codes) > most:
        node.problems.add(node.at("remarks"), f"at most {most} remark codes here")
    return tuple(codes)


def _no_claim_twice(eob: PaperEob, problems: Problems) -> None:
    seen: set[str] = set()
    for claim in eob.claims:
        if claim.claim in seen:
            problems.add(f"{claim.path}.claim", f"claim {claim.claim} is listed twice; list "
                         "all its lines under it once")  # fmt: skip
        seen.add(claim.claim)


@dataclass(frozen=True, slots=True)
class OurLine:
    """One of our claim's lines, as the remittance names it."""

    number: int
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    units: Decimal
    service_date: date
    control_number: str | None


@dataclass(frozen=True, slots=True)
class OurClaim:
    """Our claim a paper EOB names: its payer sequence, patient and lines by number."""

    clm01: str
    payer_sequence: str
    patient_last: str
    patient_first: str
    lines: Mapping[int, OurLine]


@dataclass(frozen=True, slots=True)
class Party:
    """The payer or the payee: a name and an identifier."""

    name: str
    identifier: str


def check_lines(eob: PaperEob, ours: Mapping[str, OurClaim]) -> list[str]:
    """Every line of ``eob`` that names no line of our claim, or does not balance, and the
    check's amount when its lines do not pay it."""
    problems: list[str] = []
    if eob.amount is not None and eob.amount != eob.paid:
        problems.append(f"amount: the check is {eob.amount} but its lines pay {eob.paid}")
    for claim in eob.claims:
        mine = ours[claim.claim]
        for line in claim.lines:
            our = mine.lines.get(line.line)
            if our is None:
                numbers = ", ".join(str(n) for n in sorted(mine.lines))
                problems.append(f"{line.path}.line: claim {claim.claim} has lines {numbers}")
                continue
            adjusted = sum((a.amount for a in line.adjustments), ZERO)
            if our.charge - line.paid != adjusted:
                problems.append(
                    f"{line.path}: billed {our.charge} − paid {line.paid} = "
                    f"{our.charge - line.paid}, but the adjustments add up to {adjusted}"
                )
    return problems


def build_remittance(
    eob: PaperEob, ours: Mapping[str, OurClaim], payer: Party, payee: Party
) -> Remittance:
    """The remittance an 835 with these amounts would give (``check_lines`` found nothing).

    Segment positions count from 1 in the order an 835 would hold them, so each claim has
    its own (the way a person's decisions about a claim are kept)."""
    counter = _Counter()
    paid = eob.paid
    bpr = _bpr(eob, paid, counter())
    trn = Trn("1", eob.check_number, "", "", counter())
    payer_loop = Loop1000A(N1("PR", payer.name, "PI", payer.identifier, "", "", counter()),
                           None, None, (), (), ())  # fmt: skip
    payee_loop = Loop1000B(N1("PE", payee.name, "XX", payee.identifier, "", "", counter()),
                           None, None, (), None, ())  # fmt: skip
    claims = tuple(_loop2100(claim, ours[claim.claim], counter) for claim in eob.claims)
    header = Loop2000(None, None, None, claims, ())
    return Remittance("PAPER", bpr, trn, None, (), (), payer_loop, payee_loop, (header,), (), ())


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def __call__(self) -> int:
        self.value += 1
        return self.value


def _bpr(eob: PaperEob, paid: Decimal, position: int) -> Bpr:
    handling, method = ("I", "CHK") if paid > 0 else ("H", "NON")
    day = eob.check_date
    return Bpr(handling, paid, "C", method, "", "", "", "", "", "", "", "", "", "", "",
               day, f"{day:%Y%m%d}", "", "", "", "", "", position)  # fmt: skip


def _loop2100(claim: PaperClaim, our: OurClaim, counter: _Counter) -> Loop2100:
    clp_position = counter()
    patient = Nm1("QC", "1", our.patient_last, our.patient_first, "", "", "", "", "", "", "", "",
                  counter())  # fmt: skip
    moa = None
    if claim.remarks:
        r = (*claim.remarks, "", "", "", "", "")
        moa = Moa(None, None, r[0], r[1], r[2], r[3], r[4], None, None, counter())
    lines = tuple(_loop2110(line, our.lines[line.line], counter) for line in claim.lines)
    charge = sum((line.svc.charge for line in lines), ZERO)
    paid = sum((line.svc.paid for line in lines), ZERO)
    patient_share = sum(
        (a.amount for line in claim.lines for a in line.adjustments if a.group == "PR"), ZERO
    )
    status = claim.status or _status(paid, patient_share, our.payer_sequence)
    clp = Clp(claim.claim, status, charge, paid, patient_share, "", claim.payer_claim_number,
              "", "1", "", "", None, None, "", clp_position)  # fmt: skip
    return Loop2100(clp, (), (patient,), None, moa, (), (), (), (), (), lines, ())


def _status(paid: Decimal, patient: Decimal, sequence: str) -> str:
    if paid == 0 and patient == 0:
        return "4"
    return _SEQUENCE_STATUS.get(sequence, "1")


def _loop2110(line: PaperLine, our: OurLine, counter: _Counter) -> Loop2110:
    procedure = Procedure("HC", our.code, our.modifiers, "", "")
    svc = Svc(procedure, our.charge, line.paid, "", our.units, None, None, counter())
    day = Dtm("472", our.service_date, "", "", "", "", counter())
    adjustments = _cas(line.adjustments, counter)
    control = Ref("6R", our.control_number, "", "", counter()) if our.control_number else None
    allowed = (Amt("B6", line.allowed, "", counter()),) if line.allowed is not None else ()
    remarks = tuple(Lq("HE", code, counter()) for code in line.remarks)
    return Loop2110(svc, (day,), adjustments, control, (), allowed, (), remarks, ())


def _cas(adjustments: Sequence[PaperAdjustment], counter: _Counter) -> tuple[Adjustment, ...]:
    """One CAS per group, as an 835 carries them."""
    found: list[Adjustment] = []
    for group in dict.fromkeys(a.group for a in adjustments):
        position = counter()
        found += [Adjustment(group, a.reason, a.amount, None, position)
                  for a in adjustments if a.group == group]  # fmt: skip
    return tuple(found)
