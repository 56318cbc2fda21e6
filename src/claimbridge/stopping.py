"""Stopping on SIGINT or SIGTERM without leaving a unit of work half done.

systemd and container engines stop a service with SIGTERM, a person at a terminal with Ctrl-C
(SIGINT). A long-running command runs inside ``stop_on_signals()``; either signal then raises
``Stopped`` in the main thread at once, wherever it is, except inside ``finish_first()``::

    with stop_on_signals():           # claimbridge watch, serve, sim
        ...                           # a signal here raises Stopped at once
        with finish_first():          # one returned file's transaction (services.ingest),
            ...                       # watch's report lines: a signal here is held, the
                                      # block runs to its end, and Stopped is raised as it ends

A signal held by ``finish_first`` is raised when the outermost block ends normally; when the
block ends with an exception, that exception goes on and the held signal waits for the next
block's end. Outside ``stop_on_signals()`` (a one-off command, a web request's worker thread)
``finish_first`` does nothing, and signals keep whatever handlers they had.

Signal handlers run only in the main thread, so only the main thread's ``finish_first`` holds a
signal. A leaf module like ``errors`` and ``atomic``: every layer may use it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from claimbridge.errors import Stopped

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class _State:
    active: bool = False  # inside stop_on_signals()
    depth: int = 0  # finish_first() blocks open in the main thread
    held: str | None = None  # the name of a signal that came inside finish_first()


_state = _State()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _handle(signum: int, frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    if _state.depth:
        _state.held = name
        return
    raise Stopped(name)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise ``Stopped`` inside, except within ``finish_first()``.

    The previous handlers are put back at the end. In a thread other than the main one (where
    no handler can be set) and inside another ``stop_on_signals()`` this does nothing.
    """
    if _state.active or not _in_main_thread():
        yield
        return
    _state.active = True
    previous = {number: signal.signal(number, _handle) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _state.active, _state.held = False, None


@contextmanager
def finish_first() -> Iterator[None]:
    """A unit of work that a stop signal does not interrupt: it is held until the block ends."""
    if not _state.active or not _in_main_thread():
        yield
        return
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
    if _state.depth == 0 and _state.held is not None:
        name, _state.held = _state.held, None
        raise Stopped(name)
