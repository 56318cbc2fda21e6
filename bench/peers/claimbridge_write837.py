"""claimbridge: build an 837P batch with ``build_837p``, several times, and keep the best.

Usage: ``claimbridge_write837.py CLAIMS REPEATS SEED``. The synthetic batch comes from
``bench/generate.py`` and is built before timing starts; each timed run is one
``build_837p(batch, envelope)`` call (validation included), returning the file as text,
timed by wall clock and by this process's CPU time.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from _measure import status_kib

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import generate  # bench/generate.py, found through the path set above
from claimbridge.x12.tx837p_005010X222A1.build import build_837p


def main() -> None:
    """Time ``REPEATS`` builds of a ``CLAIMS``-claim batch; print the figures as JSON."""
    claims, repeats, seed = (int(argument) for argument in sys.argv[1:4])
    batch, envelope = generate.claim_batch_837p(claims, seed)
    rss_before = status_kib("VmRSS")
    timings: list[float] = []
    cpu_timings: list[float] = []
    text = ""
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        text = build_837p(batch, envelope)
        timings.append(time.perf_counter() - start)
        cpu_timings.append(time.process_time() - cpu_start)
    result = {
        "claims": claims,
        "runs": repeats,
        "best_seconds": min(timings),
        "all_seconds": timings,
        "best_cpu_seconds": min(cpu_timings),
        "output_bytes": len(text.encode()),
        "segments": text.count(envelope.segment_terminator),
        "peak_rss_kib": status_kib("VmHWM"),
        "rss_before_kib": rss_before,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
