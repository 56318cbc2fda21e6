"""Crash safety: SIGKILL the ingest at random points; a re-run gives the uninterrupted ledger.

A driver process ingests many files (the simulator's answers to a submitted batch, and ERAs
paying 150 claims each) into a file-backed SQLite ledger, one transaction per file. The test
kills it after random delays at least 20 times, re-running it each time, then lets it finish
and compares every claim-cycle table with that of a run that was never interrupted.

CI runs 20 kills (about 2.5 minutes on a loaded machine: each restart and each SQLite commit
waits for the disk). The long form sets ``CLAIMBRIDGE_CRASH_KILLS``, e.g. to 100; its last
result is in docs/operations.md ("Crash tests"). Submit's own crash test places its kills at
named steps instead (``test_submit_crash.py``).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from claimbridge.store.db import Store
from cycle_support import era_backlog, ledger_snapshot

KILLS = int(os.environ.get("CLAIMBRIDGE_CRASH_KILLS", "20"))
CLAIMS = 150
ERA_FILES = 24

DRIVER = """
import sys
from pathlib import Path
from claimbridge.services.ingest import ingest_paths
from claimbridge.store.db import Store
store = Store(sys.argv[1])
paths = [Path(p) for p in sys.argv[2:]]
print("ready", flush=True)
ingest_paths(store, paths)
print("done", flush=True)
"""


def _start(url: str, files: list[Path]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, url, *map(str, files)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def _run_to_end(url: str, files: list[Path]) -> float:
    start = time.perf_counter()
    with _start(url, files) as process:
        assert process.wait(timeout=120) == 0
    return time.perf_counter() - start


def test_sigkill_at_random_points_loses_nothing_and_posts_nothing_twice(tmp_path: Path) -> None:
    template, files = era_backlog(tmp_path, CLAIMS, ERA_FILES)
    reference, crashed = tmp_path / "reference.db", tmp_path / "crashed.db"
    shutil.copyfile(template, reference)
    shutil.copyfile(template, crashed)
    duration = _run_to_end(f"sqlite:///{reference}", files)
    chooser = random.Random(20261121)
    kills = attempts = 0
    while kills < KILLS and attempts < KILLS * 4:
        attempts += 1
        with _start(f"sqlite:///{crashed}", files) as process:
            time.sleep(chooser.uniform(0.0, duration / KILLS * 1.5))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(timeout=60)
    assert kills >= KILLS, f"only {kills} kills landed before the run finished"
    _run_to_end(f"sqlite:///{crashed}", files)
    expected, found = Store(f"sqlite:///{reference}"), Store(f"sqlite:///{crashed}")
    try:
        want = ledger_snapshot(expected)
        assert len(want["payments"]) >= CLAIMS * ERA_FILES
        assert ledger_snapshot(found) == want
    finally:
        expected.dispose()
        found.dispose()
