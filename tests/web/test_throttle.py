"""The sign-in limits on their own, on a clock the test moves: delays that start after the free
failures and double, a success that clears the username but not the address, failures forgotten
after an hour, attempts in flight counted, and the memory bounded. The hashing slots: a few
hash, a few wait, the rest are refused at once."""

from __future__ import annotations

import threading
import time

import pytest

from claimbridge.web import throttle
from claimbridge.web.errors import Busy
from claimbridge.web.throttle import HashingSlots, Limit, SignInLimits


def _limits(clock: list[float]) -> SignInLimits:
    return SignInLimits(Limit(free=3), Limit(free=6), clock=lambda: clock[0])


def test_delays_start_after_the_free_failures_and_double_up_to_the_most() -> None:
    clock = [0.0]
    limits = _limits(clock)
    for _ in range(3):
        assert limits.attempt("dana", "10.0.0.1") is None
    waits = []
    for _ in range(12):
        refused = limits.attempt("dana", "10.0.0.2")  # another address: the username still waits
        assert refused is not None and refused.reason == "for this username"
        waits.append(refused.seconds)
        clock[0] += refused.seconds
        assert limits.attempt("dana", f"10.0.1.{len(waits)}") is None
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    refused = limits.attempt("DANA ", "10.0.0.3")  # the same username, however typed
    assert refused is not None and refused.message().endswith("try again in 900 seconds.")


def test_a_success_clears_the_username_and_takes_back_only_its_own_attempt() -> None:
    clock = [0.0]
    limits = _limits(clock)
    for n in range(5):
        assert limits.attempt(f"guess{n}", "10.0.0.9") is None
    assert limits.attempt("dana", "10.0.0.9") is None
    limits.succeeded("dana", "10.0.0.9")
    assert limits.attempt("eve", "10.0.0.9") is None  # the sixth failure of the address
    refused = limits.attempt("frank", "10.0.0.9")
    assert refused is not None and refused.reason == "from this address"


def test_failures_are_forgotten_an_hour_after_the_last() -> None:
    clock = [0.0]
    limits = _limits(clock)
    for _ in range(3):
        limits.attempt("dana", "a")
    assert limits.attempt("dana", "a") is not None
    clock[0] += 3601
    for _ in range(3):
        assert limits.attempt("dana", "a") is None


def test_attempts_in_flight_count_before_their_passwords_are_checked() -> None:
    limits = _limits([0.0])
    started = [limits.attempt("dana", f"10.0.0.{n}") for n in range(10)]
    assert started[:3] == [None, None, None]
    assert all(refused is not None for refused in started[3:])


def test_the_counts_keep_a_bounded_number_of_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "MAX_KEYS", 50)
    limits = _limits([0.0])
    for n in range(500):
        limits.attempt(f"user{n}", f"10.{n}")
    assert len(limits._usernames.keys) == 50 and len(limits._addresses.keys) == 50
    assert "user499" in limits._usernames.keys and "user0" not in limits._usernames.keys


def test_hashing_slots_let_a_few_run_a_few_wait_and_refuse_the_rest() -> None:
    slots = HashingSlots(at_once=1, queue=1, wait_s=1.0)
    release = threading.Event()
    inside: list[str] = []

    def hold(name: str) -> None:
        with slots():
            inside.append(name)
            release.wait(5)

    first = threading.Thread(target=hold, args=("first",))
    first.start()
    while not inside:
        time.sleep(0.01)
    gave_up: list[str] = []

    def wait_in_line() -> None:
        try:
            _enter(slots)
        except Busy:
            gave_up.append("waited 1 s and gave up")

    waiting = threading.Thread(target=wait_in_line)
    waiting.start()
    while slots._in < 2:
        time.sleep(0.001)
    started = time.monotonic()
    with pytest.raises(Busy, match="signing in at once"):
        _enter(slots)  # one running, one waiting: refused without waiting
    assert time.monotonic() - started < 0.5
    waiting.join(5)
    assert gave_up == ["waited 1 s and gave up"]
    release.set()
    first.join(5)
    _enter(slots)  # free again


def _enter(slots: HashingSlots) -> None:
    with slots():
        pass
