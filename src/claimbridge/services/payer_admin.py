"""Editing the payer master list: one payer at a time (the web form, the API, ``claimbridge
payers set``), or an Office Ally CSV."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from claimbridge.domain.models import Enrollment, EnrollmentStatus, Payer, Transaction
from claimbridge.domain.payer_list import parse_payer_csv
from claimbridge.domain.payers import filing_indicator_problem
from claimbridge.domain.timely_filing import limit_problem
from claimbridge.errors import InputError
from claimbridge.store.payers import apply_payer_list, get_payer, write_payer
from claimbridge.store.repositories import utcnow
from claimbridge.store.sync import Tally


@dataclass(frozen=True, slots=True)
class EnrollmentForm:
    """What the payer form says about one transaction's enrollment."""

    transaction: Transaction
    required: bool
    status: EnrollmentStatus
    submitted_on: date | None = None
    approved_on: date | None = None
    office_ally_notified: bool = False


def build_payer(
    payer_id: str,
    name: str,
    filing_indicator: str,
    par: bool,
    enrollments: tuple[EnrollmentForm, ...],
    notes: str | None = None,
    timely_filing_days: int | None = None,
) -> Payer:
    """A ``Payer`` from a form; ``InputError`` listing every problem."""
    problems = [
        problem
        for problem in (
            None if payer_id.strip() else "the payer ID is empty",
            None if name.strip() else "the payer name is empty",
            filing_indicator_problem(filing_indicator),
            limit_problem(timely_filing_days),
        )
        if problem
    ]
    if problems:
        raise InputError("; ".join(problems), problems=tuple(problems))
    return Payer(
        payer_id=payer_id.strip(),
        name=name.strip().upper(),
        claim_filing_indicator=filing_indicator,
        par=par,
        enrollments=tuple(_enrollment(form) for form in enrollments),
        notes=notes.strip() if notes and notes.strip() else None,
        timely_filing_days=timely_filing_days,
    )


def _enrollment(form: EnrollmentForm) -> Enrollment:
    notified = form.office_ally_notified
    return Enrollment(
        transaction=form.transaction,
        required=form.required,
        status=form.status,
        submitted_on=form.submitted_on,
        approved_on=form.approved_on,
        office_ally_notified=notified,
        office_ally_notified_on=form.approved_on if notified else None,
    )


def save_payer(session: Session, payer: Payer, actor: str) -> Tally:
    """Add or update ``payer`` and its enrollments as ``actor`` saved them; an enrollment they
    changed is kept over the next practice file that says otherwise."""
    tally = Tally()
    write_payer(session, payer, tally, edited_by=actor)
    return tally


def import_payer_csv(session: Session, text: str) -> tuple[Tally, tuple[str, ...]]:
    """Merge an Office Ally payer list; returns the tally and the rows skipped, in words."""
    payer_list = parse_payer_csv(text)
    return apply_payer_list(session, payer_list, utcnow()), payer_list.problems


_TRANSACTION_NAMES = {"837p": Transaction.CLAIMS, "835": Transaction.ERA, "era": Transaction.ERA}


def enrollment_setting(text: str) -> tuple[Transaction, EnrollmentStatus]:
    """'837P=approved' (or '835=submitted', 'ERA=rejected') as a transaction and a status."""
    name, _, status = text.partition("=")
    transaction = _TRANSACTION_NAMES.get(name.strip().lower())
    statuses = {s.value: s for s in EnrollmentStatus}
    if transaction is None or status.strip().lower() not in statuses:
        raise InputError(
            f"enrollment {text!r} is not TRANSACTION=STATUS: the transaction 837P or 835 (ERA), "
            f"the status one of {', '.join(statuses)}",
            path="enrollment",
        )
    return transaction, statuses[status.strip().lower()]


def set_payer(
    session: Session,
    payer_id: str,
    actor: str,
    today: date,
    filing_indicator: str | None = None,
    enrollments: Mapping[Transaction, EnrollmentStatus] | None = None,
) -> Payer:
    """Set payer ``payer_id``'s claim filing indicator (SBR09) and enrollment statuses, as
    ``actor`` did (kept over a later practice file, as a save on the web is); the rest of the
    payer stays. A status reached dates itself ``today`` unless it had a date. Returns the
    payer as saved; ``InputError`` when nothing is asked or a code is wrong."""
    enrollments = enrollments or {}
    if filing_indicator is None and not enrollments:
        raise InputError("say what to set: a claim filing indicator or an enrollment status")
    payer = get_payer(session, payer_id)
    code = payer.claim_filing_indicator
    if filing_indicator is not None:
        code = filing_indicator.strip().upper()
        if problem := filing_indicator_problem(code):
            raise InputError(f"claim filing indicator {problem}", path="filing_indicator")
    by_transaction = {e.transaction: e for e in payer.enrollments}
    for transaction, status in enrollments.items():
        earlier = by_transaction.get(transaction, Enrollment(transaction, required=False))
        by_transaction[transaction] = _with_status(earlier, status, today)
    changed = replace(
        payer, claim_filing_indicator=code, enrollments=tuple(by_transaction.values())
    )
    save_payer(session, changed, actor)
    return get_payer(session, payer_id)


def _with_status(enrollment: Enrollment, status: EnrollmentStatus, today: date) -> Enrollment:
    """``enrollment`` moved to ``status``; the date of that status is today unless it had one."""
    changed = replace(enrollment, status=status)
    if status is EnrollmentStatus.SUBMITTED:
        changed = replace(changed, submitted_on=enrollment.submitted_on or today)
    elif status is EnrollmentStatus.APPROVED:
        changed = replace(changed, approved_on=enrollment.approved_on or today)
    elif status is EnrollmentStatus.REJECTED:
        changed = replace(changed, rejected_on=enrollment.rejected_on or today)
    return changed
