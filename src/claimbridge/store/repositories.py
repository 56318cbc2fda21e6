"""Reading and writing the ledger: claims and their events, control numbers, remittances,
inbound files, the clearinghouse account, the enrollment gate and the Non-Par fee counts.

Every function takes the ``Session`` of a ``store.transaction()`` (or ``store.read()``), so
callers decide what happens atomically. The practice file and payer list writers live in
``store.practice`` and ``store.payers``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    case,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.util import identity_key

from claimbridge.domain import enrollment
from claimbridge.domain.fees import FeeCounts
from claimbridge.domain.models import ClearinghouseAccount, EraSplit, Secret
from claimbridge.domain.status import ClaimStatus, check_transition, check_undo
from claimbridge.errors import ClaimNotFound, ConfigError, StoreError
from claimbridge.store import tables as t
from claimbridge.store.bulk import among, chunks, insert_rows, update_rows
from claimbridge.store.crypto import Cipher
from claimbridge.store.payers import get_payer, payer_row
from claimbridge.store.tenancy import session_practice
from claimbridge.store.types import UtcDateTime

CONTROL_NUMBER_MAX = 999_999_999  # ISA13 is 9 digits; GS06 and ST02 are kept to the same
_SETTABLE_COLUMNS = frozenset({"era_expected", "status_reason"})
_CLAIMS = t.Base.metadata.tables["claims"]
_CLAIM_LINES = t.Base.metadata.tables["claim_lines"]
_CLAIM_EVENTS = t.Base.metadata.tables["claim_events"]


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def claim_statuses(session: Session, claim_ids: Sequence[int]) -> dict[int, ClaimStatus]:
    """The status of each claim of ``claim_ids`` as the ledger has it now, by claim id."""
    found: dict[int, ClaimStatus] = {}
    for chunk in chunks(claim_ids):
        query = select(t.ClaimRow.id, t.ClaimRow.status).where(among(t.ClaimRow.id, chunk))
        found |= {claim_id: ClaimStatus(status) for claim_id, status in session.execute(query)}
    return found


def next_control_numbers(session: Session, name: str, count: int = 1) -> range:
    """``count`` consecutive control numbers of kind ``name`` (isa13, gs06, st02), never reused.

    One ``UPDATE … RETURNING`` on the counter row: PostgreSQL locks the row until commit and
    SQLite has one writer, so two processes never get the same number. After 999999999 the
    numbers start again from 1.
    """
    if name not in t.CONTROL_NUMBER_NAMES or not 1 <= count <= CONTROL_NUMBER_MAX:
        raise StoreError(f"cannot draw {count} control numbers of kind {name!r}")
    value = t.ControlNumberRow.value
    statement = (
        update(t.ControlNumberRow)
        .where(t.ControlNumberRow.name == name)
        .values(value=case((value + count > CONTROL_NUMBER_MAX, count), else_=value + count))
        .returning(value)
    )
    last = session.execute(statement).scalar_one()
    return range(last - count + 1, last + 1)


def get_account(session: Session, cipher: Cipher | None = None) -> ClearinghouseAccount | None:
    """The Office Ally account; its password is decrypted only when ``cipher`` is given."""
    row = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    if row is None:
        return None
    token = row.password_token
    return ClearinghouseAccount(
        name=row.name,
        submitter_id=row.submitter_id,
        username=row.username,
        sftp_host=row.sftp_host,
        sftp_port=row.sftp_port,
        era_split=EraSplit(row.era_split),
        go_live=row.go_live,
        test_mode=row.test_mode,
        password=cipher.decrypt(token) if cipher is not None and token else None,
        service_center_username=row.service_center_username,
    )


def set_password(session: Session, password: Secret, cipher: Cipher) -> None:
    """Store the SFTP password of the account, encrypted with ``cipher``."""
    row = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    if row is None:
        raise ConfigError("no clearinghouse account yet: load a practice file first")
    row.password_token = cipher.encrypt(password)


def has_stored_password(session: Session) -> bool:
    """True when the account holds an encrypted SFTP password (only its own key can read it)."""
    query = select(t.ClearinghouseAccountRow.id).where(
        t.ClearinghouseAccountRow.password_token.is_not(None)
    )
    return session.scalars(query.limit(1)).first() is not None


def forget_password(session: Session) -> bool:
    """Erase the stored SFTP password (its key is lost); True when there was one."""
    row = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    if row is None or row.password_token is None:
        return False
    row.password_token = None
    return True


def gate(session: Session, payer_id: str, service_date: date) -> enrollment.GateDecision:
    """Whether a claim to ``payer_id`` for ``service_date`` may go out (see domain.enrollment)."""
    account = get_account(session)
    go_live = account.go_live if account else None
    return enrollment.decide(get_payer(session, payer_id), service_date, go_live)


@dataclass(frozen=True, slots=True)
class NewClaimLine:
    """A service line of a claim being added."""

    code: str
    charge: Decimal
    units: Decimal = Decimal(1)
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = (1,)
    appointment_line_id: int | None = None
    line_control_number: str | None = None


@dataclass(frozen=True, slots=True)
class NewClaim:
    """A claim being added; its total charge is the sum of its lines."""

    clm01: str
    payer_id: str
    billing_tax_id: str
    billing_npi: str
    rendering_npi: str
    service_date: date
    lines: tuple[NewClaimLine, ...]
    place_of_service: str = "11"
    status: ClaimStatus = ClaimStatus.DRAFT
    status_reason: str | None = None
    era_expected: bool = True
    appointment_id: int | None = None
    policy_id: int | None = None
    provider_id: int | None = None
    submitted_at: datetime | None = None
    payer_sequence: str = "primary"  # SBR01 P, S, T: which policy of the patient it bills
    follows_claim_id: int | None = None  # the claim whose adjudication it carries (2320/2430)

    @property
    def total_charge(self) -> Decimal:
        """The sum of the line charges."""
        return sum((line.charge for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """A claim as worklists show it."""

    id: int
    clm01: str
    payer_id: str
    status: ClaimStatus
    total_charge: Decimal
    service_date: date
    status_reason: str | None
    era_expected: bool
    submitted_at: datetime | None


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    """One entry of a claim's history."""

    what: str
    at: datetime
    why: str | None
    actor: str
    from_status: ClaimStatus | None
    to_status: ClaimStatus | None
    inbound_file_id: int | None


@dataclass(frozen=True, slots=True)
class Move:
    """One claim's status change: from ``current`` (as read) to ``target``, and why."""

    claim_id: int
    current: ClaimStatus
    target: ClaimStatus
    why: str


_SUMMARY_COLUMNS = (
    t.ClaimRow.id,
    t.ClaimRow.clm01,
    t.PayerRow.payer_id,
    t.ClaimRow.status,
    t.ClaimRow.total_charge,
    t.ClaimRow.service_date,
    t.ClaimRow.status_reason,
    t.ClaimRow.era_expected,
    t.ClaimRow.submitted_at,
)


class ClaimRepository:
    """Claims, their lines and their append-only history."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, claim: NewClaim, actor: str, why: str | None = None) -> int:
        """Insert ``claim`` with its lines and a 'created' event; returns its id."""
        return self.add_many([(claim, why)], actor)[0]

    def add_many(self, claims: Sequence[tuple[NewClaim, str | None]], actor: str) -> list[int]:
        """Insert each (claim, why) with its lines and a 'created' event, in three bulk INSERTs.

        Returns the new ids in the order given; ``StoreError`` names an unknown payer before
        anything is written.
        """
        if not claims:
            return []
        now = utcnow()
        payers = _payer_row_ids(self.session, {claim.payer_id for claim, _ in claims})
        rows = [_claim_values(claim, payers[claim.payer_id], now) for claim, _ in claims]
        ids = insert_rows(self.session, _CLAIMS, rows, returning=("id", "clm01"))
        lines = [line for claim_id, (claim, _) in zip(ids, claims, strict=True)
                 for line in _line_values(claim_id, claim)]  # fmt: skip
        if lines:
            insert_rows(self.session, _CLAIM_LINES, lines)
        events = [
            _event_values(claim_id, "created", why, actor, None, now, None, claim.status)
            for claim_id, (claim, why) in zip(ids, claims, strict=True)
        ]
        insert_rows(self.session, _CLAIM_EVENTS, events)
        return ids

    def by_clm01(self, clm01: str) -> ClaimSummary:
        """The claim whose patient control number is ``clm01``; ``ClaimNotFound`` if none."""
        query = _summaries().where(t.ClaimRow.clm01 == clm01)
        found = self.session.execute(query).first()
        if found is None:
            raise ClaimNotFound(f"no claim {clm01!r}", claim_id=clm01)
        return _summary(found)

    def worklist(
        self, status: ClaimStatus, payer_id: str, limit: int = 100, after_id: int = 0
    ) -> list[ClaimSummary]:
        """Claims in ``status`` for ``payer_id``, oldest first, ``limit`` at a time."""
        query = (
            _summaries()
            .where(t.ClaimRow.status == status.value)
            .where(t.ClaimRow.payer_id == payer_row(self.session, payer_id).id)
            .where(t.ClaimRow.id > after_id)
            .order_by(t.ClaimRow.id)
            .limit(limit)
        )
        return [_summary(found) for found in self.session.execute(query)]

    def transition(
        self,
        clm01: str,
        target: ClaimStatus,
        why: str,
        actor: str,
        inbound_file_id: int | None = None,
    ) -> ClaimSummary:
        """Move the claim to ``target`` (if allowed) and record why; returns the claim."""
        row = self._row(clm01)
        current = ClaimStatus(row.status)
        check_transition(current, target)
        now = utcnow()
        row.status, row.status_reason, row.updated_at = target.value, why, now
        if target is ClaimStatus.SUBMITTED and row.submitted_at is None:
            row.submitted_at = now
        self._event(row.id, "status", why, actor, current, target, inbound_file_id, now)
        self.session.flush()
        return self.by_clm01(clm01)

    def move_many(
        self, moves: Sequence[Move], actor: str, inbound_file_id: int | None = None
    ) -> None:
        """Apply many status changes at once: each checked, one bulk UPDATE, one event each.

        The bulk form of ``transition`` for ingesting large files; ``InvalidTransition`` before
        anything is written if any move is not allowed.
        """
        for move in moves:
            check_transition(move.current, move.target)
        self._write_moves(moves, actor, inbound_file_id, first_sent=True)

    def revert_many(
        self, moves: Sequence[Move], actor: str, inbound_file_id: int | None = None
    ) -> None:
        """Take claims back along a move they made (an undone posting); each ``check_undo``."""
        for move in moves:
            check_undo(move.current, move.target)
        self._write_moves(moves, actor, inbound_file_id)

    def _write_moves(
        self,
        moves: Sequence[Move],
        actor: str,
        inbound_file_id: int | None,
        first_sent: bool = False,
    ) -> None:
        """Write the moves in bulk; claims already loaded in the session are read again.

        ``first_sent``: a claim moved to ``submitted`` gets the time of its first submission if
        it has none, as ``transition`` does (in the same UPDATE).
        """
        if not moves:
            return
        now = utcnow()
        sent = ClaimStatus.SUBMITTED if first_sent else None
        rows = [
            (m.claim_id, m.target.value, m.why, now if m.target is sent else None) for m in moves
        ]
        _update_claims(
            self.session,
            rows,
            "status",
            "status_reason",
            "submitted_at",
            fill_only=("submitted_at",),
            updated_at=now,
        )
        events = [
            _event_values(
                m.claim_id, "status", m.why, actor, inbound_file_id, now, m.current, m.target
            )
            for m in moves
        ]
        insert_rows(self.session, _CLAIM_EVENTS, events)

    def note_many(
        self,
        notes: Sequence[tuple[int, str]],
        what: str,
        actor: str,
        inbound_file_id: int | None = None,
    ) -> None:
        """Record many events that change no status: (claim id, why) pairs, one bulk INSERT."""
        if not notes:
            return
        now = utcnow()
        events = [
            _event_values(claim_id, what, why, actor, inbound_file_id, now)
            for claim_id, why in notes
        ]
        insert_rows(self.session, _CLAIM_EVENTS, events)

    def set_many(self, column: str, values: Sequence[tuple[int, object]]) -> None:
        """Set one column that is no status (era_expected, status_reason) of many claims.

        (claim id, value) pairs, in as few UPDATEs as the rows need; the events, if any, are the
        caller's.
        """
        if column not in _SETTABLE_COLUMNS:
            raise ValueError(f"set_many does not set {column!r}")
        _update_claims(self.session, values, column)

    def note(
        self, clm01: str, what: str, why: str, actor: str, inbound_file_id: int | None = None
    ) -> None:
        """Record an event that does not change the status (a payment, a resubmission …)."""
        self._event(self._row(clm01).id, what, why, actor, None, None, inbound_file_id, utcnow())

    def events(self, clm01: str) -> list[ClaimEvent]:
        """The claim's history, oldest first."""
        query = (
            select(t.ClaimEventRow)
            .where(t.ClaimEventRow.claim_id == self._row(clm01).id)
            .order_by(t.ClaimEventRow.id)
        )
        return [_event(row) for row in self.session.scalars(query)]

    def _row(self, clm01: str) -> t.ClaimRow:
        row = self.session.scalars(select(t.ClaimRow).where(t.ClaimRow.clm01 == clm01)).first()
        if row is None:
            raise ClaimNotFound(f"no claim {clm01!r}", claim_id=clm01)
        return row

    def _event(
        self,
        claim_id: int,
        what: str,
        why: str | None,
        actor: str,
        from_status: ClaimStatus | None,
        to_status: ClaimStatus | None,
        inbound_file_id: int | None,
        at: datetime,
    ) -> None:
        values = _event_values(
            claim_id, what, why, actor, inbound_file_id, at, from_status, to_status
        )
        self.session.add(t.ClaimEventRow(**values))


def _event_values(
    claim_id: int,
    what: str,
    why: str | None,
    actor: str,
    inbound_file_id: int | None,
    at: datetime,
    from_status: ClaimStatus | None = None,
    to_status: ClaimStatus | None = None,
) -> dict[str, Any]:
    """One row of ``claim_events``, as every writer of events writes it."""
    return {
        "claim_id": claim_id,
        "what": what,
        "at": at,
        "why": why,
        "actor": actor,
        "inbound_file_id": inbound_file_id,
        "from_status": from_status.value if from_status else None,
        "to_status": to_status.value if to_status else None,
    }


def _update_claims(
    session: Session,
    rows: Sequence[tuple[Any, ...]],
    *names: str,
    fill_only: Collection[str] = (),
    **same_for_all: object,
) -> None:
    """Set the columns ``names`` of many claims (rows of claim id, one value each) in bulk."""
    update_rows(session, t.ClaimRow, rows, names, fill_only=fill_only, **same_for_all)
    _expire_claims(session, [row[0] for row in rows])


def _expire_claims(session: Session, claim_ids: Sequence[int]) -> None:
    """Mark loaded ``ClaimRow`` objects of ``claim_ids`` stale after a bulk UPDATE of them."""
    for claim_id in claim_ids:
        loaded = session.identity_map.get(identity_key(t.ClaimRow, claim_id))
        if loaded is not None:
            session.expire(loaded)


def _payer_row_ids(session: Session, payer_ids: set[str]) -> dict[str, int]:
    """The row id of each Office Ally payer ID; ``StoreError`` for one not in the payer list."""
    query = select(t.PayerRow.payer_id, t.PayerRow.id).where(t.PayerRow.payer_id.in_(payer_ids))
    found: dict[str, int] = dict(session.execute(query).all())
    unknown = sorted(payer_ids - found.keys())
    if unknown:
        raise StoreError(f"no payer {unknown[0]!r} in the payer list")
    return found


def _claim_values(claim: NewClaim, payer_row_id: int, now: datetime) -> dict[str, Any]:
    return {
        "clm01": claim.clm01,
        "payer_id": payer_row_id,
        "appointment_id": claim.appointment_id,
        "policy_id": claim.policy_id,
        "provider_id": claim.provider_id,
        "billing_tax_id": claim.billing_tax_id,
        "billing_npi": claim.billing_npi,
        "rendering_npi": claim.rendering_npi,
        "service_date": claim.service_date,
        "place_of_service": claim.place_of_service,
        "frequency_code": "1",
        "total_charge": claim.total_charge,
        "status": claim.status.value,
        "status_reason": claim.status_reason,
        "era_expected": claim.era_expected,
        "created_at": now,
        "updated_at": now,
        "submitted_at": claim.submitted_at,
        "payer_sequence": claim.payer_sequence,
        "follows_claim_id": claim.follows_claim_id,
    }


def _summaries() -> Select[*tuple[Any, ...]]:
    return select(*_SUMMARY_COLUMNS).join(t.PayerRow, t.PayerRow.id == t.ClaimRow.payer_id)


def _summary(found: Row[*tuple[Any, ...]]) -> ClaimSummary:
    claim_id, clm01, payer_id, status, charge, service_date, reason, era, sent = found
    return ClaimSummary(
        claim_id, clm01, payer_id, ClaimStatus(status), charge, service_date, reason, era, sent
    )


def _event(row: t.ClaimEventRow) -> ClaimEvent:
    return ClaimEvent(
        what=row.what,
        at=row.at,
        why=row.why,
        actor=row.actor,
        from_status=ClaimStatus(row.from_status) if row.from_status else None,
        to_status=ClaimStatus(row.to_status) if row.to_status else None,
        inbound_file_id=row.inbound_file_id,
    )


def _line_values(claim_id: int, claim: NewClaim) -> list[dict[str, Any]]:
    return [
        {
            "claim_id": claim_id,
            "line_number": number,
            "appointment_line_id": line.appointment_line_id,
            "code": line.code,
            "modifiers": ":".join(line.modifiers),
            "units": line.units,
            "charge": line.charge,
            "diagnosis_pointers": ":".join(str(p) for p in line.diagnosis_pointers),
            "service_date": claim.service_date,
            "line_control_number": line.line_control_number,
        }
        for number, line in enumerate(claim.lines, start=1)
    ]


@dataclass(frozen=True, slots=True)
class Remittance:
    """A check or EFT as an 835 states it (BPR and TRN)."""

    payer_identifier: str
    trace_number: str
    amount: Decimal
    method: str
    payment_date: date | None = None
    production_date: date | None = None
    inbound_file_id: int | None = None
    id: int | None = None


def add_remittance(session: Session, remittance: Remittance) -> tuple[int, bool]:
    """Record ``remittance`` once; returns its id and whether it was new."""
    existing = session.scalars(
        select(t.RemittanceRow.id).where(
            t.RemittanceRow.payer_identifier == remittance.payer_identifier,
            t.RemittanceRow.trace_number == remittance.trace_number,
            t.RemittanceRow.amount == remittance.amount,
        )
    ).first()
    if existing is not None:
        return existing, False
    payer = session.scalars(
        select(t.PayerRow.id).where(t.PayerRow.payer_id == remittance.payer_identifier)
    ).first()
    row = t.RemittanceRow(
        inbound_file_id=remittance.inbound_file_id,
        payer_id=payer,
        payer_identifier=remittance.payer_identifier,
        method=remittance.method,
        amount=remittance.amount,
        trace_number=remittance.trace_number,
        payment_date=remittance.payment_date,
        production_date=remittance.production_date,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row.id, True


def find_remittances(
    session: Session, payer_identifier: str, trace_number: str
) -> list[Remittance]:
    """The remittances of a payer with trace number ``trace_number`` (usually one)."""
    query = select(t.RemittanceRow).where(
        t.RemittanceRow.payer_identifier == payer_identifier,
        t.RemittanceRow.trace_number == trace_number,
    )
    return [
        Remittance(
            payer_identifier=row.payer_identifier,
            trace_number=row.trace_number,
            amount=row.amount,
            method=row.method,
            payment_date=row.payment_date,
            production_date=row.production_date,
            inbound_file_id=row.inbound_file_id,
            id=row.id,
        )
        for row in session.scalars(query.order_by(t.RemittanceRow.id))
    ]


def record_inbound_file(
    session: Session, name: str, content: bytes, detected_type: str | None, outcome: str
) -> tuple[int, bool]:
    """Keep a returned file once by SHA-256; returns its id and whether it was new."""
    digest = hashlib.sha256(content).hexdigest()
    query = select(t.InboundFileRow.id).where(t.InboundFileRow.sha256 == digest)
    existing = session.scalars(query).first()
    if existing is not None:
        return existing, False
    row = t.InboundFileRow(
        name=name,
        sha256=digest,
        size=len(content),
        received_at=utcnow(),
        detected_type=detected_type,
        outcome=outcome,
        content=content,
    )
    session.add(row)
    session.flush()
    return row.id, True


def month_of(
    session: Session,
    column: InstrumentedAttribute[datetime | None] | InstrumentedAttribute[date | None],
) -> ColumnElement[str]:
    """``column``'s month as YYYY-MM in SQL (a point in time in UTC), for grouping by month."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    if isinstance(column.type, UtcDateTime):
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.to_char(column, "YYYY-MM")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of ``month`` (YYYY-MM) and of the month after, in UTC."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise ConfigError(f"{month!r} is not a month (YYYY-MM)") from None
    following = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start, following


def fee_counts(session: Session, month: str | None = None) -> list[FeeCounts]:
    """Submitted claims per submission month (UTC) and (tax ID, rendering NPI), Par/Non-Par."""
    month_column = month_of(session, t.ClaimRow.submitted_at).label("month")
    par = func.sum(case((t.PayerRow.par, 1), else_=0))
    non_par = func.sum(case((t.PayerRow.par, 0), else_=1))
    query = (
        select(month_column, t.ClaimRow.billing_tax_id, t.ClaimRow.rendering_npi, par, non_par)
        .join(t.PayerRow, t.PayerRow.id == t.ClaimRow.payer_id)
        .where(t.ClaimRow.submitted_at.is_not(None))
        .group_by(month_column, t.ClaimRow.billing_tax_id, t.ClaimRow.rendering_npi)
    )
    if month is not None:
        start, end = month_bounds(month)
        query = query.where(t.ClaimRow.submitted_at >= start, t.ClaimRow.submitted_at < end)
    return [FeeCounts(*row) for row in session.execute(query)]


def status_totals(session: Session) -> dict[ClaimStatus, tuple[int, Decimal]]:
    """Per status, how many claims the practice has and their total charge, as the database's
    triggers keep them (``claim_status_totals``, migration 0024): a few rows, not every claim.
    Statuses with no claim are left out."""
    total = t.ClaimStatusTotalRow
    claims = func.sum(total.claims)
    query = (
        select(total.status, claims, func.sum(total.charge))
        .group_by(total.status)
        .having(claims != 0)
    )
    return {
        ClaimStatus(status): (int(count), Decimal(charge).quantize(Decimal("0.01")))
        for status, count, charge in session.execute(query)
    }


def fold_status_totals(session: Session) -> None:
    """Fold the practice's rows of ``claim_status_totals`` into one per status. On PostgreSQL
    each statement that moved claims added rows; a row taken here is deleted and its sum
    written in one statement, so a concurrent statement's rows stay for the next fold and a
    concurrent fold takes none twice. On SQLite each status has one row already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    practice = session_practice(session)
    session.execute(
        text(
            "WITH taken AS (DELETE FROM claim_status_totals WHERE practice_id = :practice "
            "RETURNING status, claims, charge) "
            "INSERT INTO claim_status_totals (practice_id, status, claims, charge) "
            "SELECT :practice, status, sum(claims), sum(charge) FROM taken GROUP BY status "
            "HAVING sum(claims) <> 0 OR sum(charge) <> 0"
        ),
        {"practice": practice},
    )
