"""``fewer_collections`` raises the young-generation threshold while a read is open."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

import claimbridge.x12.tx835_005010X221A1 as tx835
from claimbridge.errors import X12SyntaxError
from claimbridge.x12.collector import READING_THRESHOLD, fewer_collections
from claimbridge.x12.envelope import TransactionSet
from claimbridge.x12.reader import parse_text, read_file
from claimbridge.x12.tx835_005010X221A1 import Remittance
from claimbridge.x12.tx835_005010X221A1 import parse as tx835_parse
from support import TEST_DATA


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_the_threshold_is_raised_inside_and_restored_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (READING_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_set_by_the_program_is_kept() -> None:
    gc.set_threshold(READING_THRESHOLD * 2, 5, 5)
    with fewer_collections():
        assert gc.get_threshold() == (READING_THRESHOLD * 2, 5, 5)
    assert gc.get_threshold() == (READING_THRESHOLD * 2, 5, 5)


def test_nested_blocks_restore_once_the_outer_one_closes() -> None:
    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] == READING_THRESHOLD
    assert gc.get_threshold() == (700, 10, 10)


def test_an_error_inside_still_restores() -> None:
    with pytest.raises(ValueError), fewer_collections():
        raise ValueError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_blocks_that_close_out_of_order_in_threads_restore_the_default() -> None:
    first_open, second_open, first_closed = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with fewer_collections():
            first_open.set()
            second_open.wait(5)
        first_closed.set()

    def second() -> None:
        first_open.wait(5)
        with fewer_collections():
            second_open.set()
            first_closed.wait(5)
            assert gc.get_threshold()[0] == READING_THRESHOLD

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_read_holds_the_raised_threshold_until_it_is_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen_by_reader = []

    def parse(transaction: TransactionSet) -> Remittance:
        seen_by_reader.append(gc.get_threshold())
        return tx835_parse(transaction)

    monkeypatch.setattr(tx835, "parse", parse)
    seen_by_caller = [
        gc.get_threshold() for _ in read_file(TEST_DATA / "835" / "multi-transaction.835")
    ]
    assert len(seen_by_caller) >= 2 and set(seen_by_caller) == {(READING_THRESHOLD, 10, 10)}
    assert set(seen_by_reader) == {(READING_THRESHOLD, 10, 10)}
    assert gc.get_threshold() == (700, 10, 10)


def test_a_read_that_fails_restores_the_default() -> None:
    with pytest.raises(X12SyntaxError):
        list(
            parse_text("ISA*00*          *00*          *ZZ*A*ZZ*B*250101*1200*^*00501*1*0*P*:~XX~")
        )
    assert gc.get_threshold() == (700, 10, 10)


def test_a_read_dropped_half_way_restores_the_default() -> None:
    reader = read_file(TEST_DATA / "835" / "multi-transaction.835")
    next(reader)
    del reader
    assert gc.get_threshold() == (700, 10, 10)


def test_a_read_abandoned_half_way_leaves_the_default() -> None:
    reader = read_file(TEST_DATA / "835" / "multi-transaction.835")
    next(reader)
    reader.close()
    assert gc.get_threshold() == (700, 10, 10)
