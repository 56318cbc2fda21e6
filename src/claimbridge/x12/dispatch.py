"""A segment handed to its handler by its id, for a run of segments of a list.

``validate``'s checks and read-back give each segment of a transaction set to the handler of
its id (most ids have none) until a segment they treat otherwise: an envelope segment, or an
LX that may start a run of plain lines. ``dispatch(batch, start, handlers, stops, found)``
does that loop for them, in C (``_stream_c.dispatch``) when it was built: from
``batch[start]``, it returns the index of the first segment whose id is in ``stops`` (or
``len(batch)``), and gives every segment before it whose id is in ``handlers`` to its handler,
adding what the handler returns to ``found`` (unless ``found`` is None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from types import ModuleType

from claimbridge.x12.segments import Segment

_stream_c: ModuleType | None
try:
    from claimbridge.x12 import _stream_c
except ImportError:  # built without a C compiler: the Python loop does the same
    _stream_c = None

Handlers = Mapping[str, Callable[[Segment], Iterable[object] | None]]


def dispatch(
    batch: list[Segment],
    start: int,
    handlers: Handlers,
    stops: Set[str],
    found: list[object] | None,
) -> int:
    """Hand ``batch[start:]`` to ``handlers`` up to a segment whose id is in ``stops``; its
    index (``len(batch)`` when there is none)."""
    if _stream_c is not None and isinstance(stops, (set, frozenset)):
        stop: int = _stream_c.dispatch(batch, start, handlers, stops, found)
        return stop
    return dispatch_python(batch, start, handlers, stops, found)


def dispatch_python(
    batch: list[Segment],
    start: int,
    handlers: Handlers,
    stops: Set[str],
    found: list[object] | None,
) -> int:
    """``dispatch`` in Python (when ``_stream_c`` was not built)."""
    for index in range(start, len(batch)):
        segment = batch[index]
        tag = segment[0]
        if tag in stops:
            return index
        handler = handlers.get(tag)
        if handler is not None:
            result = handler(segment)
            if found is not None and result is not None:
                found.extend(result)
    return max(start, len(batch))
