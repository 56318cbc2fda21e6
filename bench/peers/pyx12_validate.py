"""pyx12: full validation of an 835 against the 005010X221A1 map (``x12n_document``).

This is pyx12's main job: walk the implementation guide's loop tree for every segment and check
every element and code. No 999, HTML or XML output is written; loading the maps is included.
"""

from __future__ import annotations

import logging
from typing import Any

import pyx12.params
import pyx12.x12n_document
from _measure import Counts, path_argument, report


def validate(path: str) -> Counts:
    """Validate the file; count segments and CLP segments through the per-segment callback."""
    counts = {"segments": 0, "claims": 0}

    def count(segment: Any, *_: Any) -> None:
        counts["segments"] += 1
        if segment.get_seg_id() == "CLP":
            counts["claims"] += 1

    valid = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), path, None, None, None, None, callback=count
    )
    return {**counts, "valid": "yes" if valid else "no"}


if __name__ == "__main__":
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    file = path_argument()
    report(lambda: validate(file))
