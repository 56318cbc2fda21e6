"""May this claim go out? Enrollment and go-live rules, as pure functions.

A claim is **held**, with every reason in words, when:

- the payer requires 837P enrollment and it is not approved;
- the payer is Medicare, the enrollment is approved, but Office Ally has not been told yet
  (Medicare connects the provider to OA only after OA is notified, office-ally.md §14);
- its date of service is before the account's go-live date (one EHR per OA account at a time);
- the payer has no claim filing indicator yet (SBR09 cannot be written).

A claim whose payer requires 835 enrollment that is not approved still goes out, marked
"no ERA expected yet": payment will come on paper until the ERA enrollment is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from claimbridge.domain.models import Enrollment, EnrollmentStatus, Payer, Transaction
from claimbridge.domain.payers import describe, is_medicare
from claimbridge.domain.status import ClaimStatus


@dataclass(frozen=True, slots=True)
class GateDecision:
    """The gate's answer: held with reasons, or ready; and whether an ERA is expected."""

    hold_reasons: tuple[str, ...]
    era_expected: bool
    era_note: str | None = None

    @property
    def held(self) -> bool:
        """True when the claim must not go out."""
        return bool(self.hold_reasons)

    @property
    def status(self) -> ClaimStatus:
        """``held`` or ``ready``."""
        return ClaimStatus.HELD if self.held else ClaimStatus.READY

    @property
    def reason(self) -> str | None:
        """All hold reasons as one sentence list, or None when the claim may go out."""
        return "; ".join(self.hold_reasons) or None


def decide(payer: Payer, service_date: date, go_live: date | None) -> GateDecision:
    """Whether a claim to ``payer`` for ``service_date`` may go out, and why not."""
    reasons = [
        reason
        for reason in (
            claims_enrollment_problem(payer),
            go_live_problem(service_date, go_live),
            filing_indicator_missing(payer),
        )
        if reason
    ]
    era_note = era_not_expected(payer)
    return GateDecision(tuple(reasons), era_expected=era_note is None, era_note=era_note)


def claims_enrollment_problem(payer: Payer) -> str | None:
    """Why 837P enrollment keeps claims to ``payer`` from going out, if it does."""
    enrollment = payer.enrollment(Transaction.CLAIMS)
    if not enrollment.required:
        return None
    if enrollment.status is not EnrollmentStatus.APPROVED:
        return (
            f"837P enrollment with {describe(payer)} is required and not approved "
            f"({_status_words(enrollment)})"
        )
    if is_medicare(payer) and not enrollment.office_ally_notified:
        return (
            f"Medicare enrollment with {describe(payer)} is approved but Office Ally has not "
            "been notified; tell Office Ally before sending claims"
        )
    return None


def go_live_problem(service_date: date, go_live: date | None) -> str | None:
    """Why a claim dated ``service_date`` is too early for the account, if it is."""
    if go_live is None or service_date >= go_live:
        return None
    return (
        f"date of service {service_date.isoformat()} is before the go-live date "
        f"{go_live.isoformat()} of the Office Ally account"
    )


def filing_indicator_missing(payer: Payer) -> str | None:
    """A reason when ``payer`` has no claim filing indicator to put in SBR09."""
    if payer.claim_filing_indicator:
        return None
    return (
        f"{describe(payer)} has no claim filing indicator (set it on the Insurances page or "
        f"with 'claimbridge payers set {payer.payer_id} --filing-indicator CODE')"
    )


def era_not_expected(payer: Payer) -> str | None:
    """'no ERA expected yet …' when ``payer`` requires 835 enrollment that is not approved."""
    enrollment = payer.enrollment(Transaction.ERA)
    if not enrollment.required or enrollment.status is EnrollmentStatus.APPROVED:
        return None
    return (
        f"no ERA expected yet: 835 enrollment with {describe(payer)} is "
        f"{_status_words(enrollment)}; expect a paper remittance"
    )


def _status_words(enrollment: Enrollment) -> str:
    status = enrollment.status
    if status is EnrollmentStatus.SUBMITTED and enrollment.submitted_on:
        return f"submitted on {enrollment.submitted_on.isoformat()}"
    if status is EnrollmentStatus.REJECTED and enrollment.rejected_on:
        return f"rejected on {enrollment.rejected_on.isoformat()}"
    return status.value.replace("_", " ")
