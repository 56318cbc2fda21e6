"""Segments and envelopes out: the writing side of ``tokenizer`` and ``envelope``.

A writer builds each segment as a tuple ``(id, element, element, …)``; an element is text, or a
tuple of components for a composite (``("HC", "99213", "25")`` → ``HC:99213:25``). Trailing
empty elements and components are dropped, empty ones in the middle keep their separators.
A value that holds one of the delimiters in use is refused, never silently cleaned: the
segment would split somewhere else when read back.

``build_interchange`` wraps transaction set bodies in ST…SE, one GS…GE and ISA…IEA with correct
counts (SE01, GE01, IEA01) and matching control numbers. Everything that names the envelope
(sender, receiver, control numbers, creation time, delimiters) comes in ``InterchangeParams``;
nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from claimbridge.errors import X12ValidationError
from claimbridge.x12.delimiters import Delimiters

Element = str | tuple[str, ...]
Fields = tuple[Element, ...]

_ISA_SECURITY_WIDTH = 10
_ISA_ID_WIDTH = 15
_ISA_CONTROL_WIDTH = 9
_ST_CONTROL_WIDTH = 4
_VERSION = "00501"


@dataclass(frozen=True, slots=True)
class TransactionBody:
    """One transaction set to write: ST01, ST02, ST03 ('' when the guide leaves it out) and the
    segments between ST and SE."""

    code: str
    control_number: str
    implementation: str
    segments: Sequence[Fields]


@dataclass(frozen=True, slots=True, kw_only=True)
class InterchangeParams:
    """What ISA and GS say: who sends, who receives, control numbers, when, and the delimiters.

    ``application_sender`` / ``application_receiver`` are GS02 / GS03 and default to the ISA IDs.
    ``version`` is GS08 (the implementation guide, e.g. ``005010X221A1``).
    """

    sender_id: str
    receiver_id: str
    interchange_control_number: int
    group_control_number: int
    created: datetime
    functional_id: str
    version: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    application_sender: str = ""
    application_receiver: str = ""
    usage: str = "P"
    acknowledgment_requested: str = "0"
    delimiters: Delimiters = field(default_factory=Delimiters)

    @property
    def group_sender(self) -> str:
        """GS02: ``application_sender``, else the ISA sender ID."""
        return self.application_sender or self.sender_id

    @property
    def group_receiver(self) -> str:
        """GS03: ``application_receiver``, else the ISA receiver ID."""
        return self.application_receiver or self.receiver_id


def format_amount(value: Decimal | None) -> str:
    """An amount or number as X12 writes it: no exponent, no trailing zeros (``-2.50`` → ``-2.5``);
    '' for None. It reads back as an equal ``Decimal``."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def format_date(value: date | None) -> str:
    """A date as CCYYMMDD; '' for None."""
    return "" if value is None else value.strftime("%Y%m%d")


def st_control_number(number: int) -> str:
    """ST02 as written: at least four digits (``1`` → ``0001``)."""
    return str(number).zfill(_ST_CONTROL_WIDTH)


def format_segment(fields: Fields, delimiters: Delimiters) -> str:
    """One segment as text, with its terminator; trailing empty elements dropped."""
    elements = [_format_element(fields, n, delimiters) for n in range(len(fields))]
    while len(elements) > 1 and not elements[-1]:
        elements.pop()
    return delimiters.element.join(elements) + delimiters.segment


def _format_element(fields: Fields, number: int, delimiters: Delimiters) -> str:
    value = fields[number]
    parts = value if isinstance(value, tuple) else (value,)
    for part in parts:
        _refuse_delimiters(part, fields, number, delimiters)
    if not isinstance(value, tuple):
        return value
    components = list(value)
    while components and not components[-1]:
        components.pop()
    return delimiters.component.join(components)


def _refuse_delimiters(value: str, fields: Fields, number: int, delimiters: Delimiters) -> None:
    clash = [c for c in delimiters.all() if c in value]
    if clash:
        raise X12ValidationError(
            f"{fields[0]}{number:02d} holds the delimiter {clash[0]!r}; "
            "remove it from the value before writing"
        )


def build_interchange(params: InterchangeParams, transactions: Sequence[TransactionBody]) -> str:
    """ISA, one GS, every transaction set (ST…SE), GE and IEA as one X12 text."""
    delimiters = params.delimiters
    parts = [_isa(params), format_segment(_gs(params), delimiters)]
    parts.extend(format_transaction(body, delimiters) for body in transactions)
    group = str(params.group_control_number)
    parts.append(format_segment(("GE", str(len(transactions)), group), delimiters))
    control = _isa_control_number(params.interchange_control_number)
    parts.append(format_segment(("IEA", "1", control), delimiters))
    return "".join(parts)


def format_transaction(body: TransactionBody, delimiters: Delimiters) -> str:
    """ST, the body and SE, with SE01 counting every segment from ST to SE."""
    st: Fields = ("ST", body.code, body.control_number, body.implementation)
    se: Fields = ("SE", str(len(body.segments) + 2), body.control_number)
    return "".join(format_segment(fields, delimiters) for fields in (st, *body.segments, se))


def _isa(params: InterchangeParams) -> str:
    separators = params.delimiters
    fields: Fields = (
        "ISA",
        "00",
        " " * _ISA_SECURITY_WIDTH,
        "00",
        " " * _ISA_SECURITY_WIDTH,
        params.sender_qualifier,
        params.sender_id.ljust(_ISA_ID_WIDTH),
        params.receiver_qualifier,
        params.receiver_id.ljust(_ISA_ID_WIDTH),
        params.created.strftime("%y%m%d"),
        params.created.strftime("%H%M"),
        separators.repetition or "U",
        _VERSION,
        _isa_control_number(params.interchange_control_number),
        params.acknowledgment_requested,
        params.usage,
    )
    _check_isa_widths(fields)
    text = separators.element.join(str(f) for f in fields)
    for number in (*range(5, 11), *range(12, 16)):  # ISA11 is the repetition separator itself
        _refuse_delimiters(str(fields[number]), fields, number, separators)
    return text + separators.element + separators.component + separators.segment


def _check_isa_widths(fields: Fields) -> None:
    for number in (6, 8):
        if len(fields[number]) != _ISA_ID_WIDTH:
            raise X12ValidationError(f"ISA{number:02d} {fields[number]!r} is longer than 15")


def _isa_control_number(number: int) -> str:
    text = str(number).zfill(_ISA_CONTROL_WIDTH)
    if len(text) != _ISA_CONTROL_WIDTH or number < 0:
        raise X12ValidationError(f"ISA13 {number} does not fit in nine digits")
    return text


def _gs(params: InterchangeParams) -> Fields:
    return (
        "GS",
        params.functional_id,
        params.group_sender,
        params.group_receiver,
        params.created.strftime("%Y%m%d"),
        params.created.strftime("%H%M"),
        str(params.group_control_number),
        "X",
        params.version,
    )
