"""Every dollar's path through the web and the API: a paper EOB typed into the ERAs page's
form or sent to ``POST /api/v1/remittances/manual``, a patient's payment on the claim page and
through the API, undone with why, and the Statements page with its PDF and CSV."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from web_support import csrf_of

from claimbridge.domain.status import ClaimStatus
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import status_of
from money_support import SOFIA, billed, post_uhc, uhc_eob


@pytest.fixture
def claims(store: Store) -> dict[str, str]:
    return billed(store, load=False)  # the web template has the example practice loaded


def _paper_form(client: TestClient, clm01: str, paid_2: str = "30.00") -> dict[str, str]:
    return {
        "csrf_token": csrf_of(client, "/eras/paper"), "payer": "87726",
        "check_number": "40017", "check_date": "2026-11-25", "amount": "180.00",
        "claim_0": clm01, "line_0": "1", "allowed_0": "170.00", "paid_0": "150.00",
        "adj_group_0_0": "CO", "adj_reason_0_0": "45", "adj_amount_0_0": "40.00",
        "adj_group_0_1": "PR", "adj_reason_0_1": "2", "adj_amount_0_1": "20.00",
        "remarks_0": "N130", "claim_1": clm01, "line_1": "2", "paid_1": paid_2,
        "adj_group_1_0": "CO", "adj_reason_1_0": "45", "adj_amount_1_0": "5.00",
    }  # fmt: skip


def test_a_biller_types_a_paper_eob_into_the_form(
    biller: TestClient, store: Store, claims: dict[str, str]
) -> None:
    clm01 = claims[SOFIA]
    assert "Post a paper EOB" in biller.get("/eras").text
    assert f'href="/eras/paper?claim={clm01}"' in biller.get(f"/claims/{clm01}").text
    filled = biller.get(f"/eras/paper?claim={clm01}").text
    assert f'name="claim_1" value="{clm01}"' in filled and 'value="87726" selected' in filled
    assert biller.get("/eras/paper?claim=CB-NONE").status_code == 404
    wrong = biller.post("/eras/paper", data=_paper_form(biller, clm01, paid_2="31.00"))
    assert wrong.status_code == 400
    assert "claims[0].lines[1]: billed 35.00 − paid 31.00" in wrong.text
    assert 'value="31.00"' in wrong.text  # the form comes back as typed
    done = biller.post("/eras/paper", data=_paper_form(biller, clm01))
    assert done.status_code == 303 and done.headers["location"] == "/eras?check=40017"
    assert status_of(store, clm01) is ClaimStatus.PAID
    listed = biller.get("/eras?check=40017").text
    assert "paper" in listed and "180.00" in listed
    eob = biller.get(f"/claims/{clm01}/eob").text
    assert "paper" in eob and "N130" in eob


def test_the_api_posts_a_paper_eob_and_names_the_place_of_a_problem(
    api: TestClient, store: Store, claims: dict[str, str]
) -> None:
    wrong = uhc_eob(claims[SOFIA])
    wrong["claims"][0]["lines"][0]["adjustments"][0]["amount"] = "39.00"
    wrong.pop("amount")
    refused = api.post("/api/v1/remittances/manual", json=wrong)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "bad_request"
    assert any(d.startswith("claims[0].lines[0]: billed 210.00") for d in error["details"])
    not_json = api.post("/api/v1/remittances/manual", json={"payer": "87726"})
    assert not_json.status_code == 400 and "error" in not_json.json()
    posted = api.post("/api/v1/remittances/manual", json=uhc_eob(claims[SOFIA]))
    assert posted.status_code == 201, posted.text
    remittance_id = posted.json()["remittance_id"]
    assert posted.json()["posted"]["claims"] == 1
    undone = api.post(f"/api/v1/eras/{remittance_id}/undo", json={"reason": "wrong check"})
    assert undone.status_code == 200 and status_of(store, claims[SOFIA]) is ClaimStatus.SUBMITTED
    schema = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/remittances/manual" in schema["paths"]


def test_a_patient_payment_on_the_claim_page_closes_the_claim_and_can_be_undone(
    biller: TestClient, viewer: TestClient, store: Store, claims: dict[str, str]
) -> None:
    clm01 = claims[SOFIA]
    post_uhc(store, clm01)
    page = biller.get(f"/claims/{clm01}").text
    assert "Patient balance 20.00" in page and "Insurance balance 0.00" in page
    form = {"csrf_token": csrf_of(biller, f"/claims/{clm01}"), "kind": "payment",
            "amount": "20.00", "method": "check", "reference": "1042",
            "on": "appointment"}  # fmt: skip
    assert viewer.post(f"/claims/{clm01}/patient-money", data=form | {
        "csrf_token": csrf_of(viewer, f"/claims/{clm01}")}).status_code == 403  # fmt: skip
    added = biller.post(f"/claims/{clm01}/patient-money", data=form)
    assert added.status_code == 303
    page = biller.get(f"/claims/{clm01}").text
    assert "Patient balance 0.00" in page and "patient paid 20.00 by check 1042" in page
    with store.read() as session:
        entry = session.scalars(select(t.PatientMoneyRow)).one()
    undo = {"csrf_token": csrf_of(biller, f"/claims/{clm01}"), "reason": "bounced"}
    assert biller.post(f"/patient-money/{entry.id}/undo", data=undo).status_code == 303
    assert "Patient balance 20.00" in biller.get(f"/claims/{clm01}").text
    rows = biller.get("/claims").text
    assert "Pt</abbr> 20.00" in rows


def test_the_api_records_patient_money_and_reads_balances(
    api: TestClient, claims: dict[str, str], store: Store
) -> None:
    clm01 = claims[SOFIA]
    post_uhc(store, clm01)
    body = {"kind": "write_off", "amount": "20.00", "reason": "charity", "claim": clm01}
    made = api.post("/api/v1/patient-money", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["adjustment_code"] == "OA-CH"
    balance = api.get(f"/api/v1/claims/{clm01}/balance").json()
    assert (balance["insurance_balance"], balance["patient_balance"]) == ("0.00", "0.00")
    wrong = api.post("/api/v1/patient-money", json=body | {"method": "cash"})
    assert wrong.status_code == 400 and "method" in wrong.text
    undone = api.post(f"/api/v1/patient-money/{made.json()['id']}/undo", json={"reason": "no"})
    assert undone.json()["undone_by"] == "biller"
    owed = api.get("/api/v1/patients/pt-1002/balance").json()
    assert owed["due"] == "20.00" and owed["items"][0]["insurance_paid"] == "180.00"
    listed = {c["clm01"]: c for c in api.get("/api/v1/claims").json()}
    assert listed[clm01]["patient_balance"] == "20.00"


def test_the_statements_page_runs_a_cycle_and_serves_its_pdf_and_csv(
    biller: TestClient, api: TestClient, store: Store, claims: dict[str, str]
) -> None:
    post_uhc(store, claims[SOFIA])
    page = biller.get("/statements").text
    assert "Sofia Ramirez" in page and "20.00" in page
    form = {"csrf_token": csrf_of(biller, "/statements"), "cycle_date": "2026-12-01"}
    assert biller.post("/statements/run", data=form).status_code == 303
    [run] = api.get("/api/v1/statements").json()
    pdf = biller.get(f"/statements/{run['id']}/statements.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Sofia Ramirez" in text and "Amount due: 20.00" in text
    mailing = api.get(f"/api/v1/statements/{run['id']}/statements.csv").text
    assert "12 Birch Ln" in mailing.splitlines()[1]
    again = api.post("/api/v1/statements", json={"cycle_date": "2026-12-01"})
    assert again.status_code == 409
