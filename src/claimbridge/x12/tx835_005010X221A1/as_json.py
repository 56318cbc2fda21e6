"""A ``Remittance`` as plain JSON: money as strings ("120.50"), dates ISO, None as null.

The shape is documented in ``docs/x12-json.md`` (section "835"). CAS triplets and PLB pairs
are flattened into one entry each, with their group code or provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from claimbridge.x12.segments import Segment
from claimbridge.x12.tx835_005010X221A1.models import (
    N1,
    N3,
    N4,
    Adjustment,
    Loop2000,
    Loop2100,
    Loop2110,
    Lq,
    Procedure,
    ProviderAdjustment,
    Remittance,
)

JsonObject = dict[str, Any]


def to_json(remittance: Remittance) -> JsonObject:
    """``remittance`` as a JSON-ready dict (one per transaction set)."""
    return {
        "control_number": remittance.control_number,
        "production_date": _date(remittance.production_date),
        "payer": _party(remittance.payer.n1, remittance.payer.n3, remittance.payer.n4),
        "payee": _party(remittance.payee.n1, remittance.payee.n3, remittance.payee.n4),
        "payment": _payment(remittance),
        "claims": [
            _claim(claim, group) for group in remittance.header_numbers for claim in group.claims
        ],
        "provider_adjustments": [_provider_adjustment(p) for p in remittance.provider_adjustments],
        "other_segments": [_other(loop, s) for loop, s in _other_segments(remittance)],
    }


def _other_segments(remittance: Remittance) -> Iterator[tuple[str, Segment]]:
    """Segments kept out of place, with the loop that holds them, in file order."""
    found = [("header", s) for s in remittance.other_segments]
    found += [("1000A", s) for s in remittance.payer.other_segments]
    found += [("1000B", s) for s in remittance.payee.other_segments]
    for group in remittance.header_numbers:
        found += [("2000", s) for s in group.other_segments]
        for claim in group.claims:
            found += [("2100", s) for s in claim.other_segments]
            found += [("2110", s) for line in claim.service_lines for s in line.other_segments]
    return iter(sorted(found, key=lambda item: item[1].position))


def _other(loop: str, segment: Segment) -> JsonObject:
    return {
        "loop": loop,
        "position": segment.position,
        "id": segment.id,
        "elements": list(segment.fields[1:]),
    }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _party(n1: N1, n3: N3 | None, n4: N4 | None) -> JsonObject:
    return {
        "name": n1.name,
        "id_qualifier": n1.id_qualifier,
        "id": n1.id,
        "address": [line for line in (n3.address_1, n3.address_2) if line] if n3 else [],
        "city": n4.city if n4 else "",
        "state": n4.state if n4 else "",
        "postal_code": n4.postal_code if n4 else "",
    }


def _payment(remittance: Remittance) -> JsonObject:
    bpr, trn = remittance.bpr, remittance.trn
    return {
        "method": bpr.payment_method_code,
        "amount": str(bpr.amount),
        "trace_number": trn.trace_number,
        "date": _date(bpr.payment_date),
        "date_as_sent": bpr.payment_date_text,
        "handling": bpr.transaction_handling_code,
        "credit_debit": bpr.credit_debit_flag,
        "payer_identifier": trn.originating_company_id,
    }


def _claim(claim: Loop2100, group: Loop2000) -> JsonObject:
    clp = claim.clp
    remarks = (claim.moa.remark_codes if claim.moa else ()) + (
        claim.mia.remark_codes if claim.mia else ()
    )
    return {
        "patient_control_number": clp.patient_control_number,
        "status_code": clp.status_code,
        "charge": str(clp.charge),
        "paid": str(clp.paid),
        "patient_responsibility": _money(clp.patient_responsibility),
        "payer_claim_control_number": clp.payer_claim_control_number,
        "claim_filing_indicator": clp.claim_filing_indicator,
        "facility_type_code": clp.facility_type_code,
        "frequency_code": clp.frequency_code,
        "header_number": group.lx.number if group.lx else None,
        "remark_codes": list(remarks),
        "adjustments": [_adjustment(a) for a in claim.adjustments],
        "service_lines": [_line(line) for line in claim.service_lines],
    }


def _line(line: Loop2110) -> JsonObject:
    svc = line.svc
    original = svc.original_procedure
    return {
        "procedure": svc.procedure.code,
        "procedure_qualifier": svc.procedure.qualifier,
        "modifiers": list(svc.procedure.modifiers),
        "charge": str(svc.charge),
        "paid": str(svc.paid),
        "units": str(svc.units_paid),
        "line_control_number": line.line_control_number,
        "service_date": _date(line.service_date),
        "original_procedure": _procedure(original) if original else None,
        "original_units": None if svc.original_units is None else str(svc.original_units),
        "adjustments": [_adjustment(a) for a in line.adjustments],
        "remarks": [_remark(lq) for lq in line.remarks],
    }


def _procedure(procedure: Procedure) -> JsonObject:
    return {
        "qualifier": procedure.qualifier,
        "code": procedure.code,
        "modifiers": list(procedure.modifiers),
    }


def _remark(lq: Lq) -> JsonObject:
    return {"qualifier": lq.qualifier, "code": lq.code}


def _adjustment(adjustment: Adjustment) -> JsonObject:
    return {
        "group": adjustment.group,
        "reason": adjustment.reason,
        "amount": str(adjustment.amount),
        "quantity": None if adjustment.quantity is None else str(adjustment.quantity),
    }


def _provider_adjustment(adjustment: ProviderAdjustment) -> JsonObject:
    return {
        "provider_id": adjustment.provider_id,
        "fiscal_period_end": adjustment.fiscal_period_end.isoformat(),
        "reason": adjustment.reason,
        "reference": adjustment.reference,
        "amount": str(adjustment.amount),
    }
