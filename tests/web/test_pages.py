"""The pages and the API show what the services read and change what they are told to."""

from __future__ import annotations

import pytest
from web_support import TestClient, Transports, csrf_of, job_result

from claimbridge.errors import AuthenticationFailed
from claimbridge.services.eras import EraFilter, era_list
from claimbridge.store.db import Store
from claimbridge.store.repositories import Remittance, add_remittance, get_account


def test_the_worklist_filters_by_status_and_payer(biller: TestClient) -> None:
    held = biller.get("/claims?status=held").text
    assert "CB-1002" in held and "CB-1001" not in held
    cigna = biller.get("/claims?payer=62308").text
    assert "CB-1001" in cigna and "CB-1003" not in cigna
    assert "CB-1001" not in biller.get("/claims?from=2026-12-01").text


def test_the_worklist_refuses_an_unknown_status(biller: TestClient) -> None:
    assert biller.get("/claims?status=lost").status_code == 400


def test_the_claim_page_shows_cms1500_boxes_and_lines(biller: TestClient) -> None:
    page = biller.get("/claims/CB-1003").text
    assert "26 Patient account no." in page and "CB-1003" in page
    assert "GOLDEN STATE MEDIGAP (SX123)" in page
    assert "80.00" in page and "100.00" in page
    assert "Original claim (frequency 1)" in page and "Frequency 1" not in page
    assert '<td class="num">1</td>' in page and "1.000" not in page  # units as billers write them


def test_the_dashboard_counts_and_alerts(biller: TestClient) -> None:
    page = biller.get("/").text
    assert "200.00" in page  # CB-1001 and CB-1003 are in flight, 100.00 each
    assert "Claim CB-1002 held" in page
    assert "ERA enrollment with UNITED HEALTHCARE (87726) is submitted" in page


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_one(
    anonymous: TestClient, biller: TestClient
) -> None:
    """Without a named icon Chromium asks every page's /favicon.ico, a 404 in its console."""
    link = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    assert link in anonymous.get("/login").text
    assert link in biller.get("/").text and link in biller.get("/claims/NO-SUCH").text
    icon = anonymous.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.text.startswith("<svg")


def test_the_dashboard_shows_a_rejected_sftp_login(biller: TestClient, store: Store) -> None:
    from datetime import UTC, datetime

    from claimbridge.services.jobs import mark_login_refused
    from claimbridge.transport.lockout import account_name

    shown = "Office Ally rejected the SFTP login cedarvalley@ftp10.officeally.com:22"
    with store.transaction() as session:  # a login of another account: not this one's mark
        old = account_name("cedarvalley", "ftp10.officeally.com", 2222)
        mark_login_refused(session, store.practice_id, old, datetime.now(UTC), "Denied")
    assert "Office Ally rejected the SFTP login" not in biller.get("/").text
    with store.transaction() as session:
        account = account_name("cedarvalley", "ftp10.officeally.com", 22)
        mark_login_refused(session, store.practice_id, account, datetime.now(UTC), "Denied")
    assert shown in biller.get("/").text


def test_adding_a_payer_with_enrollment(biller: TestClient, api: TestClient) -> None:
    data = {
        "csrf_token": csrf_of(biller, "/payers/new"),
        "payer_id": "AETNA1",
        "name": "Aetna",
        "claim_filing_indicator": "CI",
        "par": "nonpar",
        "e835_required": "on",
        "e835_status": "submitted",
        "e835_submitted_on": "2026-11-20",
    }
    assert biller.post("/payers", data=data).status_code == 303
    payer = next(p for p in api.get("/api/v1/payers").json() if p["payer_id"] == "AETNA1")
    assert payer["name"] == "AETNA" and payer["par"] is False
    era = next(e for e in payer["enrollments"] if e["transaction"] == "835")
    assert era["required"] is True and era["status"] == "submitted"
    assert era["submitted_on"] == "2026-11-20"


def test_a_payer_with_a_4010_indicator_is_refused(biller: TestClient) -> None:
    data = {"csrf_token": csrf_of(biller, "/payers/new"), "payer_id": "Z1", "name": "Z"}
    response = biller.post("/payers", data={**data, "claim_filing_indicator": "09"})
    assert response.status_code == 400
    assert "4010" in response.text


def test_importing_an_office_ally_payer_csv(biller: TestClient, api: TestClient) -> None:
    csv = "Payer ID,Payer Name,Type,837P Enrollment,ERA Enrollment\nNEW01,NEW PLAN,NP,,Y\n"
    token = csrf_of(biller, "/payers")
    files = {"file": ("payers.csv", csv.encode(), "text/csv")}
    response = biller.post("/payers/import", data={"csrf_token": token}, files=files)
    assert response.status_code == 200
    assert "payers: 1 added" in response.text
    assert any(p["payer_id"] == "NEW01" and not p["par"] for p in api.get("/api/v1/payers").json())


def test_a_payer_csv_the_reader_cannot_read_is_a_400_and_changes_nothing(
    biller: TestClient, api: TestClient
) -> None:
    before = api.get("/api/v1/payers").json()
    csv = "Payer ID,Payer Name\nNEW02,NEW TWO\nNEW03," + "x" * 200_000 + "\n"
    token = csrf_of(biller, "/payers")
    files = {"file": ("payers.csv", csv.encode(), "text/csv")}
    response = biller.post("/payers/import", data={"csrf_token": token}, files=files)
    assert response.status_code == 400  # was a 500: csv.Error escaped
    assert "row 3: not a CSV file" in response.text
    assert api.get("/api/v1/payers").json() == before


def test_the_sftp_password_is_write_only(admin: TestClient, store: Store) -> None:
    data = {"host": "ftp10.officeally.com", "port": "22", "username": "cedarvalley"}
    token = csrf_of(admin, "/provider")
    secret = "s3cret-sftp-Passw0rd"
    response = admin.post("/provider/sftp", data={**data, "password": secret, "csrf_token": token})
    assert response.status_code == 303
    page = admin.get("/provider").text
    assert secret not in page and "stored — type to replace" in page
    with store.read() as session:
        account = get_account(session)
    assert account is not None and account.password is None  # no cipher: not decrypted


def test_the_connection_test_says_what_went_wrong(admin: TestClient, transport: Transports) -> None:
    token = csrf_of(admin, "/provider")
    data = {"host": "ftp10.officeally.com", "port": "22", "username": "cedarvalley"}
    admin.post("/provider/sftp", data={**data, "password": "a-password-1", "csrf_token": token})
    ok = job_result(admin, admin.post("/provider/sftp/test", data={"csrf_token": token}))
    assert "Connected to cedarvalley@ftp10.officeally.com:22" in ok
    transport.failure = AuthenticationFailed("Permission denied")
    failed = job_result(admin, admin.post("/provider/sftp/test", data={"csrf_token": token}))
    assert "Office Ally refused the username or password" in failed


def test_onboarding_email_carries_the_fields_office_ally_needs(biller: TestClient) -> None:
    page = biller.get("/onboarding").text
    assert "Office Ally Username: (your Office Ally Service Center username)" in page
    assert "Office Ally Username: cedarvalley" not in page  # the SFTP login is another one
    data = {"csrf_token": csrf_of(biller, "/onboarding"), "service_center_username": "cvfh-web"}
    saved = biller.post("/onboarding/service-center-username", data=data)
    assert saved.status_code == 303 and saved.headers["location"] == "/onboarding#sftp_email"
    page = biller.get("/onboarding").text
    assert 'name="service_center_username" value="cvfh-web"' in page
    for line in (
        "Office Ally Username: cvfh-web",
        "Contact Name: Dana Whitfield",
        "Contact Email: billing@cedarvalley.example",
        "Software Name: claimbridge",
        "Form Type Submitted (HCFA/UB/ADA): HCFA",
        "Turn on ANSI reports (999 &amp; 277CA): Yes",
    ):
        assert line in page
    assert "By Check (recommended)" in page


def test_a_viewer_reads_the_onboarding_settings_without_inputs_it_could_not_save(
    viewer: TestClient,
) -> None:
    page = viewer.get("/onboarding").text
    assert 'name="service_center_username"' not in page and 'name="go_live"' not in page
    assert "Go-live date: 11/01/2026 · ERA split: By Check (recommended)" in page
    token = csrf_of(viewer, "/onboarding")
    refused = viewer.post(
        "/onboarding/service-center-username",
        data={"csrf_token": token, "service_center_username": "x"},
    )
    assert refused.status_code == 403


def test_onboarding_steps_can_be_marked_and_go_live_set(
    biller: TestClient, admin: TestClient, api: TestClient
) -> None:
    token = csrf_of(biller, "/onboarding")
    assert (
        biller.post("/onboarding/steps/oa_account", data={"csrf_token": token}).status_code == 303
    )
    token = csrf_of(admin, "/onboarding")
    data = {"csrf_token": token, "go_live": "2026-12-01", "era_split": "by_provider"}
    assert admin.post("/onboarding/go-live", data=data).status_code == 303
    steps = {s["key"]: s for s in api.get("/api/v1/onboarding").json()["steps"]}
    assert steps["oa_account"]["done"] is True
    assert steps["go_live"]["done"] is True and "12/01/2026" in steps["go_live"]["what"]
    assert steps["era_split"]["done"] is False  # by provider is not the recommended By Check


def test_era_dates_are_kept_and_filtered(biller: TestClient, store: Store) -> None:
    with store.transaction() as session:
        remittance_id, _ = add_remittance(
            session, Remittance("62308", "CHK-7781", __import__("decimal").Decimal("90.00"), "CHK")
        )
    token = csrf_of(biller, "/eras")
    data = {"csrf_token": token, "received_on": "2026-11-20", "deposit_on": "2026-11-22"}
    assert biller.post(f"/eras/{remittance_id}/dates", data=data).status_code == 303
    bad = {**data, "deposit_on": "2026-11-19"}
    assert biller.post(f"/eras/{remittance_id}/dates", data=bad).status_code == 400
    with store.read() as session:
        inside = era_list(
            session, EraFilter(received_from=__import__("datetime").date(2026, 11, 20))
        )
        outside = era_list(
            session, EraFilter(received_to=__import__("datetime").date(2026, 11, 19))
        )
    assert [row.check_number for row in inside.rows] == ["CHK-7781"]
    assert outside.rows == [] and outside.total == 0
    assert "CHK-7781" in biller.get("/eras?check=7781").text


def test_reports_export_as_csv(biller: TestClient) -> None:
    response = biller.get("/reports/ar-aging.csv")
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "Payer,Payer ID,0–30,31–60,61–90,91–120,over 120,Total"
    rows = {line.split(",")[1]: line for line in lines[1:]}
    assert set(rows) == {"62308", "SX123"}  # the held claim was never sent
    assert rows["62308"].endswith(",100.00")
    assert biller.get("/reports/nothing.csv").status_code == 404


def test_api_money_is_text_never_a_float(api: TestClient) -> None:
    claims = api.get("/api/v1/claims").json()
    assert {c["clm01"]: c["total_charge"] for c in claims}["CB-1003"] == "100.00"


@pytest.mark.parametrize("age", ["1000000000000", "-3", "9" * 5000])
def test_an_age_filter_out_of_range_is_a_clear_400_on_the_page_and_the_api(
    biller: TestClient, api: TestClient, age: str
) -> None:
    page_answer = biller.get(f"/claims?age={age}")
    assert page_answer.status_code == 400
    assert "age in days" in page_answer.text
    api_answer = api.get(f"/api/v1/claims?age={age}")
    assert api_answer.status_code == 400
    error = api_answer.json()["error"]
    assert "age in days" in error["message"] and error["code"]
