"""Backoff with jitter, bounded attempts, and no retry where another try would hurt."""

from __future__ import annotations

import random

import pytest

from claimbridge.errors import (
    AuthenticationFailed,
    ConfigError,
    HostKeyMismatch,
    RemoteFileMissing,
    TransportError,
    TransportTimeout,
)
from claimbridge.transport.retry import RetryPolicy, call_with_retry


class Flaky:
    """Raises the given errors in turn, then returns 'done'."""

    def __init__(self, *errors: TransportError) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def run(operation: Flaky, policy: RetryPolicy) -> tuple[str, list[float]]:
    waits: list[float] = []
    result = call_with_retry(
        operation, policy, what="test", sleep=waits.append, rng=random.Random(7)
    )
    return result, waits


def test_network_errors_and_timeouts_are_retried_until_success() -> None:
    flaky = Flaky(TransportError("lost"), TransportTimeout("slow"))

    result, waits = run(flaky, RetryPolicy(attempts=3, first_delay=1.0, jitter=0.0))

    assert (result, flaky.calls, waits) == ("done", 3, [1.0, 2.0])


def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    flaky = Flaky(*(TransportError(f"lost {n}") for n in range(5)))

    with pytest.raises(TransportError, match="lost 2"):
        run(flaky, RetryPolicy(attempts=3, first_delay=0.0))

    assert flaky.calls == 3


@pytest.mark.parametrize(
    "error",
    [AuthenticationFailed("wrong password"), HostKeyMismatch("new key"), RemoteFileMissing("gone")],
)
def test_some_errors_are_never_retried(error: TransportError) -> None:
    flaky = Flaky(error)

    with pytest.raises(type(error)):
        run(flaky, RetryPolicy(attempts=5))

    assert flaky.calls == 1


def test_delays_grow_are_capped_and_jittered_within_bounds() -> None:
    policy = RetryPolicy(attempts=8, first_delay=1.0, multiplier=2.0, max_delay=10.0, jitter=0.5)

    delays = list(policy.delays(random.Random(1)))

    ceilings = [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
    assert len(delays) == 7
    assert all(c * 0.5 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == 7  # jitter: no two waits alike


def test_a_policy_needs_an_attempt_and_sane_delays() -> None:
    with pytest.raises(ConfigError):
        RetryPolicy(attempts=0)
    with pytest.raises(ConfigError):
        RetryPolicy(jitter=1.5)
