"""Editing the payer master list from the web app: one payer at a time, or an Office Ally CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from claimbridge.domain.models import Enrollment, EnrollmentStatus, Payer, Transaction
from claimbridge.domain.payer_list import parse_payer_csv
from claimbridge.domain.payers import filing_indicator_problem
from claimbridge.domain.timely_filing import limit_problem
from claimbridge.errors import InputError
from claimbridge.store.payers import apply_payer_list, write_payer
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
