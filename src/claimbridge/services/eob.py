"""An ERA as a paper explanation of benefits reads: ``claimbridge eob REMITTANCE [--html FILE]``.

The EOB is read back from the 835 bytes the ledger kept (``inbound_files.content``), so it
shows exactly what the payer sent (a paper EOB from what the biller entered, and says so):
payer and payee, check or EFT number, date and amount; per claim the patient, service dates,
billed, allowed, deductible, coinsurance, copay, paid, every adjustment with its CARC in words,
and the remarks (RARC); then the PLB provider adjustments.
``allowed`` is billed less the CO, OA and PI adjustments (AMT*B6 when the payer sends it).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain import posting
from claimbridge.domain.remit_codes import (
    carc_text,
    claim_status_text,
    group_text,
    plb_text,
    rarc_text,
)
from claimbridge.errors import RecordNotFound, StoreError
from claimbridge.services.era_match import payer_identifier
from claimbridge.services.paper import paper_remittance
from claimbridge.store import tables as t
from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx835_005010X221A1 import Adjustment, Loop2100, Loop2110, Remittance

ZERO = Decimal("0.00")
_CONTRACTUAL = frozenset({"CO", "OA", "PI", "CR"})


@dataclass(frozen=True, slots=True)
class EobLine:
    """One service line (or the claim as a whole, ``code`` empty)."""

    service_date: date | None
    code: str
    billed: Decimal
    allowed: Decimal
    deductible: Decimal
    coinsurance: Decimal
    copay: Decimal
    paid: Decimal
    adjustments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EobClaim:
    """One claim of the EOB."""

    patient_control_number: str
    patient: str
    status: str
    payer_claim_number: str
    lines: tuple[EobLine, ...]
    billed: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    remarks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Eob:
    """A remittance as a paper EOB: header, claims, provider adjustments."""

    payer: str
    payer_id: str
    payee: str
    payee_id: str
    method: str
    check_number: str
    payment_date: date | None
    amount: Decimal
    claims: tuple[EobClaim, ...]
    provider_adjustments: tuple[str, ...]
    paper: bool = False  # entered by a person from the payer's paper EOB, not an 835
    remittance_id: int | None = None  # the ledger's remittance, once it is one

    @property
    def claims_paid(self) -> Decimal:
        """What its claims were paid; less the provider adjustments, that is the deposit."""
        return sum((claim.paid for claim in self.claims), Decimal("0.00"))

    @property
    def source(self) -> str:
        """Where the remittance came from, in words."""
        return "paper EOB, entered by hand" if self.paper else "ERA (835)"


def find_eob(session: Session, reference: str) -> Eob:
    """The EOB of remittance ``reference`` (its id, or its check/EFT trace number)."""
    return _eob_of_row(session, remittance_by_reference(session, reference))


def remittance_eob(session: Session, remittance_id: int) -> Eob:
    """The EOB of the whole remittance ``remittance_id``: every claim of the check and its
    provider adjustments; ``RecordNotFound`` when there is none."""
    row = session.get(t.RemittanceRow, remittance_id)
    if row is None:
        raise RecordNotFound(f"no remittance {remittance_id}")
    return _eob_of_row(session, row)


def _eob_of_row(session: Session, row: t.RemittanceRow) -> Eob:
    return replace(_eob_of_kept(session, row), remittance_id=row.id)


def _eob_of_kept(session: Session, row: t.RemittanceRow) -> Eob:
    if row.inbound_file_id is None:
        return replace(build_eob(paper_remittance(session, row.id)), paper=True)
    content = session.scalars(
        select(t.InboundFileRow.content).where(t.InboundFileRow.id == row.inbound_file_id)
    ).first()
    if content is None:
        raise StoreError(f"the 835 of remittance {row.id} is not kept in the ledger")
    for parsed in parse_text(content.decode("utf-8", errors="replace")):
        value = parsed.value
        if parsed.kind == "835" and _is_row(value, row):
            return build_eob(value)
    raise StoreError(f"remittance {row.id} is not in the 835 it was posted from")


def claim_eobs(session: Session, clm01: str) -> list[Eob]:
    """Each remittance that paid claim ``clm01``, its EOB narrowed to that claim, oldest first."""
    query = (
        select(t.RemittanceRow)
        .join(t.PaymentRow, t.PaymentRow.remittance_id == t.RemittanceRow.id)
        .join(t.ClaimRow, t.ClaimRow.id == t.PaymentRow.claim_id)
        .where(t.ClaimRow.clm01 == clm01)
        .distinct()
        .order_by(t.RemittanceRow.id)
    )
    eobs = (_eob_of_row(session, row) for row in session.scalars(query))
    return [_narrowed(eob, clm01) for eob in eobs]


def _narrowed(eob: Eob, clm01: str) -> Eob:
    claims = tuple(claim for claim in eob.claims if claim.patient_control_number == clm01)
    return replace(eob, claims=claims, provider_adjustments=())


def _is_row(remittance: Remittance, row: t.RemittanceRow) -> bool:
    return remittance.trn.trace_number == row.trace_number and remittance.bpr.amount == row.amount


def remittance_by_reference(session: Session, reference: str) -> t.RemittanceRow:
    """The remittance ``reference`` names: its id, or its check/EFT trace number."""
    query = select(t.RemittanceRow).where(t.RemittanceRow.trace_number == reference)
    if reference.isdigit():
        query = select(t.RemittanceRow).where(
            (t.RemittanceRow.id == int(reference)) | (t.RemittanceRow.trace_number == reference)
        )
    row = session.scalars(query.order_by(t.RemittanceRow.id)).first()
    if row is None:
        raise RecordNotFound(f"no remittance {reference!r} (give its id or check/EFT number)")
    return row


def build_eob(remittance: Remittance) -> Eob:
    """The EOB of one 835 transaction set."""
    payee = remittance.payee.n1
    return Eob(
        payer=remittance.payer.n1.name,
        payer_id=payer_identifier(remittance),
        payee=payee.name,
        payee_id=payee.id,
        method=remittance.bpr.payment_method_code,
        check_number=remittance.trn.trace_number,
        payment_date=remittance.bpr.payment_date,
        amount=remittance.bpr.amount,
        claims=tuple(_claim(claim) for claim in remittance.claims),
        provider_adjustments=tuple(
            f"{p.reason} {plb_text(p.reason)} {p.reference}: {p.amount}".replace("  ", " ")
            for p in remittance.provider_adjustments
        ),
    )


def _claim(claim: Loop2100) -> EobClaim:
    clp = claim.clp
    lines = [_line(service) for service in claim.service_lines]
    if claim.adjustments or not lines:
        billed = clp.charge - sum((line.billed for line in lines), ZERO)
        paid = clp.paid - sum((line.paid for line in lines), ZERO)
        lines.append(_amounts(None, "", billed, paid, claim.adjustments, None))
    person = claim.patient
    name = f"{person.last_name}, {person.first_name}".strip(", ") if person else ""
    return EobClaim(
        patient_control_number=clp.patient_control_number,
        patient=name,
        status=f"{clp.status_code} {claim_status_text(clp.status_code)}",
        payer_claim_number=clp.payer_claim_control_number,
        lines=tuple(lines),
        billed=clp.charge,
        paid=clp.paid,
        patient_responsibility=_patient_share(claim),
        remarks=tuple(f"{code} {rarc_text(code)}" for code in posting.remark_codes(claim)),
    )


def _patient_share(claim: Loop2100) -> Decimal:
    every = [*claim.adjustments, *(a for line in claim.service_lines for a in line.adjustments)]
    return sum((a.amount for a in every if a.group == posting.PATIENT_GROUP), ZERO)


def _line(service: Loop2110) -> EobLine:
    svc = service.svc
    code = ":".join((svc.procedure.code, *svc.procedure.modifiers))
    allowed = next((a.amount for a in service.amounts if a.qualifier == "B6"), None)
    return _amounts(service.service_date, code, svc.charge, svc.paid, service.adjustments, allowed)


def _amounts(
    day: date | None,
    code: str,
    billed: Decimal,
    paid: Decimal,
    adjustments: tuple[Adjustment, ...],
    allowed: Decimal | None,
) -> EobLine:
    def patient(reason: str) -> Decimal:
        return sum((a.amount for a in adjustments if a.group == "PR" and a.reason == reason), ZERO)

    contractual = sum((a.amount for a in adjustments if a.group in _CONTRACTUAL), ZERO)
    return EobLine(
        service_date=day,
        code=code,
        billed=billed,
        allowed=allowed if allowed is not None else billed - contractual,
        deductible=patient("1"),
        coinsurance=patient("2"),
        copay=patient("3"),
        paid=paid,
        adjustments=tuple(_adjustment(a) for a in adjustments),
    )


def _adjustment(adjustment: Adjustment) -> str:
    group, reason = adjustment.group, adjustment.reason
    return f"{group}-{reason} {adjustment.amount} ({group_text(group)}: {carc_text(reason)})"


_COLUMNS = ("Date", "Service", "Billed", "Allowed", "Deduct", "Coins", "Copay", "Paid")
_WIDTHS = (10, 12, 10, 10, 9, 9, 9, 10)


def render_text(eob: Eob) -> str:
    """The EOB as plain text, laid out like a paper EOB."""
    out = [
        "EXPLANATION OF BENEFITS" + (" (paper EOB, entered by hand)" if eob.paper else ""),
        f"Payer: {eob.payer} ({eob.payer_id})",
        f"Payee: {eob.payee} ({eob.payee_id})",
        f"{_method(eob.method)} {eob.check_number}   Date: {_day(eob.payment_date)}   "
        f"Amount: {eob.amount}",
        "",
    ]
    for claim in eob.claims:
        out += _claim_text(claim)
    if eob.provider_adjustments:
        out += ["Provider adjustments (PLB):", *(f"  {p}" for p in eob.provider_adjustments)]
    return "\n".join(out) + "\n"


def _claim_text(claim: EobClaim) -> list[str]:
    out = [
        f"Patient: {claim.patient}   Account: {claim.patient_control_number}   "
        f"Payer claim: {claim.payer_claim_number}",
        f"Status: {claim.status}",
        _row(_COLUMNS),
    ]
    for line in claim.lines:
        out.append(_row(_line_cells(line)))
        out += [f"    {adjustment}" for adjustment in line.adjustments]
    out.append(
        f"Claim total: billed {claim.billed}, paid {claim.paid}, "
        f"patient responsibility {claim.patient_responsibility}"
    )
    out += [f"  Remark {remark}" for remark in claim.remarks]
    return [*out, ""]


def _line_cells(line: EobLine) -> tuple[str, ...]:
    money = (line.billed, line.allowed, line.deductible, line.coinsurance, line.copay, line.paid)
    return (_day(line.service_date), line.code or "(claim)", *(str(m) for m in money))


def _row(cells: Iterable[str]) -> str:
    parts = [
        cell.ljust(width) if index < 2 else cell.rjust(width)
        for index, (cell, width) in enumerate(zip(cells, _WIDTHS, strict=True))
    ]
    return " ".join(parts).rstrip()


def _method(code: str) -> str:
    return {"CHK": "Check", "ACH": "EFT", "NON": "No payment", "FWT": "Wire"}.get(code, code)


def _day(day: date | None) -> str:
    return f"{day:%m/%d/%Y}" if day else ""


def render_html(eob: Eob) -> str:
    """The EOB as a self-contained HTML page."""
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>EOB "
        f"{e(eob.check_number)}</title><style>body{{font-family:sans-serif}}"
        "td,th{padding:2px 8px;text-align:right}td:nth-child(-n+2){text-align:left}</style>"
        "</head><body><h1>Explanation of benefits"
        + (" (paper EOB, entered by hand)" if eob.paper else "")
        + "</h1>",
        f"<p>Payer: {e(eob.payer)} ({e(eob.payer_id)})<br>Payee: {e(eob.payee)} "
        f"({e(eob.payee_id)})<br>{e(_method(eob.method))} {e(eob.check_number)}, "
        f"{e(_day(eob.payment_date))}, amount {eob.amount}</p>",
    ]
    parts += [_claim_html(claim) for claim in eob.claims]
    if eob.provider_adjustments:
        items = "".join(f"<li>{e(p)}</li>" for p in eob.provider_adjustments)
        parts.append(f"<h2>Provider adjustments (PLB)</h2><ul>{items}</ul>")
    return "".join(parts) + "</body></html>\n"


def _claim_html(claim: EobClaim) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in _COLUMNS)
    rows = []
    for line in claim.lines:
        cells = "".join(f"<td>{e(c)}</td>" for c in _line_cells(line))
        notes = "".join(f"<br>{e(a)}" for a in line.adjustments)
        rows.append(f"<tr>{cells}</tr>" + (f"<tr><td colspan=8>{notes}</td></tr>" if notes else ""))
    remarks = "".join(f"<li>{e(r)}</li>" for r in claim.remarks)
    return (
        f"<h2>{e(claim.patient)} — account {e(claim.patient_control_number)}</h2>"
        f"<p>{e(claim.status)}; payer claim {e(claim.payer_claim_number)}</p>"
        f"<table><tr>{head}</tr>{''.join(rows)}</table>"
        f"<p>Billed {claim.billed}, paid {claim.paid}, patient responsibility "
        f"{claim.patient_responsibility}</p>" + (f"<ul>{remarks}</ul>" if remarks else "")
    )
