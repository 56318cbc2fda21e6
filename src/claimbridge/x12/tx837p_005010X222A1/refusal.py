"""What ``parse`` refuses in an 837P transaction set, found streaming and without its values.

``validate`` reads every transaction set back with the typed readers, so that it never calls
clean a file they refuse. For an 837P, ``parse`` builds every claim (about 75 µs each) from the
whole set held in memory (up to 5,000 claims). ``Refusals`` is fed the set's segments one at a
time and keeps, of the claim being read, only the few segments whose text ``parse`` converts;
it finds the refusal ``parse`` raises first, with the same segment, element and words: each
refusal is raised by ``parse``'s own functions (``decimal``, ``ccyymmdd``, ``_service_dates``,
``_missing`` …), called in the order ``parse`` calls them, claim by claim, the header's date
last. What it takes from ``parse``'s loops is their boundaries: HL, CLM, LX, SBR before the
first LX (loop 2320), SVD and LQ in a line, NM1 opening a sub-loop in any of them.

Text in the shapes nearly every file sends (an amount of at most 15 digits and 3 decimals, a
date already read in this set) is taken as read without calling them, and a caller that holds
the segments in a list may hand over a run of plain service lines in one step (``lines_from``).
``parse`` stays the reference: the tests and the ``validate`` fuzz target compare the two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.segments import Segment
from claimbridge.x12.tx837p_005010X222A1.lines import PLAIN_NUMBER, plain_lines
from claimbridge.x12.tx837p_005010X222A1.parse import (
    _demographics,
    _dtp_date,
    _missing,
    _service_dates,
    claim_before_levels,
    claim_outside_levels,
    not_a_level,
)
from claimbridge.x12.values import decimal, optional_ccyymmdd

_DATES_KEPT = 4096  # dates remembered as read; forgotten all at once past this


@dataclass(slots=True)
class _Adjudication:
    """Loop 2430: SVD, its CAS, the first DTP*573 and AMT*EAF."""

    svd: Segment
    cas: list[Segment] = field(default_factory=list)
    date: Segment | None = None
    liability: Segment | None = None


@dataclass(slots=True)
class _Line:
    """Loop 2400: LX, the first SV1 and DTP*472 of its own segments, its 2430 loops."""

    lx: Segment
    sv1: Segment | None = None
    date: Segment | None = None
    adjudications: list[_Adjudication] = field(default_factory=list)


@dataclass(slots=True)
class _OtherPayer:
    """Loop 2320: its CAS, the first AMT*D and AMT*EAF, the first DTP*573 of each NM1*PR."""

    cas: list[Segment] = field(default_factory=list)
    paid: Segment | None = None
    liability: Segment | None = None
    payer_dates: list[Segment | None] = field(default_factory=list)


@dataclass(slots=True)
class _Claim:
    """Loop 2300 and what ``parse`` reads of the loops under it."""

    clm: Segment
    under_subscriber: bool
    onset: Segment | None = None
    accident: Segment | None = None
    service_date: Segment | None = None  # the first DTP*472 of the claim's own segments
    other_payers: list[_OtherPayer] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    line_date: Segment | None = None  # the first DTP*472 of any line
    line_dates_differ: bool = False


# Where the segments go, as in ``parse._split``: the loop they are added to.
_HEADER, _LEVEL, _CLAIM, _OTHER_PAYER, _LINE, _ADJUDICATION = range(6)


class Refusals:
    """Feed one 837P set's segments after ST (``feed``), then ``finish`` at SE: the error
    ``parse`` would raise for the set, or None. ``handlers`` is what ``feed`` does, by segment
    id: the segments that open a loop or a sub-loop, or whose text ``parse`` converts; a caller
    may call them itself, and leave out the other segments, which change nothing."""

    def __init__(self, dates: set[str] | None = None) -> None:
        self.refusal: X12SyntaxError | None = None
        self.dates = dates if dates is not None else set()  # CCYYMMDD texts read without error
        self.bht: Segment | None = None
        self.where = _HEADER
        self.in_sub = False  # after an NM1 (or in a line, an LQ) of the current loop
        self.sub_kind = ""  # NM101 of that sub-loop
        self.level: Segment | None = None  # the HL read until its first claim
        self.level_dmg: dict[str, Segment | None] = {}  # NM101 IL/QC → its sub-loop's DMG
        self.seen_level = False
        self.contexts: dict[str, tuple[bool, bool]] = {}  # HL01 → (provider, subscriber)
        self.context = (False, False)  # of the last level read
        self.claim: _Claim | None = None
        self.other_payer: _OtherPayer | None = None
        self.line: _Line | None = None
        self.adjudication: _Adjudication | None = None
        self.handlers: Mapping[str, Callable[[Segment], None]] = {
            "HL": self._on_hl,
            "CLM": self._on_clm,
            "LX": self._on_lx,
            "SBR": self._on_sbr,
            "SVD": self._on_svd,
            "LQ": self._on_lq,
            "SV1": self._on_line_segment,
            "DTP": self._on_line_segment,
            **dict.fromkeys(("NM1", "BHT", "DMG", "CAS", "AMT"), self._add),
        }

    def feed(self, segment: Segment) -> None:
        """Read the next segment."""
        handler = self.handlers.get(segment[0])
        if handler is not None:
            handler(segment)

    def finish(self) -> X12SyntaxError | None:
        """At SE: the refusal, else the header's date (``parse`` reads the header last)."""
        if self.refusal is None:
            try:
                self._close_claim()
                self._close_level()
                if self.bht is not None:
                    self._date(self.bht, 4)
            except X12SyntaxError as error:
                self.refusal = error
        return self.refusal

    # -- ``parse._split``: the segments that open a loop, else ``_add`` --------------------

    def _on_hl(self, hl: Segment) -> None:
        if self.refusal is not None:
            return
        try:
            self._close_claim()
            self._close_level()
        except X12SyntaxError as error:
            self._refuse(error)
            return
        self.level, self.seen_level, self.level_dmg = hl, True, {}
        self.where, self.in_sub = _LEVEL, False

    def _on_clm(self, clm: Segment) -> None:
        if self.refusal is not None:
            return
        try:
            if not self.seen_level:
                raise claim_before_levels(clm)
            self._close_claim()
            self._close_level()
        except X12SyntaxError as error:
            self._refuse(error)
            return
        provider, subscriber = self.context
        self.claim = _Claim(clm, provider and subscriber)
        self.line = self.other_payer = self.adjudication = None
        self.where, self.in_sub = _CLAIM, False

    def lines_from(self, batch: list[Segment], index: int) -> int:
        """The index after the plain service lines from ``batch[index]``, an LX, which
        ``parse`` cannot refuse (``lines.plain_lines``): only their dates are kept, for the
        lines after them that have none; ``index`` when there are none, or no claim."""
        claim = self.claim
        if claim is None:
            return index
        run = plain_lines(batch, index, ":", None, self.dates, claim.line_date)
        if run.lines:
            claim.line_date = run.first_date
            claim.line_dates_differ = claim.line_dates_differ or run.dates_differ
            self.line = self.adjudication = None
            self.where, self.in_sub = _LINE, False
        return run.end

    def _refuse(self, error: X12SyntaxError) -> None:
        """Keep the first refusal, and from now on nothing of the set."""
        self.refusal, self.claim, self.level = error, None, None
        self.where, self.in_sub, self.sub_kind = _HEADER, True, ""

    def _on_lx(self, lx: Segment) -> None:
        claim = self.claim
        if claim is None:
            self._add(lx)
            return
        self.line = _Line(lx)
        claim.lines.append(self.line)
        self.where, self.in_sub = _LINE, False

    def _on_sbr(self, sbr: Segment) -> None:
        claim = self.claim
        if claim is None or self.line is not None:
            self._add(sbr)
            return
        self.other_payer = _OtherPayer()
        claim.other_payers.append(self.other_payer)
        self.where, self.in_sub = _OTHER_PAYER, False

    def _on_svd(self, svd: Segment) -> None:
        line = self.line
        if self.claim is None or line is None:
            self._add(svd)
            return
        self.adjudication = _Adjudication(svd)
        line.adjudications.append(self.adjudication)
        self.where, self.in_sub = _ADJUDICATION, False

    def _on_lq(self, lq: Segment) -> None:
        if self.claim is None or self.line is None:
            self._add(lq)
            return
        self.where, self.in_sub, self.sub_kind = _LINE, True, "LQ"

    def _on_line_segment(self, segment: Segment) -> None:
        """SV1 or DTP: of a line's own segments (the usual case), read without ``_add``."""
        if self.where == _LINE and not self.in_sub:
            self._own_line(segment, segment[0])
        else:
            self._add(segment)

    def _add(self, segment: Segment) -> None:
        """``_Loop.add`` of the current loop: an NM1 opens a sub-loop, the rest is the loop's
        own until then, else the sub-loop's."""
        tag = segment[0]
        if tag == "NM1":
            self._open_sub(segment)
        elif self.in_sub:
            self._in_sub(segment, tag)
        else:
            _OWN[self.where](self, segment, tag)

    def _open_sub(self, nm1: Segment) -> None:
        self.in_sub, kind = True, nm1.element(1)
        self.sub_kind = kind
        if self.where == _LEVEL and kind in ("IL", "QC"):
            self.level_dmg[kind] = None  # the last such sub-loop is the one read
        elif self.where == _OTHER_PAYER and kind == "PR":
            assert self.other_payer is not None
            self.other_payer.payer_dates.append(None)

    def _in_sub(self, segment: Segment, tag: str) -> None:
        """A sub-loop's segment: the first DMG of a subscriber's or patient's, the first
        DTP*573 of a 2330B other payer's."""
        kind = self.sub_kind
        if self.where == _LEVEL:
            if tag == "DMG" and kind in self.level_dmg and self.level_dmg[kind] is None:
                self.level_dmg[kind] = segment
        elif self.where == _OTHER_PAYER and kind == "PR" and tag == "DTP":
            assert self.other_payer is not None
            dates = self.other_payer.payer_dates
            if dates[-1] is None and segment.element(1) == "573":
                dates[-1] = segment

    def _own_header(self, segment: Segment, tag: str) -> None:
        if tag == "BHT" and self.bht is None:
            self.bht = segment

    def _own_level(self, segment: Segment, tag: str) -> None:
        return None  # ``parse`` reads nothing of a level's own segments that it could refuse

    def _own_claim(self, segment: Segment, tag: str) -> None:
        if tag == "DTP":
            self._claim_date(segment)

    def _own_line(self, segment: Segment, tag: str) -> None:
        line = self.line
        assert line is not None
        if tag == "SV1":
            if line.sv1 is None:
                line.sv1 = segment
        elif tag == "DTP" and segment.element(1) == "472":
            self._line_date(line, segment)

    def _own_adjudication(self, segment: Segment, tag: str) -> None:
        adjudication = self.adjudication
        assert adjudication is not None
        if tag == "CAS":
            adjudication.cas.append(segment)
        elif tag == "DTP":
            if adjudication.date is None and segment.element(1) == "573":
                adjudication.date = segment
        elif tag == "AMT" and adjudication.liability is None and segment.element(1) == "EAF":
            adjudication.liability = segment

    def _line_date(self, line: _Line, dtp: Segment) -> None:
        if line.date is None:
            line.date = dtp
        claim = self.claim
        assert claim is not None
        if claim.line_date is None:
            claim.line_date = dtp
        elif not claim.line_dates_differ:
            first = claim.line_date
            claim.line_dates_differ = (first.element(2), first.element(3)) != (
                dtp.element(2),
                dtp.element(3),
            )

    def _claim_date(self, dtp: Segment) -> None:
        claim = self.claim
        assert claim is not None
        qualifier = dtp.element(1)
        if qualifier == "472" and claim.service_date is None:
            claim.service_date = dtp
        elif qualifier == "431" and claim.onset is None:
            claim.onset = dtp
        elif qualifier == "439" and claim.accident is None:
            claim.accident = dtp

    def _own_other_payer(self, segment: Segment, tag: str) -> None:
        other_payer = self.other_payer
        assert other_payer is not None
        if tag == "CAS":
            other_payer.cas.append(segment)
        elif tag == "AMT":
            qualifier = segment.element(1)
            if qualifier == "D" and other_payer.paid is None:
                other_payer.paid = segment
            elif qualifier == "EAF" and other_payer.liability is None:
                other_payer.liability = segment

    # -- the checks, in the order ``parse`` makes them -----------------------------------

    def _close_level(self) -> None:
        """``_Reader._level``: the level's code, and the date of birth of a subscriber (the
        last NM1*IL sub-loop) or patient (the last NM1*QC)."""
        hl, self.level = self.level, None
        if hl is None:
            return
        parent = self.contexts.get(hl.element(2), self.context)
        code = hl.element(3)
        if code == "20":
            context = (True, False)
        elif code == "22":
            _demographics(self.level_dmg.get("IL"))
            context = (parent[0], True)
        elif code == "23":
            _demographics(self.level_dmg.get("QC"))
            context = parent
        else:
            raise not_a_level(hl)
        self.contexts[hl.element(1)] = self.context = _CONTEXTS[context]  # one tuple each

    def _close_claim(self) -> None:
        """``_Reader._claim``: its level, its lines, CLM02, its dates, its other payers."""
        claim, self.claim = self.claim, None
        if claim is None:
            return
        if not claim.under_subscriber:
            raise claim_outside_levels(claim.clm)
        fallback = claim.service_date
        if fallback is None and not claim.line_dates_differ:
            fallback = claim.line_date
        for line in claim.lines:
            self._line(line, fallback)
        self._amount(claim.clm, 2)
        self._dtp_date(claim.onset)
        self._dtp_date(claim.accident)
        for other_payer in claim.other_payers:
            for cas in other_payer.cas:
                self._adjustments(cas)
            for dtp in other_payer.payer_dates:
                self._dtp_date(dtp)
            if other_payer.paid is not None:
                self._amount(other_payer.paid, 2)
            if other_payer.liability is not None:
                self._amount(other_payer.liability, 2)

    def _line(self, line: _Line, fallback: Segment | None) -> None:
        """``_Reader._line`` and ``_line_adjudication``."""
        sv1 = line.sv1
        if sv1 is None:
            _missing("SV1", line.lx)
            return
        dtp = line.date or fallback
        if dtp is None or dtp.element(3) not in self.dates:
            _service_dates(dtp, line.lx)
            self._remember(dtp.element(3))  # type: ignore[union-attr]  # None raised
        self._amount(sv1, 2)
        self._amount(sv1, 4)
        for adjudication in line.adjudications:
            for cas in adjudication.cas:
                self._adjustments(cas)
            svd = adjudication.svd
            self._amount(svd, 2)
            self._amount(svd, 5)
            self._dtp_date(adjudication.date)
            if adjudication.liability is not None:
                self._amount(adjudication.liability, 2)

    def _adjustments(self, cas: Segment) -> None:
        """``_adjustment_group``: the amount and quantity of each reason given."""
        fields = cas.fields
        for reason_at in range(2, len(fields), 3):
            if fields[reason_at]:
                self._amount(cas, reason_at + 1)
                self._amount(cas, reason_at + 2)

    def _amount(self, segment: Segment, number: int) -> None:
        """``money``, ``optional_money`` and ``optional_decimal`` refuse the same text."""
        fields = segment.fields
        text = fields[number] if number < len(fields) else ""
        if text and not PLAIN_NUMBER.fullmatch(text):
            decimal(segment, number)

    def _dtp_date(self, dtp: Segment | None) -> None:
        if dtp is not None and dtp.element(3) not in self.dates:
            _dtp_date(dtp)
            if dtp.element(2) == "D8":
                self._remember(dtp.element(3))

    def _date(self, segment: Segment, number: int) -> None:
        """``optional_ccyymmdd``."""
        text = segment.element(number)
        if text not in self.dates:
            optional_ccyymmdd(segment, number)
            self._remember(text)

    def _remember(self, text: str) -> None:
        """Keep ``text``, just read without error, as a date read: unless it is empty or a
        range (RD8), which only some of the readers take."""
        if not text or "-" in text:
            return
        if len(self.dates) >= _DATES_KEPT:
            self.dates.clear()
        self.dates.add(text)


# The four contexts a level can give its claims, one object each: a set keeps one a level.
_CONTEXTS = {(provider, subscriber): (provider, subscriber) for provider in (False, True)
             for subscriber in (False, True)}  # fmt: skip

_OWN = {
    _HEADER: Refusals._own_header,
    _LEVEL: Refusals._own_level,
    _CLAIM: Refusals._own_claim,
    _OTHER_PAYER: Refusals._own_other_payer,
    _LINE: Refusals._own_line,
    _ADJUDICATION: Refusals._own_adjudication,
}
