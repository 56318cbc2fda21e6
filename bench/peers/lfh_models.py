"""linuxforhealth-x12: stream an 835 into its pydantic models (``X12ModelReader.models``).

Each transaction set becomes a ``HealthCareClaimPayment`` model, validated by pydantic (types,
codes, and LinuxForHealth's claim balancing rule). Runs in its own venv (pydantic < 2).

Version 0.57.0 cannot read a payer loop (1000A) that holds the PER*BL contact the guide
requires: it stores a single PER as an object where its model expects a list, and the
transaction set fails validation. ``_accept_payer_contact`` starts that loop with an empty PER
list, as the library already does for REF, so the same files can be read.
"""

from __future__ import annotations

from typing import Any

from _measure import Counts, path_argument, report
from linuxforhealth.x12.io import X12ModelReader  # type: ignore[import-not-found]
from linuxforhealth.x12.parsing import match  # type: ignore[import-not-found]
from linuxforhealth.x12.v5010.x12_835_005010X221A1 import (  # type: ignore[import-not-found]
    parsing as parsing_835,
)


def _accept_payer_contact() -> None:
    """Replace the 1000A loop starter with one that also prepares a list for PER segments."""
    original = parsing_835.set_payer_identification_loop

    def set_payer_identification_loop(context: Any, segment_data: dict[str, Any]) -> None:
        original(segment_data, context)
        context.transaction_data["loop_1000a"]["per_segment"] = []

    payer_loop = match("N1", conditions={"entity_identifier_code": "PR"})
    parsing_835.set_payer_identification_loop = payer_loop(set_payer_identification_loop)


def read(path: str) -> Counts:
    """Count transaction sets, claims (2100) and service lines (2110)."""
    transactions = claims = lines = 0
    with X12ModelReader(path) as reader:
        for model in reader.models():
            transactions += 1
            for header in model.loop_2000:
                claims += len(header.loop_2100)
                lines += sum(len(claim.loop_2110 or ()) for claim in header.loop_2100)
    return {"transactions": transactions, "claims": claims, "service_lines": lines}


if __name__ == "__main__":
    _accept_payer_contact()
    file = path_argument()
    report(lambda: read(file))
