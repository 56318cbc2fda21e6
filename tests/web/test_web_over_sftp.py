"""Test connection, Submit ready claims and Poll Office Ally now, over SFTP to the simulator.

The app makes its real SFTP transport (``sftp_factory``) from the account stored in the ledger,
as ``claimbridge serve`` does; the simulator answers as Office Ally would. Each action answers
at once with a job's panel; the job runs in the app's own threads (SQLite), off the server's
event loop, while the transport runs a loop of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

from sftp_support import app, simulator, store
from web_support import TestClient, csrf_of, job_result

from claimbridge.sim.server import RunningSimulator
from claimbridge.store.db import Store
from cycle_support import statuses

__all__ = ["app", "simulator", "store"]


def test_an_admin_tests_the_connection_over_sftp(admin: TestClient) -> None:
    response = admin.post("/provider/sftp/test", data={"csrf_token": csrf_of(admin, "/provider")})
    result = job_result(admin, response)
    assert "Connected to claimbridge@127.0.0.1:" in result
    assert "inbound has 0 files, outbound 0" in result


def test_a_biller_submits_and_polls_over_sftp(
    biller: TestClient, store: Store, simulator: RunningSimulator, tmp_path: Path
) -> None:
    made = biller.post("/claims/create", data={"csrf_token": csrf_of(biller, "/claims")})
    assert made.status_code == 200, made.text

    sent = job_result(
        biller, biller.post("/claims/submit", data={"csrf_token": csrf_of(biller, "/claims")})
    )

    assert "OATEST_837P_" in sent
    [name] = re.findall(r"OATEST_837P_\S+\.txt", sent)
    assert list(simulator.root.rglob(f"*{name}"))  # in inbound, or processed by the simulator
    assert "submitted" in statuses(store).values()

    simulator.process_now()  # Office Ally answers: reports, 999, 277CA, ERAs
    polled = job_result(biller, biller.post("/poll", data={"csrf_token": csrf_of(biller, "/")}))

    assert "new files from Office Ally" in polled
    assert "paid" in statuses(store).values()
    assert any((tmp_path / "archive").rglob("*"))
