"""Retries with exponential backoff and jitter, for network errors and timeouts only.

Never retried:

* ``AuthenticationFailed``: Office Ally locks an account after repeated failed logins;
* ``HostKeyMismatch``: a person must check the server first;
* ``RemoteFileMissing``: the file is gone, asking again will not bring it back.

Usage::

    policy = RetryPolicy(attempts=4, first_delay=1.0, max_delay=30.0)
    names = call_with_retry(lambda: transport.list("outbound"), policy, what="list outbound")
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from claimbridge.errors import (
    AuthenticationFailed,
    ConfigError,
    HostKeyMismatch,
    RemoteFileMissing,
    TransportError,
)

T = TypeVar("T")
log = logging.getLogger("claimbridge.transport")

NEVER_RETRIED: tuple[type[TransportError], ...] = (
    AuthenticationFailed,
    HostKeyMismatch,
    RemoteFileMissing,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to try again.

    ``attempts`` counts the first try. The n-th wait is ``first_delay * multiplier**n`` capped
    at ``max_delay``, then shortened by a random fraction of at most ``jitter`` so that clients
    that failed together do not retry together.
    """

    attempts: int = 4
    first_delay: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 30.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ConfigError("a retry policy needs at least one attempt")
        if not 0 <= self.jitter <= 1 or self.first_delay < 0 or self.multiplier < 1:
            raise ConfigError("retry delays must be non-negative, jitter between 0 and 1")

    def delays(self, rng: random.Random) -> Iterator[float]:
        """The waits between attempts: ``attempts - 1`` of them."""
        for retry in range(self.attempts - 1):
            ceiling = min(self.max_delay, self.first_delay * self.multiplier**retry)
            yield ceiling * (1 - self.jitter * rng.random())


NO_RETRY = RetryPolicy(attempts=1)


def is_retryable(error: TransportError) -> bool:
    """True for errors another attempt may cure: lost connections and timeouts."""
    return not isinstance(error, NEVER_RETRIED)


def call_with_retry(
    operation: Callable[[], T],
    policy: RetryPolicy,
    *,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """Run ``operation``; on a retryable ``TransportError`` wait and run it again, up to the limit.

    The last error is raised when every attempt failed; the log says what was retried.
    """
    delays = policy.delays(rng or random.Random())
    attempt = 1
    while True:
        try:
            return operation()
        except TransportError as error:
            delay = next(delays, None) if is_retryable(error) else None
            if delay is None:
                raise
            log.warning(
                "%s failed (attempt %d): %s; retrying in %.1fs", what, attempt, error, delay
            )
            sleep(delay)
            attempt += 1
