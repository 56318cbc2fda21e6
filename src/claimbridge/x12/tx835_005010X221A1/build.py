"""``Remittance`` values → 835 text: the exact inverse of ``parse``.

``build_835(remittances, params)`` writes one interchange with one functional group (GS01
``HP``, GS08 ``005010X221A1``) holding one transaction set per remittance, ST02 taken from
``Remittance.control_number``. ``body_835`` gives the segments between ST and SE.

Segments are written in the order of the implementation guide. The flattened CAS and PLB
values are regrouped: consecutive adjustments that share their segment (same group code, or
same provider and fiscal period, and the same ``position``) go back into one segment, six
reason/amount groups at most per segment. So values built by hand with ``position=0`` come out
as few segments as the guide allows. ``other_segments`` (what the reader found out of place)
are not written. BPR16 is written as ``payment_date_text`` when that is set, else from
``payment_date``. Amounts are written without trailing zeros (``80.00`` → ``80``), which reads
back as the same ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import groupby
from typing import TypeVar

from claimbridge.x12.envelope_build import (
    Element,
    Fields,
    InterchangeParams,
    TransactionBody,
    build_interchange,
    format_amount,
    format_date,
)
from claimbridge.x12.tx835_005010X221A1.models import (
    Adjustment,
    Amt,
    Bpr,
    Clp,
    Cur,
    Dtm,
    Loop1000A,
    Loop1000B,
    Loop2000,
    Loop2100,
    Loop2110,
    Mia,
    Moa,
    Nm1,
    Per,
    Procedure,
    ProviderAdjustment,
    Qty,
    Ref,
    Remittance,
    Svc,
    Ts3,
)

IMPLEMENTATION = "005010X221A1"
FUNCTIONAL_ID = "HP"
_PER_SEGMENT = 6  # reason groups per CAS or PLB segment
_MODIFIERS = 4
# 2110 REF qualifiers the guide places before REF*6R (service identification); others follow.
_SERVICE_IDENTIFICATION = frozenset({"1S", "APC", "BB", "E9", "G1", "G3", "GK", "LU", "RB"})

_T = TypeVar("_T")


def build_835(remittances: Sequence[Remittance], params: InterchangeParams) -> str:
    """One interchange holding each remittance as an 835 transaction set, in order."""
    params = replace(params, functional_id=FUNCTIONAL_ID, version=IMPLEMENTATION)
    bodies = [TransactionBody("835", r.control_number, "", body_835(r)) for r in remittances]
    return build_interchange(params, bodies)


def body_835(remittance: Remittance) -> list[Fields]:
    """BPR … PLB: the segments between ST and SE."""
    segments: list[Fields] = [_bpr(remittance.bpr), _trn(remittance)]
    if remittance.cur is not None:
        segments.append(_cur(remittance.cur))
    segments.extend(_ref(r) for r in remittance.references)
    segments.extend(_dtm(d) for d in remittance.dates)
    segments.extend(_payer(remittance.payer))
    segments.extend(_payee(remittance.payee))
    for group in remittance.header_numbers:
        segments.extend(_header_number(group))
    segments.extend(_plbs(remittance.provider_adjustments))
    return segments


# ---------------------------------------------------------------------------------- values


def _procedure(procedure: Procedure) -> tuple[str, ...]:
    modifiers = (*procedure.modifiers, *("",) * _MODIFIERS)[:_MODIFIERS]
    return (procedure.qualifier, procedure.code, *modifiers, procedure.description,
            procedure.product_id)  # fmt: skip


# ---------------------------------------------------------------------------------- header


def _bpr(bpr: Bpr) -> Fields:
    payment_date = bpr.payment_date_text or format_date(bpr.payment_date)
    return (
        "BPR", bpr.transaction_handling_code, format_amount(bpr.amount), bpr.credit_debit_flag,
        bpr.payment_method_code, bpr.payment_format_code, bpr.sender_dfi_qualifier,
        bpr.sender_dfi_number, bpr.sender_account_qualifier, bpr.sender_account_number,
        bpr.originating_company_id, bpr.originating_company_supplemental_code,
        bpr.receiver_dfi_qualifier, bpr.receiver_dfi_number, bpr.receiver_account_qualifier,
        bpr.receiver_account_number, payment_date, bpr.business_function_code,
        bpr.return_dfi_qualifier, bpr.return_dfi_number, bpr.return_account_qualifier,
        bpr.return_account_number,
    )  # fmt: skip


def _trn(remittance: Remittance) -> Fields:
    trn = remittance.trn
    return ("TRN", trn.trace_type_code, trn.trace_number, trn.originating_company_id,
            trn.originating_company_supplemental_code)  # fmt: skip


def _cur(cur: Cur) -> Fields:
    return ("CUR", cur.entity_code, cur.currency_code, format_amount(cur.exchange_rate),
            cur.other_entity_code, cur.other_currency_code, cur.market_exchange_code,
            *cur.date_time_elements)  # fmt: skip


def _ref(ref: Ref) -> Fields:
    return ("REF", ref.qualifier, ref.value, ref.description, ref.reference_ids)


def _dtm(dtm: Dtm) -> Fields:
    return ("DTM", dtm.qualifier, format_date(dtm.date), dtm.time, dtm.time_code, dtm.period_format,
            dtm.period)  # fmt: skip


def _per(per: Per) -> Fields:
    return ("PER", per.function_code, per.name, per.number_qualifier_1, per.number_1,
            per.number_qualifier_2, per.number_2, per.number_qualifier_3, per.number_3,
            per.inquiry_reference)  # fmt: skip


def _party_head(loop: Loop1000A | Loop1000B) -> Iterator[Fields]:
    n1 = loop.n1
    yield ("N1", n1.entity_code, n1.name, n1.id_qualifier, n1.id, n1.relationship_code,
           n1.related_entity_code)  # fmt: skip
    if loop.n3 is not None:
        yield ("N3", loop.n3.address_1, loop.n3.address_2)
    if loop.n4 is not None:
        n4 = loop.n4
        yield ("N4", n4.city, n4.state, n4.postal_code, n4.country_code, n4.location_qualifier,
               n4.location_id, n4.country_subdivision)  # fmt: skip
    yield from (_ref(r) for r in loop.references)


def _payer(payer: Loop1000A) -> Iterator[Fields]:
    yield from _party_head(payer)
    yield from (_per(p) for p in payer.contacts)


def _payee(payee: Loop1000B) -> Iterator[Fields]:
    yield from _party_head(payee)
    rdm = payee.rdm
    if rdm is not None:
        yield ("RDM", rdm.transmission_code, rdm.name, rdm.communication_number,
               rdm.reference_1, rdm.reference_2)  # fmt: skip


# ---------------------------------------------------------------------------------- detail


def _header_number(group: Loop2000) -> Iterator[Fields]:
    if group.lx is not None:
        yield ("LX", group.lx.number)
    if group.ts3 is not None:
        yield _ts3(group.ts3)
    if group.ts2 is not None:
        yield ("TS2", *(format_amount(a) for a in group.ts2.amounts))
    for claim in group.claims:
        yield from _claim(claim)


def _ts3(ts3: Ts3) -> Fields:
    return ("TS3", ts3.provider_id, ts3.facility_type_code, format_date(ts3.fiscal_period_end),
            format_amount(ts3.total_claim_count), format_amount(ts3.total_claim_charge),
            *(format_amount(a) for a in ts3.amounts))  # fmt: skip


def _claim(claim: Loop2100) -> Iterator[Fields]:
    yield _clp(claim.clp)
    yield from _cas(claim.adjustments)
    yield from (_nm1(n) for n in claim.names)
    if claim.mia is not None:
        yield _mia(claim.mia)
    if claim.moa is not None:
        yield _moa(claim.moa)
    yield from (_ref(r) for r in claim.references)
    yield from (_dtm(d) for d in claim.dates)
    yield from (_per(p) for p in claim.contacts)
    yield from (_amt(a) for a in claim.amounts)
    yield from (_qty(q) for q in claim.quantities)
    for line in claim.service_lines:
        yield from _service_line(line)


def _clp(clp: Clp) -> Fields:
    amounts = (format_amount(clp.charge), format_amount(clp.paid))
    return ("CLP", clp.patient_control_number, clp.status_code, *amounts,
            format_amount(clp.patient_responsibility), clp.claim_filing_indicator,
            clp.payer_claim_control_number, clp.facility_type_code, clp.frequency_code,
            clp.patient_status_code, clp.drg_code, format_amount(clp.drg_weight),
            format_amount(clp.discharge_fraction), clp.yes_no_condition)  # fmt: skip


def _nm1(nm1: Nm1) -> Fields:
    return ("NM1", nm1.entity_code, nm1.entity_type, nm1.last_name, nm1.first_name,
            nm1.middle_name, nm1.prefix, nm1.suffix, nm1.id_qualifier, nm1.id,
            nm1.relationship_code, nm1.related_entity_code, nm1.related_last_name)  # fmt: skip


def _mia(mia: Mia) -> Fields:
    values: list[Element] = ["MIA"]
    for value in mia[:-1]:  # every element, position left out
        values.append(value if isinstance(value, str) else format_amount(value))
    return tuple(values)


def _moa(moa: Moa) -> Fields:
    return ("MOA", format_amount(moa.reimbursement_rate), format_amount(moa.hcpcs_payable_amount),
            moa.remark_code_1, moa.remark_code_2, moa.remark_code_3, moa.remark_code_4,
            moa.remark_code_5, format_amount(moa.esrd_payment_amount),
            format_amount(moa.nonpayable_professional_component_amount))  # fmt: skip


def _amt(amt: Amt) -> Fields:
    return ("AMT", amt.qualifier, format_amount(amt.amount), amt.credit_debit_flag)


def _qty(qty: Qty) -> Fields:
    return ("QTY", qty.qualifier, format_amount(qty.quantity), qty.unit, qty.free_form)


def _service_line(line: Loop2110) -> Iterator[Fields]:
    yield _svc(line.svc)
    yield from (_dtm(d) for d in line.dates)
    yield from _cas(line.adjustments)
    yield from (_ref(r) for r in line.references if r.qualifier in _SERVICE_IDENTIFICATION)
    if line.line_item_control is not None:
        yield _ref(line.line_item_control)
    yield from (_ref(r) for r in line.references if r.qualifier not in _SERVICE_IDENTIFICATION)
    yield from (_amt(a) for a in line.amounts)
    yield from (_qty(q) for q in line.quantities)
    yield from (("LQ", lq.qualifier, lq.code) for lq in line.remarks)


def _svc(svc: Svc) -> Fields:
    original = _procedure(svc.original_procedure) if svc.original_procedure else ""
    return ("SVC", _procedure(svc.procedure), format_amount(svc.charge), format_amount(svc.paid),
            svc.revenue_code, format_amount(svc.units), original,
            format_amount(svc.original_units))  # fmt: skip


# ---------------------------------------------------------------------------------- CAS, PLB


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _PER_SEGMENT):
        yield items[start : start + _PER_SEGMENT]


def _cas(adjustments: Sequence[Adjustment]) -> Iterator[Fields]:
    """CAS segments: consecutive adjustments of one group and segment, six per segment."""
    for (group, _), members in groupby(adjustments, key=lambda a: (a.group, a.position)):
        for chunk in _chunks(list(members)):
            triplets = (
                (a.reason, format_amount(a.amount), format_amount(a.quantity)) for a in chunk
            )
            yield ("CAS", group, *(value for triplet in triplets for value in triplet))


def _plbs(adjustments: Sequence[ProviderAdjustment]) -> Iterator[Fields]:
    """PLB segments: consecutive adjustments of one provider, period and segment, six each."""

    def key(adjustment: ProviderAdjustment) -> tuple[str, dt.date, int]:
        return adjustment.provider_id, adjustment.fiscal_period_end, adjustment.position

    for (provider, period_end, _), members in groupby(adjustments, key=key):
        for chunk in _chunks(list(members)):
            pairs = (((p.reason, p.reference), format_amount(p.amount)) for p in chunk)
            yield ("PLB", provider, format_date(period_end), *(v for pair in pairs for v in pair))
