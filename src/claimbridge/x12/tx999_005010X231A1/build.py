"""``FunctionalAck`` → 999 text: the exact inverse of ``parse``.

``build_999(ack, params)`` writes one interchange holding one 999 whose ST02 is
``ack.control_number``; GS01 is ``FA`` and GS08 the guide, whatever ``params`` says.
``body_999`` gives the segments between ST and SE, for a caller that assembles its own file.
Codes are written as ``Coded.code``; their meanings are not part of the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from claimbridge.x12.envelope_build import (
    Fields,
    InterchangeParams,
    TransactionBody,
    build_interchange,
)
from claimbridge.x12.tx999_005010X231A1.models import (
    Coded,
    Context,
    ElementError,
    ElementPosition,
    FunctionalAck,
    SegmentError,
    SetResponse,
)

IMPLEMENTATION = "005010X231A1"
FUNCTIONAL_ID = "FA"


def build_999(ack: FunctionalAck, params: InterchangeParams) -> str:
    """One interchange holding ``ack`` as its only 999."""
    implementation = ack.implementation or IMPLEMENTATION
    params = replace(params, functional_id=FUNCTIONAL_ID, version=implementation)
    body = TransactionBody("999", ack.control_number, implementation, body_999(ack))
    return build_interchange(params, [body])


def body_999(ack: FunctionalAck) -> list[Fields]:
    """AK1, each AK2 loop and AK9: the segments between ST and SE."""
    group = ack.group
    segments: list[Fields] = [("AK1", group.functional_id, group.control_number, group.version)]
    for response in ack.transaction_sets:
        segments.extend(_set_response(response))
    result = ack.result
    counts = (str(result.included), str(result.received), str(result.accepted))
    segments.append(("AK9", result.acknowledgment.code, *counts, *_codes(result.errors)))
    return segments


def _set_response(response: SetResponse) -> Iterator[Fields]:
    yield ("AK2", response.code, response.control_number, response.implementation)
    for error in response.segment_errors:
        yield from _segment_error(error)
    result = response.result
    yield ("IK5", result.acknowledgment.code, *_codes(result.errors))


def _segment_error(error: SegmentError) -> Iterator[Fields]:
    yield ("IK3", error.segment_id, str(error.position), error.loop_id, error.error.code)
    yield from (_context(context) for context in error.contexts)
    for element in error.element_errors:
        yield from _element_error(element)


def _element_error(error: ElementError) -> Iterator[Fields]:
    position = _position(error.position)
    yield ("IK4", position, error.data_element, error.error.code, error.bad_value)
    yield from (_context(context) for context in error.contexts)


def _context(context: Context) -> Fields:
    segment_position = "" if context.segment_position is None else str(context.segment_position)
    element_position = _position(context.element_position) if context.element_position else ""
    return (
        "CTX",
        (context.name, context.reference),
        context.segment_id,
        segment_position,
        context.loop_id,
        element_position,
        context.element_reference,
    )


def _position(position: ElementPosition) -> tuple[str, ...]:
    """Composite C030: ``element[:component[:repeat]]``."""
    component = "" if position.component is None else str(position.component)
    repeat = "" if position.repeat is None else str(position.repeat)
    return (str(position.element), component, repeat)


def _codes(coded: tuple[Coded, ...]) -> tuple[str, ...]:
    return tuple(c.code for c in coded)
