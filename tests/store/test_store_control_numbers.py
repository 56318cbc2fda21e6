"""Control numbers come from the database: consecutive, never reused, even across processes."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import update

from claimbridge.errors import StoreError
from claimbridge.store.db import Store
from claimbridge.store.repositories import CONTROL_NUMBER_MAX, next_control_numbers
from claimbridge.store.tables import ControlNumberRow

DRAWS_PER_PROCESS = 150


def draw(store: Store, name: str, count: int = 1) -> range:
    with store.transaction() as session:
        return next_control_numbers(session, name, count)


def test_numbers_are_consecutive_per_kind(store: Store) -> None:
    assert [draw(store, "isa13")[0] for _ in range(3)] == [1, 2, 3]
    assert draw(store, "gs06") == range(1, 2)
    assert draw(store, "st02", 5) == range(1, 6)
    assert draw(store, "st02") == range(6, 7)


def test_a_rolled_back_draw_is_given_again(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as session:
        next_control_numbers(session, "isa13")
        raise RuntimeError("the batch was not built")
    assert draw(store, "isa13") == range(1, 2)


def test_numbers_start_again_after_nine_digits(store: Store) -> None:
    with store.transaction() as session:
        session.execute(
            update(ControlNumberRow)
            .where(ControlNumberRow.name == "isa13")
            .values(value=CONTROL_NUMBER_MAX - 1)
        )
    assert draw(store, "isa13") == range(CONTROL_NUMBER_MAX, CONTROL_NUMBER_MAX + 1)
    assert draw(store, "isa13", 3) == range(1, 4)


@pytest.mark.parametrize(("name", "count"), [("ge01", 1), ("isa13", 0)])
def test_unknown_kinds_and_empty_draws_are_refused(store: Store, name: str, count: int) -> None:
    with pytest.raises(StoreError):
        draw(store, name, count)


def _draw_many(
    url: str, start: multiprocessing.synchronize.Event, out: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    store = Store(url)
    start.wait()
    numbers = [draw(store, "isa13")[0] for _ in range(DRAWS_PER_PROCESS)]
    store.dispose()
    out.put(numbers)


def test_two_processes_never_get_the_same_number(store: Store) -> None:
    context = multiprocessing.get_context("fork")
    start, out = context.Event(), context.Queue()
    workers = [context.Process(target=_draw_many, args=(store.url, start, out)) for _ in range(2)]
    store.dispose()
    for worker in workers:
        worker.start()
    start.set()
    results = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    every = results[0] + results[1]
    assert sorted(every) == list(range(1, 2 * DRAWS_PER_PROCESS + 1))
    assert all(a < b for a, b in zip(results[0], results[0][1:], strict=False))
