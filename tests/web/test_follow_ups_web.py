"""Following a claim up in the web and the API: a note, a follow-up for a person of the
practice, the Follow-ups page, and the timely filing warning of a payer's limit."""

from __future__ import annotations

import html
from datetime import date, timedelta

from web_support import TestClient, csrf_of

from claimbridge.store.db import Store
from claimbridge.web.views.common import today


def _post(client: TestClient, path: str, page: str, **form: str) -> int:
    return int(client.post(path, data={"csrf_token": csrf_of(client, page), **form}).status_code)


def test_a_biller_writes_a_note_and_gives_the_claim_a_follow_up(
    biller: TestClient, admin: TestClient, viewer: TestClient
) -> None:
    page = "/claims/CB-1002"
    assert "No note yet." in biller.get(page).text
    assert _post(biller, f"{page}/notes", page, text="called Aetna <ref 7741>") == 303
    shown = biller.get(page).text
    assert "Note added." not in shown  # only after the redirect's ?done=
    assert html.escape("called Aetna <ref 7741>") in shown and "<ref 7741>" not in shown
    assert _post(biller, f"{page}/notes", page, text="   ") == 400

    on = today().isoformat()
    assert _post(biller, f"{page}/follow-up", page, assigned_to="biller", follow_up_on=on) == 303
    assert "Follow-up saved." in biller.get(f"{page}?done=follow_up").text
    mine = biller.get("/follow-ups").text
    assert "My follow-ups" in mine and 'href="/claims/CB-1002"' in mine and "due" in mine
    assert 'href="/claims/CB-1002"' not in admin.get("/follow-ups").text.split('id="filing"')[0]
    assert 'href="/claims/CB-1002"' in admin.get("/follow-ups?who=all").text
    refused = _post(biller, f"{page}/follow-up", page, assigned_to="someone-else")
    assert refused == 400
    assert _post(viewer, f"{page}/notes", page, text="hello") == 403


def test_the_api_writes_notes_and_lists_follow_ups(api: TestClient) -> None:
    written = api.post("/api/v1/claims/CB-1002/notes", json={"text": "resubmit after the 15th"})
    assert written.status_code == 201 and written.json()["written_by"] == "biller"
    later = (today() + timedelta(days=3)).isoformat()
    put = api.put("/api/v1/claims/CB-1002/follow-up",
                  json={"assigned_to": "biller", "follow_up_on": later})  # fmt: skip
    assert put.status_code == 200 and put.json()["follow_up_on"] == later
    bad = api.put("/api/v1/claims/CB-1002/follow-up", json={"assigned_to": "nobody"})
    assert bad.status_code == 400 and bad.json()["error"]["details"]
    shown = api.get("/api/v1/claims/CB-1002/notes").json()
    assert [n["text"] for n in shown["notes"]] == ["resubmit after the 15th"]
    assert shown["filing"]["state"] in {"in_time", "due", "late"}
    listed = api.get("/api/v1/follow-ups").json()["follow_ups"]
    assert [row["clm01"] for row in listed] == ["CB-1002"]
    assert api.get("/api/v1/follow-ups?due=true").json()["follow_ups"] == []
    assert api.get("/api/v1/claims/CB-404/notes").status_code == 404


def test_a_payers_short_limit_warns_on_the_claim_the_dashboard_and_follow_ups(
    admin: TestClient, api: TestClient, store: Store
) -> None:
    payer = api.get("/api/v1/payers").json()
    (aetna,) = [p for p in payer if p["payer_id"] == "87726"]
    days = (today() - date(2026, 11, 3)).days - 1  # CB-1002's date of service: a day late
    body = {"name": aetna["name"], "claim_filing_indicator": aetna["claim_filing_indicator"],
            "par": aetna["par"], "timely_filing_days": days}  # fmt: skip
    assert api.put("/api/v1/payers/87726", json=body).status_code == 200
    claim = admin.get("/claims/CB-1002").text
    assert f"Timely filing: 1 day past the {days}-day limit" in claim
    assert "timely filing limit, 1 of them past it" in admin.get("/").text
    filing = admin.get("/follow-ups").text.split('id="filing"')[1]
    assert 'href="/claims/CB-1002"' in filing and "late" in filing
    body["timely_filing_days"] = 0
    assert api.put("/api/v1/payers/87726", json=body).status_code == 400
