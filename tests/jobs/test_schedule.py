"""The schedule a worker runs every minute: each account's poll when its own interval has
passed, its ready claims when the practice sends them by themselves, nothing for a stopped
account, and never a second job of a kind still queued or running."""

from __future__ import annotations

from datetime import timedelta

import pytest

from claimbridge.errors import InputError
from claimbridge.jobs.schedule import schedule_round
from claimbridge.services.claims import create_claims
from claimbridge.services.jobs import (
    Job,
    JobKind,
    finish_job,
    get_job,
    practices_with_account,
    schedule_of,
    set_schedule,
    stop_account,
)
from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load
from cycle_support import NOW
from ledger_fixtures import load_example


class Recorder:
    """A runner that only remembers what it was handed."""

    def __init__(self) -> None:
        self.handed: list[Job] = []

    def run(self, job: Job) -> None:
        self.handed.append(job)


def _kinds(store: Store, minutes: int) -> list[str]:
    recorder = Recorder()
    queued = schedule_round(store, recorder, NOW + timedelta(minutes=minutes))
    assert queued == recorder.handed
    for job in queued:  # the jobs end at once, so only the schedule decides what comes next
        finish_job(store, job.id, True, "done", None, NOW)
    return [job.kind.value for job in queued]


def test_each_account_is_polled_on_its_own_interval(store: Store) -> None:
    assert _kinds(store, 0) == []  # no account yet
    load_example(store)
    assert _kinds(store, 0) == ["poll"]
    assert [_kinds(store, minute) for minute in (1, 14)] == [[], []]
    assert _kinds(store, 15) == ["poll"]  # the default: every 15 minutes
    with store.transaction() as session:
        set_schedule(session, 1, 60, auto_submit=False)
    assert _kinds(store, 45) == [] and _kinds(store, 75) == ["poll"]


def test_a_kind_still_queued_is_not_queued_again(store: Store) -> None:
    load_example(store)
    recorder = Recorder()
    [first] = schedule_round(store, recorder, NOW)
    assert schedule_round(store, recorder, NOW + timedelta(minutes=30)) == []  # still queued
    finish_job(store, first.id, True, "done", None, NOW)
    assert [job.kind for job in schedule_round(store, recorder, NOW + timedelta(minutes=31))] == [
        JobKind.POLL
    ]


def test_ready_claims_go_only_when_the_practice_asks(store: Store) -> None:
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", NOW.date())
    assert _kinds(store, 0) == ["poll"]  # claims are ready, but sending is off by default
    with store.transaction() as session:
        set_schedule(session, 1, 15, auto_submit=True)
    assert _kinds(store, 1) == ["submit"]
    assert _kinds(store, 15) == ["poll", "submit"]


def test_a_stopped_account_gets_nothing(store: Store) -> None:
    load_example(store)
    with store.transaction() as session:
        set_schedule(session, 1, 15, auto_submit=True)
        create_claims(session, "test", NOW.date())
    stop_account(store, 1, "the login was rejected", NOW)
    assert _kinds(store, 0) == [] and _kinds(store, 600) == []
    with store.read() as session:
        assert schedule_of(session, 1).stopped_reason == "the login was rejected"


@pytest.mark.parametrize("minutes", [0, 4, 1441])
def test_an_interval_office_ally_would_refuse_is_refused(store: Store, minutes: int) -> None:
    load_example(store)
    with store.transaction() as session, pytest.raises(InputError, match="poll every 5 to 1440"):
        set_schedule(session, 1, minutes, auto_submit=False)


def test_every_practice_with_an_account_gets_its_own_jobs(store: Store) -> None:
    cedar, oak = store_for_load(store, "practice"), store_for_load(store, "oak-grove")
    for practice in (cedar, oak):
        load_example(practice)
    assert practices_with_account(store) == sorted([cedar.practice_id, oak.practice_id])
    with oak.transaction() as session:
        set_schedule(session, oak.practice_id, 60, auto_submit=False)
    queued = schedule_round(store, Recorder(), NOW)
    assert sorted(job.practice_id for job in queued) == sorted([cedar.practice_id, oak.practice_id])
    for practice in (cedar, oak):  # each sees its own job, and the other's not at all
        with practice.read() as session:
            mine = [get_job(session, job.id) for job in queued]
        assert [job.practice_id for job in mine if job] == [practice.practice_id]
        with practice.read() as session:
            every = schedule_of(session, practice.practice_id).poll_every_minutes
        assert every == (60 if practice is oak else 15)
    assert [job.practice_id for job in schedule_round(store, Recorder(), NOW)] == []
