"""The gate: held for enrollment, Medicare notification and go-live; flagged when no ERA comes."""

from __future__ import annotations

from datetime import date

import pytest

from claimbridge.domain.enrollment import decide
from claimbridge.domain.models import Enrollment, EnrollmentStatus, Payer, Transaction
from claimbridge.domain.status import ClaimStatus

GO_LIVE = date(2026, 11, 1)
AFTER = date(2026, 11, 3)
CLAIMS, ERA = Transaction.CLAIMS, Transaction.ERA
E = EnrollmentStatus


def payer(*enrollments: Enrollment, filing: str | None = "CI", payer_id: str = "62308") -> Payer:
    return Payer(payer_id, "SOME PAYER", filing, True, enrollments)


def test_no_enrollment_required_goes_out_with_an_era() -> None:
    decision = decide(payer(), AFTER, GO_LIVE)
    assert decision.status is ClaimStatus.READY
    assert decision.hold_reasons == () and decision.reason is None
    assert decision.era_expected and decision.era_note is None


@pytest.mark.parametrize("status", [E.NOT_STARTED, E.SUBMITTED, E.REJECTED])
def test_required_837p_enrollment_not_approved_holds(status: EnrollmentStatus) -> None:
    decision = decide(payer(Enrollment(CLAIMS, True, status)), AFTER, GO_LIVE)
    assert decision.held and decision.status is ClaimStatus.HELD
    assert decision.hold_reasons == (
        "837P enrollment with SOME PAYER (62308) is required and not approved "
        f"({status.value.replace('_', ' ')})",
    )


def test_the_reason_gives_the_submission_date_when_known() -> None:
    pending = Enrollment(CLAIMS, True, E.SUBMITTED, submitted_on=date(2026, 10, 20))
    assert "submitted on 2026-10-20" in (decide(payer(pending), AFTER, GO_LIVE).reason or "")


def test_approved_837p_enrollment_goes_out() -> None:
    assert not decide(payer(Enrollment(CLAIMS, True, E.APPROVED)), AFTER, GO_LIVE).held


def test_medicare_approved_but_office_ally_not_notified_holds() -> None:
    medicare = payer(Enrollment(CLAIMS, True, E.APPROVED), filing="MB", payer_id="01182")
    decision = decide(medicare, AFTER, GO_LIVE)
    assert decision.held
    assert "Office Ally has not been notified" in (decision.reason or "")


def test_medicare_approved_and_notified_goes_out() -> None:
    notified = Enrollment(CLAIMS, True, E.APPROVED, office_ally_notified=True)
    assert not decide(payer(notified, filing="MA"), AFTER, GO_LIVE).held


def test_a_commercial_payer_needs_no_notification() -> None:
    assert not decide(payer(Enrollment(CLAIMS, True, E.APPROVED)), AFTER, GO_LIVE).held


def test_a_date_of_service_before_go_live_holds_and_on_go_live_does_not() -> None:
    early = decide(payer(), date(2026, 10, 31), GO_LIVE)
    assert early.hold_reasons == (
        "date of service 2026-10-31 is before the go-live date 2026-11-01 of the Office Ally "
        "account",
    )
    assert not decide(payer(), GO_LIVE, GO_LIVE).held
    assert not decide(payer(), date(2000, 1, 1), None).held


def test_every_reason_is_given_at_once() -> None:
    decision = decide(payer(Enrollment(CLAIMS, True), filing=None), date(2026, 1, 2), GO_LIVE)
    assert len(decision.hold_reasons) == 3
    assert decision.reason is not None and decision.reason.count("; ") == 2
    assert "no claim filing indicator" in decision.hold_reasons[2]


@pytest.mark.parametrize("status", [E.NOT_STARTED, E.SUBMITTED, E.REJECTED])
def test_era_enrollment_not_approved_goes_out_without_an_era(status: EnrollmentStatus) -> None:
    decision = decide(payer(Enrollment(ERA, True, status)), AFTER, GO_LIVE)
    assert not decision.held
    assert not decision.era_expected
    assert decision.era_note is not None and decision.era_note.startswith("no ERA expected yet")


def test_era_enrollment_approved_or_not_required_expects_an_era() -> None:
    assert decide(payer(Enrollment(ERA, True, E.APPROVED)), AFTER, GO_LIVE).era_expected
    assert decide(payer(Enrollment(ERA, False)), AFTER, GO_LIVE).era_expected
