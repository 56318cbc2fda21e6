"""May the Office Ally account leave test mode? The rules, as pure functions.

Office Ally tells a test file from a production one only by ``OATEST`` in its name
(office-ally.md §3): a file without it reaches the payers. So the account goes to production
only when, in words for every rule not met:

- a go-live date is set (one EHR per Office Ally account at a time, office-ally.md §4);
- at least one test batch was accepted by Office Ally (its TA1 or 999 said so): our files
  pass Office Ally's checks before real claims go;
- every Medicare payer the practice bills whose claims need enrollment is approved and Office
  Ally has been told (Medicare connects the provider to OA only after that, office-ally.md §14).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from claimbridge.domain.models import EnrollmentStatus, Payer, Transaction
from claimbridge.domain.payers import describe, is_medicare


class AccountMode(StrEnum):
    """Where the account's uploads go: ``test`` (``OATEST`` in every name) or ``production``."""

    TEST = "test"
    PRODUCTION = "production"

    @classmethod
    def of(cls, test_mode: bool) -> AccountMode:
        """The mode of an account whose ``test_mode`` flag is ``test_mode``."""
        return cls.TEST if test_mode else cls.PRODUCTION


def production_blockers(
    go_live: date | None, accepted_test_batches: int, medicare_payers: Iterable[Payer]
) -> tuple[str, ...]:
    """Every reason the account may not go to production yet; empty when it may."""
    reasons = [
        reason
        for reason in (go_live_unset(go_live), no_accepted_test_batch(accepted_test_batches))
        if reason
    ]
    reasons += [reason for payer in medicare_payers if (reason := medicare_unnotified(payer))]
    return tuple(reasons)


def go_live_unset(go_live: date | None) -> str | None:
    """A reason when the account has no go-live date."""
    if go_live is not None:
        return None
    return (
        "no go-live date is set: agree the day claimbridge takes over with Office Ally and "
        "enter it under Onboarding"
    )


def no_accepted_test_batch(accepted_test_batches: int) -> str | None:
    """A reason when Office Ally has accepted none of our test (OATEST) batches."""
    if accepted_test_batches > 0:
        return None
    return (
        "Office Ally has not accepted a test batch yet: submit claims in test mode, poll, and "
        "wait for a 999 (or TA1) that accepts the OATEST file"
    )


def medicare_unnotified(payer: Payer) -> str | None:
    """A reason when ``payer`` is Medicare, its 837P enrollment is required, and it is not
    approved or Office Ally has not been told of the approval."""
    enrollment = payer.enrollment(Transaction.CLAIMS)
    if not is_medicare(payer) or not enrollment.required:
        return None
    if enrollment.status is not EnrollmentStatus.APPROVED:
        state = enrollment.status.value.replace("_", " ")
        return (
            f"Medicare enrollment with {describe(payer)} is {state}, not approved: once "
            "Medicare approves it, tell Office Ally and record both on the Insurances page"
        )
    if not enrollment.office_ally_notified:
        return (
            f"Office Ally has not been told that Medicare approved the enrollment with "
            f"{describe(payer)}: tell Office Ally support, then record it on the Insurances page"
        )
    return None
