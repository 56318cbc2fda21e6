# The C extension built from _claims_c.c (see claims.py).
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from claimbridge.x12.segments import Segment
from claimbridge.x12.tx835_005010X221A1.elements import Elements
from claimbridge.x12.tx835_005010X221A1.models import Loop2000, ProviderAdjustment

def read(
    elements: Elements,
    segments: tuple[Segment, ...],
    start: int,
    transaction_others: list[Segment],
    /,
) -> tuple[list[Loop2000], list[ProviderAdjustment]]: ...
def setup(
    models: dict[str, type[tuple[Any, ...]]],
    decimal: type[Decimal],
    group: Callable[..., Any],
    line_rest: Callable[..., Any],
    claim_rest: Callable[..., Any],
    /,
) -> None: ...
