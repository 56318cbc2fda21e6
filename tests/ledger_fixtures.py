"""Builders the store tests share: the example practice, claims inserted directly."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import update

from claimbridge.domain.practice_file import parse_practice_text
from claimbridge.domain.status import ClaimStatus
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.practice import known_keys, write_practice_file
from claimbridge.store.repositories import ClaimRepository, NewClaim, NewClaimLine
from claimbridge.store.sync import Tally
from support import SHARED, need

EXAMPLE = SHARED / "examples" / "practice.json"
TAX_ID = "847291635"
MEMBER_ID = "U8823410201"  # Aaron Blake's, billed on CB000001 and CB000005
MISTYPED_MEMBER_ID = "ZZ8823410201"  # the simulator's payer rejects an ID that starts ZZ
CHEN, ORTEGA = "1234567893", "1987654328"


def example_text() -> bytes:
    """The shared example practice file."""
    need(EXAMPLE.is_file(), f"the example practice file is not at {EXAMPLE}")
    return EXAMPLE.read_bytes()


def load_example(store: Store, text: bytes | str | None = None) -> Tally:
    """Load the example (or ``text``) as ``claimbridge load`` does."""
    with store.transaction() as session:
        practice_file = parse_practice_text(text or example_text(), known_keys(session))
        return write_practice_file(session, practice_file)


def add_claim(
    store: Store,
    clm01: str,
    payer_id: str = "62308",
    status: ClaimStatus = ClaimStatus.DRAFT,
    rendering_npi: str = CHEN,
    submitted_at: datetime | None = None,
    charges: tuple[str, ...] = ("100.00",),
) -> int:
    """Insert a claim directly, with one line per charge."""
    lines = tuple(NewClaimLine("99213", Decimal(charge)) for charge in charges)
    claim = NewClaim(
        clm01=clm01,
        payer_id=payer_id,
        billing_tax_id=TAX_ID,
        billing_npi="1300000019",
        rendering_npi=rendering_npi,
        service_date=date(2026, 11, 3),
        lines=lines,
        status=status,
        submitted_at=submitted_at,
    )
    with store.transaction() as session:
        return ClaimRepository(session).add(claim, actor="test")


def mistype_member_id(store: Store) -> None:
    """Give Aaron Blake's policy ``MISTYPED_MEMBER_ID``: the simulator's payer rejects his
    claims as 'SUBSCRIBER ID NOT FOUND'."""
    with store.transaction() as session:
        session.execute(
            update(t.PolicyRow)
            .where(t.PolicyRow.member_id == MEMBER_ID)
            .values(member_id=MISTYPED_MEMBER_ID)
        )
