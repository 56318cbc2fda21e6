"""Structural checks of X12 files, streaming: envelopes, HL trees, required segments, sums.

``validate_file`` and ``validate_text`` walk the segment stream once, holding one transaction
set's bookkeeping at a time, and report every problem they find as a ``Problem`` instead of
stopping at the first. They do not use the per-guide readers, so a file those readers refuse
can still be checked. In the same pass, unless asked not to, claimbridge's implementation-guide
tables (``claimbridge.x12.guide``) check loops, segments, elements, codes and syntax rules;
``guide="pyx12"`` has pyx12 check the guide instead (``igcheck``, a development dependency).

What we check ourselves:

- envelopes: an ISA of 106 characters (each element its fixed width), no ISA13 used twice in
  the file, ISA13 = IEA02, IEA01 = number of GS, GS06 = GE02, GE01 = number of ST,
  ST02 = SE02, SE01 = segments from ST to SE, ST02 unique within its group, every envelope
  closed, GS01 fitting ST01 and GS08 = ST03 (``sniff.envelope_mismatch``, the rule the reader
  refuses by);
- HL trees (837, 277): HL01 numbered 1, 2, 3 …, HL02 naming an earlier HL of the right level,
  HL03 a level the transaction uses, HL04 saying truly whether children follow;
- required segments: 837P BHT, NM1*41, NM1*40, HL 20, NM1*85, SBR, NM1*IL, NM1*PR, a CLM under
  every lowest HL, HI per claim, LX with SV1 and DTP*472 per line; 835 BPR, TRN, N1*PR, N1*PE
  and a CLP per LX; 999 AK1, AK9 and IK5 per AK2; 277/277CA BHT and HL 20 and 21;
- 837P sums: CLM02 = Σ SV102 of the claim; SV107 pointers within the claim's diagnosis codes;
- with ``office_ally=True``, Office Ally's envelope rules for 837P uploads (companion guide
  r06/08/2022, p.10–11): ISA05/ISA07 'ZZ' or '30', ISA08 '330897513' padded to 15, GS03 'OA' or
  '330897513', GS08 005010X222A1, one ISA and one GS per file, at most 5000 ST, and 1000B
  ``NM1*40*2*OFFICE ALLY*****46*330897513``.

In the same pass the readers of ``x12.reader`` read the segments back (``_ReadBack``; an 837P
set is not typed but checked, streaming, for what ``parse`` refuses:
``tx837p_005010X222A1.refusal``): whatever they refuse (``reader.read_each``) is an error at
the segment they name, unless our checks found an error there already, so ``validate`` never
calls clean a file that ``x12 json`` and ``import`` refuse; and each 835 read is balanced
(``check_balance``, the equations ingest holds an 835 by): BPR02 against Σ CLP04 and the PLBs
is an error (ingest holds such a set), a CLP against its CAS and SVCs or an SVC against its CAS
a warning (ingest posts it as sent, with a note on the claim).

In an 837P both the structural checks and the read-back take a run of plain service lines (an
LX, one SV1, one DTP*472, nothing either could find a problem in) in one step
(``tx837p_005010X222A1.lines.plain_lines``, in C when it was built), and read every other
line segment by segment.

Text that cannot be tokenized at all (no ISA, garbled delimiters, a bad segment id) raises
``X12SyntaxError`` from the tokenizer; everything after that is a ``Problem``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from operator import length_hint
from pathlib import Path
from types import MappingProxyType
from typing import Literal, Protocol

from claimbridge.errors import InputError, X12Error, X12SyntaxError
from claimbridge.x12.collector import fewer_collections
from claimbridge.x12.delimiters import ISA_LENGTH
from claimbridge.x12.dispatch import dispatch
from claimbridge.x12.envelope import Envelope, EnvelopeFeed
from claimbridge.x12.guide import GuideCheck, ends_with_terminator, file_ends_terminated
from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.problems import Problem, Severity
from claimbridge.x12.reader import Parsed, check_group, read_each
from claimbridge.x12.segments import Segment
from claimbridge.x12.sniff import envelope_mismatch
from claimbridge.x12.tokenizer import parse_segments, read_segments
from claimbridge.x12.tx835_005010X221A1 import Level, check_balance
from claimbridge.x12.tx837p_005010X222A1.lines import plain_lines
from claimbridge.x12.tx837p_005010X222A1.refusal import Refusals
from claimbridge.x12.values import MAX_DIGITS

Problems = Iterator[Problem]
# Who checks the implementation guide: claimbridge's tables, pyx12, or nobody.
GuideChecker = Literal["claimbridge", "pyx12", "none"]

OFFICE_ALLY_ID = "330897513"
OFFICE_ALLY_NAME = "OFFICE ALLY"
OFFICE_ALLY_QUALIFIERS = frozenset({"ZZ", "30"})
OFFICE_ALLY_GS03 = frozenset({"OA", OFFICE_ALLY_ID})
OFFICE_ALLY_VERSION = "005010X222A1"
OFFICE_ALLY_MAX_ST = 5000
ISA_ID_WIDTH = 15
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every problem found in one file, with what was counted and who checked the guide."""

    problems: tuple[Problem, ...]
    interchanges: int
    groups: int
    transaction_sets: int
    segments: int
    guide_checked_by: GuideChecker

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def is_clean(self) -> bool:
        """True when no problem is an error (warnings allowed)."""
        return not self.errors


def validate_file(
    path: str | Path, *, office_ally: bool = False, guide: GuideChecker = "claimbridge"
) -> ValidationReport:
    """Check the X12 file at ``path``; raises ``X12SyntaxError`` when it cannot be read as X12."""
    path = Path(path)
    try:
        ours = guide == "claimbridge"
        terminated = file_ends_terminated(path) if ours else True
        report = check_segments(
            read_segments(path),
            office_ally=office_ally,
            guide=ours,
            terminated=terminated,
            read_back=True,
        )
        return _with_pyx12(report, lambda: path.read_text("utf-8", errors="replace"), guide)
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", path=str(path)) from None


def validate_text(
    text: str,
    *,
    office_ally: bool = False,
    guide: GuideChecker = "claimbridge",
    read_back: bool = True,
) -> ValidationReport:
    """Check X12 ``text``; raises ``X12SyntaxError`` when it cannot be read as X12. Without
    ``read_back`` the readers' verdict is left out: for an 837P claimbridge has just written
    from typed values (a submission), which the writer's own checks cover."""
    ours = guide == "claimbridge"
    terminated = ends_with_terminator(text[:4096], text[-64:]) if ours else True
    report = check_segments(
        parse_segments(text),
        office_ally=office_ally,
        guide=ours,
        terminated=terminated,
        read_back=read_back,
    )
    return _with_pyx12(report, lambda: text, guide)


def check_segments(
    segments: Iterable[Segment],
    *,
    office_ally: bool = False,
    guide: bool = False,
    terminated: bool = True,
    read_back: bool = False,
) -> ValidationReport:
    """Our own checks over a segment stream in one pass; with ``guide``, the guide tables too
    (``terminated``: whether the text ended with a segment terminator); with ``read_back``, the
    typed readers' verdict on each transaction set, from the same segments (``_ReadBack``)."""
    walker = _EnvelopeWalker()
    rules = _OfficeAllyRules() if office_ally else None
    guide_check = GuideCheck() if guide else None
    reader = _ReadBack() if read_back else None
    problems: list[Problem] = []
    from_guide: list[Problem] = []
    walk = walker.feed
    stream = iter(segments)
    with fewer_collections():
        while batch := list(islice(stream, _BATCH)):  # the read-back takes them a batch a time
            if rules is None:  # the usual pass: the walker takes the batch, no test a segment
                problems.extend(walker.feed_batch(batch))
                if guide_check is not None:
                    from_guide.extend(guide_check.feed_batch(batch))
            else:  # Office Ally's rules too, segment by segment
                for segment in batch:
                    problems.extend(walk(segment))
                    problems.extend(rules.feed(segment))
                    if guide_check is not None:
                        from_guide.extend(guide_check.feed(segment))
            if reader is not None:
                reader.feed(batch)
    problems.extend(walker.finish())
    if guide_check is not None:
        from_guide.extend(guide_check.finish(terminated=terminated))
        problems.extend(_not_said_already(from_guide, problems))
    checked_by: GuideChecker = "claimbridge" if guide else "none"
    report = ValidationReport(tuple(sorted(problems, key=_order)), *walker.counts(), checked_by)
    return report if reader is None else _with_reader(report, reader.finish())


# Elements both our envelope and HL checks and the guide tables check by the same rule.
_CHECKED_TWICE = frozenset(
    {"IEA01", "IEA02", "GE01", "GE02", "ST02", "SE01", "SE02", "HL01", "HL02"}
)


def _not_said_already(from_guide: list[Problem], ours: list[Problem]) -> list[Problem]:
    """The guide's problems, less those our checks reported already at that segment and element
    (one line for a wrong SE01, not two)."""
    said = {(p.segment_position, p.element) for p in ours if p.element in _CHECKED_TWICE}
    return [p for p in from_guide if (p.segment_position, p.element) not in said]


# How the read-back finds what ``parse`` refuses in an 837P: streaming, without its values;
# None reads each set whole with ``parse`` (the reference, which the tests compare it with).
stream_837: type[Refusals] | None = Refusals


class _ReadBack:
    """What ``read_each(iter_envelopes(segments))`` yields, in its order (each 835 read as the
    problems its balance finds), fed the segments a batch at a time as ``check_segments``
    reads them: one tokenization for both. A set is held until its SE and read by its reader,
    except an 837, which ``stream_837`` checks as it comes: ``validate`` needs of it only what
    ``parse`` refuses, and holds one claim of it at a time."""

    def __init__(self) -> None:
        self.envelopes = EnvelopeFeed()
        self.found: list[Problem | X12Error] = []  # a set's balance, or a refusal
        self.stopped = False
        self.refusals: Refusals | None = None
        self.dates: set[str] = set()  # shared by the 837 sets of a file

    def feed(self, batch: list[Segment]) -> None:
        stream = iter(batch)
        envelopes = self.envelopes
        for first in stream:
            segment = first if self.refusals is None else self._read_837(first, stream, batch)
            if segment is None or self.stopped:
                return
            self._envelope(segment)
            while envelopes.in_set and self.refusals is None and not self.stopped:
                stop = envelopes.read_body(stream)  # a held set's body
                if stop is None:
                    return
                self._envelope(stop)

    def _read_837(
        self, first: Segment, stream: Iterator[Segment], batch: list[Segment]
    ) -> Segment | None:
        """Feed ``stream_837`` an 837 set's segments up to the one that ends it, and return
        that one (None when ``stream`` ends first). ``stream`` iterates over ``batch``, whose
        runs of plain service lines ``Refusals.lines_from`` takes in one step."""
        assert self.refusals is not None
        handlers, lines_from = self.refusals.handlers, self.refusals.lines_from
        size = len(batch)
        begin = index = size - length_hint(stream) - 1  # where ``first`` stands
        stop = None
        while index < size:
            index = dispatch(batch, index, handlers, _SET_ENDS_AND_LX, None)
            if index == size:
                break
            segment = batch[index]
            if segment[0] != "LX":
                stop = segment
                break
            after = lines_from(batch, index)  # plain lines, taken in one step
            if after == index:
                handlers["LX"](segment)
                after += 1
            index = after
        skip(stream, index - begin - (1 if stop is None else 0))  # ``first`` is read already
        if index > begin:
            self.envelopes.passed(batch[index - 1])
        return stop

    def finish(self) -> list[Problem | X12Error]:
        if not self.stopped:
            try:
                self.envelopes.finish()
            except X12Error as error:
                self._stop(error)
        return self.found

    def _envelope(self, segment: Segment) -> None:
        """A segment that opens or closes a set, or stands outside one."""
        try:
            done = self.envelopes.feed(segment)
        except X12Error as error:
            self._stop(error)
            return
        if segment[0] == "ST" and stream_837 is not None and segment.element(1) == "837":
            self.refusals = stream_837(self.dates)
        for envelope in done:
            self._read(envelope)

    def _read(self, envelope: Envelope) -> None:
        refusals, self.refusals = self.refusals, None
        if refusals is None:
            for read in read_each((envelope,)):
                self.found.extend(_balance(read) if isinstance(read, Parsed) else (read,))
            return
        try:
            check_group(envelope)
        except X12Error as error:
            self.found.append(error)
            return
        refusal = refusals.finish()
        if refusal is not None:
            self.found.append(refusal)

    def _stop(self, error: X12Error) -> None:
        self.found.append(error)
        self.stopped, self.refusals = True, None


_SET_ENDS = frozenset({"SE", "ISA", "GS", "ST", "GE", "IEA"})
_SET_ENDS_AND_LX = _SET_ENDS | {"LX"}
_BATCH = 2048  # segments tokenized ahead of the checks; the read-back reads them after


def _with_reader(report: ValidationReport, reads: Iterable[Problem | X12Error]) -> ValidationReport:
    """``report`` with an error for each refusal of the readers at a segment where our checks
    found no error (the verdict is the same; the reader's words would repeat ours), and what
    the balance of each 835 read found."""
    flagged = {p.segment_position for p in report.errors}
    added: list[Problem] = []
    for read in reads:
        if isinstance(read, Problem):
            added.append(read)
            continue
        problem = _refusal(read)
        if problem.segment_position is None or problem.segment_position not in flagged:
            added.append(problem)
    if not added:
        return report
    problems = tuple(sorted((*report.problems, *added), key=_order))
    return dataclasses.replace(report, problems=problems)


_PAID = {Level.LINE: ("SVC", "SVC03"), Level.CLAIM: ("CLP", "CLP04"),
         Level.TRANSACTION: ("BPR", "BPR02")}  # fmt: skip


def _balance(read: Parsed) -> list[Problem]:
    """The 835's balancing equations that do not hold: the transaction's an error, the rest
    warnings (see the module docstring)."""
    if read.kind != "835":
        return []
    problems = []
    for imbalance in check_balance(read.value):
        segment_id, element = _PAID[imbalance.level]
        severity: Severity = "error" if imbalance.level is Level.TRANSACTION else "warning"
        message = f"{imbalance}: the amounts do not balance"
        if imbalance.level is Level.TRANSACTION:
            message += " (BPR02 = Σ CLP04 − Σ PLB); claimbridge holds such an ERA unposted"
        loop = None if imbalance.level is Level.TRANSACTION else "2100"
        where = (imbalance.segment_position, segment_id, loop, element)
        problems.append(Problem(*where, severity, "claimbridge", message))
    return problems


def _refusal(error: X12Error) -> Problem:
    if not isinstance(error, X12SyntaxError):
        return Problem(None, None, None, None, "error", "claimbridge", f"the reader: {error}")
    element = None
    if error.segment_id and error.element_position is not None:
        element = f"{error.segment_id}{error.element_position:02d}"
    return Problem(
        error.segment_position,
        error.segment_id,
        None,
        element,
        "error",
        "claimbridge",
        error.message,
    )


def _with_pyx12(
    report: ValidationReport, read_text: Callable[[], str], guide: GuideChecker
) -> ValidationReport:
    if guide != "pyx12":
        return report
    if not pyx12_available():
        note = _note("pyx12 is not installed: implementation-guide checks were skipped")
        return dataclasses.replace(report, problems=(*report.problems, note))
    found = [*report.problems, *pyx12_problems(read_text())]
    problems = tuple(sorted(found, key=_order))
    return dataclasses.replace(report, problems=problems, guide_checked_by="pyx12")


def _order(problem: Problem) -> tuple[int, int]:
    position = problem.segment_position
    return (0, position) if position is not None else (1, 0)


def _error(
    segment: Segment, message: str, *, loop: str | None = None, element: str | None = None
) -> Problem:
    return Problem(segment.position, segment.id, loop, element, "error", "claimbridge", message)


def _note(message: str) -> Problem:
    return Problem(None, None, None, None, "warning", "claimbridge", message)


def _is_digits(text: str) -> bool:
    """True for ASCII digits only ('²' and '١' are digits to ``str.isdigit``)."""
    return text.isascii() and text.isdigit()


def _number(text: str) -> int | None:
    """``text`` as a whole number, or None (also for more digits than any X12 number has:
    converting thousands of digits would take long or fail)."""
    text = text.strip()
    return int(text) if _is_digits(text) and len(text) <= MAX_DIGITS else None


def _amount(text: str) -> Decimal | None:
    """``text`` as an exact amount, or None when it is not a number."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _same_control_number(header: str, trailer: str) -> bool:
    """Numeric control numbers compare as numbers (GS06 '1' = GE02 '0001'), others as text."""
    header, trailer = header.strip(), trailer.strip()
    if _is_digits(header) and _is_digits(trailer):
        return header.lstrip("0") == trailer.lstrip("0")
    return header == trailer


# ---------------------------------------------------------------------------------------------
# Envelopes: ISA/IEA, GS/GE, ST/SE


@dataclass(slots=True)
class _Interchange:
    isa: Segment
    groups: int = 0


@dataclass(slots=True)
class _Group:
    gs: Segment
    transaction_sets: int = 0
    control_numbers: dict[str, int] = field(default_factory=dict)
    misfit_said: bool = False  # a GS01 that fits no ST01 is said once per group


@dataclass(slots=True)
class _Transaction:
    st: Segment
    check: _TransactionCheck
    segments: int = 1


class _EnvelopeWalker:
    """Opens and closes envelopes, checks their counts and numbers, feeds each set's check."""

    def __init__(self) -> None:
        self.interchange: _Interchange | None = None
        self.group: _Group | None = None
        self.transaction: _Transaction | None = None
        self.component_separator = ":"
        self.totals = {"ISA": 0, "GS": 0, "ST": 0}
        self.segments = 0
        self.last: Segment | None = None
        self.control_numbers: dict[str, int] = {}  # ISA13 → the ISA that used it first

    def counts(self) -> tuple[int, int, int, int]:
        """Interchanges, groups, transaction sets and segments seen."""
        totals = self.totals
        return totals["ISA"], totals["GS"], totals["ST"], self.segments

    def feed(self, segment: Segment) -> Iterable[Problem]:
        self.segments += 1
        self.last = segment
        transaction = self.transaction
        if transaction is not None and segment[0] not in _ENVELOPE_HANDLERS:  # most segments
            transaction.segments += 1
            return transaction.check.feed(segment)
        return self._feed_envelope(segment)

    def feed_batch(self, batch: list[Segment]) -> list[Problem]:
        """``feed`` each segment of ``batch``, what it returns gathered: a segment of a set goes
        to its check only when the check looks at its id, and is counted with the others
        before the next envelope segment."""
        found: list[Problem] = []
        if not batch:
            return found
        self.segments += len(batch)
        self.last = batch[-1]  # what ``finish`` needs: the envelope handlers do not look
        transaction, start = self.transaction, 0  # batch[start:] not counted in the set yet
        index, size = 0, len(batch)
        while index < size:
            if transaction is not None:  # its segments to its check, up to an envelope or LX
                lines_from = _lines_from(transaction)
                stops = _ENVELOPE_IDS if lines_from is None else _ENVELOPE_IDS_AND_LX
                handlers = transaction.check.handlers
                index = dispatch(batch, index, handlers, stops, found)  # type: ignore[arg-type]
                if index == size:
                    break
                segment = batch[index]
                if segment[0] == "LX":
                    assert lines_from is not None
                    after = lines_from(batch, index)  # plain lines, taken in one step
                    if after == index:
                        found.extend(handlers["LX"](segment))
                        after += 1
                    index = after
                    continue
                transaction.segments += index - start
            start = index + 1
            found.extend(self._feed_envelope(batch[index]))
            transaction = self.transaction
            index += 1
        if transaction is not None:
            transaction.segments += size - start
        return found

    def _feed_envelope(self, segment: Segment) -> Iterable[Problem]:
        """``feed`` for an envelope segment, or one outside a set (counted already)."""
        handler = _ENVELOPE_HANDLERS.get(segment[0])
        if handler is not None:
            return handler(self, segment)
        return (_error(segment, f"{segment.id} is outside a transaction set (ST … SE)"),)

    def finish(self) -> Problems:
        if self.last is not None:
            yield from self._close_interchange(self.last, "the file ends")

    def _on_isa(self, segment: Segment) -> Problems:
        yield from self._close_interchange(segment, "a new ISA starts")
        yield from _check_isa_widths(segment)
        first = self.control_numbers.setdefault(segment.element(13).strip(), segment.position)
        if first != segment.position:
            message = (
                f"ISA13 {segment.element(13).strip()!r} is used already by the ISA at segment "
                f"{first}: each interchange has a control number of its own"
            )
            yield _error(segment, message, element="ISA13")
        self.totals["ISA"] += 1
        self.interchange = _Interchange(segment)
        self.component_separator = segment.element(16)[:1] or ":"

    def _on_ta1(self, segment: Segment) -> Problems:
        if self.interchange is None or self.group is not None:
            yield _error(segment, "TA1 must stand in an interchange, outside any group (GS … GE)")

    def _on_iea(self, segment: Segment) -> Problems:
        interchange = self.interchange
        if interchange is None:
            yield _error(segment, "IEA without an ISA before it")
            return
        yield from self._close_group(segment, "IEA comes")
        yield from _check_iea(interchange, segment)
        self.interchange = None

    def _on_gs(self, segment: Segment) -> Problems:
        yield from self._close_group(segment, "a new GS starts")
        if self.interchange is None:
            yield _error(segment, "GS outside an interchange: ISA is missing")
        else:
            self.interchange.groups += 1
        self.totals["GS"] += 1
        self.group = _Group(segment)

    def _on_ge(self, segment: Segment) -> Problems:
        group = self.group
        if group is None:
            yield _error(segment, "GE without a GS before it")
            return
        yield from self._close_transaction(segment, "GE comes")
        yield from _check_ge(group, segment)
        self.group = None

    def _on_st(self, segment: Segment) -> Problems:
        yield from self._close_transaction(segment, "a new ST starts")
        self.totals["ST"] += 1
        group = self.group
        if group is None:
            yield _error(segment, "ST outside a functional group: GS is missing")
        else:
            group.transaction_sets += 1
            yield from _check_unique_st02(group, segment)
            yield from _check_group_fits(group, segment)
        version = group.gs.element(8) if group else ""
        check = _check_for(segment, version, self.component_separator)
        self.transaction = _Transaction(segment, check)

    def _on_se(self, segment: Segment) -> Problems:
        transaction = self.transaction
        if transaction is None:
            yield _error(segment, "SE without an ST before it")
            return
        transaction.segments += 1
        yield from _check_se(transaction, segment)
        yield from transaction.check.finish(segment)
        self.transaction = None

    def _close_transaction(self, at: Segment, why: str) -> Problems:
        transaction = self.transaction
        if transaction is not None:
            st02 = transaction.st.element(2)
            yield _error(at, f"{why} inside transaction set {st02!r}: its SE is missing")
            yield from transaction.check.finish(at)
            self.transaction = None

    def _close_group(self, at: Segment, why: str) -> Problems:
        yield from self._close_transaction(at, why)
        if self.group is not None:
            gs06 = self.group.gs.element(6)
            yield _error(at, f"{why} inside functional group {gs06!r}: its GE is missing")
            self.group = None

    def _close_interchange(self, at: Segment, why: str) -> Problems:
        yield from self._close_group(at, why)
        if self.interchange is not None:
            isa13 = self.interchange.isa.element(13)
            yield _error(at, f"{why} inside interchange {isa13!r}: its IEA is missing")
            self.interchange = None


def _lines_from(transaction: _Transaction | None) -> Callable[[list[Segment], int], int] | None:
    """What takes a run of plain service lines in one step, in the sets that have one."""
    if transaction is None:
        return None
    check = transaction.check
    return check.lines_from if isinstance(check, _Check837) and check.professional else None


def skip(items: Iterator[object], count: int) -> None:
    """Pass over the next ``count`` items of ``items``."""
    next(islice(items, count, count), None)


_ENVELOPE_HANDLERS: Mapping[str, Callable[[_EnvelopeWalker, Segment], Problems]] = {
    "ISA": _EnvelopeWalker._on_isa,
    "TA1": _EnvelopeWalker._on_ta1,
    "IEA": _EnvelopeWalker._on_iea,
    "GS": _EnvelopeWalker._on_gs,
    "GE": _EnvelopeWalker._on_ge,
    "ST": _EnvelopeWalker._on_st,
    "SE": _EnvelopeWalker._on_se,
}
_ENVELOPE_IDS = frozenset(_ENVELOPE_HANDLERS)
_ENVELOPE_IDS_AND_LX = _ENVELOPE_IDS | {"LX"}


# ISA01–ISA16: each element has a fixed width, so the ISA is 106 characters with its terminator
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


def _check_isa_widths(isa: Segment) -> Problems:
    widths = [len(isa.element(n)) for n in range(1, len(ISA_WIDTHS) + 1)]
    length = len(isa.id) + sum(widths) + len(ISA_WIDTHS) + 1  # separators and the terminator
    wrong = [
        f"ISA{n:02d} has {width} (it takes {wanted})"
        for n, (width, wanted) in enumerate(zip(widths, ISA_WIDTHS, strict=True), start=1)
        if width != wanted
    ]
    if wrong or len(isa.fields) != len(ISA_WIDTHS) + 1:
        message = (
            f"the ISA is {length} characters, not {ISA_LENGTH}: every ISA element has a fixed "
            f"width, padded with spaces (ISA06, ISA08) or zeros (ISA13); "
            + ("; ".join(wrong) if wrong else f"it has {len(isa.fields) - 1} elements, not 16")
        )
        yield _error(isa, message)


def _check_count(trailer: Segment, number: int, counted: int, what: str) -> Problems:
    element = f"{trailer.id}{number:02d}"
    stated = _number(trailer.element(number))
    if stated is None:
        text = trailer.element(number)
        shown = text if len(text) <= MAX_DIGITS else f"{text[:MAX_DIGITS]}…"
        message = f"{element} {shown!r} is not a count of at most {MAX_DIGITS} digits"
        yield _error(trailer, message, element=element)
    elif stated != counted:
        message = f"{element} says {stated} {what}, but there are {counted}"
        yield _error(trailer, message, element=element)


def _check_control(header: Segment, h: int, trailer: Segment, t: int) -> Problems:
    sent, echoed = header.element(h), trailer.element(t)
    if not _same_control_number(sent, echoed):
        message = (
            f"{trailer.id}{t:02d} {echoed.strip()!r} differs from {header.id}{h:02d} "
            f"{sent.strip()!r} (segment {header.position}); a trailer repeats its header's "
            "control number"
        )
        yield _error(trailer, message, element=f"{trailer.id}{t:02d}")


def _check_iea(interchange: _Interchange, iea: Segment) -> Problems:
    yield from _check_count(iea, 1, interchange.groups, "functional groups (GS)")
    yield from _check_control(interchange.isa, 13, iea, 2)


def _check_ge(group: _Group, ge: Segment) -> Problems:
    yield from _check_count(ge, 1, group.transaction_sets, "transaction sets (ST)")
    yield from _check_control(group.gs, 6, ge, 2)


def _check_se(transaction: _Transaction, se: Segment) -> Problems:
    yield from _check_count(se, 1, transaction.segments, "segments from ST to SE")
    yield from _check_control(transaction.st, 2, se, 2)


def _check_unique_st02(group: _Group, st: Segment) -> Problems:
    st02 = st.element(2)
    first = group.control_numbers.setdefault(st02, st.position)
    if first != st.position:
        message = f"ST02 {st02!r} is used already by the ST at segment {first} of this group"
        yield _error(st, message, element="ST02")


def _check_group_fits(group: _Group, st: Segment) -> Problems:
    gs = group.gs
    found = envelope_mismatch(gs.element(1), gs.element(8), st.element(1), st.element(3))
    if found is None:
        return
    element, message = found
    if not element.startswith("GS"):
        yield _error(st, message, element=element)
    elif not group.misfit_said:
        group.misfit_said = True
        yield _error(gs, message, element=element)


# ---------------------------------------------------------------------------------------------
# Transaction sets


# What a transaction check does with a segment, by segment id.
_Handlers = Mapping[str, Callable[[Segment], Iterable[Problem]]]


class _TransactionCheck(Protocol):
    """The checks of one transaction set, fed each segment between ST and SE (what ``feed``
    returns is taken before the next segment is fed); ``handlers`` holds, by segment id, what
    ``feed`` does with the ids it looks at (it returns nothing for the others)."""

    handlers: _Handlers

    def feed(self, segment: Segment) -> Iterable[Problem]: ...

    def finish(self, end: Segment) -> Problems: ...


class _NoCheck:
    """A transaction set claimbridge has no rules for: only its envelope is checked."""

    handlers: _Handlers = MappingProxyType({})

    def feed(self, segment: Segment) -> Problems:
        return iter(())

    def finish(self, end: Segment) -> Problems:
        return iter(())


def _check_for(st: Segment, group_version: str, component: str) -> _TransactionCheck:
    code, implementation = st.element(1), st.element(3) or group_version
    if code == "837":
        return _Check837(st, component, professional="X222" in implementation)
    if code == "277":
        levels = _LEVELS_277CA if implementation.startswith("005010X214") else _LEVELS_277
        return _Check277(st, levels)
    if code == "835":
        return _Check835(st)
    if code == "999":
        return _Check999(st)
    return _NoCheck()


@dataclass(frozen=True, slots=True)
class _Level:
    """An HL level code: the level its parent must have (None at the top) and its loop."""

    parent: str | None
    loop: str
    name: str


_LEVELS_837 = {
    "20": _Level(None, "2000A", "billing provider"),
    "22": _Level("20", "2000B", "subscriber"),
    "23": _Level("22", "2000C", "patient"),
}
_LEVELS_277CA = {
    "20": _Level(None, "2000A", "information source"),
    "21": _Level("20", "2000B", "information receiver"),
    "19": _Level("21", "2000C", "billing provider"),
    "PT": _Level("19", "2000D", "patient"),
}
_LEVELS_277 = {
    "20": _Level(None, "2000A", "information source"),
    "21": _Level("20", "2000B", "information receiver"),
    "19": _Level("21", "2000C", "service provider"),
    "22": _Level("19", "2000D", "subscriber"),
    "23": _Level("22", "2000E", "dependent"),
}


@dataclass(slots=True)
class _Hl:
    """What the checks keep of an HL until the set ends: not the segment (a set may hold
    tens of thousands of levels), only its level, HL04 and place."""

    level: str
    child_code: str  # HL04
    position: int
    has_children: bool = False


class _Hierarchy:
    """HL01 numbering, HL02 parents, HL03 levels and HL04 child codes of one transaction set."""

    def __init__(self, levels: Mapping[str, _Level]) -> None:
        self.levels = levels
        self.seen: dict[str, _Hl] = {}
        self.expected_id = 1
        self.expected_text = "1"  # HL01 as the next level writes it, nearly always

    def loop_of(self, hl: Segment) -> str | None:
        level = self.levels.get(hl.element(3))
        return level.loop if level else None

    def feed(self, hl: Segment) -> list[Problem]:
        """The problems of ``hl``; a level numbered as expected under a parent of the right
        level (nearly every one) is taken without the checks that would say why not."""
        found: list[Problem] = []
        hl01, parent_id, code = hl.element(1), hl.element(2), hl.element(3)
        if hl01 == self.expected_text:
            self.expected_id += 1
        else:
            found.extend(self._check_number(hl))
        self.expected_text = str(self.expected_id)
        level = self.levels.get(code)
        if level is None:
            allowed = ", ".join(self.levels)
            message = f"HL03 {code!r} is not a level this transaction uses ({allowed})"
            found.append(_error(hl, message, element="HL03"))
        else:
            parent = self.seen.get(parent_id) if parent_id else None
            if parent is not None and parent.level == level.parent:
                parent.has_children = True
            elif parent_id or level.parent is not None:
                found.extend(self._check_parent(hl, level))
        if hl01 not in self.seen:
            self.seen[hl01] = _Hl(code, hl.element(4), hl.position)
        return found

    def finish(self) -> Problems:
        for node in self.seen.values():
            yield from _check_child_code(node)

    def _check_number(self, hl: Segment) -> Problems:
        number = _number(hl.element(1))
        if number != self.expected_id:
            message = (
                f"HL01 is {hl.element(1)!r} but should be {self.expected_id}: "
                "HL01 numbers the levels 1, 2, 3 … in file order"
            )
            yield _error(hl, message, loop=self.loop_of(hl), element="HL01")
        self.expected_id = (number if number is not None else self.expected_id) + 1

    def _check_parent(self, hl: Segment, level: _Level) -> Problems:
        parent_id, loop = hl.element(2), level.loop
        if not parent_id:
            if level.parent is not None:
                message = (
                    f"HL02 is empty, but a {level.name} level (HL03 {hl.element(3)}) needs a parent"
                )
                yield _error(hl, message, loop=loop, element="HL02")
            return
        parent = self.seen.get(parent_id)
        if parent is None:
            message = f"HL02 {parent_id!r} names no HL before this one"
            yield _error(hl, message, loop=loop, element="HL02")
            return
        parent.has_children = True
        if parent.level != level.parent:
            message = (
                f"a {level.name} level (HL03 {hl.element(3)}) cannot sit under HL {parent_id}, "
                f"whose level is {parent.level!r}"
            )
            yield _error(hl, message, loop=loop, element="HL02")


def _check_child_code(node: _Hl) -> Problems:
    code = node.child_code
    if code == "1" and not node.has_children:
        message = "HL04 is 1 (children follow), but no later HL names this one as its parent"
        yield Problem(node.position, "HL", None, "HL04", "error", "claimbridge", message)
    elif code == "0" and node.has_children:
        message = "HL04 is 0 (no children), but a later HL names this one as its parent"
        yield Problem(node.position, "HL", None, "HL04", "error", "claimbridge", message)


class _Required:
    """Segments a transaction set must hold at least once, keyed like 'NM1*41'."""

    def __init__(self, wanted: Mapping[str, tuple[str | None, str]]) -> None:
        self.wanted = wanted  # key → (loop, what it is)
        self.ids = frozenset(key.partition("*")[0] for key in wanted)
        self.found: set[str] = set()

    def feed(self, segment: Segment) -> None:
        tag = segment[0]
        if tag not in self.ids:
            return
        for key in (tag, f"{tag}*{segment.element(1)}"):
            if key in self.wanted:
                self.found.add(key)
        if len(self.found) == len(self.wanted):
            self.ids = frozenset()  # all found: nothing more to look at

    def finish(self, st: Segment) -> Problems:
        for key, (loop, what) in self.wanted.items():
            if key not in self.found:
                message = f"the transaction set has no {key} segment ({what})"
                yield _error(st, message, loop=loop)


# --- 837 ---------------------------------------------------------------------------------------

_REQUIRED_837P = {
    "BHT": (None, "beginning of hierarchical transaction"),
    "NM1*41": ("1000A", "submitter name"),
    "NM1*40": ("1000B", "receiver name"),
}
_REQUIRED_2000B = {
    "SBR": ("2000B", "subscriber information"),
    "NM1*IL": ("2010BA", "subscriber name"),
    "NM1*PR": ("2010BB", "payer name"),
}

# What a level holds before its claims, by HL03.
_REQUIRED_BY_LEVEL = {"20": {"NM1*85": ("2010AA", "billing provider name")}, "22": _REQUIRED_2000B}


@dataclass(slots=True)
class _Line:
    lx: Segment
    has_sv1: bool = False
    has_service_date: bool = False


@dataclass(slots=True)
class _Claim:
    clm: Segment
    diagnoses: int = 0
    has_hi: bool = False
    line_total: Decimal | None = Decimal(0)
    lines: int = 0


class _Check837:
    """837 claims: the HL tree always; for 837P also required segments, sums and pointers."""

    def __init__(self, st: Segment, component: str, *, professional: bool) -> None:
        self.st, self.component, self.professional = st, component, professional
        self.hierarchy = _Hierarchy(_LEVELS_837)
        self.required = _Required(_REQUIRED_837P)
        self.hl: Segment | None = None
        self.level_found: set[str] = set()
        self.levels_found: set[str] = set()
        self.claimless: dict[str, Segment] = {}
        self.claim: _Claim | None = None
        self.line: _Line | None = None
        self.handlers: _Handlers = (
            {
                "HL": self._hl,
                "CLM": self._on_clm,
                "HI": self._on_hi,
                "LX": self._on_lx,
                "SV1": self._on_sv1,
                "DTP": self._on_dtp,
                "NM1": self._on_nm1,
                "SBR": self._on_level_key,
                "BHT": self._on_bht,
            }
            if professional
            else {"HL": self._hl}
        )

    def feed(self, segment: Segment) -> Iterable[Problem]:
        handler = self.handlers.get(segment[0])
        return handler(segment) if handler is not None else ()

    def _hl(self, hl: Segment) -> Iterable[Problem]:
        found = self.hierarchy.feed(hl)
        if self.professional and not (self.hl is None and self.claim is None and self.line is None):
            found.extend(self._close_level())
        code = hl.element(3)
        self.claimless.pop(hl.element(2), None)
        if code in ("22", "23"):
            self.claimless[hl.element(1)] = hl
        self.levels_found.add(code)
        self.hl, self.level_found = hl, set()
        return found

    def _on_bht(self, bht: Segment) -> Iterable[Problem]:
        self.required.feed(bht)
        return ()

    def _on_nm1(self, nm1: Segment) -> Iterable[Problem]:
        self.required.feed(nm1)
        return self._on_level_key(nm1)

    def _on_level_key(self, segment: Segment) -> Iterable[Problem]:
        """NM1 and SBR of a level, what ``_close_level`` looks for (NM1*85, SBR, NM1*IL …)."""
        if self.claim is None:
            tag = segment[0]
            self.level_found.update((tag, f"{tag}*{segment.element(1)}"))
        return ()

    def finish(self, end: Segment) -> Problems:
        yield from self.hierarchy.finish()
        if not self.professional:
            return
        yield from self._close_level()
        yield from self.required.finish(self.st)
        if "20" not in self.levels_found:
            message = "the transaction set has no billing provider level (HL with HL03 20)"
            yield _error(self.st, message, loop="2000A")
        for hl in self.claimless.values():
            message = "this lowest level (no HL under it) holds no claim: CLM is missing"
            yield _error(hl, message, loop=self.hierarchy.loop_of(hl))

    def _close_level(self) -> list[Problem]:
        found = self._close_claim()
        hl = self.hl
        if hl is None:
            return found
        for key, (loop, what) in _REQUIRED_BY_LEVEL.get(hl.element(3), {}).items():
            if key not in self.level_found:
                message = f"this HL level has no {key} segment ({what}) before its claims"
                found.append(_error(hl, message, loop=loop))
        self.hl = None
        return found

    def _on_clm(self, clm: Segment) -> Iterable[Problem]:
        found = self._close_claim()
        if self.hl is not None:
            self.claimless.pop(self.hl.element(1), None)
        self.claim = _Claim(clm)
        return found

    def _on_hi(self, hi: Segment) -> Iterable[Problem]:
        claim = self.claim
        if claim is None:
            return ()
        claim.has_hi = True
        component = self.component
        for element in hi.fields[1:]:
            if element.partition(component)[0] in DIAGNOSIS_QUALIFIERS:
                claim.diagnoses += 1
        return ()

    def _on_lx(self, lx: Segment) -> Iterable[Problem]:
        line = self.line
        found: Iterable[Problem] = ()
        if line is not None and not (line.has_sv1 and line.has_service_date):
            found = list(self._close_line())
        if self.claim is not None:
            self.claim.lines += 1
        self.line = _Line(lx)
        return found

    def lines_from(self, batch: list[Segment], index: int) -> int:
        """The index after the plain service lines from ``batch[index]``, an LX, counted into
        the claim as ``_on_lx`` and ``_on_sv1`` count each (``lines.plain_lines``: nothing
        in them to report); ``index`` when there are none, or no claim, or the line before
        is not whole (the LX reports it)."""
        claim, line = self.claim, self.line
        if claim is None or (line is not None and not (line.has_sv1 and line.has_service_date)):
            return index
        run = plain_lines(batch, index, self.component, claim.diagnoses, None, None)
        if run.lines:
            claim.lines += run.lines
            if claim.line_total is not None:
                charges = run.charges // 10 ** (3 - run.places)
                claim.line_total += Decimal(charges).scaleb(-run.places)
            self.line = None
        return run.end

    def _on_sv1(self, sv1: Segment) -> Iterable[Problem]:
        if self.line is not None:
            self.line.has_sv1 = True
        claim = self.claim
        if claim is None:
            return ()
        found: list[Problem] = []
        charge = _amount(sv1.element(2))
        if charge is None:
            message = f"SV102 {sv1.element(2)!r} is not an amount"
            found.append(_error(sv1, message, loop="2400", element="SV102"))
            claim.line_total = None
        elif claim.line_total is not None:
            claim.line_total += charge
        numbers = _POINTERS.get(sv1.element(7))  # the usual text, decided without a split
        if numbers is None or numbers > claim.diagnoses:
            found.extend(_check_pointers(sv1, self.component, claim.diagnoses))
        return found

    def _on_dtp(self, dtp: Segment) -> Iterable[Problem]:
        if self.line is not None and dtp.element(1) == "472":
            self.line.has_service_date = True
        return ()

    def _close_line(self) -> Problems:
        line, self.line = self.line, None
        if line is None:
            return
        if not line.has_sv1:
            yield _error(
                line.lx, "this service line has no SV1 (professional service)", loop="2400"
            )
        if not line.has_service_date:
            yield _error(line.lx, "this service line has no DTP*472 service date", loop="2400")

    def _close_claim(self) -> list[Problem]:
        found = list(self._close_line()) if self.line is not None else []
        claim, self.claim = self.claim, None
        if claim is None:
            return found
        if not claim.has_hi:
            found.append(
                _error(claim.clm, "this claim has no HI segment (diagnosis codes)", loop="2300")
            )
        if not claim.lines:
            found.append(_error(claim.clm, "this claim has no service line (LX, SV1)", loop="2300"))
        found.extend(_check_claim_total(claim))
        return found


def _check_claim_total(claim: _Claim) -> list[Problem]:
    clm = claim.clm
    text = clm.element(2)
    total = _amount(text)
    if total is None:
        message = f"CLM02 {text!r} is not an amount"
        return [_error(clm, message, loop="2300", element="CLM02")]
    if claim.line_total is not None and claim.lines and total != claim.line_total:
        message = (
            f"CLM02 total charge {text} differs from the sum of the line charges "
            f"(SV102), {claim.line_total}"
        )
        return [_error(clm, message, loop="2300", element="CLM02")]
    return []


def _check_pointers(sv1: Segment, component: str, diagnoses: int) -> Problems:
    for index, pointer in enumerate(sv1.components(7, component), start=1):
        number = _number(pointer)
        if number is None or not 1 <= number <= diagnoses:
            message = (
                f"diagnosis pointer {pointer!r} points at no diagnosis: "
                f"the claim's HI holds {diagnoses} diagnosis code(s)"
            )
            yield _error(sv1, message, loop="2400", element=f"SV107-{index}")


# SV107 texts of one to four pointers 1–12 written plainly, with the highest: any other is
# checked pointer by pointer (``_check_pointers``). Built for ':' as the component separator.
_POINTERS = {
    ":".join(map(str, pointers)): max(pointers)
    for count in range(1, 5)
    for pointers in itertools.permutations(range(1, 13), count)
}


# --- 835, 999, 277 ---------------------------------------------------------------------------

_REQUIRED_835 = {
    "BPR": (None, "financial information"),
    "TRN": (None, "reassociation trace number"),
    "N1*PR": ("1000A", "payer identification"),
    "N1*PE": ("1000B", "payee identification"),
}
_REQUIRED_999 = {
    "AK1": (None, "functional group response header"),
    "AK9": (None, "functional group response trailer"),
}
_REQUIRED_277 = {"BHT": (None, "beginning of hierarchical transaction")}


class _Check835:
    """835: the header segments, and at least one claim (CLP) in every LX group."""

    def __init__(self, st: Segment) -> None:
        self.st = st
        self.required = _Required(_REQUIRED_835)
        self.handlers: _Handlers = dict.fromkeys(
            self.required.ids | {"CLP", "LX", "PLB"}, self.feed
        )
        self.open_lx: Segment | None = None

    def feed(self, segment: Segment) -> Iterable[Problem]:
        self.required.feed(segment)
        tag = segment.id
        if tag == "CLP":
            self.open_lx = None
        elif tag in ("LX", "PLB"):
            found = list(self._close_lx())
            self.open_lx = segment if tag == "LX" else None
            return found
        return ()

    def finish(self, end: Segment) -> Problems:
        yield from self._close_lx()
        yield from self.required.finish(self.st)

    def _close_lx(self) -> Problems:
        if self.open_lx is not None:
            yield _error(self.open_lx, "this LX (header number) has no claim (CLP)", loop="2000")
            self.open_lx = None


class _Check999:
    """999: AK1 and AK9, and a verdict (IK5) for every transaction set answered (AK2)."""

    def __init__(self, st: Segment) -> None:
        self.st = st
        self.required = _Required(_REQUIRED_999)
        self.handlers: _Handlers = dict.fromkeys(
            self.required.ids | {"IK5", "AK2", "AK9"}, self.feed
        )
        self.open_ak2: Segment | None = None

    def feed(self, segment: Segment) -> Problems:
        self.required.feed(segment)
        if segment.id == "IK5":
            self.open_ak2 = None
        elif segment.id in ("AK2", "AK9"):
            yield from self._close_ak2()
            self.open_ak2 = segment if segment.id == "AK2" else None

    def finish(self, end: Segment) -> Problems:
        yield from self._close_ak2()
        yield from self.required.finish(self.st)

    def _close_ak2(self) -> Problems:
        if self.open_ak2 is not None:
            message = "this AK2 (transaction set response) has no IK5 verdict"
            yield _error(self.open_ak2, message, loop="2000")
            self.open_ak2 = None


class _Check277:
    """277 and 277CA: BHT, the HL tree, and the information source and receiver levels."""

    def __init__(self, st: Segment, levels: Mapping[str, _Level]) -> None:
        self.st = st
        self.hierarchy = _Hierarchy(levels)
        self.required = _Required(_REQUIRED_277)
        self.handlers: _Handlers = dict.fromkeys(self.required.ids | {"HL"}, self.feed)
        self.levels_found: set[str] = set()

    def feed(self, segment: Segment) -> Problems:
        self.required.feed(segment)
        if segment.id == "HL":
            self.levels_found.add(segment.element(3))
            yield from self.hierarchy.feed(segment)

    def finish(self, end: Segment) -> Problems:
        yield from self.hierarchy.finish()
        yield from self.required.finish(self.st)
        for code in ("20", "21"):
            if code not in self.levels_found:
                level = self.hierarchy.levels[code]
                message = f"the transaction set has no HL level {code} ({level.name})"
                yield _error(self.st, message, loop=level.loop)


# ---------------------------------------------------------------------------------------------
# Office Ally's rules for 837P uploads


class _OfficeAllyRules:
    """What Office Ally's 837P companion guide adds to the TR3 (r06/08/2022, pp.10–11)."""

    def __init__(self) -> None:
        self.seen = {"ISA": 0, "GS": 0, "ST": 0}

    def feed(self, segment: Segment) -> Problems:
        if segment.id in self.seen:
            self.seen[segment.id] += 1
        check = _OFFICE_ALLY_CHECKS.get(segment.id)
        return check(self, segment) if check else iter(())

    def _isa(self, isa: Segment) -> Problems:
        if self.seen["ISA"] > 1:
            yield _error(isa, "Office Ally takes one interchange (ISA) per file")
        for number in (5, 7):
            qualifier = isa.element(number).strip()
            if qualifier not in OFFICE_ALLY_QUALIFIERS:
                message = f"ISA{number:02d} {qualifier!r} must be 'ZZ' or '30' for Office Ally"
                yield _error(isa, message, element=f"ISA{number:02d}")
        if isa.element(8) != OFFICE_ALLY_ID.ljust(ISA_ID_WIDTH):
            message = (
                f"ISA08 {isa.element(8)!r} must be Office Ally's id {OFFICE_ALLY_ID!r}, "
                f"padded with spaces to {ISA_ID_WIDTH} characters"
            )
            yield _error(isa, message, element="ISA08")

    def _gs(self, gs: Segment) -> Problems:
        if self.seen["GS"] > 1:
            yield _error(gs, "Office Ally takes one functional group (GS) per file")
        if gs.element(3) not in OFFICE_ALLY_GS03:
            message = f"GS03 {gs.element(3)!r} must be 'OA' or {OFFICE_ALLY_ID!r} for Office Ally"
            yield _error(gs, message, element="GS03")
        if gs.element(8) != OFFICE_ALLY_VERSION:
            message = (
                f"GS08 {gs.element(8)!r} must be {OFFICE_ALLY_VERSION!r}: Office Ally takes 837P"
            )
            yield _error(gs, message, element="GS08")

    def _st(self, st: Segment) -> Problems:
        if self.seen["ST"] == OFFICE_ALLY_MAX_ST + 1:
            message = f"Office Ally takes at most {OFFICE_ALLY_MAX_ST} transaction sets per file"
            yield _error(st, message)

    def _nm1(self, nm1: Segment) -> Problems:
        if nm1.element(1) != "40":
            return
        sent = (nm1.element(3), nm1.element(8), nm1.element(9))
        if sent != (OFFICE_ALLY_NAME, "46", OFFICE_ALLY_ID):
            message = (
                f"the receiver must be NM1*40*2*{OFFICE_ALLY_NAME}*****46*{OFFICE_ALLY_ID} "
                f"for Office Ally, not {'*'.join(nm1.fields)}"
            )
            yield _error(nm1, message, loop="1000B")


_OFFICE_ALLY_CHECKS: Mapping[str, Callable[[_OfficeAllyRules, Segment], Problems]] = {
    "ISA": _OfficeAllyRules._isa,
    "GS": _OfficeAllyRules._gs,
    "ST": _OfficeAllyRules._st,
    "NM1": _OfficeAllyRules._nm1,
}
