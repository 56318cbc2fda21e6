"""HTMX actions get errors they can show: a part of a page, or a whole-page trip to sign in."""

from __future__ import annotations

from pathlib import Path

from web_support import TestClient, csrf_of

BASE = (Path(__file__).resolve().parents[2] / "src/claimbridge/web/templates/base.html").read_text()
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/claims?status=held"}


def test_an_htmx_error_is_the_alert_alone_with_its_status(biller: TestClient) -> None:
    answer = biller.get("/claims?age=-3", headers=HTMX)
    assert answer.status_code == 400
    assert answer.text.lstrip().startswith('<div class="alert error" role="alert">')
    assert "age in days" in answer.text and "<html" not in answer.text


def test_a_page_error_is_still_a_whole_page(biller: TestClient) -> None:
    answer = biller.get("/claims?age=-3")
    assert answer.status_code == 400 and "<html" in answer.text


def test_an_htmx_action_after_the_session_ended_sends_the_whole_page_to_sign_in(
    biller: TestClient, anonymous: TestClient
) -> None:
    token = csrf_of(biller, "/")
    answer = anonymous.post("/poll", data={"csrf_token": token}, headers=HTMX)
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"] == "/login?next=/claims"
    assert answer.text == ""


def test_htmx_is_told_to_swap_error_answers() -> None:
    # htmx 2 swaps no 4xx or 5xx answer unless its responseHandling says so
    assert '"code": "[45]..", "swap": true, "error": true' in BASE
