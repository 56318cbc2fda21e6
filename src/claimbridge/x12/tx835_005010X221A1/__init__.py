"""The 835 health care claim payment/advice, implementation guide 005010X221A1.

``parse(transaction)`` reads one transaction set (one check or EFT) into a typed
``Remittance``; ``to_json(remittance)`` gives the JSON shape documented in
``docs/x12-json.md``; ``check_balance(remittance)`` reports the guide's three balancing
equations that do not hold. The envelope layer yields one transaction set at a time, so a file
of any size is read in the memory of its largest transaction set.
"""

from __future__ import annotations

from claimbridge.x12.tx835_005010X221A1.as_json import to_json
from claimbridge.x12.tx835_005010X221A1.balance import Imbalance, Level, check_balance
from claimbridge.x12.tx835_005010X221A1.models import (
    Adjustment,
    Loop2000,
    Loop2100,
    Loop2110,
    ProviderAdjustment,
    Remittance,
)
from claimbridge.x12.tx835_005010X221A1.parse import parse

__all__ = [
    "Adjustment",
    "Imbalance",
    "Level",
    "Loop2000",
    "Loop2100",
    "Loop2110",
    "ProviderAdjustment",
    "Remittance",
    "check_balance",
    "parse",
    "to_json",
]
