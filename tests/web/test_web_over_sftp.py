"""Test connection, Submit ready claims and Poll Office Ally now, over SFTP to the simulator.

The app makes its real SFTP transport (``sftp_factory``) from the account stored in the ledger,
as ``claimbridge serve`` does; the simulator answers as Office Ally would. Each action answers
at once with a job's panel; the job runs in the app's own threads (SQLite), off the server's
event loop, while the transport runs a loop of its own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sftp_support import app, simulator, store
from web_support import TestClient, csrf_of, job_result

from claimbridge.services.jobs import login_mark, mark_login_refused
from claimbridge.sim.server import RunningSimulator
from claimbridge.store.db import Store
from claimbridge.transport.lockout import account_name
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


def _save_login(admin: TestClient, simulator: RunningSimulator, password: str) -> None:
    config = simulator.config
    form = {"host": config.host, "port": str(simulator.port), "username": config.user,
            "password": password, "csrf_token": csrf_of(admin, "/provider")}  # fmt: skip
    assert admin.post("/provider/sftp", data=form).status_code == 303


def _test_connection(admin: TestClient) -> str:
    token = csrf_of(admin, "/provider")
    return job_result(admin, admin.post("/provider/sftp/test", data={"csrf_token": token}))


REFUSED = "Office Ally rejected the SFTP login claimbridge@127.0.0.1:"


def test_a_wrong_password_is_mended_in_the_web_by_saving_the_right_one(
    admin: TestClient, biller: TestClient, simulator: RunningSimulator
) -> None:
    _save_login(admin, simulator, "not-the-password")
    assert "was just rejected" in _test_connection(admin)
    page = admin.get("/provider").text
    assert REFUSED in page and "Allow logins again" in page
    assert REFUSED in biller.get("/provider").text  # a biller sees why, without the button
    assert "Allow logins again" not in biller.get("/provider").text
    assert REFUSED in admin.get("/").text

    _save_login(admin, simulator, simulator.config.password)
    assert REFUSED not in admin.get("/provider").text and REFUSED not in admin.get("/").text
    assert "Connected to claimbridge@127.0.0.1:" in _test_connection(admin)


def test_an_admin_allows_logins_again_when_the_password_was_right(
    admin: TestClient, store: Store, simulator: RunningSimulator, tmp_path: Path
) -> None:
    name = account_name(simulator.config.user, simulator.config.host, simulator.port)
    with store.transaction() as session:  # as another process sharing the ledger marked it
        why = "Permission denied (Office Ally was down)"
        mark_login_refused(session, store.practice_id, name, datetime.now(UTC), why)
    assert "was rejected at" in _test_connection(admin)  # refused before dialling

    token = csrf_of(admin, "/provider")
    allowed = admin.post("/jobs/resume", data={"csrf_token": token, "back": "provider"})
    assert allowed.status_code == 303 and allowed.headers["location"].startswith("/provider")
    with store.read() as session:
        assert login_mark(session, store.practice_id) is None
    assert "Logins are allowed again" in admin.get(allowed.headers["location"]).text
    assert "Connected to claimbridge@127.0.0.1:" in _test_connection(admin)
