"""Run a command in a child process; print its wall time, CPU time and peak memory as JSON.

``bench/startup.py`` runs this with ``python -I -S`` so that it stays small: a child's peak
resident set (``ru_maxrss``) counts the memory of the process it was forked from, so the
command is forked from this one (about 7 MiB) and not from the benchmark. Standard library only.
Usage: ``run_command.py PROGRAM [ARGUMENT…]``; the command's output goes to ``/dev/null``.
Peak memory is in KiB (Linux's unit of ``ru_maxrss``).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> None:
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(argv)}: exit code {code}")
    cpu_seconds = usage.ru_utime + usage.ru_stime
    print(
        json.dumps(
            {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss_kib": usage.ru_maxrss}
        )
    )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: run_command.py PROGRAM [ARGUMENT…]")
    main(sys.argv[1:])
