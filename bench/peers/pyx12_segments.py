"""pyx12: iterate every segment of an 835 with ``pyx12.x12file.X12Reader`` (no validation).

X12Reader also checks envelope counts and control numbers as it goes.
"""

from __future__ import annotations

import pyx12.x12file
from _measure import Counts, path_argument, report


def read(path: str) -> Counts:
    """Count segments and CLP segments."""
    segments = claims = 0
    with pyx12.x12file.X12Reader(path) as reader:
        for segment in reader:
            segments += 1
            if segment.get_seg_id() == "CLP":
                claims += 1
    return {"segments": segments, "claims": claims}


if __name__ == "__main__":
    file = path_argument()
    report(lambda: read(file))
