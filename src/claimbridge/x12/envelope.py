"""ISA/GS/ST envelopes: group a segment stream into transaction sets, streaming.

``iter_envelopes`` walks any number of interchanges, groups and transaction sets and yields,
in file order, a ``TransactionSet`` for each ST…SE and a ``Ta1`` for each TA1 segment. Only
one transaction set is held in memory at a time. It does not enforce counts or control
numbers (real files get them wrong); ``validate`` reports those.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.segments import Segment

_stream_c: ModuleType | None
try:
    from claimbridge.x12 import _stream_c
except ImportError:  # built without a C compiler: _read_body_python does the same
    _stream_c = None


def compiled() -> bool:
    """True when the C loop gathers a transaction set's segments (the extension was built)."""
    return _stream_c is not None


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """The ISA of an interchange, every element kept (ISA02/ISA04 as sent)."""

    authorization_qualifier: str
    authorization: str
    security_qualifier: str
    security: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str
    time: str
    repetition_separator: str
    version: str
    control_number: str
    acknowledgment_requested: str
    usage: str
    component_separator: str
    position: int

    @classmethod
    def from_segment(cls, isa: Segment) -> InterchangeHeader:
        values = [isa.element(n) for n in range(1, 17)]
        # ISA02/ISA04 as sent; ISA11 and ISA16 are separators, which may be control characters
        # that ``strip`` would take for blanks (FS, 0x1C, is one)
        kept = (2, 4, 11, 16)
        trimmed = [v if n in kept else v.strip() for n, v in enumerate(values, start=1)]
        if not trimmed[15]:
            raise X12SyntaxError(
                "ISA16 (component separator) is missing",
                segment_position=isa.position,
                segment_id="ISA",
                element_position=16,
            )
        return cls(*trimmed, isa.position)  # type: ignore[arg-type, call-arg]


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """The GS of a functional group."""

    functional_id: str
    sender: str
    receiver: str
    date: str
    time: str
    control_number: str
    agency: str
    version: str
    position: int

    @classmethod
    def from_segment(cls, gs: Segment) -> GroupHeader:
        return cls(*(gs.element(n) for n in range(1, 9)), gs.position)  # type: ignore[arg-type, call-arg]


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST…SE with the envelope around it; ``segments`` runs from ST to SE inclusive."""

    interchange: InterchangeHeader
    group: GroupHeader
    segments: tuple[Segment, ...]

    @property
    def code(self) -> str:
        """ST01, e.g. '835'."""
        return self.segments[0].element(1)

    @property
    def control_number(self) -> str:
        """ST02."""
        return self.segments[0].element(2)

    @property
    def implementation(self) -> str:
        """ST03, else GS08: the guide the set follows, e.g. '005010X221A1'."""
        return self.segments[0].element(3) or self.group.version

    @property
    def component_separator(self) -> str:
        return self.interchange.component_separator

    @property
    def repetition_separator(self) -> str:
        sep = self.interchange.repetition_separator
        return sep if len(sep) == 1 and not sep.isalnum() else ""


@dataclass(frozen=True, slots=True)
class Ta1:
    """A TA1 interchange acknowledgment, with the interchange that carried it."""

    interchange: InterchangeHeader
    segment: Segment


Envelope = TransactionSet | Ta1


_CONTROL_IDS = frozenset({"ISA", "GS", "ST", "GE", "IEA"})


def iter_envelopes(segments: Iterable[Segment]) -> Iterator[Envelope]:
    """Transaction sets and TA1s of a segment stream, in file order."""
    walker = _Walker()
    stream = iter(segments)
    for segment in stream:
        yield from walker.feed(segment)
        if walker.body is not None:
            yield from _read_body(walker, stream)
    walker.finish()


def _read_body(walker: _Walker, stream: Iterator[Segment]) -> Iterator[Envelope]:
    """The hot path: append a transaction set's segments up to SE without a call per segment."""
    assert walker.body is not None
    read = _read_body_python if _stream_c is None else _stream_c.read_body
    stop = read(stream, walker.body)
    if stop is None:
        return  # the stream ended inside the set: ``finish`` says so
    if stop.id == "SE":
        yield walker._close_transaction()
    else:
        yield from walker.feed(stop)  # a control segment inside ST…SE: raises


def _read_body_python(stream: Iterator[Segment], body: list[Segment]) -> Segment | None:
    """Append segments to ``body`` up to SE and return that SE; return an ISA, GS, ST, GE or
    IEA met first without appending it, and None when ``stream`` ends first. The loop of
    ``_stream_c.read_body``, in Python."""
    append = body.append
    for segment in stream:
        tag = segment[0]
        if tag in _CONTROL_IDS:
            return segment
        append(segment)
        if tag == "SE":
            return segment
    return None


class EnvelopeFeed:
    """``iter_envelopes`` fed as the caller reads, for a pass that does more with each
    segment: ``feed`` takes a segment outside a set's body, or one that opens or closes it,
    and returns the envelopes it completes (raising where ``iter_envelopes`` raises);
    ``read_body`` takes a held set's body from a stream at C speed; ``finish`` ends the file.
    A caller that reads a set's body as it comes instead calls ``passed`` with the last
    segment of it read (an unclosed set is named by it), and its ``TransactionSet`` holds ST,
    that segment and SE."""

    def __init__(self) -> None:
        self._walker = _Walker()

    @property
    def in_set(self) -> bool:
        """True between an ST and its SE."""
        return self._walker.body is not None

    def feed(self, segment: Segment) -> tuple[Envelope, ...]:
        walker = self._walker
        body = walker.body
        if body is not None and segment[0] == "SE":
            body.append(segment)
            return (walker._close_transaction(),)
        if body is not None and segment[0] not in _CONTROL_IDS:
            body.append(segment)
            return ()
        return tuple(walker.feed(segment))

    def read_body(self, stream: Iterator[Segment]) -> Segment | None:
        """Append the set's segments from ``stream`` up to SE, and return the segment that
        stopped it (SE or a control segment, not yet fed), or None when ``stream`` ended."""
        body = self._walker.body
        assert body is not None
        read = _read_body_python if _stream_c is None else _stream_c.read_body
        stop = read(stream, body)
        if stop is not None and stop[0] == "SE":
            body.pop()  # ``feed`` appends it
        return stop

    def passed(self, segment: Segment) -> None:
        body = self._walker.body
        assert body is not None
        if len(body) == 1:
            body.append(segment)
        else:
            body[-1] = segment

    def finish(self) -> None:
        self._walker.finish()


class _Walker:
    """State machine over ISA, GS, ST … SE, GE, IEA."""

    def __init__(self) -> None:
        self.interchange: InterchangeHeader | None = None
        self.group: GroupHeader | None = None
        self.body: list[Segment] | None = None
        self.interchanges_seen = 0

    def feed(self, segment: Segment) -> Iterator[Envelope]:
        """Handle one segment outside the body of a transaction set (or a control segment)."""
        handler = getattr(self, "_on_" + segment.id, None)
        if handler is None:
            raise self._outside(segment)
        yield from handler(segment)

    def finish(self) -> None:
        if self.body is not None:
            st = self.body[0]
            raise X12SyntaxError(
                f"the file ends inside transaction set {st.element(2)!r}: SE is missing",
                segment_position=self.body[-1].position,
                segment_id="SE",
            )
        if not self.interchanges_seen:
            raise X12SyntaxError("the file holds no interchange (ISA)", segment_position=1)

    def _on_ISA(self, segment: Segment) -> Iterator[Envelope]:
        self._require_closed(segment)
        self.interchange = InterchangeHeader.from_segment(segment)
        self.interchanges_seen += 1
        self.group = None
        return iter(())

    def _on_TA1(self, segment: Segment) -> Iterator[Envelope]:
        interchange = self._require_interchange(segment)
        yield Ta1(interchange, segment)

    def _on_GS(self, segment: Segment) -> Iterator[Envelope]:
        self._require_interchange(segment)
        if self.body is not None:
            raise self._unclosed(segment)
        self.group = GroupHeader.from_segment(segment)
        return iter(())

    def _on_ST(self, segment: Segment) -> Iterator[Envelope]:
        self._require_interchange(segment)
        if self.group is None:
            raise X12SyntaxError(
                "ST outside a functional group: GS is missing",
                segment_position=segment.position,
                segment_id="ST",
            )
        if self.body is not None:
            raise self._unclosed(segment)
        self.body = [segment]
        return iter(())

    def _on_GE(self, segment: Segment) -> Iterator[Envelope]:
        if self.body is not None:
            raise self._unclosed(segment)
        if self.group is None:
            raise self._outside(segment)
        self.group = None
        return iter(())

    def _on_IEA(self, segment: Segment) -> Iterator[Envelope]:
        if self.body is not None:
            raise self._unclosed(segment)
        self._require_interchange(segment)
        self.interchange = None
        self.group = None
        return iter(())

    def _close_transaction(self) -> TransactionSet:
        assert self.interchange is not None and self.group is not None and self.body is not None
        transaction = TransactionSet(self.interchange, self.group, tuple(self.body))
        self.body = None
        return transaction

    def _require_interchange(self, segment: Segment) -> InterchangeHeader:
        if self.interchange is None:
            raise X12SyntaxError(
                f"{segment.id} outside an interchange: ISA is missing",
                segment_position=segment.position,
                segment_id=segment.id,
            )
        return self.interchange

    def _require_closed(self, segment: Segment) -> None:
        if self.body is not None:
            raise self._unclosed(segment)

    def _unclosed(self, segment: Segment) -> X12SyntaxError:
        assert self.body is not None
        return X12SyntaxError(
            f"{segment.id} inside transaction set {self.body[0].element(2)!r}: its SE is missing",
            segment_position=segment.position,
            segment_id=segment.id,
        )

    def _outside(self, segment: Segment) -> X12SyntaxError:
        return X12SyntaxError(
            f"{segment.id} is not allowed outside a transaction set (ST…SE)",
            segment_position=segment.position,
            segment_id=segment.id,
        )
