"""Billing reports: A/R aging by payer, denials by CARC, payments by payer and month, Non-Par fees.

Each report is a ``Report`` (a title, headers, rows of text) so the web page, the API and the
CSV export show the same thing. Amounts are ``Decimal`` written with two decimals.

- **A/R aging** splits what is open between insurance and patients (``services.balances``):
  each payer's insurance balances of claims sent and not yet paid or denied, then one row of
  what patients owe, by days since the claim was first sent (0–30, 31–60, 61–90, 91–120,
  over 120).
- **Denials by CARC** counts service lines an ERA paid nothing on, by adjustment group and
  reason code, with the amount adjusted.
- **Payments by payer and month** sums what ERAs paid, by payer and the month of the payment
  date (BPR16), else the month the ERA was recorded.
- **Non-Par fee exposure** is ``claimbridge fees`` (domain.fees) under the configured policy.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from claimbridge.domain.fees import FeePolicy, FeeRule, exposures
from claimbridge.domain.remit_codes import carc_text
from claimbridge.domain.status import NOT_YET_SUBMITTED, ClaimStatus
from claimbridge.services.balances import balance_rows, patient_may_owe
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import fee_counts, fold_status_totals, month_of
from claimbridge.store.types import Money

AGING_BUCKETS = ((0, 30, "0–30"), (31, 60, "31–60"), (61, 90, "61–90"), (91, 120, "91–120"))
OVER = "over 120"
UNSENT = NOT_YET_SUBMITTED | {ClaimStatus.CANCELLED}
ADJUDICATED = {ClaimStatus.PAID.value, ClaimStatus.DENIED.value}
PATIENTS = ("Patients", "patient")  # the row of what patients owe
ZERO = Decimal("0.00")
_IDENTIFIERS = ("ID", "NPI", "CARC")  # header words of columns of digits that are not numbers
_NUMERIC = re.compile(r"-?[\d,]+(\.\d+)?%?")  # a count, an amount or a percentage


@dataclass(frozen=True, slots=True)
class Report:
    """A table: title, column headers, and rows of cells as text."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def numeric_columns(self) -> frozenset[int]:
        """The columns whose every cell is a count, an amount or a percentage (shown aligned
        right); identifiers made of digits (a payer ID, a tax ID, an NPI, a CARC) are not."""
        return frozenset(
            index
            for index, header in enumerate(self.headers)
            if self.rows
            and not any(word in header.split() for word in _IDENTIFIERS)
            and all(_NUMERIC.fullmatch(row[index]) for row in self.rows)
        )

    def to_csv(self) -> str:
        """The report as CSV text (RFC 4180, CRLF line ends), safe to open in a spreadsheet."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.headers)
        writer.writerows(tuple(map(spreadsheet_safe, row)) for row in self.rows)
        return buffer.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """``cell``, with a quote before it when a spreadsheet would run it as a formula.

    Names and numbers come from payers' files and practice exports: ``=HYPERLINK(…)`` in a
    patient's name must stay text. A number (``-20.00``) is left as it is.
    """
    if not cell.startswith(_FORMULA_STARTS) or _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


def bucket_of(days: int) -> str:
    """The aging bucket of a claim ``days`` old."""
    for low, high, label in AGING_BUCKETS:
        if low <= days <= high:
            return label
    return OVER if days > 120 else AGING_BUCKETS[0][2]


def ar_aging(session: Session, today: date) -> Report:
    """Open balances by aging bucket: insurance per payer, then what patients owe.

    A sent claim not yet paid or denied counts its insurance balance under its payer; every
    sent claim counts its patient balance under ``Patients`` (``services.balances``); by days
    since the claim was first sent. Summed by the database: the claims that can owe anything
    (not yet paid or denied, or with a PR adjustment or patient money) are worked out by
    ``balance_rows`` and added up per payer and bucket."""
    claim = t.ClaimRow
    open_claims = select(claim.id).where(
        claim.status.not_in([*(status.value for status in UNSENT), *ADJUDICATED])
    )
    sent = claim.status.not_in([status.value for status in UNSENT])
    balances = balance_rows(sent & claim.id.in_(patient_may_owe(open_claims))).subquery()
    of_claim = aliased(t.ClaimRow)
    bucket = _bucket_case(func.coalesce(of_claim.submitted_at, of_claim.created_at), today)
    insurance = case((of_claim.status.in_(sorted(ADJUDICATED)), 0), else_=balances.c.insurance)
    query = (
        select(
            t.PayerRow.name,
            t.PayerRow.payer_id,
            bucket,
            type_coerce(func.sum(insurance), Money()),
            type_coerce(func.sum(balances.c.patient), Money()),
        )
        .select_from(balances)
        .join(of_claim, of_claim.id == balances.c.id)
        .join(t.PayerRow, t.PayerRow.id == of_claim.payer_id)
        .group_by(t.PayerRow.name, t.PayerRow.payer_id, bucket)
    )
    labels = [label for _, _, label in AGING_BUCKETS] + [OVER]
    table: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(labels, ZERO)
    )
    patients = dict.fromkeys(labels, ZERO)
    for name, payer_id, label, owed_by_insurance, owed_by_patient in session.execute(query):
        if owed_by_insurance:
            table[(name, payer_id)][label] += owed_by_insurance
        patients[label] += owed_by_patient or ZERO
    ordered = sorted(table.items())
    if any(patients.values()):
        ordered.append((PATIENTS, patients))
    report_rows = tuple(
        (name, payer_id, *(_money(cells[label]) for label in labels),
         _money(sum(cells.values(), ZERO)))
        for (name, payer_id), cells in ordered
    )  # fmt: skip
    headers = ("Payer", "Payer ID", *labels, "Total")
    return Report("ar-aging", "A/R aging: insurance by payer, then patients", headers, report_rows)


def _bucket_case(sent: ColumnElement[datetime], today: date) -> ColumnElement[str]:
    """The aging bucket of a claim first sent at ``sent``, in SQL (``bucket_of`` of the days
    from the day it was sent, in UTC, to ``today``; a day after ``today`` counts as 0)."""
    whens = [(sent >= _day_start(today - timedelta(days=high)), label)
             for _, high, label in AGING_BUCKETS]  # fmt: skip
    return case(*whens, else_=OVER)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def denials_by_carc(session: Session) -> Report:
    """Lines paid nothing, by adjustment group and CARC."""
    query = (
        select(
            t.AdjustmentRow.group_code,
            t.AdjustmentRow.reason_code,
            func.count(func.distinct(t.PaymentRow.claim_id)),
            func.count(),
            func.sum(t.AdjustmentRow.amount),
        )
        .join(t.PaymentRow, t.PaymentRow.id == t.AdjustmentRow.payment_id)
        .where(t.PaymentRow.paid == 0)
        .group_by(t.AdjustmentRow.group_code, t.AdjustmentRow.reason_code)
        .order_by(func.count().desc(), t.AdjustmentRow.reason_code)
    )
    rows = tuple(
        (group, reason, carc_text(reason), str(claims), str(lines), _money(Decimal(amount)))
        for group, reason, claims, lines, amount in session.execute(query)
    )
    headers = ("Group", "CARC", "Reason", "Claims", "Adjustments", "Amount")
    return Report("denials", "Denials by CARC", headers, rows)


def payments_by_payer_month(session: Session) -> Report:
    """What ERAs paid, per payer and month, summed by the database (a claim paid twice in a
    month counts once)."""
    remittance = t.RemittanceRow
    month = func.coalesce(
        month_of(session, remittance.payment_date), month_of(session, remittance.created_at)
    ).label("month")
    name = func.coalesce(t.PayerRow.name, remittance.payer_identifier).label("name")
    # our payer ID, as in A/R aging; the 835's own identifier only for a payer not in our list
    payer_id = func.coalesce(t.PayerRow.payer_id, remittance.payer_identifier).label("payer_id")
    query = (
        select(
            name,
            payer_id,
            month,
            func.count(func.distinct(t.PaymentRow.claim_id)),
            func.sum(t.PaymentRow.paid),
        )
        .join(t.PaymentRow, t.PaymentRow.remittance_id == remittance.id)
        .outerjoin(t.PayerRow, t.PayerRow.id == remittance.payer_id)
        .group_by(name, payer_id, month)
    )
    rows = tuple(
        (name, payer_id, month, str(claims), _money(Decimal(paid)))
        for name, payer_id, month, claims, paid in sorted(session.execute(query))
    )
    headers = ("Payer", "Payer ID", "Month", "Claims", "Paid")
    return Report("payments", "Payments by payer and month", headers, rows)


def non_par_fees(session: Session, policy: FeePolicy) -> Report:
    """Office Ally's Non-Par fee exposure per month and (tax ID, rendering NPI)."""
    rows = tuple(
        (
            line.month,
            line.tax_id,
            line.rendering_npi,
            str(line.claims),
            str(line.non_par_claims),
            f"{line.non_par_percent}",
            "yes" if line.fee_applies else "no",
            _money(line.fee),
        )
        for line in exposures(fee_counts(session), policy)
    )
    headers = (
        "Month",
        "Tax ID",
        "Rendering NPI",
        "Claims",
        "Non-Par",
        "Non-Par %",
        "Fee applies",
        "Fee",
    )
    title = f"Non-Par fee exposure ({policy.rule.value.replace('_', ' ')}, {policy.amount})"
    return Report("non-par-fees", title, headers, rows)


REPORT_KEYS = ("ar-aging", "denials", "payments", "non-par-fees")


def report_note(key: str, policy: FeePolicy) -> str | None:
    """A sentence that says how to read the report ``key``, for the page."""
    if key == "non-par-fees":
        when = (
            "half or more of the month's claims"
            if policy.rule is FeeRule.FIFTY_PERCENT
            else "any of the month's claims"
        )
        return (
            f"Office Ally charges {policy.amount} a month for each tax ID and rendering NPI when "
            f"{when} sent for it go to payers it is not contracted with (Non-Par), counted by "
            "the month a claim was first sent. Each row is one month of one tax ID and NPI; "
            "Fee applies says whether that month is charged. Office Ally's own pages differ on "
            "the rule and the amount, so both are settings of this installation "
            "(CLAIMBRIDGE_NON_PAR_FEE_RULE, CLAIMBRIDGE_NON_PAR_FEE_AMOUNT)."
        )
    if key == "denials":
        return "Lines paid nothing, grouped by the adjustment group and reason the payer gave."
    return None


def report(session: Session, key: str, today: date, policy: FeePolicy) -> Report:
    """The report named ``key`` (one of ``REPORT_KEYS``); ``KeyError`` for another name."""
    if key == "ar-aging":
        return ar_aging(session, today)
    if key == "denials":
        return denials_by_carc(session)
    if key == "payments":
        return payments_by_payer_month(session)
    if key == "non-par-fees":
        return non_par_fees(session, policy)
    raise KeyError(key)


@dataclass(frozen=True, slots=True)
class KeptReport:
    """A report as last made: the report, the day its aging counts from, when it was made and
    how many seconds that took."""

    report: Report
    as_of: date
    made_at: datetime
    seconds: float


def make_reports(
    store: Store,
    today: date,
    policy: FeePolicy,
    now: datetime,
    keys: Sequence[str] = REPORT_KEYS,
) -> list[KeptReport]:
    """Make the reports ``keys`` (every one) again from the ledger and keep them, replacing
    what was kept; the reports, in that order. Over a million claims this takes seconds, so the
    jobs run it (after each poll, or when a person asks); the pages read what it kept. The
    reports are made in a reading session and kept in one short transaction, so on SQLite no
    writer waits while they are made."""
    with store.read() as session:
        made = [_make(session, key, today, policy, now) for key in keys]
    with store.transaction() as session:
        for kept in made:
            _keep(session, kept)
        fold_status_totals(session)  # the dashboard's counts, folded as often as reports are made
    return made


def kept_report(
    store: Store, key: str, today: date, policy: FeePolicy, now: datetime
) -> KeptReport:
    """The report named ``key`` as last kept; made and kept now if it never was (a new ledger,
    or the first view after an upgrade). ``KeyError`` for a name not in ``REPORT_KEYS``."""
    if key not in REPORT_KEYS:
        raise KeyError(key)
    with store.read() as session:
        row = _snapshot(session, key)
        if row is not None:
            headers, rows = json.loads(row.headers), json.loads(row.rows)
            kept = Report(key, row.title, tuple(headers), tuple(tuple(cells) for cells in rows))
            return KeptReport(kept, row.as_of, row.made_at, row.seconds)
    [made] = make_reports(store, today, policy, now, (key,))
    return made


def _make(session: Session, key: str, today: date, policy: FeePolicy, now: datetime) -> KeptReport:
    began = time.perf_counter()
    made = report(session, key, today, policy)
    return KeptReport(made, today, now, round(time.perf_counter() - began, 3))


def _keep(session: Session, kept: KeptReport) -> None:
    made = kept.report
    values = {
        "title": made.title,
        "headers": json.dumps(list(made.headers)),
        "rows": json.dumps([list(cells) for cells in made.rows]),
        "as_of": kept.as_of,
        "made_at": kept.made_at,
        "seconds": kept.seconds,
    }
    row = _snapshot(session, made.key)
    if row is None:
        session.add(t.ReportSnapshotRow(key=made.key, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()


def _snapshot(session: Session, key: str) -> t.ReportSnapshotRow | None:
    return session.scalars(
        select(t.ReportSnapshotRow).where(t.ReportSnapshotRow.key == key)
    ).first()
