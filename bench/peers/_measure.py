"""Run one piece of work in this process and print what it cost as one JSON line.

Every harness in ``bench/peers/`` (ours included) calls ``report``. It uses only the standard
library, because the peers run in their own virtual environments. Time is the work alone
(after imports), as wall-clock and as this process's CPU time (the two differ when other
programs share the cores); memory is the process's peak resident set (``VmHWM``) read when
the work is done, beside the resident set before the work started, so imports show apart.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

Counts = dict[str, int | str]


def status_kib(field: str) -> int:
    """A ``/proc/self/status`` figure in KiB, e.g. ``VmHWM`` (peak RSS) or ``VmRSS``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def report(work: Callable[[], Counts]) -> None:
    """Time ``work()``, then print its counts, seconds and memory as JSON on stdout."""
    rss_before = status_kib("VmRSS")
    start, cpu_start = time.perf_counter(), time.process_time()
    counts = work()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    result = {
        **counts,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_kib": status_kib("VmHWM"),
        "rss_before_kib": rss_before,
        "python": sys.version.split()[0],
    }
    print(json.dumps(result))


def path_argument() -> str:
    """The one command-line argument every reading harness takes: the file to read."""
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: {Path(sys.argv[0]).name} FILE")
    return sys.argv[1]
