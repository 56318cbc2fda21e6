"""Jobs run in threads of the process that asks for them: the web app on SQLite.

SQLite has one writer and no queue server, so the web process runs the job functions itself,
in a small thread pool, off the server's event loop. The rules a worker follows hold here too:
one job at a time per practice (the ``account-<id>`` lock of ``jobs.queue``), and a failure that
the runtime's retry policy tries again runs again after its wait. A job that was queued when the
process stopped stays ``queued`` in its row; nothing runs it (docs/design.md#background-work).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor

from claimbridge.jobs.runtime import Runtime, failure_text
from claimbridge.jobs.work import JOB_FUNCTIONS, Result
from claimbridge.services.jobs import Job

log = logging.getLogger(__name__)


class InProcessRunner:
    """Runs each job handed to ``run`` in one of ``threads`` threads."""

    def __init__(self, runtime: Runtime, threads: int = 2) -> None:
        self.runtime = runtime
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="claimbridge-job")
        self._locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def run(self, job: Job) -> Future[Result | None]:
        """Start ``job`` in a thread; the future gives its result (None when it failed)."""
        return self._pool.submit(self._run, job)

    def close(self) -> None:
        """Let the running jobs end; start no queued one."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _lock(self, practice_id: int) -> threading.Lock:
        with self._guard:
            return self._locks[practice_id]

    def _run(self, job: Job) -> Result | None:
        work = JOB_FUNCTIONS[job.kind]
        with self._lock(job.practice_id):
            attempts = 0
            while True:
                attempts += 1
                try:
                    return work(self.runtime, job.practice_id, job.id)
                except Exception as error:
                    wait = self.runtime.retry.wait_s(error, attempts)
                    log.warning("job %s (%s) failed: %s", job.id, job.kind, failure_text(error))
                    if wait is None:
                        return None
                    time.sleep(wait)
