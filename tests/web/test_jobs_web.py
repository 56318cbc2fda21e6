"""A long action's job seen from the web: its panel and URL, a rejected login's stop of the
account shown on the dashboard, and an admin resuming it."""

from __future__ import annotations

from web_support import TestClient, Transports, api_job, csrf_of, job_result

from claimbridge.errors import AuthenticationFailed

STOPPED = "Background work on the Office Ally account is stopped"
ALLOW = "Allow logins again and resume background work"


def test_a_rejected_login_stops_the_account_and_an_admin_resumes_it(
    admin: TestClient, biller: TestClient, transport: Transports
) -> None:
    transport.failure = AuthenticationFailed("Permission denied")
    failed = job_result(biller, biller.post("/poll", data={"csrf_token": csrf_of(biller, "/")}))
    assert "The poll failed: Permission denied" in failed
    board = admin.get("/").text
    assert STOPPED in board and ALLOW in board
    assert STOPPED in biller.get("/").text and ALLOW not in biller.get("/").text

    transport.failure = None
    token = csrf_of(admin, "/provider")
    tested = job_result(admin, admin.post("/provider/sftp/test", data={"csrf_token": token}))
    assert "Not run: background work on this account is stopped" in tested
    assert len(transport.instances) == 1  # nothing dialled the stopped account

    refused = biller.post("/jobs/resume", data={"csrf_token": csrf_of(biller, "/")})
    assert refused.status_code == 403
    resumed = admin.post("/jobs/resume", data={"csrf_token": csrf_of(admin, "/")})
    assert resumed.status_code == 303 and STOPPED not in admin.get("/").text
    again = job_result(biller, biller.post("/poll", data={"csrf_token": csrf_of(biller, "/")}))
    assert "Nothing new" in again


def test_a_job_is_found_only_at_its_own_address(biller: TestClient, api: TestClient) -> None:
    started = api.post("/api/v1/poll")
    job = api_job(api, started)
    assert (job["kind"], job["state"], job["done"], job["url"]) == (
        "poll", "done", 0, f"/api/v1/jobs/{job['id']}"
    )  # fmt: skip
    assert "Nothing new" in biller.get(f"/jobs/{job['id']}").text
    assert biller.get("/jobs/999999").status_code == 404
    missing = api.get("/api/v1/jobs/999999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
