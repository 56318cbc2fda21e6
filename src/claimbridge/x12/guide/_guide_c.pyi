# The C extension built from _guide_c.c (see check.py).
from collections.abc import Callable

from claimbridge.x12.problems import Problem
from claimbridge.x12.segments import Segment

def follow(
    state: dict[str, object], slow: Callable[[Segment], list[Problem]], segment: Segment, /
) -> list[Problem]: ...
def follow_batch(
    state: dict[str, object],
    slow: Callable[[Segment], list[Problem]],
    batch: list[Segment],
    /,
) -> list[Problem]: ...
