"""claimbridge: tokenize an 835 alone (``claimbridge.x12.tokenizer.read_segments``)."""

from __future__ import annotations

from _measure import Counts, path_argument, report

from claimbridge.x12.tokenizer import read_segments


def tokenize(path: str) -> Counts:
    """Count segments and CLP segments."""
    segments = claims = 0
    for segment in read_segments(path):
        segments += 1
        if segment.id == "CLP":
            claims += 1
    return {"segments": segments, "claims": claims}


if __name__ == "__main__":
    file = path_argument()
    report(lambda: tokenize(file))
