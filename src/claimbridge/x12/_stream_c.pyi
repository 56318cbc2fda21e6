# The C extension built from _stream_c.c (see tokenizer.py and envelope.py).
from collections.abc import Callable, Iterable, Iterator, Mapping, Set

from claimbridge.x12.segments import Segment

class Segments(Iterator[Segment]):
    def __init__(
        self,
        pieces: Iterator[str],
        start: Callable[[Iterator[str]], tuple[str, str, str, set[str], Callable[[Segment], None]]],
        segment_type: type[Segment],
    ) -> None: ...
    def __next__(self) -> Segment: ...

def read_body(segments: Iterator[Segment], body: list[Segment], /) -> Segment | None: ...
def dispatch(
    batch: list[Segment],
    start: int,
    handlers: Mapping[str, Callable[[Segment], Iterable[object] | None]],
    stops: Set[str],
    found: list[object] | None,
    /,
) -> int: ...
