"""277CA / 277 segments → ``ClaimAck``.

One pass groups the body into drafts that hold segments: an HL starts a level, a TRN starts a
status loop in it, an SVC starts a service line in that loop; STC, REF and DTP after an SVC
belong to the line, QTY and AMT always to the loop. A second step turns each draft into typed
values. The same walk reads 005010X214 (patient levels, PT) and 005010X212 (subscriber and
dependent levels, 22 and 23, several claims per level).

Lenient where real senders are sloppy: a date that is not a date reads as None (the text stays
in ``DatePeriod.text``), STC or REF before any TRN opens a status loop without a trace. Strict
where meaning would be lost: an unknown segment, a segment before the first HL, a missing BHT,
HL01/HL03 or STC01, or an amount that is not a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.envelope import TransactionSet
from claimbridge.x12.segments import Segment
from claimbridge.x12.tx277ca_005010X214 import codes
from claimbridge.x12.tx277ca_005010X214.models import (
    Amount,
    ClaimAck,
    ClaimResult,
    Coded,
    Communication,
    Contact,
    DatePeriod,
    Level,
    Name,
    Quantity,
    Reference,
    ServiceLine,
    Status,
    StatusCode,
    Trace,
    Tracking,
    TransactionHeader,
)
from claimbridge.x12.values import decimal, money, optional_decimal, optional_money, require

CLAIM_LEVELS = frozenset({"PT", "22", "23"})
_LINE_TAGS = frozenset({"STC", "REF", "DTP"})
_LOOP_TAGS = _LINE_TAGS | {"QTY", "AMT"}
_LEVEL_TAGS = frozenset({"NM1", "PER"})
_BODY_TAGS = _LEVEL_TAGS | _LOOP_TAGS | {"TRN", "SVC"}


@dataclass
class _LineDraft:
    svc: Segment
    segments: list[Segment] = field(default_factory=list)


@dataclass
class _TrackingDraft:
    trn: Segment | None
    segments: list[Segment] = field(default_factory=list)
    lines: list[_LineDraft] = field(default_factory=list)

    def add(self, segment: Segment) -> None:
        if segment.id == "SVC":
            self.lines.append(_LineDraft(segment))
        elif self.lines and segment.id in _LINE_TAGS:
            self.lines[-1].segments.append(segment)
        else:
            self.segments.append(segment)


@dataclass
class _LevelDraft:
    hl: Segment
    segments: list[Segment] = field(default_factory=list)
    tracking: list[_TrackingDraft] = field(default_factory=list)

    def add(self, segment: Segment) -> None:
        if segment.id in _LEVEL_TAGS:
            self.segments.append(segment)
        elif segment.id == "TRN":
            self.tracking.append(_TrackingDraft(segment))
        else:
            if not self.tracking:
                self.tracking.append(_TrackingDraft(None))
            self.tracking[-1].add(segment)


def parse(transaction: TransactionSet) -> ClaimAck:
    """The 277CA or 277 in ``transaction``: every level, and one result per claim."""
    bht, drafts = _group(transaction.segments)
    separator = transaction.component_separator
    levels = tuple(_level(draft, separator) for draft in drafts)
    return ClaimAck(
        control_number=transaction.control_number,
        implementation=transaction.implementation,
        header=_header(bht),
        levels=levels,
        claims=_claims(levels),
    )


def _group(segments: Sequence[Segment]) -> tuple[Segment, list[_LevelDraft]]:
    """The BHT and one draft per HL of the transaction set ``segments`` (ST … SE)."""
    bht: Segment | None = None
    drafts: list[_LevelDraft] = []
    for segment in segments[1:-1]:
        if segment.id == "HL":
            drafts.append(_LevelDraft(segment))
        elif segment.id == "BHT" and bht is None and not drafts:
            bht = segment
        elif drafts and segment.id in _BODY_TAGS:
            drafts[-1].add(segment)
        else:
            raise _misplaced(segment)
    if bht is None:
        raise X12SyntaxError("BHT is missing", segment_position=segments[0].position + 1)
    return bht, drafts


def _misplaced(segment: Segment) -> X12SyntaxError:
    if segment.id == "BHT":
        message = "BHT must come once, right after ST"
    elif segment.id in _BODY_TAGS:
        message = f"{segment.id} must follow an HL segment"
    else:
        message = f"{segment.id} is not a segment of a 277 (005010X214 or 005010X212)"
    return X12SyntaxError(message, segment_position=segment.position, segment_id=segment.id)


def _header(bht: Segment) -> TransactionHeader:
    return TransactionHeader(
        structure=bht.element(1),
        purpose=bht.element(2),
        reference=bht.element(3),
        created_date=_date(bht.element(4)),
        created_time=bht.element(5),
        transaction_type=bht.element(6),
    )


def _level(draft: _LevelDraft, separator: str) -> Level:
    hl = draft.hl
    return Level(
        id=require(hl, 1, "HL01 (level id)"),
        parent_id=hl.element(2),
        code=_coded(codes.LEVELS, require(hl, 3, "HL03 (level code)")),
        child_code=hl.element(4),
        names=tuple(_name(s) for s in draft.segments if s.id == "NM1"),
        contacts=tuple(_contact(s) for s in draft.segments if s.id == "PER"),
        tracking=tuple(_tracking(t, separator) for t in draft.tracking),
    )


def _tracking(draft: _TrackingDraft, separator: str) -> Tracking:
    found = draft.segments
    return Tracking(
        trace=_trace(draft.trn) if draft.trn else None,
        statuses=tuple(_status(s, separator) for s in found if s.id == "STC"),
        references=tuple(_reference(s) for s in found if s.id == "REF"),
        quantities=tuple(_quantity(s) for s in found if s.id == "QTY"),
        amounts=tuple(_amount(s) for s in found if s.id == "AMT"),
        dates=tuple(_date_period(s) for s in found if s.id == "DTP"),
        service_lines=tuple(_service_line(line, separator) for line in draft.lines),
    )


def _service_line(draft: _LineDraft, separator: str) -> ServiceLine:
    svc, found = draft.svc, draft.segments
    return ServiceLine(
        procedure=svc.components(1, separator),
        charge=money(svc, 2),
        paid=optional_money(svc, 3),
        revenue_code=svc.element(4),
        paid_units=optional_decimal(svc, 5),
        original_procedure=svc.components(6, separator),
        units=optional_decimal(svc, 7),
        statuses=tuple(_status(s, separator) for s in found if s.id == "STC"),
        references=tuple(_reference(s) for s in found if s.id == "REF"),
        dates=tuple(_date_period(s) for s in found if s.id == "DTP"),
    )


def _name(nm1: Segment) -> Name:
    return Name(_coded(codes.ENTITIES, nm1.element(1)), *(nm1.element(n) for n in range(2, 10)))


def _contact(per: Segment) -> Contact:
    pairs = (Communication(per.element(n), per.element(n + 1)) for n in (3, 5, 7))
    return Contact(per.element(1), per.element(2), tuple(p for p in pairs if p.qualifier))


def _trace(trn: Segment) -> Trace:
    return Trace(trn.element(1), trn.element(2), trn.element(3), trn.element(4))


def _status(stc: Segment, separator: str) -> Status:
    action = stc.element(3)
    return Status(
        primary=_status_code(stc.components(1, separator)) or _no_status(stc),
        effective_date=_date(stc.element(2)),
        action=_coded(codes.ACTIONS, action) if action else None,
        charge=optional_money(stc, 4),
        paid=optional_money(stc, 5),
        payment_date=_date(stc.element(6)),
        payment_method=stc.element(7),
        check_date=_date(stc.element(8)),
        check_number=stc.element(9),
        secondary=_status_code(stc.components(10, separator)),
        tertiary=_status_code(stc.components(11, separator)),
        message=stc.element(12),
    )


def _status_code(components: tuple[str, ...]) -> StatusCode | None:
    """Composite C043 from its components; None when it is empty."""
    if not any(components):
        return None
    category, status, entity, qualifier = (*components, "", "", "", "")[:4]
    return StatusCode(
        category=_coded(codes.CATEGORIES, category),
        status=_coded(codes.STATUSES, status),
        entity=_coded(codes.ENTITIES, entity) if entity else None,
        code_list_qualifier=qualifier,
    )


def _no_status(stc: Segment) -> StatusCode:
    raise X12SyntaxError(
        "STC01 (status) is required but empty",
        segment_position=stc.position,
        segment_id="STC",
        element_position=1,
    )


def _reference(ref: Segment) -> Reference:
    return Reference(_coded(codes.REFERENCES, ref.element(1)), ref.element(2), ref.element(3))


def _quantity(qty: Segment) -> Quantity:
    return Quantity(_coded(codes.QUANTITIES, qty.element(1)), decimal(qty, 2))


def _amount(amt: Segment) -> Amount:
    return Amount(_coded(codes.AMOUNTS, amt.element(1)), money(amt, 2))


def _date_period(dtp: Segment) -> DatePeriod:
    form, text = dtp.element(2), dtp.element(3)
    start, _, end = text.partition("-") if form == "RD8" else (text, "", text)
    if form not in ("D8", "RD8"):
        start = end = ""
    return DatePeriod(_coded(codes.DATES, dtp.element(1)), form, text, _date(start), _date(end))


def _date(text: str) -> date | None:
    """``text`` as a CCYYMMDD date, or None when it is not one."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _claims(levels: tuple[Level, ...]) -> tuple[ClaimResult, ...]:
    """One result per status loop of each patient, subscriber or dependent level."""
    by_id = {level.id: level for level in levels}
    return tuple(
        ClaimResult(
            level_id=level.id,
            patient=level.name,
            provider=_ancestor_name(level, "19", by_id),
            source=_ancestor_name(level, "20", by_id),
            tracking=tracking,
        )
        for level in levels
        if level.code.code in CLAIM_LEVELS
        for tracking in level.tracking
    )


def _ancestor_name(level: Level, code: str, by_id: Mapping[str, Level]) -> Name | None:
    """The NM1 of the nearest level above ``level`` with HL03 ``code``."""
    parent = by_id.get(level.parent_id)
    for _ in range(len(by_id)):  # bounded: a loop of parent ids cannot hang us
        if parent is None or parent.code.code == code:
            break
        parent = by_id.get(parent.parent_id)
    return parent.name if parent is not None and parent.code.code == code else None


def _coded(table: Mapping[str, str], code: str) -> Coded:
    return Coded(code, table.get(code))
