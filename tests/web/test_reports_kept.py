"""The reports as last made: the page, the CSV and the API say when; Refresh (a job) makes
them again from the ledger, on the page and through the API, for a viewer too."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import update
from web_support import api_job, csrf_of, job_result

from claimbridge.domain.status import ClaimStatus
from claimbridge.store import tables as t
from claimbridge.store.db import Store


def _ar_total(client: TestClient) -> str:
    lines = client.get("/reports/ar-aging.csv").text.splitlines()
    return ",".join(line.rsplit(",", 1)[1] for line in lines[1:])


def test_the_page_keeps_its_reports_until_refreshed(biller: TestClient, store: Store) -> None:
    page = biller.get("/reports").text
    assert "Made from the ledger at" in page and "As of" in page
    assert "Office Ally charges 35.00 a month for each tax ID and rendering NPI" in page
    assert '<th scope="col" class="num">Total</th>' in page  # amounts align as numbers
    [link] = re.findall(r'<a href="(/claims\?payer=62308[^"]*)">62308</a>', page)
    drilled = biller.get(html.unescape(link)).text  # A/R aging's payer opens its claims
    assert "CB-1001" in drilled and "CB-1003" not in drilled
    before = _ar_total(biller)
    assert before  # the example's sent claims are open
    with store.transaction() as session:  # every claim paid, without a poll
        session.execute(update(t.ClaimRow).values(status=ClaimStatus.PAID.value))
    assert _ar_total(biller) == before  # still the kept report
    token = csrf_of(biller, "/reports")
    result = job_result(biller, biller.post("/reports/refresh", data={"csrf_token": token}))
    assert 'id="reports-result"' in result
    assert "4 reports made again from the ledger in" in result
    assert _ar_total(biller) == ""  # nothing open any more


def test_the_api_says_when_a_report_was_made_and_refreshes_them(api: TestClient) -> None:
    report = api.get("/api/v1/reports/payments").json()
    assert {"key", "title", "headers", "rows", "as_of", "made_at", "seconds"} <= set(report)
    job = api_job(api, api.post("/api/v1/reports/refresh"))
    assert job["state"] == "done" and job["kind"] == "reports"
    again = api.get("/api/v1/reports/payments").json()
    assert again["made_at"] > report["made_at"]


def test_a_viewer_may_refresh_the_reports(viewer: TestClient) -> None:
    token = csrf_of(viewer, "/reports")
    result = job_result(viewer, viewer.post("/reports/refresh", data={"csrf_token": token}))
    assert "4 reports made again from the ledger in" in result
