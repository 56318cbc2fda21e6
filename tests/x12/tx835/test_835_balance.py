"""The three balancing equations: none broken in balanced files, each planted one found."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx835_005010X221A1 import Imbalance, Level, Remittance, check_balance
from support import SHARED, need

D = Decimal
NOTES = SHARED / "docs" / "x12-notes.md"
ENVELOPE = (
    "ISA*00*          *00*          *ZZ*EXAMPLEPAYER   *ZZ*330897513      "
    "*250320*0900*^*00501*000000301*0*P*:~GS*HP*EXAMPLEPAYER*330897513*20250320*0900*301*X*"
    "005010X221A1~{body}GE*1*301~IEA*1*000000301~"
)


def only(text: str) -> Remittance:
    (parsed,) = parse_text(text)
    assert isinstance(parsed.value, Remittance)
    return parsed.value


@pytest.fixture
def paid_and_denied(test_data: Path) -> str:
    return (test_data / "835" / "paid-and-denied-with-plb.835").read_text()


@pytest.fixture
def reversal(test_data: Path) -> str:
    return (test_data / "835" / "reversal-and-correction.835").read_text()


def planted(text: str, old: str, new: str) -> tuple[Imbalance, ...]:
    assert text.count(old) == 1, old
    return check_balance(only(text.replace(old, new)))


def test_the_unchanged_files_balance(paid_and_denied: str, reversal: str) -> None:
    assert check_balance(only(paid_and_denied)) == ()
    assert check_balance(only(reversal)) == ()


def test_a_line_paid_more_than_charge_minus_adjustments(paid_and_denied: str) -> None:
    found = planted(paid_and_denied, "SVC*HC:85025*50*30*", "SVC*HC:85025*50*35*")
    assert found == (Imbalance(Level.LINE, "CB2001", 2, 37, D("35.00"), D("30.00")),)
    assert found[0].difference == D("5.00")
    assert str(found[0]) == (
        "claim CB2001 line 2 (segment 37): SVC03 is 35.00, the other amounts give 30.00 "
        "(off by 5.00)"
    )


def test_a_claim_paid_amount_that_does_not_match_breaks_the_check_too(
    paid_and_denied: str,
) -> None:
    found = planted(paid_and_denied, "CLP*CB2001*1*200*120*", "CLP*CB2001*1*200*125*")
    assert found == (
        Imbalance(Level.CLAIM, "CB2001", None, 20, D("125.00"), D("120.00")),
        Imbalance(Level.TRANSACTION, None, None, 4, D("87.50"), D("92.50")),
    )


def test_claim_level_adjustments_without_lines(paid_and_denied: str) -> None:
    found = planted(paid_and_denied, "CAS*CO*50*90~", "CAS*CO*50*80~")
    assert found == (Imbalance(Level.CLAIM, "CB2002", None, 43, D("0.00"), D("10.00")),)


def test_a_second_triplet_in_one_cas_counts(paid_and_denied: str) -> None:
    found = planted(paid_and_denied, "CAS*CO*45*8**253*2~", "CAS*CO*45*8**253*3~")
    assert [(i.level, i.computed) for i in found] == [
        (Level.LINE, D("29.00")),
        (Level.CLAIM, D("119.00")),
    ]


def test_the_bpr_amount(paid_and_denied: str) -> None:
    found = planted(paid_and_denied, "BPR*I*87.5*", "BPR*I*88*")
    assert found == (Imbalance(Level.TRANSACTION, None, None, 4, D("88.00"), D("87.50")),)
    assert str(found[0]).startswith("transaction (segment 4): BPR02 is 88.00")


def test_a_positive_plb_amount_reduces_the_payment(paid_and_denied: str) -> None:
    found = planted(paid_and_denied, "*L6*-2.5*", "*L6*2.5*")
    assert found == (Imbalance(Level.TRANSACTION, None, None, 4, D("87.50"), D("82.50")),)


def test_reversals_balance_with_negative_amounts_and_are_checked(reversal: str) -> None:
    found = planted(reversal, "CAS*CO*45*-30~", "CAS*CO*45*-25~")
    assert found == (
        Imbalance(Level.LINE, "CB3001", 1, 17, D("-100.00"), D("-105.00")),
        Imbalance(Level.CLAIM, "CB3001", None, 13, D("-100.00"), D("-105.00")),
    )


def notes_example() -> str:
    """The 835 example of x12-notes.md §8, as published there."""
    need(NOTES.is_file(), f"the shared X12 notes are not at {NOTES}")
    section = NOTES.read_text().split("### Example (synthetic): one paid claim", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block is not None
    return block.group(1)


def test_the_notes_example_parses_and_balances() -> None:
    remittance = only(ENVELOPE.format(body=notes_example()))
    assert check_balance(remittance) == ()
    assert remittance.bpr.amount == D("52.50")
    assert [c.clp.paid for c in remittance.claims] == [D("80.00"), D("0.00")]
    assert [(p.reason, p.reference, p.amount) for p in remittance.provider_adjustments] == [
        ("L6", "", D("-2.50")),
        ("WO", "PAYERICN0009", D("30.00")),
    ]
    paid = remittance.claims[0]
    assert paid.clp.patient_responsibility == sum(
        (a.amount for line in paid.service_lines for a in line.adjustments if a.group == "PR"),
        D(0),
    )
    assert remittance.claims[1].service_lines[0].remarks[0].code == "N130"
