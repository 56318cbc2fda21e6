"""A paper EOB typed in by a biller: checked, posted by the ERA's rules, shown as paper,
undone and posted again; on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError, StoreError
from claimbridge.services.balances import claim_balances
from claimbridge.services.eob import claim_eobs, find_eob, render_text
from claimbridge.services.eras import EraFilter, era_list
from claimbridge.services.paper import post_paper
from claimbridge.services.reposting import post_again, undo_posting
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import reasons, status_of
from money_support import SOFIA, billed, claim_id, post_uhc, uhc_eob


@pytest.fixture
def claims(store: Store) -> dict[str, str]:
    return billed(store)


def _refused(store: Store, eob: object) -> str:
    with pytest.raises(InputError) as refused, store.transaction() as session:
        post_paper(session, eob, "biller")
    with store.read() as session:
        assert session.scalars(select(t.RemittanceRow)).first() is None  # nothing written
    return str(refused.value)


def test_a_paper_eob_posts_like_an_era_and_says_paper(store: Store, claims: dict[str, str]) -> None:
    clm01 = claims[SOFIA]
    done = post_uhc(store, clm01)
    assert (done.posted.claims, done.posted.unmatched) == (1, 0)
    assert status_of(store, clm01) is ClaimStatus.PAID
    assert "Paper EOB 40017 from UNITED HEALTHCARE" in reasons(store, clm01)[-1]
    with store.read() as session:
        remittance = session.get_one(t.RemittanceRow, done.remittance_id)
        assert (remittance.inbound_file_id, remittance.amount) == (None, Decimal("180.00"))
        paid = session.scalars(select(t.PaymentRow.paid).order_by(t.PaymentRow.id)).all()
        pr = session.scalars(
            select(t.AdjustmentRow.amount).where(t.AdjustmentRow.group_code == "PR")
        ).all()
        balance = claim_balances(session, [claim_id(store, clm01)])[claim_id(store, clm01)]
        eob = find_eob(session, "40017")
        [narrowed] = claim_eobs(session, clm01)
        [era_row] = era_list(session, EraFilter()).rows
    assert paid == [Decimal("150.00"), Decimal("30.00")] and pr == [Decimal("20.00")]
    assert (balance.insurance, balance.patient) == (Decimal("0.00"), Decimal("20.00"))
    assert eob.paper and narrowed.paper and era_row.paper
    text = render_text(eob)
    assert "paper EOB, entered by hand" in text and "N130" in text
    assert "CO-45 40.00" in text and "170.00" in text  # the allowed amount as entered


def test_a_line_that_does_not_balance_is_refused_naming_its_place(
    store: Store, claims: dict[str, str]
) -> None:
    eob = uhc_eob(claims[SOFIA])
    eob["claims"][0]["lines"][1]["paid"] = "31.00"
    eob.pop("amount")
    message = _refused(store, eob)
    assert "claims[0].lines[1]: billed 35.00 − paid 31.00 = 4.00" in message
    assert "adjustments add up to 5.00" in message


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (
            lambda e: e.update(amount="181.00"),
            "amount: the check is 181.00 but its lines pay 180.00",
        ),
        (lambda e: e.update(payer="NOPE"), "payer: no payer 'NOPE'"),
        (lambda e: e["claims"][0].update(claim="CB-NONE"), "claims[0].claim: no claim 'CB-NONE'"),
        (lambda e: e["claims"][0]["lines"][0].update(line=7), "claims[0].lines[0].line"),
        (lambda e: e["claims"][0]["lines"][0].update(paid="1.999"), "claims[0].lines[0].paid"),
        (lambda e: e.pop("check_date"), "check_date: is required"),
    ],
)
def test_each_wrong_value_is_refused_by_its_place(
    store: Store, claims: dict[str, str], change: object, place: str
) -> None:
    eob = uhc_eob(claims[SOFIA])
    change(eob)  # type: ignore[operator]
    assert place in _refused(store, eob)


def test_a_claim_billed_to_another_payer_or_not_sent_is_refused(
    store: Store, claims: dict[str, str]
) -> None:
    eob = uhc_eob(claims["appt-5001"])  # Aaron Blake's claim went to CIGNA
    assert "was billed to 62308, not 87726" in _refused(store, eob)
    with store.transaction() as session:
        row = session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == claims[SOFIA])).one()
        row.status = ClaimStatus.READY.value
    assert "is ready; only a claim sent to the payer" in _refused(store, uhc_eob(claims[SOFIA]))


def test_the_same_check_twice_is_refused_and_more_than_the_charge_is_held_back(
    store: Store, claims: dict[str, str]
) -> None:
    clm01 = claims[SOFIA]
    post_uhc(store, clm01)
    with (
        pytest.raises(StoreError, match=r"check 40017 .* already entered"),
        store.transaction() as s,
    ):
        post_paper(s, uhc_eob(clm01), "biller")
    with pytest.raises(InputError, match="already paid in full"), store.transaction() as s:
        post_paper(s, uhc_eob(clm01, check="40018"), "biller")


def test_undo_takes_the_claim_back_and_post_again_restores_it(
    store: Store, claims: dict[str, str]
) -> None:
    clm01 = claims[SOFIA]
    done = post_uhc(store, clm01)
    with store.transaction() as session:
        undone = undo_posting(session, done.remittance_id, "biller", "typed the wrong check")
    assert (undone.claims, undone.moved) == (1, 1)
    assert status_of(store, clm01) is ClaimStatus.SUBMITTED
    assert (
        "paper EOB 40017 (180.00) undone by biller: typed the wrong check"
        in reasons(store, clm01)[-1]
    )
    with store.read() as session:
        assert session.scalars(select(t.PaymentRow)).first() is None
    with store.transaction() as session:
        again = post_again(session, done.remittance_id, "biller")
    assert again.claims == 1 and status_of(store, clm01) is ClaimStatus.PAID
    with store.read() as session:
        total = session.scalars(select(t.PaymentRow.paid)).all()
    assert sum(total) == Decimal("180.00")
