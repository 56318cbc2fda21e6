"""edi-835-parser: ``edi_835_parser.parse(path)`` builds every claim and service object.

It reads the whole file into memory, splits on '~' and '*' (fixed delimiters) and treats the
file as one transaction set. Runs in its own venv (it pulls in pandas).
"""

from __future__ import annotations

import edi_835_parser  # type: ignore[import-not-found]
from _measure import Counts, path_argument, report


def read(path: str) -> Counts:
    """Count claims and service lines over every transaction set it returns."""
    claims = lines = 0
    for transaction_set in edi_835_parser.parse(path):
        claims += len(transaction_set.claims)
        lines += sum(len(claim.services) for claim in transaction_set.claims)
    return {"claims": claims, "service_lines": lines}


if __name__ == "__main__":
    file = path_argument()
    report(lambda: read(file))
