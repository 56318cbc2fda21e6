"""Fewer cyclic garbage collections while X12 is read.

Reading builds millions of small tuples (segments, then typed values) and frees almost all of
them by reference counting. CPython's cyclic collector still scans the young ones every 700
net allocations, and every transaction set the caller holds is scanned again as it ages.
``fewer_collections`` raises the first-generation threshold for the duration of a block and
puts the previous thresholds back when the last open block closes, so nested or concurrent
readers cannot leave it raised. ``reader.parse_envelopes`` holds one block open from its first
transaction set until it is exhausted, fails or is closed (dropping it closes it), so the
caller's work between two transaction sets runs with the raised threshold too. Nothing is
disabled: cycles are still found, only less often. The thresholds are process-wide, so other
threads running meanwhile are scanned less often too.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

READING_THRESHOLD = 100_000  # allocations between young-generation scans (CPython's default: 700)

_lock = threading.Lock()
_open_blocks = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Scan for garbage cycles at most every ``READING_THRESHOLD`` allocations inside the block."""
    _enter()
    try:
        yield
    finally:
        _leave()


def _enter() -> None:
    global _open_blocks, _saved
    with _lock:
        if _open_blocks == 0:
            _saved = gc.get_threshold()
            young, *older = _saved
            gc.set_threshold(max(young, READING_THRESHOLD), *older)
        _open_blocks += 1


def _leave() -> None:
    global _open_blocks
    with _lock:
        _open_blocks -= 1
        if _open_blocks == 0:
            gc.set_threshold(*_saved)
