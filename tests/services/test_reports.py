"""The reports read as a biller needs them: denials with their reasons in words, amounts
aligned as numbers, and a sentence on how to read the Non-Par fees."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from claimbridge.domain.fees import FeePolicy, FeeRule
from claimbridge.domain.remit_codes import carc_text
from claimbridge.services.ingest import ingest_paths
from claimbridge.services.reports import Report, denials_by_carc, report_note
from claimbridge.store.db import Store
from cycle_support import answered


def test_denials_name_each_reason_in_words(store: Store, tmp_path: Path) -> None:
    run = answered(store, tmp_path / "oa")
    ingest_paths(store, run.outbound)  # UNITED HEALTHCARE denies CB000002
    with store.read() as session:
        report = denials_by_carc(session)
    assert report.headers == ("Group", "CARC", "Reason", "Claims", "Adjustments", "Amount")
    assert report.rows
    for _group, carc, reason, *_ in report.rows:
        assert reason == carc_text(carc) and "not in claimbridge's short list" not in reason
    assert report.numeric_columns == {3, 4, 5}  # the CARC is a code, not a number


def test_numbers_are_told_from_identifiers_made_of_digits() -> None:
    report = Report(
        "payments",
        "Payments",
        ("Payer", "Payer ID", "Month", "Claims", "Paid", "Non-Par %"),
        (
            ("CIGNA", "62308", "2026-11", "2", "1,075.75", "50.0%"),
            ("X", "1", "2026-12", "1", "-5.00", "0%"),
        ),
    )
    assert report.numeric_columns == {3, 4, 5}
    assert Report("empty", "Empty", ("Claims",), ()).numeric_columns == frozenset()


def test_the_fee_report_says_when_the_fee_applies_and_how_much() -> None:
    half = report_note("non-par-fees", FeePolicy())
    assert half is not None and "35.00 a month" in half and "half or more" in half
    every = report_note("non-par-fees", FeePolicy(FeeRule.ANY_CLAIM, Decimal("39.95")))
    assert every is not None and "39.95 a month" in every and "any of the month's claims" in every
    assert report_note("payments", FeePolicy()) is None
