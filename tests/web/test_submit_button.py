"""Billers send ready claims from the worklist; the submit service does the work."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from web_support import (
    JOB_PANEL,
    TestClient,
    Transports,
    csrf_of,
    example_ledger,
    job_result,
    token_for,
)

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claim_view import list_claims
from claimbridge.services.claims import create_claims
from claimbridge.store.db import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The example practice and one user per role, no claim yet."""
    ledger = example_ledger(tmp_path / "ledger.db")
    yield ledger
    ledger.dispose()


def _ready_claims(store: Store) -> list[str]:
    with store.transaction() as session:
        created = create_claims(session, "test", date(2026, 11, 20))
    return [c.patient_control_number for c in created.created if c.status is ClaimStatus.READY]


def test_a_biller_submits_the_ready_claims(
    biller: TestClient, store: Store, transport: Transports
) -> None:
    ready = _ready_claims(store)
    assert ready, "the example practice has appointments that make ready claims"
    assert "Submit ready claims" in biller.get("/claims").text
    response = biller.post("/claims/submit", data={"csrf_token": csrf_of(biller, "/claims")})
    assert "Sending ready claims" in response.text and "queued" in response.text
    assert f"Sent {len(ready)} claim" in job_result(biller, response)
    [memory] = transport.instances
    uploaded = [path for path in memory.files if path.startswith("inbound/")]
    assert len(uploaded) == 1 and "837P" in uploaded[0]
    text = memory.files[uploaded[0]][0].decode()
    assert all(f"CLM*{clm01}*" in text for clm01 in ready)
    assert memory.closed
    with store.read() as session:
        statuses = {c["patient_control_number"]: c["status"] for c in list_claims(session)}
    assert {statuses[clm01] for clm01 in ready} == {"submitted"}
    again = biller.post("/claims/submit", data={"csrf_token": csrf_of(biller, "/claims")})
    assert "No claim is ready to send." in job_result(biller, again)


def test_a_submission_that_sent_claims_loads_the_worklist_again_in_place(
    biller: TestClient, store: Store, transport: Transports
) -> None:
    """The job's result tells the page (``HX-Trigger``) to load the worklist again: the claims
    it sent show as submitted without reloading the page."""
    _ready_claims(store)
    for sent in (True, False):
        started = biller.post("/claims/submit", data={"csrf_token": csrf_of(biller, "/claims")})
        [url] = JOB_PANEL.findall(started.text)
        result = job_result(biller, started)
        ended = biller.get(url, headers={"HX-Request": "true"})
        assert ("Sent 4 claims" in result) is sent
        assert ended.headers.get("HX-Trigger") == ("worklist-changed" if sent else None)


def test_viewers_cannot_submit_and_forms_need_their_token(
    viewer: TestClient, biller: TestClient, store: Store, transport: Transports
) -> None:
    _ready_claims(store)
    assert "Submit ready claims" not in viewer.get("/claims").text
    refused = viewer.post("/claims/submit", data={"csrf_token": csrf_of(viewer, "/claims")})
    assert refused.status_code == 403
    forged = biller.post("/claims/submit", data={"csrf_token": "forged"})
    assert forged.status_code in (400, 403)
    assert transport.instances == []


def test_a_biller_makes_claims_from_the_appointments(
    biller: TestClient, viewer: TestClient, store: Store
) -> None:
    page = biller.get("/claims").text
    assert "Make claims from appointments" in page
    assert "Make claims from appointments" not in viewer.get("/claims").text
    made = biller.post("/claims/create", data={"csrf_token": csrf_of(biller, "/claims")})
    assert made.status_code == 200, made.text
    assert "Made 5 claims: 4 ready to send, 1 held." in made.text
    assert "CB000004</a> held:" in made.text  # Blue Shield waits for its enrollment
    with store.read() as session:
        assert len(list_claims(session)) == 5
    again = biller.post("/claims/create", data={"csrf_token": csrf_of(biller, "/claims")})
    assert "No appointment is waiting for a claim." in again.text
    refused = viewer.post("/claims/create", data={"csrf_token": csrf_of(viewer, "/claims")})
    assert refused.status_code == 403


def test_the_api_makes_claims(app: FastAPI, store: Store) -> None:
    api = TestClient(app)
    api.headers["Authorization"] = f"Bearer {token_for(store, 'biller')}"
    made = api.post("/api/v1/claims/create").json()
    assert [c["status"] for c in made["created"]].count("ready") == 4
    [held] = [c for c in made["created"] if c["status"] == "held"]
    assert held["clm01"] == "CB000004" and held["edits"]
    assert api.post("/api/v1/claims/create").json()["created"] == []


def test_approving_an_enrollment_releases_the_claim_it_held(
    biller: TestClient, store: Store
) -> None:
    _ready_claims(store)
    held = {c["patient_control_number"]: c["status"] for c in _claims(store)}
    assert held["CB000004"] == "held"  # Blue Shield's 837P enrollment is not started
    form = {
        "csrf_token": csrf_of(biller, "/payers/BS001"),
        "payer_id": "BS001",
        "name": "BLUE SHIELD OF CALIFORNIA",
        "claim_filing_indicator": "BL",
        "par": "par",
        "e837P_required": "on",
        "e837P_status": "approved",
        "e837P_approved_on": "2026-11-25",
        "e835_required": "on",
        "e835_status": "submitted",
    }
    saved = biller.post("/payers", data=form)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/payers?saved=BS001&released=1"
    assert {c["patient_control_number"]: c["status"] for c in _claims(store)}["CB000004"] == "ready"
    shown = biller.get(saved.headers["location"]).text
    assert "Saved BS001. 1 held claim passed every check now and is ready to submit." in shown


def _claims(store: Store) -> list[dict[str, object]]:
    with store.read() as session:
        return list_claims(session)


def test_the_dashboard_links_a_hold_reason_to_the_claims_it_holds(
    biller: TestClient, store: Store
) -> None:
    from sqlalchemy import select, update

    from claimbridge.store import tables as t

    biller.post("/claims/create", data={"csrf_token": csrf_of(biller, "/claims")})
    with store.transaction() as session:  # a second claim waits for the same enrollment
        reason = session.scalars(
            select(t.ClaimRow.status_reason).where(t.ClaimRow.clm01 == "CB000004")
        ).one()
        session.execute(
            update(t.ClaimRow)
            .where(t.ClaimRow.clm01 == "CB000003")
            .values(status="held", status_reason=reason)
        )
    board = biller.get("/").text
    [link] = re.findall(r'href="(/claims\?status=held&amp;reason=[^"]+)"', board)
    listed = biller.get(html.unescape(link)).text
    assert "2 claims held:" in board
    assert "CB000003" in listed and "CB000004" in listed and "CB000001" not in listed
