"""Following claims up: notes on a claim, who follows it up and when, and timely filing.

A biller writes what they did or learned on the claim (``add_note``), gives it to a person of
the practice with a date to look again (``set_follow_up``), and works their own list, oldest
date first (``follow_ups``). Claims the payer has not accepted yet are measured against their
payer's timely filing limit (``domain.timely_filing``): ``filing_due`` lists those due soon or
late, deadline first, and ``claim_follow_up`` says where one claim stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from claimbridge.domain.status import NOT_YET_SUBMITTED, ClaimStatus
from claimbridge.domain.timely_filing import WARN_DAYS, FilingLimit, filing_limit, limit_days
from claimbridge.errors import InputError
from claimbridge.services.claims import find_claim
from claimbridge.services.users import list_users
from claimbridge.store import tables as t

MOST_NOTE_CHARS = 2000
MOST_LISTED = 500
# not yet received by the payer: the limit still runs
FILING_RUNS = (
    *NOT_YET_SUBMITTED,
    ClaimStatus.SUBMITTED,
    ClaimStatus.CLEARINGHOUSE_ACCEPTED,
    ClaimStatus.CLEARINGHOUSE_REJECTED,
    ClaimStatus.PAYER_REJECTED,
)


@dataclass(frozen=True, slots=True)
class Note:
    """A note on a claim."""

    written_at: datetime
    written_by: str
    text: str


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Who follows a claim up and when; both None when nobody was named."""

    assigned_to: str | None = None
    follow_up_on: date | None = None
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimFollowUp:
    """One claim's notes (newest first), its follow-up, and where it stands against its
    payer's timely filing limit (None once the payer has it)."""

    notes: tuple[Note, ...]
    follow_up: FollowUp
    filing: FilingLimit | None


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    """A claim in a follow-up or timely filing list."""

    clm01: str
    status: ClaimStatus
    patient: str
    payer: str
    service_date: date
    charge: str
    assigned_to: str | None
    follow_up_on: date | None
    filing: FilingLimit | None  # None once the payer has the claim


def add_note(session: Session, reference: str, text: str, actor: str, now: datetime) -> Note:
    """Write ``text`` on the claim ``reference`` (id or CLM01) as ``actor``."""
    words = text.strip()
    if not words:
        raise InputError("the note is empty", fields={"text": "write the note"})
    if len(words) > MOST_NOTE_CHARS:
        problem = f"a note holds at most {MOST_NOTE_CHARS} characters, not {len(words)}"
        raise InputError(problem, fields={"text": problem})
    claim = find_claim(session, reference)
    session.add(t.ClaimNoteRow(claim_id=claim.id, written_at=now, written_by=actor, text=words))
    return Note(now, actor, words)


def claim_follow_up(session: Session, reference: str, today: date) -> ClaimFollowUp:
    """What the claim ``reference`` (id or CLM01) holds for following it up, found once."""
    claim = find_claim(session, reference)
    return ClaimFollowUp(
        _notes(session, claim), _follow_up(session, claim), _filing(session, claim, today)
    )


def _notes(session: Session, claim: t.ClaimRow) -> tuple[Note, ...]:
    query = (
        select(t.ClaimNoteRow)
        .where(t.ClaimNoteRow.claim_id == claim.id)
        .order_by(t.ClaimNoteRow.written_at.desc(), t.ClaimNoteRow.id.desc())
    )
    return tuple(Note(row.written_at, row.written_by, row.text) for row in session.scalars(query))


def _follow_up(session: Session, claim: t.ClaimRow) -> FollowUp:
    row = session.get(t.ClaimFollowUpRow, claim.id)
    if row is None:
        return FollowUp()
    return FollowUp(row.assigned_to, row.follow_up_on, row.updated_by)


def _filing(session: Session, claim: t.ClaimRow, today: date) -> FilingLimit | None:
    if ClaimStatus(claim.status) not in FILING_RUNS:
        return None
    payer = session.get(t.PayerRow, claim.payer_id)
    assert payer is not None  # a claim's payer is a foreign key
    return filing_limit(
        claim.service_date, payer.timely_filing_days, payer.claim_filing_indicator, today
    )


def set_follow_up(
    session: Session,
    reference: str,
    assigned_to: str | None,
    follow_up_on: date | None,
    actor: str,
    now: datetime,
) -> FollowUp:
    """Give the claim to ``assigned_to`` (a member of the practice, or nobody) to look at again
    on ``follow_up_on`` (or no date)."""
    person = (assigned_to or "").strip() or None
    if person is not None and person not in members(session):
        problem = f"{person!r} has no role in this practice"
        if person in _disabled(session):
            problem = f"{person!r} is disabled: give the claim to someone who can sign in"
        raise InputError(problem, fields={"assigned_to": problem})
    claim = find_claim(session, reference)
    row = session.get(t.ClaimFollowUpRow, claim.id)
    if row is None:
        row = t.ClaimFollowUpRow(claim_id=claim.id, updated_at=now, updated_by=actor)
        session.add(row)
    row.assigned_to, row.follow_up_on = person, follow_up_on
    row.updated_at, row.updated_by = now, actor
    return FollowUp(person, follow_up_on, actor)


def members(session: Session) -> list[str]:
    """The usernames with a role in the session's practice who may sign in, by name: those a
    claim may be given to."""
    return [user.username for user in list_users(session) if user.active]


def _disabled(session: Session) -> set[str]:
    return {user.username for user in list_users(session) if not user.active}


def follow_ups(
    session: Session, today: date, assigned_to: str | None = None, due_only: bool = False
) -> list[FollowUpRow]:
    """Claims with a follow-up date (of ``assigned_to``, or everyone's), oldest date first;
    ``due_only`` keeps those due by ``today``."""
    follow = t.ClaimFollowUpRow
    query = _rows_query().join(follow, follow.claim_id == t.ClaimRow.id)
    query = query.where(follow.follow_up_on.is_not(None))
    if assigned_to is not None:
        query = query.where(follow.assigned_to == assigned_to)
    if due_only:
        query = query.where(follow.follow_up_on <= today)
    query = query.add_columns(follow.assigned_to, follow.follow_up_on)
    ordered = query.order_by(follow.follow_up_on, t.ClaimRow.id).limit(MOST_LISTED)
    return [_row(found, today) for found in session.execute(ordered)]


def filing_due(session: Session, today: date) -> list[FollowUpRow]:
    """Claims the payer has not accepted yet whose timely filing deadline is within
    ``WARN_DAYS`` or past, deadline first (at most ``MOST_LISTED``).

    Payers are grouped by their limit: within a group the deadline follows the date of service,
    so the database gives each group's oldest claims by the index on the service date, and
    those are merged by deadline; no claim still out is read beyond them."""
    follow = t.ClaimFollowUpRow
    rows: list[FollowUpRow] = []
    for due in _due_by_limit(session, today):
        query = (
            _rows_query()
            .outerjoin(follow, follow.claim_id == t.ClaimRow.id)
            .add_columns(follow.assigned_to, follow.follow_up_on)
            .where(due.soon)
            .order_by(t.ClaimRow.service_date, t.ClaimRow.id)
            .limit(MOST_LISTED)
        )
        rows += (_row(found, today) for found in session.execute(query))
    rows.sort(key=lambda row: (row.filing.deadline if row.filing else today, row.clm01))
    return rows[:MOST_LISTED]


@dataclass(frozen=True, slots=True)
class FilingCounts:
    """How many claims are due against their payer's limit, and how many of them are late:
    each counted up to ``MOST_LISTED`` (``cut`` then says there may be more)."""

    due: int
    late: int

    @property
    def cut(self) -> bool:
        """The count stopped at ``MOST_LISTED``."""
        return self.due >= MOST_LISTED


def filing_counts(session: Session, today: date) -> FilingCounts:
    """The claims ``filing_due`` would list, and the late ones among them, counted by the
    database (up to ``MOST_LISTED`` each) without reading them: what the dashboard says."""
    due = late = 0
    for group in _due_by_limit(session, today):
        due += _count_up_to(session, group.soon)
        late += _count_up_to(session, group.late)
    return FilingCounts(min(due, MOST_LISTED), min(late, MOST_LISTED))


@dataclass(frozen=True, slots=True)
class _DueGroup:
    soon: ColumnElement[bool]  # within WARN_DAYS of the deadline, or past it
    late: ColumnElement[bool]  # past it


def _due_by_limit(session: Session, today: date) -> list[_DueGroup]:
    """Per timely filing limit among the payers, the conditions that pick its claims still
    out that are due soon, and late."""
    limits: dict[int, list[int]] = {}
    for payer_id, days, indicator in session.execute(
        select(t.PayerRow.id, t.PayerRow.timely_filing_days, t.PayerRow.claim_filing_indicator)
    ):
        limits.setdefault(limit_days(days, indicator), []).append(payer_id)
    claim = t.ClaimRow
    running = claim.status.in_([status.value for status in FILING_RUNS])
    groups = []
    for days, payer_ids in sorted(limits.items()):
        of_group = running & claim.payer_id.in_(payer_ids)
        groups.append(
            _DueGroup(
                soon=of_group & (claim.service_date <= today - timedelta(days=days - WARN_DAYS)),
                late=of_group & (claim.service_date < today - timedelta(days=days)),
            )
        )
    return groups


def _count_up_to(session: Session, which: ColumnElement[bool]) -> int:
    first = select(t.ClaimRow.id).where(which).limit(MOST_LISTED).subquery()
    return session.scalar(select(func.count()).select_from(first)) or 0


def _rows_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            t.ClaimRow.clm01,
            t.ClaimRow.status,
            t.PatientRow.last_name,
            t.PatientRow.first_name,
            t.PayerRow.name,
            t.PayerRow.timely_filing_days,
            t.PayerRow.claim_filing_indicator,
            t.ClaimRow.service_date,
            t.ClaimRow.total_charge,
        )
        .join(t.PayerRow, t.PayerRow.id == t.ClaimRow.payer_id)
        .outerjoin(t.AppointmentRow, t.AppointmentRow.id == t.ClaimRow.appointment_id)
        .outerjoin(t.PatientRow, t.PatientRow.id == t.AppointmentRow.patient_id)
    )


def _row(found: tuple[object, ...], today: date) -> FollowUpRow:
    (clm01, status, last, first, payer, days, indicator, service_date, charge,
     assigned_to, follow_up_on) = found  # fmt: skip
    claim_status = ClaimStatus(str(status))
    assert isinstance(service_date, date)
    filing = (
        filing_limit(service_date, days, indicator, today)  # type: ignore[arg-type]
        if claim_status in FILING_RUNS
        else None
    )
    return FollowUpRow(
        clm01=str(clm01),
        status=claim_status,
        patient=f"{last}, {first}" if last else "",
        payer=str(payer),
        service_date=service_date,
        charge=f"{charge:.2f}",
        assigned_to=assigned_to,  # type: ignore[arg-type]
        follow_up_on=follow_up_on,  # type: ignore[arg-type]
        filing=filing,
    )
