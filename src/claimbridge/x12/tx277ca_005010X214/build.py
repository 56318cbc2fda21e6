"""``ClaimAck`` → 277CA text: the exact inverse of ``parse``.

``build_277ca(ack, params)`` writes one interchange holding one 277CA (GS01 ``HN``, GS08 and ST03
the ack's implementation, ``005010X214`` unless it says otherwise), ST02 taken from
``ack.control_number``. ``body_277ca`` gives the segments between ST and SE.

Levels are written in the order they are held, each as HL, NM1, PER, then its status loops
(TRN, STC, REF, QTY, AMT, DTP, then the service lines: SVC, STC, REF, DTP), which is the order
of the guide. ``ClaimAck.claims`` is a view of the levels and is not written separately. A date
the reader could not read is written as the text it kept (``DatePeriod.text``); a BHT04 or STC
date that was not a date is written empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from claimbridge.x12.envelope_build import (
    Fields,
    InterchangeParams,
    TransactionBody,
    build_interchange,
    format_amount,
    format_date,
)
from claimbridge.x12.tx277ca_005010X214.models import (
    ClaimAck,
    Contact,
    DatePeriod,
    Level,
    Name,
    ServiceLine,
    Status,
    StatusCode,
    Tracking,
)

IMPLEMENTATION = "005010X214"
FUNCTIONAL_ID = "HN"


def build_277ca(ack: ClaimAck, params: InterchangeParams) -> str:
    """One interchange holding ``ack`` as its only 277CA."""
    implementation = ack.implementation or IMPLEMENTATION
    params = replace(params, functional_id=FUNCTIONAL_ID, version=implementation)
    body = TransactionBody("277", ack.control_number, implementation, body_277ca(ack))
    return build_interchange(params, [body])


def body_277ca(ack: ClaimAck) -> list[Fields]:
    """BHT and every level: the segments between ST and SE."""
    header = ack.header
    created = format_date(header.created_date)
    segments: list[Fields] = [
        ("BHT", header.structure, header.purpose, header.reference, created,
         header.created_time, header.transaction_type),
    ]  # fmt: skip
    for level in ack.levels:
        segments.extend(_level(level))
    return segments


def _level(level: Level) -> Iterator[Fields]:
    yield ("HL", level.id, level.parent_id, level.code.code, level.child_code)
    yield from (_name(name) for name in level.names)
    yield from (_contact(contact) for contact in level.contacts)
    for tracking in level.tracking:
        yield from _tracking(tracking)


def _name(name: Name) -> Fields:
    return ("NM1", name.entity.code, name.entity_type, name.last_or_organization, name.first,
            name.middle, name.prefix, name.suffix, name.id_qualifier, name.id)  # fmt: skip


def _contact(contact: Contact) -> Fields:
    numbers = (value for pair in contact.numbers for value in pair)
    return ("PER", contact.function, contact.name, *numbers)


def _tracking(tracking: Tracking) -> Iterator[Fields]:
    trace = tracking.trace
    if trace is not None:
        yield ("TRN", trace.trace_type, trace.number, trace.originator, trace.reference)
    yield from (_status(status) for status in tracking.statuses)
    yield from (("REF", r.qualifier.code, r.value, r.description) for r in tracking.references)
    yield from (("QTY", q.qualifier.code, format_amount(q.quantity)) for q in tracking.quantities)
    yield from (("AMT", a.qualifier.code, format_amount(a.amount)) for a in tracking.amounts)
    yield from (_date_period(d) for d in tracking.dates)
    for line in tracking.service_lines:
        yield from _service_line(line)


def _service_line(line: ServiceLine) -> Iterator[Fields]:
    amounts = (format_amount(line.charge), format_amount(line.paid))
    yield ("SVC", line.procedure, *amounts, line.revenue_code, format_amount(line.paid_units),
           line.original_procedure, format_amount(line.units))  # fmt: skip
    yield from (_status(status) for status in line.statuses)
    yield from (("REF", r.qualifier.code, r.value, r.description) for r in line.references)
    yield from (_date_period(d) for d in line.dates)


def _status(status: Status) -> Fields:
    action = status.action.code if status.action else ""
    return (
        "STC", _status_code(status.primary), format_date(status.effective_date), action,
        format_amount(status.charge), format_amount(status.paid), format_date(status.payment_date),
        status.payment_method, format_date(status.check_date), status.check_number,
        _status_code(status.secondary), _status_code(status.tertiary), status.message,
    )  # fmt: skip


def _status_code(code: StatusCode | None) -> tuple[str, ...]:
    """Composite C043: category, status, entity, code list qualifier."""
    if code is None:
        return ()
    entity = code.entity.code if code.entity else ""
    return (code.category.code, code.status.code, entity, code.code_list_qualifier)


def _date_period(period: DatePeriod) -> Fields:
    text = period.text or _period_text(period)
    return ("DTP", period.qualifier.code, period.format, text)


def _period_text(period: DatePeriod) -> str:
    if period.format == "RD8":
        return f"{format_date(period.start)}-{format_date(period.end)}"
    return format_date(period.start)
