"""claimbridge: read an 835 fully typed (``claimbridge.x12.reader.read_file``).

Every transaction set goes through tokenizer → envelopes → the 005010X221A1 reader, which
returns frozen ``Remittance`` values (``Decimal`` amounts, ``date`` dates). The harness sums
BPR02 so the figure can be checked against what the generator wrote.
"""

from __future__ import annotations

from decimal import Decimal

from _measure import Counts, path_argument, report

from claimbridge.x12.reader import read_file


def read(path: str) -> Counts:
    """Count transaction sets, claims and service lines; sum BPR02."""
    transactions = claims = lines = 0
    paid = Decimal(0)
    for parsed in read_file(path):
        remittance = parsed.value
        transactions += 1
        paid += remittance.bpr.amount
        for claim in remittance.claims:
            claims += 1
            lines += len(claim.service_lines)
    return {
        "transactions": transactions,
        "claims": claims,
        "service_lines": lines,
        "total_paid": str(paid),
    }


if __name__ == "__main__":
    file = path_argument()
    report(lambda: read(file))
