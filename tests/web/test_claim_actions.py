"""A biller corrects a rejected claim and sends it again, resubmits one as it is, replaces or
voids one the payer accepted; viewers cannot, and bad values come back with their box named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select, update
from web_support import TestClient, Transports, api_job, csrf_of, example_ledger, token_for

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import create_claims
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from cycle_support import status_of

INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
REJECTED = "CB000001"
ACCEPTED = "CB000002"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The example practice with its claims made; CB000001 rejected by the payer for its member
    ID, CB000002 accepted with a payer claim number."""
    ledger = example_ledger(tmp_path / "ledger.db")
    with ledger.transaction() as session:
        create_claims(session, "test", date(2026, 11, 20))
        claims = ClaimRepository(session)
        for clm01, last in ((REJECTED, ClaimStatus.PAYER_REJECTED),
                            (ACCEPTED, ClaimStatus.PAYER_ACCEPTED)):  # fmt: skip
            claims.transition(clm01, ClaimStatus.SUBMITTED, "sent", "test")
            claims.transition(clm01, last, "SUBSCRIBER ID NOT FOUND", "test")
        session.execute(
            update(t.ClaimRow).where(t.ClaimRow.clm01 == ACCEPTED)
            .values(payer_claim_control_number="PCN5521")
        )  # fmt: skip
    yield ledger
    ledger.dispose()


def _member_id(store: Store, clm01: str) -> str:
    with store.read() as session:
        query = (
            select(t.PolicyRow.member_id)
            .join(t.ClaimRow, t.ClaimRow.policy_id == t.PolicyRow.id)
            .where(t.ClaimRow.clm01 == clm01)
        )
        return session.scalars(query).one()


def _form(client: TestClient, clm01: str) -> dict[str, str]:
    """The correction form's fields as the page fills them."""
    page = client.get(f"/claims/{clm01}/correct")
    assert page.status_code == 200, page.text
    return dict(INPUT.findall(page.text))


def test_a_rejected_claim_is_corrected_and_queued_to_go_again(
    biller: TestClient, store: Store
) -> None:
    claim_page = biller.get(f"/claims/{REJECTED}").text
    assert "Correct and resubmit" in claim_page and "Resubmit as is" in claim_page
    assert "<td>AB</td>" in claim_page  # box 24E points at diagnoses A and B by letter
    form = _form(biller, REJECTED)
    assert form["member_id"] == _member_id(store, REJECTED)
    form["member_id"] = "U8823410299"
    saved = biller.post(f"/claims/{REJECTED}/correct", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/claims/{REJECTED}?done=corrected"
    assert status_of(store, REJECTED) is ClaimStatus.READY
    assert _member_id(store, REJECTED) == "U8823410299"
    after = biller.get(saved.headers["location"]).text
    assert "Corrected and checked again." in after and "changed insured" in after
    with store.read() as session:
        audited = session.scalars(
            select(t.AuditRow.detail).where(t.AuditRow.action == "change")
        ).all()
    assert "corrected" in audited


def test_the_group_number_is_corrected_on_the_form(biller: TestClient, store: Store) -> None:
    page = biller.get(f"/claims/{REJECTED}/correct").text
    assert "4 Insured's name: the patient" in page and 'name="insured_last_name"' not in page
    form = _form(biller, REJECTED)
    assert form["group_number"] == "GRP44120"
    form["group_number"] = "GRP44121"
    saved = biller.post(f"/claims/{REJECTED}/correct", data=form, follow_redirects=False)
    assert saved.status_code == 303
    with store.read() as session:
        query = select(t.PolicyRow.group_number).join(
            t.ClaimRow, t.ClaimRow.policy_id == t.PolicyRow.id
        )
        assert session.scalars(query.where(t.ClaimRow.clm01 == REJECTED)).one() == "GRP44121"
    assert "insured&#39;s group number (11)" in biller.get(saved.headers["location"]).text


def test_a_bad_value_comes_back_with_its_box_and_what_was_typed(
    biller: TestClient, store: Store
) -> None:
    form = _form(biller, REJECTED)
    form["line1_charge"] = "12O.00"
    answer = biller.post(f"/claims/{REJECTED}/correct", data=form)
    assert answer.status_code == 400
    assert "24 Line 1 charge: &#39;12O.00&#39; is not an amount" in answer.text
    assert 'value="12O.00"' in answer.text
    assert 'aria-invalid="true" aria-describedby="line1_charge-error"' in answer.text
    assert status_of(store, REJECTED) is ClaimStatus.PAYER_REJECTED


def test_each_refused_box_is_named_next_to_it_and_nothing_is_saved(
    biller: TestClient, store: Store
) -> None:
    form = _form(biller, REJECTED) | {
        "rendering_npi": "1234567890",  # wrong check digit
        "place_of_service": "99x",
        "dob": "2030-01-02",
        "line1_charge": "95.009",
        "member_id": "U8823410299",  # a good change, not saved either
    }
    answer = biller.post(f"/claims/{REJECTED}/correct", data=form)
    assert answer.status_code == 400
    assert "Nothing was saved: 4 problems." in answer.text
    for name, why in (
        ("rendering_npi", "is not an NPI (wrong check digit)"),
        ("place_of_service", "is not a place of service"),
        ("dob", "2030-01-02 is in the future"),
        ("line1_charge", "&#39;95.009&#39; has more than two decimals"),
    ):
        assert f'aria-invalid="true" aria-describedby="{name}-error"' in answer.text
        assert re.search(
            f'<span class="field-error" id="{name}-error">[^<]*{re.escape(why)}', answer.text
        )
    assert 'aria-describedby="member_id-error"' not in answer.text
    assert _member_id(store, REJECTED) != "U8823410299"
    assert status_of(store, REJECTED) is ClaimStatus.PAYER_REJECTED


def test_a_charge_typed_with_a_dollar_sign_and_commas_is_saved_exactly(
    biller: TestClient, store: Store
) -> None:
    form = _form(biller, REJECTED) | {"line1_charge": "$1,095.00"}
    saved = biller.post(f"/claims/{REJECTED}/correct", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert _form(biller, REJECTED)["line1_charge"] == "1095.00"


def _send(client: TestClient, clm01: str, how: str, token: str) -> Response:
    data = {"csrf_token": token, "how": how}
    return client.post(f"/claims/{clm01}/resubmit", data=data, follow_redirects=False)


def test_resubmit_as_is_replace_and_void(biller: TestClient, store: Store) -> None:
    token = csrf_of(biller, f"/claims/{REJECTED}")
    again = _send(biller, REJECTED, "resubmit", token)
    assert again.headers["location"] == f"/claims/{REJECTED}?done=resubmit"
    assert status_of(store, REJECTED) is ClaimStatus.READY
    accepted_page = biller.get(f"/claims/{ACCEPTED}").text
    assert "Replace…" in accepted_page and "Void" in accepted_page
    assert "Correct" not in accepted_page
    replaced = _send(biller, ACCEPTED, "replace", token)
    assert replaced.headers["location"] == f"/claims/{ACCEPTED}R1?done=replace"
    voided = _send(biller, ACCEPTED, "void", token)
    assert voided.headers["location"] == f"/claims/{ACCEPTED}V1?done=void"
    claim = t.ClaimRow
    with store.read() as session:
        made = session.execute(
            select(claim.clm01, claim.frequency_code, claim.payer_claim_control_number)
            .where(claim.replaces_claim_id.is_not(None)).order_by(claim.id)
        ).all()  # fmt: skip
    assert [tuple(row) for row in made] == [
        (f"{ACCEPTED}R1", "7", "PCN5521"),
        (f"{ACCEPTED}V1", "8", "PCN5521"),
    ]
    for unknown in ("correct", "resend"):  # an action that does not send it; no action
        assert _send(biller, REJECTED, unknown, token).status_code == 400
    refused = _send(biller, REJECTED, "void", token)
    assert refused.status_code == 409 and "only a claim the payer accepted" in refused.text


def test_an_accepted_claim_cannot_be_corrected_in_place(biller: TestClient, store: Store) -> None:
    form = _form(biller, ACCEPTED)
    refused = biller.post(f"/claims/{ACCEPTED}/correct", data=form)
    assert refused.status_code == 409 and "replacement claim" in refused.text


def test_viewers_see_no_actions_and_are_refused(
    viewer: TestClient, biller: TestClient, store: Store
) -> None:
    page = viewer.get(f"/claims/{REJECTED}").text
    assert "Resubmit as is" not in page and "Correct and resubmit" not in page
    assert viewer.get(f"/claims/{REJECTED}/correct").status_code == 403
    token = csrf_of(viewer, f"/claims/{REJECTED}")
    refused = viewer.post(
        f"/claims/{REJECTED}/resubmit", data={"csrf_token": token, "how": "resubmit"}
    )
    assert refused.status_code == 403
    forged = biller.post(
        f"/claims/{REJECTED}/resubmit", data={"csrf_token": "x", "how": "resubmit"}
    )
    assert forged.status_code in (400, 403)
    assert status_of(store, REJECTED) is ClaimStatus.PAYER_REJECTED


def test_the_api_corrects_resubmits_replaces_and_voids(
    app: FastAPI, store: Store, transport: Transports
) -> None:
    api = TestClient(app, follow_redirects=False)
    api.headers["Authorization"] = f"Bearer {token_for(store, 'biller')}"
    before = api.get(f"/api/v1/claims/{REJECTED}/correction").json()
    assert before["member_id"] == _member_id(store, REJECTED)
    charge = before["lines"][0]["charge"]
    body = {"member_id": "U8823410299", "lines": [{"number": 1, "code": "9921"}]}
    refused = api.patch(f"/api/v1/claims/{REJECTED}", json=body)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == [
        {"field": "lines.1.code", "message": "'9921' is not a CPT or HCPCS code (e.g. 99213)"}
    ]
    bad = {
        "rendering_npi": "1234567890",
        "place_of_service": "99x",
        "patient_dob": "2030-01-02",
        "lines": [{"number": 1, "charge": "95.009"}, {"number": 2, "charge": 95.009}],
    }
    refused = api.patch(f"/api/v1/claims/{REJECTED}", json=bad)
    assert refused.status_code == 400
    named = {d["field"] for d in refused.json()["error"]["details"]}
    assert named == {"rendering_npi", "place_of_service", "patient_dob", "lines.1.charge",
                     "lines.2.charge"}  # fmt: skip
    fixed = api.patch(
        f"/api/v1/claims/{REJECTED}",
        json={"member_id": "U8823410299", "lines": [{"number": 1, "code": "99213"}]},
    )
    assert fixed.json() == {"clm01": REJECTED, "status": "ready", "edits": []}
    after = api.get(f"/api/v1/claims/{REJECTED}/correction").json()
    assert after["member_id"] == "U8823410299" and after["lines"][0]["charge"] == charge
    assert (after["group_number"], after["insured_is_patient"]) == ("GRP44120", True)
    own = api.patch(f"/api/v1/claims/{REJECTED}", json={"insured_last_name": "Smith"})
    assert own.status_code == 400
    assert own.json()["error"]["details"][0]["field"] == "insured_last_name"
    regrouped = api.patch(f"/api/v1/claims/{REJECTED}", json={"group_number": ""})
    assert regrouped.status_code == 200
    assert api.get(f"/api/v1/claims/{REJECTED}/correction").json()["group_number"] == ""
    missing = api.patch(f"/api/v1/claims/{REJECTED}", json={"lines": [{"number": 7}]})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "bad_request"
    replaced = api.post(f"/api/v1/claims/{ACCEPTED}/resubmit", json={"how": "replace"}).json()
    assert replaced["clm01"] == f"{ACCEPTED}R1"
    wrong = api.post(f"/api/v1/claims/{ACCEPTED}/resubmit", json={"how": "resubmit"})
    assert wrong.status_code == 409 and "replacement" in wrong.json()["error"]["message"]
    submitted = api_job(api, api.post("/api/v1/submit"))
    assert (submitted["kind"], submitted["state"], submitted["asked_by"]) == (
        "submit",
        "done",
        "biller",
    )
    sent = submitted["detail"]
    assert sent["claims_sent"] >= 2 and submitted["result"].startswith("Sent ")
    assert {REJECTED, f"{ACCEPTED}R1"} <= {c for b in sent["batches"] for c in b["claims"]}
    polled = api_job(api, api.post("/api/v1/poll"))
    assert polled["detail"] == {"reports": []} and polled["result"] == "nothing new"
    assert len(transport.instances) == 2 and all(m.closed for m in transport.instances)
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/claims/{clm01}/resubmit", "/api/v1/submit", "/api/v1/poll"} <= set(paths)
    assert "/api/v1/jobs/{job_id}" in paths


def test_the_api_refuses_a_viewer(app: FastAPI, store: Store) -> None:
    api = TestClient(app, follow_redirects=False)
    api.headers["Authorization"] = f"Bearer {token_for(store, 'viewer')}"
    refused = api.patch(f"/api/v1/claims/{REJECTED}", json={"member_id": "X1"})
    assert refused.status_code == 403
    assert api.post("/api/v1/submit").status_code == 403
    assert _member_id(store, REJECTED) != "X1"


def _line_rows(store: Store, clm01: str) -> list[tuple[int, str]]:
    with store.read() as session:
        query = (
            select(t.ClaimLineRow.line_number, t.ClaimLineRow.code)
            .join(t.ClaimRow, t.ClaimRow.id == t.ClaimLineRow.claim_id)
            .where(t.ClaimRow.clm01 == clm01)
            .order_by(t.ClaimLineRow.line_number)
        )
        return [(number, code) for number, code in session.execute(query)]


def test_a_line_is_removed_and_one_added_in_the_form(biller: TestClient, store: Store) -> None:
    [(_, first), (_, second)] = _line_rows(store, REJECTED)
    form = _form(biller, REJECTED)
    assert "line2_remove" not in form and form["new_code"] == ""  # nothing ticked or typed
    form |= {"line2_remove": "on", "new_code": "85025", "new_charge": "32.00"}
    form |= {"new_pointers": "1", "line2_code": "?"}  # a removed line's boxes are not read
    saved = biller.post(f"/claims/{REJECTED}/correct", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert _line_rows(store, REJECTED) == [(1, first), (3, "85025")]
    after = biller.get(saved.headers["location"]).text
    assert f"removed line 2 ({second}); added line 3 (85025)" in after
    form = _form(biller, REJECTED)
    form |= {"line1_remove": "on", "line3_remove": "on"}
    refused = biller.post(f"/claims/{REJECTED}/correct", data=form)
    assert refused.status_code == 400
    assert "24 Line 3: a claim keeps at least one service line" in refused.text
    assert 'name="line1_remove" aria-label="remove line 1" checked' in refused.text
    assert 'aria-describedby="line3_remove-error"' in refused.text
    form = _form(biller, REJECTED) | {"new_code": "85025", "new_charge": "3x"}
    bad = biller.post(f"/claims/{REJECTED}/correct", data=form)
    assert bad.status_code == 400 and "24 New line 1 charge: &#39;3x&#39;" in bad.text
    assert 'aria-describedby="new_charge-error"' in bad.text
    assert 'name="new_code" value="85025"' in bad.text
    assert len(_line_rows(store, REJECTED)) == 2


def test_the_api_removes_and_adds_lines(app: FastAPI, store: Store) -> None:
    api = TestClient(app, follow_redirects=False)
    api.headers["Authorization"] = f"Bearer {token_for(store, 'biller')}"
    [(_, first), _] = _line_rows(store, REJECTED)
    new = {"code": "85025", "charge": "32", "diagnosis_pointers": [1]}
    body = {"lines": [{"number": 2, "remove": True}, new]}
    fixed = api.patch(f"/api/v1/claims/{REJECTED}", json=body)
    assert fixed.json() == {"clm01": REJECTED, "status": "ready", "edits": []}
    after = api.get(f"/api/v1/claims/{REJECTED}/correction").json()
    assert [(line["number"], line["code"]) for line in after["lines"]] == [(1, first), (3, "85025")]
    assert after["lines"][1]["remove"] is False  # what a PATCH may send back
    assert (after["lines"][1]["units"], after["lines"][1]["charge"]) == ("1.00", "32.00")
    unnamed = api.patch(f"/api/v1/claims/{REJECTED}", json={"lines": [{"code": "85025"}]})
    assert unnamed.status_code == 400
    assert "lines[1]: a line to add needs charge" in unnamed.json()["error"]["message"]
    both = [{"number": 1, "remove": True}, {"number": 3, "remove": True}]
    last = api.patch(f"/api/v1/claims/{REJECTED}", json={"lines": both})
    assert last.status_code == 400 and "24 Line 3" in last.json()["error"]["message"]
    schema = api.get("/api/v1/openapi.json").json()["components"]["schemas"]["LineIn"]
    assert {"remove", "number"} <= set(schema["properties"])


def test_replace_asks_first_and_the_replacement_is_cancelled_before_it_goes(
    biller: TestClient, store: Store
) -> None:
    accepted_page = biller.get(f"/claims/{ACCEPTED}").text
    assert f'href="/claims/{ACCEPTED}/replace"' in accepted_page  # a link, not a button
    asked = biller.get(f"/claims/{ACCEPTED}/replace")
    assert asked.status_code == 200 and "PCN5521" in asked.text
    assert "Make the replacement" in asked.text and "can be cancelled" in asked.text
    with store.read() as session:  # nothing made by asking
        assert (
            session.scalars(
                select(t.ClaimRow.id).where(t.ClaimRow.clm01 == f"{ACCEPTED}R1")
            ).first()
            is None
        )
    assert biller.get(f"/claims/{REJECTED}/replace").status_code == 400
    token = csrf_of(biller, f"/claims/{ACCEPTED}/replace")
    made = _send(biller, ACCEPTED, "replace", token)
    copy = f"{ACCEPTED}R1"
    assert made.headers["location"] == f"/claims/{copy}?done=replace"
    copy_page = biller.get(made.headers["location"]).text
    assert "Cancel this replacement…" in copy_page and 'value="billed_on_paper"' not in copy_page
    no_reason = {"csrf_token": token, "status": "cancelled", "reason": " "}
    assert biller.post(f"/claims/{copy}/off-edi", data=no_reason).status_code == 400
    cancel = no_reason | {"reason": "made by mistake"}
    done = biller.post(f"/claims/{copy}/off-edi", data=cancel, follow_redirects=False)
    assert done.headers["location"] == f"/claims/{copy}?done=cancelled"
    assert status_of(store, copy) is ClaimStatus.CANCELLED
    after = biller.get(done.headers["location"]).text
    assert "Cancelled: it is never sent." in after and "cancelled by" in after
    assert "made by mistake" in biller.get(f"/claims/{ACCEPTED}").text  # on its timeline too
    again = biller.post(f"/claims/{copy}/off-edi", data=cancel)
    assert again.status_code == 409


def test_the_api_cancels_a_claim_and_marks_one_billed_on_paper(app: FastAPI, store: Store) -> None:
    api = TestClient(app, follow_redirects=False)
    api.headers["Authorization"] = f"Bearer {token_for(store, 'biller')}"
    with store.read() as session:
        waiting = session.scalars(
            select(t.ClaimRow.clm01).where(t.ClaimRow.status.in_(["held", "ready"]))
            .order_by(t.ClaimRow.id)
        ).all()  # fmt: skip
    first, second = waiting[:2]
    paper = api.post(f"/api/v1/claims/{first}/billed-on-paper", json={"reason": "old EHR"})
    assert paper.json() == {"clm01": first, "status": "billed_on_paper", "edits": []}
    cancelled = api.post(f"/api/v1/claims/{second}/cancel", json={"reason": "duplicate"})
    assert cancelled.json()["status"] == "cancelled"
    sent = api.post(f"/api/v1/claims/{REJECTED}/cancel", json={"reason": "x"})
    assert sent.status_code == 409
    assert api.post(f"/api/v1/claims/{second}/cancel", json={}).status_code == 400
    assert (status_of(store, first), status_of(store, second)) == (
        ClaimStatus.BILLED_ON_PAPER,
        ClaimStatus.CANCELLED,
    )
