"""The dashboard: claims by status, money in flight, the last poll and file, and alerts.

Alerts name what needs a person: background work stopped after a rejected login
(``services.jobs``), held claims with their reason, rejections to fix, an SFTP
login Office Ally rejected (the transport's marks), no successful poll for more than a day
once claims have been sent or polls tried, ERA claims not posted (they name none of our claims,
or one never sent or sent to another payer), ERA payments held for review because they would
take a claim beyond what it can take (a second check, an overpayment), claims posted from ERAs
whose amounts for them do not add up (until a person marks each reviewed), claims to a next
payer sent with an adjudication that changed since and not yet accepted, payers whose ERA
enrollment is pending, and payers from which no ERA has come for ``era_silence_days``
although claims are out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from claimbridge.domain.status import ClaimStatus
from claimbridge.domain.timely_filing import WARN_DAYS
from claimbridge.errors import ConfigError
from claimbridge.services.account import login_refused
from claimbridge.services.claim_chain import waiting_ids
from claimbridge.services.follow_ups import filing_counts
from claimbridge.services.jobs import Schedule, schedule_of
from claimbridge.services.polls import Poll, last_successful_poll, recent_polls
from claimbridge.services.post import held_payments, unbalanced_claim_ids, unmatched
from claimbridge.services.submit import unconfirmed_batches
from claimbridge.services.worklist import status_counts
from claimbridge.store import tables as t
from claimbridge.store.tenancy import session_practice
from claimbridge.transport.lockout import AuthFailure

IN_FLIGHT = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.CLEARINGHOUSE_ACCEPTED,
    ClaimStatus.PAYER_ACCEPTED,
)
REJECTED = (ClaimStatus.CLEARINGHOUSE_REJECTED, ClaimStatus.PAYER_REJECTED)
POLL_SILENCE = timedelta(days=1)
MOST_REASONS = 20  # reasons shown one by one; the rest are summed up in one alert


@dataclass(frozen=True, slots=True)
class Alert:
    """Something a person should look at: a level ('error', 'warning', 'info'), words, a link."""

    level: str
    text: str
    link: str | None = None


@dataclass(frozen=True, slots=True)
class LastFile:
    """The newest file Office Ally returned, and what became of it."""

    name: str
    received_at: datetime
    detected_type: str | None
    outcome: str
    detail: str | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard shows."""

    counts: dict[ClaimStatus, tuple[int, Decimal]]
    in_flight: Decimal
    in_flight_claims: int
    last_file: LastFile | None
    alerts: tuple[Alert, ...]
    last_poll: Poll | None = None
    unbalanced_claims: int = 0  # posted from ERAs that do not add up, not yet reviewed
    jobs_stopped: bool = False  # a rejected login stopped the account's background work
    login_refused: bool = False  # a rejected login keeps claimbridge from dialling the account


def dashboard(session: Session, now: datetime, era_silence_days: int = 30) -> Dashboard:
    """The dashboard at ``now``."""
    counts = status_counts(session)
    flying = [counts.get(status, (0, Decimal("0.00"))) for status in IN_FLIGHT]
    polls = recent_polls(session, 1)
    unbalanced = _unbalanced_count(session)
    stopped = _stopped_schedules(session)
    refused = login_refused(session)
    alerts = (
        *_job_alerts(stopped),
        *_auth_alerts(refused),
        *_poll_alerts(session, now, bool(polls)),
        *_claim_alerts(session),
        *_unmatched_alerts(session),
        *_held_payment_alerts(session),
        *_chain_waiting_alerts(session),
        *_unbalanced_alerts(unbalanced),
        *_era_enrollment_alerts(session),
        *_filing_alerts(session, now.date()),
        *_unconfirmed_alerts(session),
        *_silent_payer_alerts(session, now, era_silence_days),
    )
    return Dashboard(
        counts=counts,
        in_flight=sum((amount for _, amount in flying), Decimal("0.00")),
        in_flight_claims=sum(n for n, _ in flying),
        last_file=_last_file(session),
        alerts=alerts,
        last_poll=polls[0] if polls else None,
        unbalanced_claims=unbalanced,
        jobs_stopped=bool(stopped),
        login_refused=refused is not None,
    )


def _stopped_schedules(session: Session) -> list[Schedule]:
    try:
        schedule = schedule_of(session, session_practice(session))
    except ConfigError:  # a ledger with no practice yet has no background work
        return []
    return [schedule] if schedule.stopped else []


def _job_alerts(stopped: list[Schedule]) -> list[Alert]:
    return [
        Alert(
            "error",
            f"Background work on the Office Ally account is stopped since "
            f"{schedule.stopped_at:%m/%d/%Y %H:%M} UTC: {schedule.stopped_reason} "
            "Once the credentials are right, an admin resumes it here.",
            None,
        )
        for schedule in stopped
    ]


def _last_file(session: Session) -> LastFile | None:
    row = session.scalars(select(t.InboundFileRow).order_by(t.InboundFileRow.id.desc())).first()
    if row is None:
        return None
    return LastFile(row.name, row.received_at, row.detected_type, row.outcome, row.outcome_detail)


def _auth_alerts(failure: AuthFailure | None) -> list[Alert]:
    if failure is None:
        return []
    text = (
        f"Office Ally rejected the SFTP login {failure.account} on {failure.when} "
        f"({failure.detail}). Nothing is sent or fetched until the credentials are checked with "
        "Office Ally: save the corrected password on the Provider page, or, if it was right, an "
        "admin allows logins again here."
    )
    return [Alert("error", text, "/provider")]


def _poll_alerts(session: Session, now: datetime, polled: bool) -> list[Alert]:
    """No successful poll for a day, once there is something to fetch or a poll was tried."""
    last = last_successful_poll(session)
    if last is not None and last.started_at >= now.astimezone(UTC) - POLL_SILENCE:
        return []
    if last is None and not polled and session.scalar(select(t.BatchRow.id).limit(1)) is None:
        return []
    since = f"since {last.started_at:%m/%d/%Y %H:%M} UTC" if last else "yet"
    text = (
        f"No poll of Office Ally has succeeded {since}: answers and ERAs wait there. "
        "Poll now, or check that 'claimbridge watch' runs."
    )
    return [Alert("warning", text, "/")]


def _claim_alerts(session: Session) -> list[Alert]:
    """One alert per reason claims are held or rejected, with how many and a link to them;
    rejections (a person must fix them) first, then the largest groups. The groups are counted
    from the index on status and reason; a group of one is then named by its claim."""
    claim = t.ClaimRow
    query = (
        select(claim.status, claim.status_reason, func.count())
        .where(claim.status.in_([ClaimStatus.HELD.value, *(s.value for s in REJECTED)]))
        .group_by(claim.status, claim.status_reason)
    )
    held = ClaimStatus.HELD.value
    groups = sorted(session.execute(query).all(),
                    key=lambda g: (g[0] == held, -g[2], g[0], g[1] or ""))  # fmt: skip
    alerts = [_reason_alert(session, *group) for group in groups[:MOST_REASONS]]
    if len(groups) > MOST_REASONS:
        rest = sum(group[2] for group in groups[MOST_REASONS:])
        more = len(groups) - MOST_REASONS
        alerts.append(Alert("warning", f"{rest} more claims held or rejected for {more} other "
                            "reasons: see the worklist.", "/claims?status=held"))  # fmt: skip
    return alerts


def _reason_alert(session: Session, status: str, reason: str | None, claims: int) -> Alert:
    held = status == ClaimStatus.HELD.value
    words = "held" if held else "rejected, fix and resubmit"
    why = reason or "no reason given"
    if claims == 1:
        claim = t.ClaimRow
        same_reason = (
            claim.status_reason.is_(None) if reason is None else claim.status_reason == reason
        )
        first = session.scalars(
            select(claim.clm01).where(claim.status == status, same_reason).limit(1)
        ).one()
        return Alert("warning" if held else "error", f"Claim {first} {words}: {why}",
                     f"/claims/{first}")  # fmt: skip
    link = "/claims?" + urlencode({"status": status, "reason": reason or ""})
    return Alert("warning" if held else "error", f"{claims} claims {words}: {why}", link)


def _unconfirmed_alerts(session: Session) -> list[Alert]:
    pending = unconfirmed_batches(session)
    if not pending:
        return []
    files = "batch file" if pending == 1 else "batch files"
    text = (
        f"{pending} {files} stopped between recording and confirming the upload (the "
        "connection or claimbridge stopped). Their claims are in no other file: the next "
        "submission looks for each in Office Ally's inbound, records it if it arrived and "
        "uploads the same file if it did not: Submit ready claims to finish them."
    )
    return [Alert("warning", text, "/claims")]


def _filing_alerts(session: Session, today: date) -> list[Alert]:
    counts = filing_counts(session, today)
    if not counts.due:
        return []
    counted = f"At least {counts.due}" if counts.cut else str(counts.due)
    late = f", {counts.late} of them past it" if counts.late else ""
    text = (
        f"{counted} claims the payer does not have yet are within {WARN_DAYS} days of its "
        f"timely filing limit{late}: send or fix them first (the Follow-ups page lists them, "
        "deadline first)."
    )
    return [Alert("error" if counts.late else "warning", text, "/follow-ups#filing")]


def _unmatched_alerts(session: Session) -> list[Alert]:
    queue = unmatched(session)
    if not queue:
        return []
    first = queue[0]
    why = f" ({first.detail})" if first.detail else ""
    example = f"{first.patient_control_number} on check {first.trace_number} from {first.payer}"
    if len(queue) == 1:
        text = (
            f"1 ERA claim was not posted: it matches none of our claims sent to its payer: "
            f"{example}{why}. Match it by hand or ask the payer (the Unmatched page lists it)."
        )
    else:
        text = (
            f"{len(queue)} ERA claims were not posted: they match none of our claims sent to "
            f"their payer, e.g. {example}{why}: match each by hand or ask the payer (the "
            "Unmatched page lists them)."
        )
    return [Alert("warning", text, "/unmatched")]


def _held_payment_alerts(session: Session) -> list[Alert]:
    held = held_payments(session)
    if not held:
        return []
    first = held[0]
    example = f"{first.paid} on check {first.trace_number} for {first.detail}"
    if len(held) == 1:
        text = (
            f"1 ERA payment held for review: it would take a claim beyond what it can take: "
            f"{example}. Post it or mark it refunded (the Unmatched page, Held for review)."
        )
    else:
        text = (
            f"{len(held)} ERA payments held for review: they would take a claim beyond what it "
            f"can take, e.g. {example}. Post each or mark it refunded (the Unmatched page, Held "
            "for review)."
        )
    return [Alert("error", text, "/unmatched#held")]


def _chain_waiting_alerts(session: Session) -> list[Alert]:
    """Claims to a next payer sent with an adjudication that changed since, until their
    payer answers and their replacement or void is made (``services.claim_chain``)."""
    query = select(t.ClaimRow.clm01).where(t.ClaimRow.id.in_(waiting_ids()))
    waiting = list(session.scalars(query.order_by(t.ClaimRow.id)))
    if not waiting:
        return []
    if len(waiting) == 1:
        text = (
            f"1 claim to a next payer went out carrying an adjudication that has changed since: "
            f"{waiting[0]}. Its payer has not accepted it yet; once it does, a replacement (or a "
            "void) is made by itself. Follow it up if the payer stays silent."
        )
    else:
        text = (
            f"{len(waiting)} claims to a next payer went out carrying an adjudication that has "
            f"changed since, e.g. {waiting[0]}: their payer has not accepted them yet; once it "
            "does, a replacement (or a void) is made by itself. Follow them up if the payer "
            "stays silent."
        )
    link = f"/claims/{waiting[0]}" if len(waiting) == 1 else "/claims?waiting=1"
    return [Alert("warning", text, link)]


def _unbalanced_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(unbalanced_claim_ids().subquery())) or 0


def _unbalanced_alerts(count: int) -> list[Alert]:
    if not count:
        return []
    claims = "1 claim was" if count == 1 else f"{count} claims were"
    text = (
        f"{claims} posted from ERAs whose amounts do not add up: compare each with the payer's "
        "EOB, then mark it reviewed on its page."
    )
    return [Alert("warning", text, "/claims?unbalanced=1")]


def _era_enrollment_alerts(session: Session) -> list[Alert]:
    """Payers whose ERA enrollment is required and not approved: expect paper EOBs from them,
    unless their ERAs already arrive (an 835 from a file, not a paper EOB entered by hand):
    then the enrollment is in effect, and only its status is behind."""
    era_arrived = exists().where(
        t.RemittanceRow.payer_id == t.PayerRow.id, t.RemittanceRow.inbound_file_id.is_not(None)
    )
    query = (
        select(t.PayerRow.name, t.PayerRow.payer_id, t.PayerEnrollmentRow.status, era_arrived)
        .join(t.PayerEnrollmentRow, t.PayerEnrollmentRow.payer_id == t.PayerRow.id)
        .where(t.PayerEnrollmentRow.transaction_type == "835")
        .where(t.PayerEnrollmentRow.required.is_(True))
        .where(t.PayerEnrollmentRow.status != "approved")
        .order_by(t.PayerRow.name)
    )
    return [
        _era_enrollment_alert(f"{name} ({payer_id})", status.replace("_", " "), arrived)
        for name, payer_id, status, arrived in session.execute(query)
    ]


def _era_enrollment_alert(payer: str, status: str, arrived: bool) -> Alert:
    if arrived:
        text = (
            f"ERAs from {payer} arrive and post, but its ERA enrollment is still marked "
            f"{status}: mark it approved on Onboarding."
        )
        return Alert("info", text, "/onboarding")
    text = f"ERA enrollment with {payer} is {status}: expect paper remittances"
    return Alert("warning", text, "/onboarding")


def _silent_payer_alerts(session: Session, now: datetime, days: int) -> list[Alert]:
    """Payers with no ERA for ``days`` while claims sent to them before then are still open.
    One statement: each payer's last ERA through the index on the remittances' payer and date,
    and whether one such claim exists through the index on the claims' status and payer."""
    cutoff = now.astimezone(UTC) - timedelta(days=days)
    last_era = (
        select(func.max(t.RemittanceRow.created_at))
        .where(t.RemittanceRow.payer_id == t.PayerRow.id)
        .scalar_subquery()
    )
    open_claim = (
        select(t.ClaimRow.id)
        .where(t.ClaimRow.payer_id == t.PayerRow.id)
        .where(t.ClaimRow.status.in_([s.value for s in IN_FLIGHT]))
        .where(t.ClaimRow.era_expected.is_(True))
        .where(t.ClaimRow.submitted_at < cutoff)
        .exists()
    )
    query = (
        select(t.PayerRow.name, t.PayerRow.payer_id, last_era)
        .where(open_claim)
        .where(or_(last_era.is_(None), last_era < cutoff))
        .order_by(t.PayerRow.name, t.PayerRow.payer_id)
    )
    return [
        Alert(
            "warning",
            f"No ERA from {name} ({payer_id}) {f'since {last:%m/%d/%Y}' if last else 'ever'}, "
            f"while claims sent over {days} days ago are open",
            "/eras",
        )
        for name, payer_id, last in session.execute(query)
    ]
