"""Notes on a claim, who follows it up and when, and claims near their payer's filing limit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from claimbridge.domain.models import Secret
from claimbridge.domain.status import ClaimStatus
from claimbridge.domain.timely_filing import FilingState
from claimbridge.errors import ClaimNotFound, InputError
from claimbridge.services import follow_ups as follow_ups_module
from claimbridge.services.dashboard import dashboard
from claimbridge.services.follow_ups import (
    add_note,
    claim_follow_up,
    filing_due,
    follow_ups,
    members,
    set_follow_up,
)
from claimbridge.services.users import Role, add_user, find_user_id, set_active
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from ledger_fixtures import add_claim, load_example

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
DOS = date(2026, 11, 3)  # add_claim's date of service


@pytest.fixture
def ledger(store: Store) -> Store:
    load_example(store)
    with store.transaction() as session:
        add_user(session, "dana", Role.BILLER, Secret("a long enough password"))
        add_user(session, "lee", Role.BILLER, Secret("a long enough password"))
    add_claim(store, "CB1", "62308", ClaimStatus.HELD)  # UnitedHealthcare (CI)
    add_claim(store, "CB2", "87726", ClaimStatus.PAID)
    add_claim(store, "CB3", "87726", ClaimStatus.PAYER_REJECTED)
    return store


def test_notes_are_kept_newest_first_and_refused_empty_or_too_long(ledger: Store) -> None:
    with ledger.transaction() as session:
        add_note(session, "CB1", "  called UHC, ref 7741  ", "dana", NOW)
        add_note(session, "CB1", "resubmit after the 15th", "lee", NOW.replace(hour=16))
    with ledger.read() as session:
        notes = claim_follow_up(session, "CB1", NOW.date()).notes
        assert claim_follow_up(session, "CB3", NOW.date()).notes == ()
    assert [(n.written_by, n.text) for n in notes] == [
        ("lee", "resubmit after the 15th"),
        ("dana", "called UHC, ref 7741"),
    ]
    with ledger.transaction() as session:
        with pytest.raises(InputError, match="the note is empty"):
            add_note(session, "CB1", "   ", "dana", NOW)
        with pytest.raises(InputError, match="at most 2000 characters, not 2001"):
            add_note(session, "CB1", "x" * 2001, "dana", NOW)
        with pytest.raises(ClaimNotFound):
            add_note(session, "CB404", "hello", "dana", NOW)


def test_a_follow_up_goes_to_a_member_and_lists_oldest_date_first(ledger: Store) -> None:
    with ledger.transaction() as session:
        assert {"dana", "lee"} <= set(members(session))
        set_follow_up(session, "CB1", "dana", date(2026, 12, 5), "lee", NOW)
        set_follow_up(session, "CB3", "dana", date(2026, 12, 1), "lee", NOW)
        set_follow_up(session, "CB2", "lee", date(2026, 11, 30), "lee", NOW)
        with pytest.raises(InputError, match="'nobody-here' has no role in this practice"):
            set_follow_up(session, "CB1", "nobody-here", None, "lee", NOW)
    today = date(2026, 12, 2)
    with ledger.read() as session:
        mine = [row.clm01 for row in follow_ups(session, today, "dana")]
        due = [row.clm01 for row in follow_ups(session, today, "dana", due_only=True)]
        everyone = [row.clm01 for row in follow_ups(session, today)]
        shown = claim_follow_up(session, "CB1", today).follow_up
    assert mine == ["CB3", "CB1"] and due == ["CB3"] and everyone == ["CB2", "CB3", "CB1"]
    assert (shown.assigned_to, shown.follow_up_on, shown.updated_by) == (
        "dana", date(2026, 12, 5), "lee")  # fmt: skip
    with ledger.transaction() as session:
        set_follow_up(session, "CB1", "", None, "lee", NOW)  # nobody, no date
    with ledger.read() as session:
        assert claim_follow_up(session, "CB1", today).follow_up.assigned_to is None
        assert [row.clm01 for row in follow_ups(session, today, "dana")] == ["CB3"]


def test_claims_near_their_payers_limit_are_listed_deadline_first(ledger: Store) -> None:
    with ledger.transaction() as session:
        uhc = session.query(t.PayerRow).filter_by(payer_id="62308").one()
        uhc.timely_filing_days = 45  # CB1's deadline: 2026-12-18
    on = date(2026, 12, 1)
    with ledger.read() as session:
        due = filing_due(session, on)
        cb1, cb2, cb3 = (claim_follow_up(session, c, on).filing for c in ("CB1", "CB2", "CB3"))
    assert cb2 is None  # paid: the payer has it
    assert cb1 is not None and (cb1.days, cb1.days_left, cb1.state) == (45, 17, FilingState.DUE)
    assert cb3 is not None and (cb3.days, cb3.state) == (90, FilingState.IN_TIME)
    assert [row.clm01 for row in due] == ["CB1"]
    later = date(2027, 1, 10)  # CB1 late, CB3 (90 days: 2027-02-01) due
    with ledger.read() as session:
        listed = [
            (r.clm01, r.filing.state if r.filing else None) for r in filing_due(session, later)
        ]
    assert listed == [("CB1", FilingState.LATE), ("CB3", FilingState.DUE)]


def test_a_disabled_user_is_not_offered_nor_given_claims(ledger: Store) -> None:
    with ledger.transaction() as session:
        set_active(session, find_user_id(session, "lee"), False)
        assert "lee" not in members(session) and "dana" in members(session)
        with pytest.raises(InputError, match="'lee' is disabled: give the claim to someone"):
            set_follow_up(session, "CB1", "lee", None, "dana", NOW)


def test_the_dashboard_says_at_least_when_the_filing_list_is_cut_short(
    ledger: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = datetime(2027, 1, 20, 12, tzinfo=UTC)  # both open claims within 30 days of 02/01

    def alert() -> str:
        with ledger.read() as session:
            texts = [a.text for a in dashboard(session, late).alerts]
        [text] = [t for t in texts if "timely filing" in t]
        return text

    assert alert().startswith("2 claims the payer does not have yet")
    monkeypatch.setattr(follow_ups_module, "MOST_LISTED", 1)
    assert alert().startswith("At least 1 claims the payer does not have yet")


def test_the_earliest_deadline_comes_first_whatever_the_date_of_service(
    ledger: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A payer with a short limit puts a later visit's deadline before an older visit's with a
    long one: the list is by deadline across the payers' limits, and the dashboard counts the
    late claims without reading the list."""
    with ledger.transaction() as session:
        session.query(t.PayerRow).filter_by(payer_id="62308").one().timely_filing_days = 20
        cb3 = session.query(t.ClaimRow).filter_by(clm01="CB3").one()
        cb3.service_date = date(2026, 10, 20)  # 90 days: 2027-01-18
    on = date(2027, 1, 10)  # CB1 (2026-11-03 + 20 days) is late, CB3 due
    with ledger.read() as session:
        listed = [(row.clm01, row.filing.deadline if row.filing else None)
                  for row in filing_due(session, on)]  # fmt: skip
        texts = [a.text for a in dashboard(session, NOW.replace(year=2027, month=1, day=10)).alerts]
    assert listed == [("CB1", date(2026, 11, 23)), ("CB3", date(2027, 1, 18))]
    [alert] = [text for text in texts if "timely filing" in text]
    assert alert.startswith("2 claims the payer does not have yet") and "1 of them past it" in alert
    monkeypatch.setattr(follow_ups_module, "MOST_LISTED", 1)
    with ledger.read() as session:
        assert [row.clm01 for row in filing_due(session, on)] == ["CB1"]
        texts = [a.text for a in dashboard(session, NOW.replace(year=2027, month=1, day=10)).alerts]
    [alert] = [text for text in texts if "timely filing" in text]
    assert alert.startswith("At least 1 claims") and "1 of them past it" in alert
