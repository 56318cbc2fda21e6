"""Loops 2000 (LX), 2100 (CLP), 2110 (SVC) and the PLB footer: the hot path of a large 835.

``ClaimsReader.read`` makes one pass. Only the segments that open or close a loop (LX, CLP,
SVC, PLB, SE) call a handler; every other segment is appended to the open loop's list, and
the loop is typed in one go when it closes (``_line``, ``_claim``, ``_group``): one
``Elements`` reader per segment, each with a fast path for the shape payers send most.

``read_claims`` is the entry point: it hands the work to ``_claims_c`` (the same reader in C,
for the common shapes, handing everything else back to the Python code here and in
``elements``) when that was built, and to ``ClaimsReader`` otherwise; both give the same
values and errors.

"Nearest loop" decides where a segment the guide does not allow at its place goes: into
``other_segments`` of the open service line, else of the claim, else of the header number,
else of the transaction (after the first PLB, everything but PLB and SE goes there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from itertools import islice
from types import ModuleType
from typing import NamedTuple

from claimbridge.x12.segments import Segment
from claimbridge.x12.tx835_005010X221A1.elements import Elements, make
from claimbridge.x12.tx835_005010X221A1.models import (
    Adjustment,
    Amt,
    Clp,
    Dtm,
    Loop2000,
    Loop2100,
    Loop2110,
    Lq,
    Mia,
    Moa,
    Nm1,
    Per,
    Procedure,
    ProviderAdjustment,
    Qty,
    Ref,
    Svc,
    Ts2,
    Ts3,
)

_claims_c: ModuleType | None
try:
    from claimbridge.x12.tx835_005010X221A1 import _claims_c
except ImportError:  # built without a C compiler: ClaimsReader gives the same values
    _claims_c = None


def compiled() -> bool:
    """True when the C reader reads the loops of an 835 (the C extension was built)."""
    return _claims_c is not None


def read_claims(
    elements: Elements,
    segments: Sequence[Segment],
    start: int,
    transaction_others: list[Segment],
) -> tuple[list[Loop2000], list[ProviderAdjustment]]:
    """Loops 2000 and the PLB entries of ``segments[start:]`` (first LX/CLP/PLB/SE to SE)."""
    if _claims_c is not None and isinstance(segments, tuple):
        read: tuple[list[Loop2000], list[ProviderAdjustment]]
        read = _claims_c.read(elements, segments, start, transaction_others)
        return read
    reader = ClaimsReader(elements, transaction_others)
    reader.read(islice(segments, start, None))
    return reader.groups, reader.provider_adjustments


class ClaimsReader:
    """Reads from the first LX, CLP, PLB or SE through SE into ``groups`` and PLB entries."""

    def __init__(self, elements: Elements, transaction_others: list[Segment]) -> None:
        self.elements = elements
        self.groups: list[Loop2000] = []
        self.provider_adjustments: list[ProviderAdjustment] = []
        self.transaction_others = transaction_others
        self.in_footer = False
        self.lx: Segment | None = None
        self.group_segments: list[Segment] = []
        self.claims: list[Loop2100] = []
        self.clp: Clp | None = None
        self.claim_segments: list[Segment] = []
        self.lines: list[Loop2110] = []
        self.svc: Svc | None = None
        self.line_segments: list[Segment] = []
        self.bucket = self.group_segments

    def read(self, segments: Iterable[Segment]) -> None:
        """Read ``segments``, which start at the first detail segment and end with SE."""
        handlers, bucket = _HANDLERS, self.bucket
        for segment in segments:
            handler = handlers.get(segment.id)
            if handler is None:
                bucket.append(segment)
            else:
                handler(self, segment)
                bucket = self.bucket

    def _on_lx(self, segment: Segment) -> None:
        if self.in_footer:
            self.bucket.append(segment)
            return
        self._close_group()
        self.lx = segment
        self.bucket = self.group_segments

    def _on_clp(self, segment: Segment) -> None:
        if self.in_footer:
            self.bucket.append(segment)
            return
        self._close_claim()
        self.clp = self.elements.clp(segment)
        self.bucket = self.claim_segments

    def _on_svc(self, segment: Segment) -> None:
        if self.clp is None:
            self.bucket.append(segment)
            return
        self._close_line()
        self.svc = self.elements.svc(segment)
        self.bucket = self.line_segments

    def _on_plb(self, segment: Segment) -> None:
        self._close_group()
        self.in_footer = True
        self.bucket = self.transaction_others
        self.provider_adjustments.extend(self.elements.plb(segment))

    def _on_se(self, segment: Segment) -> None:
        self._close_group()

    def _close_line(self) -> None:
        if self.svc is not None:
            self.lines.append(_line(self.elements, self.svc, self.line_segments))
            self.svc, self.line_segments = None, []

    def _close_claim(self) -> None:
        self._close_line()
        if self.clp is not None:
            claim = _claim(self.elements, self.clp, self.claim_segments, self.lines)
            self.claims.append(claim)
            self.clp, self.claim_segments, self.lines = None, [], []

    def _close_group(self) -> None:
        self._close_claim()
        if self.lx is not None or self.claims or self.group_segments:
            self.groups.append(_group(self.elements, self.lx, self.group_segments, self.claims))
            self.lx, self.group_segments, self.claims = None, [], []


# Unbound, so a reader holds no reference cycle and is freed as soon as it is done.
_HANDLERS: dict[str, Callable[[ClaimsReader, Segment], None]] = {
    "LX": ClaimsReader._on_lx,
    "CLP": ClaimsReader._on_clp,
    "SVC": ClaimsReader._on_svc,
    "PLB": ClaimsReader._on_plb,
    "SE": ClaimsReader._on_se,
}


def _group(
    elements: Elements, lx: Segment | None, segments: list[Segment], claims: list[Loop2100]
) -> Loop2000:
    """Loop 2000: LX, then TS3 and TS2 at most once each; ``lx`` None when the LX is absent."""
    ts3: Ts3 | None = None
    ts2: Ts2 | None = None
    others = []
    for segment in segments:
        if segment.id == "TS3" and ts3 is None and ts2 is None:
            ts3 = elements.ts3(segment)
        elif segment.id == "TS2" and ts2 is None:
            ts2 = elements.ts2(segment)
        else:
            others.append(segment)
    header = elements.lx(lx) if lx is not None else None
    return make(Loop2000, (header, ts3, ts2, tuple(claims), tuple(others)))


def _line(elements: Elements, svc: Svc, segments: list[Segment]) -> Loop2110:
    """Loop 2110 from its SVC and the segments after it; the first REF*6R is named apart."""
    dates: list[Dtm] = []
    adjustments: list[Adjustment] = []
    references: list[Ref] = []
    amounts: list[Amt] = []
    remarks: list[Lq] = []
    rest: list[Segment] = []
    control: Ref | None = None
    for segment in segments:
        name = segment.id
        if name == "DTM":
            dates.append(elements.dtm(segment))
        elif name == "CAS":
            adjustments += elements.cas(segment)
        elif name == "REF":
            reference = elements.ref(segment)
            if control is None and reference.qualifier == "6R":
                control = reference
            else:
                references.append(reference)
        elif name == "AMT":
            amounts.append(elements.amt(segment))
        elif name == "LQ":
            remarks.append(elements.lq(segment))
        else:
            rest.append(segment)
    quantities, others = _line_rest(elements, rest) if rest else _NO_REST
    return make(Loop2110, (
        svc, tuple(dates), tuple(adjustments), control, tuple(references), tuple(amounts),
        quantities, tuple(remarks), others,
    ))  # fmt: skip


_NO_REST: tuple[tuple[Qty, ...], tuple[Segment, ...]] = ((), ())


def _line_rest(
    elements: Elements, segments: list[Segment]
) -> tuple[tuple[Qty, ...], tuple[Segment, ...]]:
    """QTY of a service line, and the segments the guide does not allow there."""
    quantities = tuple(elements.qty(s) for s in segments if s.id == "QTY")
    return quantities, tuple(s for s in segments if s.id != "QTY")


def _claim(
    elements: Elements, clp: Clp, segments: list[Segment], lines: list[Loop2110]
) -> Loop2100:
    """Loop 2100 from its CLP, the segments before the first SVC, and its service lines."""
    adjustments: list[Adjustment] = []
    names: list[Nm1] = []
    references: list[Ref] = []
    dates: list[Dtm] = []
    rest: list[Segment] = []
    for segment in segments:
        name = segment.id
        if name == "NM1":
            names.append(elements.nm1(segment))
        elif name == "DTM":
            dates.append(elements.dtm(segment))
        elif name == "CAS":
            adjustments += elements.cas(segment)
        elif name == "REF":
            references.append(elements.ref(segment))
        else:
            rest.append(segment)
    extra = _claim_rest(elements, rest) if rest else _NO_CLAIM_REST
    return make(Loop2100, (
        clp, tuple(adjustments), tuple(names), extra.mia, extra.moa, tuple(references),
        tuple(dates), extra.contacts, extra.amounts, extra.quantities, tuple(lines),
        extra.others,
    ))  # fmt: skip


class _ClaimRest(NamedTuple):
    """The less common segments of a claim: MIA and MOA (once each), PER, AMT, QTY, others."""

    mia: Mia | None
    moa: Moa | None
    contacts: tuple[Per, ...]
    amounts: tuple[Amt, ...]
    quantities: tuple[Qty, ...]
    others: tuple[Segment, ...]


_NO_CLAIM_REST = _ClaimRest(None, None, (), (), (), ())


def _claim_rest(elements: Elements, segments: list[Segment]) -> _ClaimRest:
    """MIA, MOA (the first of each), PER, AMT and QTY of a claim; the rest as others."""
    mia = next((s for s in segments if s.id == "MIA"), None)
    moa = next((s for s in segments if s.id == "MOA"), None)
    contacts = tuple(elements.per(s) for s in segments if s.id == "PER")
    rest = [s for s in segments if s.id not in ("PER", "AMT") and s is not mia and s is not moa]
    amounts = tuple(elements.amt(s) for s in segments if s.id == "AMT")
    quantities, others = _line_rest(elements, rest)
    return _ClaimRest(
        elements.mia(mia) if mia else None,
        elements.moa(moa) if moa else None,
        contacts,
        amounts,
        quantities,
        others,
    )


if _claims_c is not None:
    _claims_c.setup(
        {model.__name__: model for model in (Clp, Nm1, Dtm, Adjustment, Ref, Svc, Amt, Lq,
                                             Moa, Procedure, Loop2110, Loop2100)},
        Decimal, _group, _line_rest, _claim_rest,
    )  # fmt: skip
