"""One 835 transaction set (ST…SE with its envelope) → a typed ``Remittance``.

The header (BPR through loop 1000B) is read here, up to the first LX, CLP, PLB or SE; the
claims and the PLB footer are read by ``claims.read_claims``, the hot path. Both follow one
rule for segments the guide does not allow where they stand, or a second copy of one it
allows once: they are kept, as read, in ``other_segments`` of the nearest loop (see
``claims``), never dropped and never an error. Missing BPR, TRN, N1*PR or N1*PE raise
``X12SyntaxError``, as do bad amounts and dates (named by segment position, id and element).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.envelope import TransactionSet
from claimbridge.x12.segments import Segment
from claimbridge.x12.tx835_005010X221A1.claims import read_claims
from claimbridge.x12.tx835_005010X221A1.elements import Elements
from claimbridge.x12.tx835_005010X221A1.models import (
    N1,
    N3,
    N4,
    Bpr,
    Cur,
    Dtm,
    Loop1000A,
    Loop1000B,
    Loop2000,
    Per,
    ProviderAdjustment,
    Rdm,
    Ref,
    Remittance,
    Trn,
)

_DETAIL_START = frozenset(("LX", "CLP", "PLB", "SE"))
_T = TypeVar("_T")


def parse(transaction: TransactionSet) -> Remittance:
    """The remittance in ``transaction`` (an 835 ST…SE with its envelope)."""
    segments = transaction.segments
    elements = Elements(transaction.component_separator)
    header = _Header(elements)
    start = header.read(segments)
    groups, provider_adjustments = read_claims(elements, segments, start, header.other_segments)
    return header.build(segments[0], segments[start], groups, provider_adjustments)


class _Party:
    """The N1 loop being read: 1000A (payer) or 1000B (payee)."""

    __slots__ = ("contacts", "n1", "n3", "n4", "other_segments", "rdm", "references")

    def __init__(self, n1: N1) -> None:
        self.n1 = n1
        self.n3: N3 | None = None
        self.n4: N4 | None = None
        self.rdm: Rdm | None = None
        self.references: list[Ref] = []
        self.contacts: list[Per] = []
        self.other_segments: list[Segment] = []


class _Header:
    """Reads BPR, TRN, CUR, REF, DTM, then loops 1000A (payer) and 1000B (payee)."""

    def __init__(self, elements: Elements) -> None:
        self.elements = elements
        self.bpr: Bpr | None = None
        self.trn: Trn | None = None
        self.cur: Cur | None = None
        self.references: list[Ref] = []
        self.dates: list[Dtm] = []
        self.other_segments: list[Segment] = []
        self.payer: _Party | None = None
        self.payee: _Party | None = None
        self.party: _Party | None = None

    def read(self, segments: Sequence[Segment]) -> int:
        """Read from after ST up to the first detail segment; return that segment's index."""
        index = 1
        while segments[index].id not in _DETAIL_START:  # the envelope ends every set with SE
            segment = segments[index]
            _HEADER_HANDLERS.get(segment.id, _Header._keep)(self, segment)
            index += 1
        return index

    def build(
        self,
        st: Segment,
        first_detail: Segment,
        groups: list[Loop2000],
        provider_adjustments: list[ProviderAdjustment],
    ) -> Remittance:
        """The remittance, once ``read_claims`` has read the rest into ``groups`` and PLBs."""
        bpr, trn = _require(self.bpr, "BPR", st), _require(self.trn, "TRN", st)
        payer = _require(self.payer, "N1*PR (payer, loop 1000A)", first_detail)
        payee = _require(self.payee, "N1*PE (payee, loop 1000B)", first_detail)
        return Remittance(
            control_number=st.element(2),
            bpr=bpr,
            trn=trn,
            cur=self.cur,
            references=tuple(self.references),
            dates=tuple(self.dates),
            payer=Loop1000A(payer.n1, payer.n3, payer.n4, tuple(payer.references),
                            tuple(payer.contacts), tuple(payer.other_segments)),
            payee=Loop1000B(payee.n1, payee.n3, payee.n4, tuple(payee.references), payee.rdm,
                            tuple(payee.other_segments)),
            header_numbers=tuple(groups),
            provider_adjustments=tuple(provider_adjustments),
            other_segments=tuple(self.other_segments),
        )  # fmt: skip

    def _keep(self, segment: Segment) -> None:
        (self.party.other_segments if self.party else self.other_segments).append(segment)

    def _before_parties(self, segment: Segment, current: object) -> bool:
        """True when ``segment`` is read into the header; else it is kept as another segment."""
        if self.party is None and current is None:
            return True
        self._keep(segment)
        return False

    def _on_bpr(self, segment: Segment) -> None:
        if self._before_parties(segment, self.bpr):
            self.bpr = self.elements.bpr(segment)

    def _on_trn(self, segment: Segment) -> None:
        if self._before_parties(segment, self.trn):
            self.trn = self.elements.trn(segment)

    def _on_cur(self, segment: Segment) -> None:
        if self._before_parties(segment, self.cur):
            self.cur = self.elements.cur(segment)

    def _on_dtm(self, segment: Segment) -> None:
        if self._before_parties(segment, None):
            self.dates.append(self.elements.dtm(segment))

    def _on_ref(self, segment: Segment) -> None:
        party = self.party
        (party.references if party else self.references).append(self.elements.ref(segment))

    def _on_n1(self, segment: Segment) -> None:
        n1 = self.elements.n1(segment)
        if n1.entity_code == "PR" and self.payer is None and self.payee is None:
            self.party = self.payer = _Party(n1)
        elif n1.entity_code == "PE" and self.payee is None:
            self.party = self.payee = _Party(n1)
        else:
            self._keep(segment)

    def _on_n3(self, segment: Segment) -> None:
        if self.party is None or self.party.n3 is not None:
            self._keep(segment)
        else:
            self.party.n3 = self.elements.n3(segment)

    def _on_n4(self, segment: Segment) -> None:
        if self.party is None or self.party.n4 is not None:
            self._keep(segment)
        else:
            self.party.n4 = self.elements.n4(segment)

    def _on_per(self, segment: Segment) -> None:
        if self.party is None or self.party is self.payee:
            self._keep(segment)
        else:
            self.party.contacts.append(self.elements.per(segment))

    def _on_rdm(self, segment: Segment) -> None:
        if self.party is None or self.party is not self.payee or self.party.rdm is not None:
            self._keep(segment)
        else:
            self.party.rdm = self.elements.rdm(segment)


# Unbound, so a header reader holds no reference cycle.
_HEADER_HANDLERS: dict[str, Callable[[_Header, Segment], None]] = {
    "BPR": _Header._on_bpr, "TRN": _Header._on_trn, "CUR": _Header._on_cur,
    "REF": _Header._on_ref, "DTM": _Header._on_dtm, "N1": _Header._on_n1, "N3": _Header._on_n3,
    "N4": _Header._on_n4, "PER": _Header._on_per, "RDM": _Header._on_rdm,
}  # fmt: skip


def _require(value: _T | None, what: str, near: Segment) -> _T:
    if value is None:
        raise X12SyntaxError(
            f"{what} is missing from the 835 header",
            segment_position=near.position,
            segment_id=near.id,
        )
    return value
