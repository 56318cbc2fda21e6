"""The Office Ally account's mode: test (``OATEST`` uploads) or production, and the switch.

::

    status = mode_status(session)          # the mode, who switched and when, what is unmet
    switch_to_production(session, "dana", now)
    switch_to_test(session, "dana", now, reason="new billing provider to test")

The account's ``test_mode`` flag is what ``services.submit`` reads to name each upload (and
nothing else decides it once the account exists); each switch writes an
``account_mode_changes`` row. Going to production is refused, with every unmet rule in words
(``domain.account_mode``), until the go-live date is set, Office Ally accepted a test batch and
every Medicare payer the practice bills is approved with Office Ally told. Going back to test
needs a reason. Who may switch is the caller's business: the web allows admins only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from claimbridge.domain.account_mode import AccountMode, production_blockers
from claimbridge.domain.models import EnrollmentStatus, Payer, Transaction
from claimbridge.domain.payers import is_medicare
from claimbridge.errors import ConfigError, InputError
from claimbridge.store import tables as t
from claimbridge.store.payers import list_payers


@dataclass(frozen=True, slots=True)
class ModeChange:
    """One switch: to which mode, when (UTC), by whom, and why (going back to test)."""

    mode: AccountMode
    changed_at: datetime
    changed_by: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ModeStatus:
    """The account's mode, its last recorded switch, and what keeps it from production."""

    mode: AccountMode
    last_change: ModeChange | None
    accepted_test_batches: int
    unmet: tuple[str, ...]

    @property
    def may_go_to_production(self) -> bool:
        """True when the account is in test mode and every rule is met."""
        return self.mode is AccountMode.TEST and not self.unmet


def _account(session: Session) -> t.ClearinghouseAccountRow:
    row = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    if row is None:
        raise ConfigError("no Office Ally account yet: load the practice file first")
    return row


def current_mode(session: Session) -> AccountMode | None:
    """The account's mode; None when there is no account yet."""
    row = session.scalars(select(t.ClearinghouseAccountRow.test_mode).limit(1)).first()
    return None if row is None else AccountMode.of(row)


def mode_status(session: Session) -> ModeStatus:
    """The mode, the last switch, and every reason it may not go to production now."""
    account = _account(session)
    accepted = accepted_test_batches(session)
    unmet = production_blockers(account.go_live, accepted, _billed_medicare_payers(session))
    return ModeStatus(
        AccountMode.of(account.test_mode), _last_change(session, account), accepted, unmet
    )


def accepted_test_batches(session: Session) -> int:
    """How many test (OATEST) batches Office Ally's TA1 or 999 accepted."""
    query = select(func.count()).where(
        t.BatchRow.test_mode.is_(True), t.BatchRow.status == "accepted"
    )
    return session.scalar(query) or 0


def switch_to_production(session: Session, actor: str, now: datetime) -> ModeChange:
    """Put the account in production and record it; ``ConfigError`` with every unmet rule."""
    status = mode_status(session)
    if status.mode is AccountMode.PRODUCTION:
        raise ConfigError(f"the Office Ally account is already in production{_since(status)}")
    if status.unmet:
        raise ConfigError(
            "the Office Ally account cannot go to production yet: " + "; ".join(status.unmet)
        )
    return _record(session, AccountMode.PRODUCTION, actor, now, None)


def switch_to_test(session: Session, actor: str, now: datetime, reason: str) -> ModeChange:
    """Put the account back in test mode (uploads named ``OATEST``) and record who and why."""
    if not reason.strip():
        raise InputError("say why the account goes back to test mode (a reason is required)")
    status = mode_status(session)
    if status.mode is AccountMode.TEST:
        raise ConfigError(f"the Office Ally account is already in test mode{_since(status)}")
    return _record(session, AccountMode.TEST, actor, now, reason.strip())


def _record(
    session: Session, mode: AccountMode, actor: str, now: datetime, reason: str | None
) -> ModeChange:
    account = _account(session)
    account.test_mode = mode is AccountMode.TEST
    session.add(
        t.AccountModeChangeRow(
            account_id=account.id, mode=mode.value, changed_at=now, changed_by=actor, reason=reason
        )
    )
    session.flush()
    return ModeChange(mode, now, actor, reason)


def _since(status: ModeStatus) -> str:
    change = status.last_change
    if change is None or change.mode is not status.mode:
        return ""
    return f" (since {change.changed_at:%Y-%m-%d %H:%M} UTC, by {change.changed_by})"


def _last_change(session: Session, account: t.ClearinghouseAccountRow) -> ModeChange | None:
    query = (
        select(t.AccountModeChangeRow)
        .where(t.AccountModeChangeRow.account_id == account.id)
        .order_by(t.AccountModeChangeRow.id.desc())
        .limit(1)
    )
    row = session.scalars(query).first()
    if row is None:
        return None
    return ModeChange(AccountMode(row.mode), row.changed_at, row.changed_by, row.reason)


def _billed_medicare_payers(session: Session) -> list[Payer]:
    """Medicare payers whose 837P enrollment is required and that the practice bills: a
    patient's policy names them, or their enrollment was started. Medicare contractors that
    only came in with Office Ally's payer list are not the practice's business."""
    named = exists().where(t.PolicyRow.payer_id == t.PayerRow.id)  # one probe per payer
    billed = set(session.scalars(select(t.PayerRow.payer_id).where(named)))
    found = []
    for payer in list_payers(session):
        enrollment = payer.enrollment(Transaction.CLAIMS)
        started = enrollment.status is not EnrollmentStatus.NOT_STARTED
        if is_medicare(payer) and enrollment.required and (payer.payer_id in billed or started):
            found.append(payer)
    return found
