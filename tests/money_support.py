"""Builders the tests of every dollar's path share: the example practice's appointments billed
and sent, a paper EOB for one of them, a secondary claim inserted directly."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import create_claims
from claimbridge.services.paper import PaperPosted, post_paper
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository, NewClaim, NewClaimLine
from cycle_support import record_sent
from ledger_fixtures import load_example

TODAY = date(2026, 11, 20)
# Sofia Ramirez's visit of 2026-11-04, to United Healthcare (87726): 99393 210.00, 90460 35.00
SOFIA, UHC = "appt-5002", "87726"


def billed(store: Store, *, load: bool = True) -> dict[str, str]:
    """Load the example practice (unless ``load`` is False), make a claim for each appointment
    and record each as sent (status submitted); CLM01 by appointment key."""
    if load:
        load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", TODAY)
        rows = session.execute(
            select(t.ClaimRow.id, t.ClaimRow.clm01, t.AppointmentRow.key).join(
                t.AppointmentRow, t.AppointmentRow.id == t.ClaimRow.appointment_id
            )
        ).all()
        for claim_id, _, _ in rows:
            status = ClaimStatus.SUBMITTED.value
            session.execute(
                update(t.ClaimRow).where(t.ClaimRow.id == claim_id).values(status=status)
            )
            record_sent(session, claim_id)
    return {key: clm01 for _, clm01, key in rows}


def uhc_eob(clm01: str, check: str = "40017") -> dict[str, Any]:
    """A paper EOB from UHC for Sofia's claim: line 1 paid 150.00, 40.00 contractual and
    20.00 coinsurance; line 2 paid 30.00, 5.00 contractual. 180.00 paid, the patient owes 20.00."""
    return {
        "payer": UHC,
        "check_number": check,
        "check_date": "2026-11-25",
        "amount": "180.00",
        "claims": [
            {
                "claim": clm01,
                "payer_claim_number": "UHC-778",
                "lines": [
                    {"line": 1, "allowed": "170.00", "paid": "150.00",
                     "adjustments": [{"group": "CO", "reason": "45", "amount": "40.00"},
                                     {"group": "PR", "reason": "2", "amount": "20.00"}],
                     "remarks": ["N130"]},
                    {"line": 2, "paid": "30.00",
                     "adjustments": [{"group": "CO", "reason": "45", "amount": "5.00"}]},
                ],
            }
        ],
    }  # fmt: skip


def post_uhc(store: Store, clm01: str, actor: str = "biller") -> PaperPosted:
    """``uhc_eob`` posted."""
    with store.transaction() as session:
        return post_paper(session, uhc_eob(clm01), actor)


def claim_id(store: Store, clm01: str) -> int:
    with store.read() as session:
        return session.scalars(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == clm01)).one()


def secondary_of(store: Store, clm01: str, payer_id: str = "SX123") -> str:
    """The secondary claim to ``payer_id`` following claim ``clm01``, recorded as sent: the one
    posting the primary's remittance made by itself, else one inserted as it would be made
    (same lines); its CLM01."""
    with store.transaction() as session:
        made = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == f"{clm01}S")).first()
        if made is not None:
            made.status = ClaimStatus.SUBMITTED.value
            record_sent(session, made.id)
            return made.clm01
        primary = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == clm01)).one()
        lines = session.scalars(
            select(t.ClaimLineRow)
            .where(t.ClaimLineRow.claim_id == primary.id)
            .order_by(t.ClaimLineRow.line_number)
        ).all()
        new_lines = tuple(
            NewClaimLine(
                line.code, line.charge, modifiers=tuple(m for m in line.modifiers.split(":") if m)
            )
            for line in lines
        )
        claim = NewClaim(
            clm01=f"{clm01}S", payer_id=payer_id, billing_tax_id=primary.billing_tax_id,
            billing_npi=primary.billing_npi, rendering_npi=primary.rendering_npi,
            service_date=primary.service_date, lines=new_lines, status=ClaimStatus.SUBMITTED,
            appointment_id=primary.appointment_id,
        )  # fmt: skip
        new_id = ClaimRepository(session).add(claim, actor="test")
        row = session.get_one(t.ClaimRow, new_id)
        row.payer_sequence, row.follows_claim_id = "secondary", primary.id
        record_sent(session, new_id)
        return row.clm01


def medicare_eob(clm01: str) -> dict[str, Any]:
    """Medicare's EOB for Harold Nguyen's claim (75.00 + 90.00): paid 110.00, contractual
    28.60, and 26.40 is the patient's (coinsurance), which his Medigap plan should pay."""
    return {
        "payer": "01182", "check_number": "MC-501", "check_date": "2026-11-24",
        "claims": [{"claim": clm01, "lines": [
            {"line": 1, "paid": "50.00", "adjustments": [
                {"group": "CO", "reason": "45", "amount": "12.00"},
                {"group": "PR", "reason": "2", "amount": "13.00"}]},
            {"line": 2, "paid": "60.00", "adjustments": [
                {"group": "CO", "reason": "45", "amount": "16.60"},
                {"group": "PR", "reason": "2", "amount": "13.40"}]},
        ]}],
    }  # fmt: skip


def medigap_eob(clm01: str) -> dict[str, Any]:
    """The Medigap plan's EOB for the secondary claim: it pays the 26.40 Medicare left."""
    return {
        "payer": "SX123", "check_number": "GAP-9", "check_date": "2026-12-02",
        "claims": [{"claim": clm01, "lines": [
            {"line": 1, "paid": "13.00",
             "adjustments": [{"group": "OA", "reason": "23", "amount": "62.00"}]},
            {"line": 2, "paid": "13.40",
             "adjustments": [{"group": "OA", "reason": "23", "amount": "76.60"}]},
        ]}],
    }  # fmt: skip
