"""claimbridge: tokenize an 835 and group it into transaction sets (``iter_envelopes``).

The stage between the tokenizer and the typed reader: the difference to the tokenizer row is
what grouping costs, the difference to the typed row what the 005010X221A1 reader costs.
"""

from __future__ import annotations

from _measure import Counts, path_argument, report

from claimbridge.x12.envelope import TransactionSet, iter_envelopes
from claimbridge.x12.tokenizer import read_segments


def group(path: str) -> Counts:
    """Count transaction sets and CLP segments inside them."""
    transactions = claims = 0
    for envelope in iter_envelopes(read_segments(path)):
        if isinstance(envelope, TransactionSet):
            transactions += 1
            claims += sum(1 for segment in envelope.segments if segment.id == "CLP")
    return {"transactions": transactions, "claims": claims}


if __name__ == "__main__":
    file = path_argument()
    report(lambda: group(file))
