"""The worklist page and the API's claims list: search, sort, pages with their count, and the
actions on selected claims (submit through the Submit job, resubmit, print)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from web_support import TestClient, Transports, api_job, csrf_of, example_ledger, job_result

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import create_claims
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from cycle_support import statuses
from ledger_fixtures import add_claim

READY = ["CB000001", "CB000002", "CB000003", "CB000005"]
ROW = re.compile(r'name="clm01" value="([^"]+)"')


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The example practice with its five claims made (four ready, CB000004 held)."""
    ledger = example_ledger(tmp_path / "ledger.db")
    with ledger.transaction() as session:
        create_claims(session, "test", date(2026, 11, 20))
    yield ledger
    ledger.dispose()


def _rows(html: str) -> list[str]:
    return ROW.findall(html)


def test_a_search_by_patient_name_finds_their_claims_and_counts_them(biller: TestClient) -> None:
    page = biller.get("/claims", params={"q": "blake"}).text
    assert _rows(page) == ["CB000005", "CB000001"]  # newest date of service first
    assert re.search(
        r'aria-sort="descending"><a class="sort" href="[^"]*sort=dos&amp;dir=asc', page
    )
    assert "1–2 of 2 claims" in page
    by_dob = biller.get("/claims", params={"q": "05/21/1979", "by": "dob"}).text
    assert _rows(by_dob) == ["CB000004"]
    nothing = biller.get("/claims", params={"q": "Zyx", "by": "patient"}).text
    assert _rows(nothing) == [] and "No claims match" in nothing


def test_every_column_heading_sorts_and_says_how(biller: TestClient) -> None:
    page = biller.get("/claims", params={"sort": "charge", "dir": "desc", "q": "CB"}).text
    assert _rows(page) == ["CB000002", "CB000001", "CB000003", "CB000004", "CB000005"]
    assert re.search(
        r'aria-sort="descending"><a class="sort" href="[^"]*sort=charge&amp;dir=asc', page
    )
    headings = re.findall(
        r'<th scope="col"[^>]*aria-sort="(\w+)"><a class="sort" href="[^"]*sort=(\w+)', page
    )
    assert len(headings) == 11 and headings.count(("descending", "charge")) == 1
    assert all(way == "none" for way, key in headings if key != "charge")
    # the search stays in the heading links: a sort is of what was found
    assert 'href="/claims?sort=dos&amp;dir=asc&amp;q=CB"' in page


def test_pages_carry_every_choice_in_the_address(biller: TestClient, store: Store) -> None:
    for number in range(30):
        add_claim(store, f"ZZ{number:04d}", status=ClaimStatus.READY)
    first = biller.get("/claims", params={"size": "25", "sort": "claim"}).text
    assert "1–25 of 35 claims · page 1 of 2" in first
    assert 'href="/claims?size=25&amp;sort=claim&amp;page=2" rel="next"' in first
    second = biller.get("/claims", params={"size": "25", "sort": "claim", "page": "2"}).text
    assert "26–35 of 35 claims" in second and 'rel="prev"' in second
    assert _rows(second) == [f"ZZ{n:04d}" for n in range(20, 30)]
    assert biller.get("/claims", params={"size": "37"}).status_code == 400
    assert biller.get("/claims", params={"sort": "shoe"}).status_code == 400


def test_the_api_pages_with_a_count_and_links(api: TestClient, store: Store) -> None:
    for number in range(30):
        add_claim(store, f"ZZ{number:04d}")
    answer = api.get("/api/v1/claims", params={"size": "25", "sort": "claim", "dir": "desc"})
    assert answer.status_code == 200
    assert answer.headers["X-Total-Count"] == "35"
    assert (
        answer.headers["Link"] == '</api/v1/claims?size=25&sort=claim&dir=desc&page=2>; rel="next"'
    )
    assert [c["clm01"] for c in answer.json()][:2] == ["ZZ0029", "ZZ0028"]
    found = api.get("/api/v1/claims", params={"q": "U8823410201", "by": "member"}).json()
    assert [c["clm01"] for c in found] == ["CB000005", "CB000001"]


def test_selected_claims_and_no_other_are_sent_by_the_submit_job(
    biller: TestClient, store: Store, transport: Transports
) -> None:
    csrf = csrf_of(biller, "/claims")
    held = biller.post("/claims/bulk", data={"csrf_token": csrf, "action": "submit",
                                             "clm01": ["CB000004"]})  # fmt: skip
    assert held.status_code == 409 and "CB000004 is held" in held.text
    assert transport.instances == []
    form = {"csrf_token": csrf, "action": "submit", "clm01": READY[:2]}
    sent = biller.post("/claims/bulk", data=form, headers={"HX-Request": "true"})
    assert "Sending ready claims" in sent.text
    assert "Sent 2 claims to Office Ally in 1 file" in job_result(biller, sent)
    [memory] = transport.instances
    [upload] = [memory.files[p][0].decode() for p in memory.files if p.startswith("inbound/")]
    assert all(f"CLM*{clm01}*" in upload for clm01 in READY[:2])
    assert not any(f"CLM*{clm01}*" in upload for clm01 in READY[2:])  # left ready
    assert {statuses(store)[clm01] for clm01 in READY[2:]} == {"ready"}


def test_selected_rejected_claims_are_resubmitted(biller: TestClient, store: Store) -> None:
    with store.transaction() as session:
        repository = ClaimRepository(session)
        repository.transition("CB000001", ClaimStatus.SUBMITTED, "sent", "test")
        repository.transition("CB000001", ClaimStatus.PAYER_REJECTED, "bad ID", "test")
    form = {"csrf_token": csrf_of(biller, "/claims"), "action": "resubmit",
            "clm01": ["CB000001", "CB000004"]}  # fmt: skip
    done = biller.post("/claims/bulk", data=form, headers={"HX-Request": "true"})
    assert done.status_code == 200 and done.headers["HX-Trigger"] == "worklist-changed"
    assert "Sent again as an original with the next submission: 1 claim." in done.text
    assert "CB000004 is held: only a rejected claim is resubmitted" in done.text
    with store.read() as session:
        status = session.query(t.ClaimRow.status).filter_by(clm01="CB000001").scalar()
    assert status == "ready"
    plain = biller.post("/claims/bulk", data=form)  # without JavaScript: a page of its own
    assert "<h1>Claims sent again</h1>" in plain.text and "Back to the worklist" in plain.text


def test_viewers_print_but_do_not_send(viewer: TestClient, store: Store) -> None:
    page = viewer.get("/claims").text
    assert "Print selected" in page and "Submit selected" not in page
    csrf = csrf_of(viewer, "/claims")
    printed = viewer.post("/claims/print", data={"csrf_token": csrf,
                                                 "clm01": ["CB000003", "CB000001"]})  # fmt: skip
    assert printed.status_code == 200
    assert printed.text.index("Claim CB000003") < printed.text.index("Claim CB000001")
    assert "NGUYEN" in printed.text.upper() and "2 claims to print" in printed.text
    with store.read() as session:
        audited = session.query(t.AuditRow.entity_key).filter_by(detail="printed").all()
    assert sorted(key for (key,) in audited) == ["CB000001", "CB000003"]
    refused = viewer.post("/claims/bulk", data={"csrf_token": csrf, "action": "resubmit",
                                                "clm01": ["CB000001"]})  # fmt: skip
    assert refused.status_code == 403
    empty = viewer.post("/claims/print", data={"csrf_token": csrf})
    assert empty.status_code == 400 and "select at least one claim" in empty.text


def test_select_this_page_ticks_every_box_without_javascript(biller: TestClient) -> None:
    page = biller.get("/claims", params={"select": "page", "status": "ready"}).text
    boxes = re.findall(r'<input type="checkbox" name="clm01" value="[^"]+"[^>]*>', page)
    assert len(boxes) == 4 and all("checked" in box for box in boxes)
    assert 'href="/claims?status=ready">Clear the selection' in page


def test_the_api_sends_the_claims_it_names_and_refuses_one_not_ready(
    api: TestClient, store: Store, transport: Transports
) -> None:
    held = api.post("/api/v1/submit", json={"claims": ["CB000004", READY[0]]})
    assert held.status_code == 409
    assert "CB000004 is held" in held.json()["error"]["message"]
    assert transport.instances == []
    job = api_job(api, api.post("/api/v1/submit", json={"claims": READY[1:3]}))
    assert job["state"] == "done" and job["claims"] == READY[1:3]
    assert job["detail"]["claims_sent"] == 2
    after = statuses(store)
    assert {after[clm01] for clm01 in READY[1:3]} == {"submitted"}
    assert {after[clm01] for clm01 in (READY[0], READY[3])} == {"ready"}
