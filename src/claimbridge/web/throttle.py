"""Limits on signing in: failed attempts per username and per client address, with delays
that grow, and how many password hashes run at once.

``SignInLimits.attempt`` counts an attempt as failed before its password is checked (so many
attempts at once cannot slip past the count) and ``succeeded`` takes that back. After
``Limit.free`` failures in a row a key waits ``first_delay`` seconds before its next attempt,
twice that after the next failure, and so on up to ``max_delay``; an attempt while waiting is
refused without checking the password (no hashing, no sleeping: the answer says how long to
wait). Failures are forgotten ``forget`` seconds after a key's last one; a success clears the
username's, not the address's (else one good account would reset an address's count). The
counts live in the web process's memory: a restart forgets them, and each process of several
counts on its own (docs/operations.md#sign-in-and-api-tokens).

``HashingSlots`` lets ``at_once`` argon2 hashes run together (each takes a core and 32 MiB);
up to ``queue`` others wait, each at most ``wait_s``, in the thread pool, never on the event
loop; more are refused at once (``Busy``), so sign-ins never hold most of the pool's threads
and other requests always find one.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from claimbridge.web.errors import Busy

MAX_KEYS = 100_000
"""Keys kept per kind; the oldest are dropped beyond it, so a flood cannot fill the memory."""


@dataclass(frozen=True, slots=True)
class Limit:
    """Failures allowed in a row before delays start, and how the delays grow."""

    free: int
    first_delay: float = 2.0
    max_delay: float = 900.0
    forget: float = 3600.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row."""
        if failures < self.free:
            return 0.0
        return min(self.max_delay, self.first_delay * 2.0 ** (failures - self.free))


PER_USERNAME = Limit(free=5)
PER_ADDRESS = Limit(free=20)


@dataclass(slots=True)
class _Failures:
    count: int
    last: float
    until: float


@dataclass(frozen=True, slots=True)
class Refusal:
    """An attempt refused: after how many seconds to try again, and why."""

    seconds: int
    reason: str

    def message(self) -> str:
        """What the sign-in page says."""
        unit = "second" if self.seconds == 1 else "seconds"
        return f"Too many failed sign-ins {self.reason}: try again in {self.seconds} {unit}."


class _Counter:
    def __init__(self, limit: Limit, reason: str) -> None:
        self.limit = limit
        self.reason = reason
        self.keys: OrderedDict[str, _Failures] = OrderedDict()

    def refusal(self, key: str, now: float) -> Refusal | None:
        found = self.keys.get(key)
        if found is not None and now - found.last > self.limit.forget:
            del self.keys[key]
            return None
        if found is None or now >= found.until:
            return None
        return Refusal(max(1, math.ceil(found.until - now)), self.reason)

    def fail(self, key: str, now: float) -> None:
        found = self.keys.pop(key, None) or _Failures(0, now, now)
        found.count += 1
        found.last = now
        found.until = now + self.limit.delay(found.count)
        self.keys[key] = found  # newest last, so the oldest go first
        while len(self.keys) > MAX_KEYS:
            self.keys.popitem(last=False)

    def take_back(self, key: str) -> None:
        found = self.keys.get(key)
        if found is None:
            return
        found.count -= 1
        if found.count <= 0:
            del self.keys[key]
        else:
            found.until = found.last + self.limit.delay(found.count)

    def clear(self, key: str) -> None:
        self.keys.pop(key, None)


class SignInLimits:
    """Failed sign-ins per username and per client address (thread-safe)."""

    def __init__(
        self,
        per_username: Limit = PER_USERNAME,
        per_address: Limit = PER_ADDRESS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._usernames = _Counter(per_username, "for this username")
        self._addresses = _Counter(per_address, "from this address")
        self._clock = clock
        self._lock = threading.Lock()

    def attempt(self, username: str, address: str) -> Refusal | None:
        """None when this attempt may check its password (it is counted as failed until
        ``succeeded``), else why not and for how long."""
        name = username.strip().lower()
        with self._lock:
            now = self._clock()
            refusals = [
                refusal
                for refusal in (
                    self._usernames.refusal(name, now),
                    self._addresses.refusal(address, now),
                )
                if refusal is not None
            ]
            if refusals:
                return max(refusals, key=lambda refusal: refusal.seconds)
            self._usernames.fail(name, now)
            self._addresses.fail(address, now)
            return None

    def succeeded(self, username: str, address: str) -> None:
        """The attempt's password was right: clear the username, take back the address's."""
        with self._lock:
            self._usernames.clear(username.strip().lower())
            self._addresses.take_back(address)


class HashingSlots:
    """At most ``at_once`` password hashes at a time and ``queue`` callers waiting, each up to
    ``wait_s``."""

    def __init__(self, at_once: int | None = None, queue: int = 8, wait_s: float = 5.0) -> None:
        self.at_once = at_once or max(1, (os.cpu_count() or 2) // 2)
        self._slots = threading.BoundedSemaphore(self.at_once)
        self._most = self.at_once + queue
        self._wait_s = wait_s
        self._lock = threading.Lock()
        self._in = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        """Hold a slot while the block runs; ``Busy`` when too many wait or none frees in
        time."""
        with self._lock:
            if self._in >= self._most:
                raise Busy(_BUSY)
            self._in += 1
        try:
            if not self._slots.acquire(timeout=self._wait_s):
                raise Busy(_BUSY)
            try:
                yield
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._in -= 1


_BUSY = "many people are signing in at once: try again in a few seconds"
