# The C extension built from _lines_c.c (see lines.py).
from collections.abc import Sequence, Set
from typing import TypeVar

from claimbridge.x12.segments import Segment

_Run = TypeVar("_Run")

def plain_lines(
    batch: Sequence[object],
    start: int,
    component: str,
    diagnoses: int | None,
    dates: Set[str] | None,
    first_date: Segment | None,
    result_type: type[_Run],
    /,
) -> _Run: ...
