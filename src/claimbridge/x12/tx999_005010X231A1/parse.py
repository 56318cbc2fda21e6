"""999 segments → ``FunctionalAck``.

The body (ST and SE left out) is cut into loops by their first segment: AK2 starts loop 2000,
IK3 loop 2100, IK4 loop 2110; CTX segments belong to the IK3 or IK4 before them. AK1, AK9 and
each loop's IK5 must be there once: without them the verdict is lost. A 999 without AK2 loops
(group-level answer only) is fine. An AK2 without ST03, as some senders write, is kept as ''.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.envelope import TransactionSet
from claimbridge.x12.segments import Segment
from claimbridge.x12.tx999_005010X231A1 import codes
from claimbridge.x12.tx999_005010X231A1.models import (
    Context,
    ElementError,
    ElementPosition,
    FunctionalAck,
    GroupResponse,
    GroupResult,
    SegmentError,
    SetResponse,
    SetResult,
)
from claimbridge.x12.values import decimal, require

_KNOWN = frozenset({"AK1", "AK2", "IK3", "CTX", "IK4", "IK5", "AK9"})


def parse(transaction: TransactionSet) -> FunctionalAck:
    """The 999 in ``transaction``, every element kept."""
    body = transaction.segments[1:-1]
    _check_known(body)
    st = transaction.segments[0]
    loops = [s for s in body if s.id not in ("AK1", "AK9")]
    leading, set_chunks = _chunks(loops, "AK2")
    _refuse_strays(leading, "AK2")
    separator = _Separators(transaction.component_separator, transaction.repetition_separator)
    return FunctionalAck(
        control_number=transaction.control_number,
        implementation=transaction.implementation,
        group=_group(_one(body, "AK1", st)),
        transaction_sets=tuple(_set_response(chunk, separator) for chunk in set_chunks),
        result=_group_result(_one(body, "AK9", st)),
    )


def _group(ak1: Segment) -> GroupResponse:
    return GroupResponse(ak1.element(1), ak1.element(2), ak1.element(3))


def _group_result(ak9: Segment) -> GroupResult:
    return GroupResult(
        acknowledgment=codes.coded(codes.GROUP_ACKNOWLEDGMENTS, require(ak9, 1, "AK901")),
        included=_integer(ak9, 2),
        received=_integer(ak9, 3),
        accepted=_integer(ak9, 4),
        errors=codes.coded_list(codes.GROUP_ERRORS, [ak9.element(n) for n in range(5, 10)]),
    )


def _set_response(chunk: list[Segment], separator: _Separators) -> SetResponse:
    ak2 = chunk[0]
    ik5 = _one(chunk, "IK5", ak2)
    leading, segment_chunks = _chunks([s for s in chunk[1:] if s.id != "IK5"], "IK3")
    _refuse_strays(leading, "IK3")
    return SetResponse(
        code=ak2.element(1),
        control_number=ak2.element(2),
        implementation=ak2.element(3),
        segment_errors=tuple(_segment_error(c, separator) for c in segment_chunks),
        result=_set_result(ik5),
    )


def _set_result(ik5: Segment) -> SetResult:
    return SetResult(
        acknowledgment=codes.coded(codes.SET_ACKNOWLEDGMENTS, require(ik5, 1, "IK501")),
        errors=codes.coded_list(codes.SET_ERRORS, [ik5.element(n) for n in range(2, 7)]),
    )


def _segment_error(chunk: list[Segment], separator: _Separators) -> SegmentError:
    ik3 = chunk[0]
    contexts, element_chunks = _chunks(chunk[1:], "IK4")
    return SegmentError(
        segment_id=ik3.element(1),
        position=_integer(ik3, 2),
        loop_id=ik3.element(3),
        error=codes.coded(codes.SEGMENT_ERRORS, ik3.element(4)),
        contexts=_contexts(contexts, separator),
        element_errors=tuple(_element_error(c, separator) for c in element_chunks),
    )


def _element_error(chunk: list[Segment], separator: _Separators) -> ElementError:
    ik4 = chunk[0]
    return ElementError(
        position=_position(ik4, 1, separator.component),
        data_element=ik4.element(2),
        error=codes.coded(codes.ELEMENT_ERRORS, require(ik4, 3, "IK403")),
        bad_value=ik4.element(4),
        contexts=_contexts(chunk[1:], separator),
    )


class _Separators(NamedTuple):
    component: str
    repetition: str  # '' when the interchange names none (before 00501)


def _contexts(segments: list[Segment], separator: _Separators) -> tuple[Context, ...]:
    """One ``Context`` per repetition of each CTX's CTX01 (C998 repeats up to 10 times)."""
    _refuse_strays([s for s in segments if s.id != "CTX"], "IK3 or IK4")
    return tuple(context for ctx in segments for context in _context(ctx, separator))


def _context(ctx: Segment, separator: _Separators) -> Iterator[Context]:
    component = separator.component
    position = _position(ctx, 5, component) if ctx.element(5) else None
    text = ctx.element(1)
    for repeat in text.split(separator.repetition) if separator.repetition else [text]:
        name, _, reference = repeat.partition(component)
        yield Context(
            name=name,
            reference=reference,
            segment_id=ctx.element(2),
            segment_position=_integer(ctx, 3) if ctx.element(3) else None,
            loop_id=ctx.element(4),
            element_position=position,
            element_reference=ctx.components(6, component),
        )


def _position(segment: Segment, number: int, separator: str) -> ElementPosition:
    """Composite C030 (``element[:component[:repeat]]``) in element ``number``."""
    parts = [*require(segment, number, "the element position").split(separator), "", ""]
    try:
        element = int(parts[0])
        component, repeat = (int(p) if p else None for p in parts[1:3])
    except ValueError:
        raise _bad(segment, number, f"{segment.element(number)!r} is not a position") from None
    return ElementPosition(element, component, repeat)


def _integer(segment: Segment, number: int) -> int:
    """Element ``number``, a required whole number (X12 type N0)."""
    require(segment, number, f"{segment.id}{number:02d}")
    value = decimal(segment, number)
    if value != value.to_integral_value():
        raise _bad(segment, number, f"{segment.element(number)!r} is not a whole number")
    return int(value)


def _chunks(segments: Sequence[Segment], start: str) -> tuple[list[Segment], list[list[Segment]]]:
    """Segments before the first ``start``, then one list per ``start`` and what follows it."""
    leading: list[Segment] = []
    chunks: list[list[Segment]] = []
    for segment in segments:
        if segment.id == start:
            chunks.append([segment])
        elif chunks:
            chunks[-1].append(segment)
        else:
            leading.append(segment)
    return leading, chunks


def _one(segments: Sequence[Segment], tag: str, owner: Segment) -> Segment:
    """The single ``tag`` segment among ``segments``; ``owner`` names the place if it is not."""
    found = [s for s in segments if s.id == tag]
    if len(found) == 1:
        return found[0]
    problem = "is missing" if not found else f"appears {len(found)} times"
    where = found[1] if found else owner
    raise X12SyntaxError(
        f"{tag} {problem} in the {owner.id} loop that starts at segment {owner.position}",
        segment_position=where.position,
        segment_id=tag,
    )


def _check_known(body: Sequence[Segment]) -> None:
    for segment in body:
        if segment.id not in _KNOWN:
            raise X12SyntaxError(
                f"{segment.id} is not a segment of a 999 (005010X231A1)",
                segment_position=segment.position,
                segment_id=segment.id,
            )


def _refuse_strays(strays: Sequence[Segment], parent: str) -> None:
    if strays:
        stray = strays[0]
        raise X12SyntaxError(
            f"{stray.id} must follow an {parent} segment",
            segment_position=stray.position,
            segment_id=stray.id,
        )


def _bad(segment: Segment, number: int, message: str) -> X12SyntaxError:
    return X12SyntaxError(
        message,
        segment_position=segment.position,
        segment_id=segment.id,
        element_position=number,
    )
