"""Undo or post again an ERA, post a held 835 anyway, and the unmatched queue: the pages and the
API change the ledger through the posting services, audited, for billers and admins only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_support import csrf_of, token_for

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import add_claim, data, posted_paid_and_denied, status_of


def _paid(store: Store) -> Decimal:
    with store.read() as session:
        total = session.scalar(select(func.coalesce(func.sum(t.PaymentRow.paid), 0)))
    return Decimal(str(total)).quantize(Decimal("0.01"))


def _audited(store: Store, entity: str) -> list[tuple[str, str | None]]:
    with store.read() as session:
        query = select(t.AuditRow.username, t.AuditRow.detail).where(t.AuditRow.entity == entity)
        return [(user, detail) for user, detail in session.execute(query.order_by(t.AuditRow.id))]


def _unmatched_id(store: Store) -> int:
    with store.read() as session:
        return session.scalars(select(t.UnmatchedClaimRow.id)).one()


def test_a_biller_undoes_a_posting_and_posts_it_again(biller: TestClient, store: Store) -> None:
    remittance_id = posted_paid_and_denied(store)
    assert _paid(store) == Decimal("120.00")
    page = biller.get("/eras").text
    assert "Undo posting" in page and "Post again" not in page
    token = csrf_of(biller, "/eras")
    undo = f"/eras/{remittance_id}/undo"
    assert biller.post(undo, data={"reason": "wrong practice"}).status_code == 403  # no CSRF
    assert biller.post(undo, data={"csrf_token": token, "reason": " "}).status_code == 400
    response = biller.post(undo, data={"csrf_token": token, "reason": "wrong practice"})
    assert response.status_code == 303 and response.headers["location"] == "/eras?done=undone"
    said = biller.get(response.headers["location"]).text
    assert '<p class="alert info" role="status">The ERA&#39;s posting was undone' in said
    assert "done=undone" not in said  # the page links do not say it again
    assert _paid(store) == Decimal("0.00")
    assert status_of(store, "CB2001") is ClaimStatus.SUBMITTED
    page = biller.get("/eras").text
    assert "Post again" in page and "undone" in page and "by biller" in page
    again = biller.post(f"/eras/{remittance_id}/post", data={"csrf_token": token})
    assert again.status_code == 303
    assert "The ERA was posted again" in biller.get(again.headers["location"]).text
    assert _paid(store) == Decimal("120.00")
    assert status_of(store, "CB2001") is ClaimStatus.PAID
    [(who, first), (_, second)] = _audited(store, "remittance")
    assert who == "biller" and "wrong practice" in (first or "")
    assert "posted again" in (second or "")


def test_a_viewer_sees_the_posting_but_cannot_undo_it(viewer: TestClient, store: Store) -> None:
    remittance_id = posted_paid_and_denied(store)
    page = viewer.get("/eras").text
    assert "posted" in page and "Undo posting" not in page
    token = csrf_of(viewer, "/eras")
    response = viewer.post(
        f"/eras/{remittance_id}/undo", data={"csrf_token": token, "reason": "curious"}
    )
    assert response.status_code == 403
    assert _paid(store) == Decimal("120.00")
    assert '/match"' not in viewer.get("/unmatched").text  # no match form
    assert "CB2002" in viewer.get("/unmatched").text


def test_a_held_file_is_posted_anyway_from_the_eras_page(admin: TestClient, store: Store) -> None:
    add_claim(store, "CB3001", (("99213", "150", "CB3001-1"),))
    text = data("835/reversal-and-correction.835").replace("BPR*C*10*", "BPR*C*11*")
    [report] = ingest_bytes(store, "off.835", text.encode())
    assert report.outcome is Outcome.HELD
    page = admin.get("/eras").text
    assert "off.835" in page and "Post anyway" in page
    token = csrf_of(admin, "/eras")
    path = f"/held-files/{report.inbound_file_id}/post"
    response = admin.post(path, data={"csrf_token": token, "reason": "payer confirmed by phone"})
    assert response.status_code == 303
    assert "The held 835 was posted as it is" in admin.get(response.headers["location"]).text
    assert _paid(store) == Decimal("10.00")
    assert status_of(store, "CB3001") is ClaimStatus.PAID
    assert "No file is held." in admin.get("/eras").text
    [(who, detail)] = _audited(store, "inbound_file")
    assert who == "admin" and "payer confirmed by phone" in (detail or "")


def test_the_unmatched_page_matches_a_line_by_hand(biller: TestClient, store: Store) -> None:
    add_claim(store, "CB-9002", (("99213", "90", None),))
    posted_paid_and_denied(store)
    dashboard = biller.get("/").text
    assert 'href="/unmatched"' in dashboard  # the nav and the dashboard's alert
    page = biller.get("/unmatched").text
    assert "CB2002" in page and "EFT55501" in page and "era.835" in page
    assert '4 <span class="muted">Denied</span>' in page  # CLP02 in words
    assert '<option value="CB-9002">same charge, similar number</option>' in page
    token = csrf_of(biller, "/unmatched")
    unmatched_id = _unmatched_id(store)
    missing = {"csrf_token": token, "clm01": "CB-NOPE"}
    assert biller.post(f"/unmatched/{unmatched_id}/match", data=missing).status_code == 404
    matched = {"csrf_token": token, "clm01": "CB-9002"}
    posted = biller.post(f"/unmatched/{unmatched_id}/match", data=matched)
    assert posted.status_code == 303
    assert (
        "The ERA claim was posted to the claim named" in biller.get(posted.headers["location"]).text
    )
    assert status_of(store, "CB-9002") is ClaimStatus.DENIED
    with store.read() as session:
        resolved = session.get_one(t.UnmatchedClaimRow, unmatched_id).resolved_by
    assert resolved == "biller"
    assert "Every ERA claim was posted to one of ours." in biller.get("/unmatched").text
    assert _audited(store, "claim")[-1][0] == "biller"


def test_a_line_that_is_not_ours_is_dismissed_with_a_reason(
    biller: TestClient, store: Store
) -> None:
    posted_paid_and_denied(store)
    token = csrf_of(biller, "/unmatched")
    unmatched_id = _unmatched_id(store)
    path = f"/unmatched/{unmatched_id}/dismiss"
    assert biller.post(path, data={"csrf_token": token, "reason": ""}).status_code == 400
    response = biller.post(path, data={"csrf_token": token, "reason": "Dr. Lee's patient"})
    assert response.status_code == 303
    assert "taken off the queue as not ours" in biller.get(response.headers["location"]).text
    with store.read() as session:
        resolution = session.get_one(t.UnmatchedClaimRow, unmatched_id).resolution
    assert resolution == "not ours: Dr. Lee's patient"
    assert "CB2002" not in biller.get("/unmatched").text


def test_the_api_undoes_posts_again_and_works_the_queue(api: TestClient, store: Store) -> None:
    add_claim(store, "CB-9002", (("99213", "90", None),), service_date=date(2025, 2, 26))
    remittance_id = posted_paid_and_denied(store)
    [row] = api.get("/api/v1/unmatched").json()
    assert (row["patient_control_number"], row["charge"]) == ("CB2002", "90.00")
    assert row["likely"][0] == {
        "clm01": "CB-9002",
        "status": "submitted",
        "total_charge": "90.00",
        "service_date": "2025-02-26",
        "why": "same charge, same service date 2025-02-26, similar number",
    }
    assert ("CB2001", "similar number") in [(c["clm01"], c["why"]) for c in row["likely"]]
    missing = api.post(f"/api/v1/unmatched/{row['id']}/match", json={"clm01": "CB-NOPE"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    matched = api.post(f"/api/v1/unmatched/{row['id']}/match", json={"clm01": "CB-9002"})
    assert matched.status_code == 200 and matched.json()["claims"] == 1
    again = api.post(f"/api/v1/unmatched/{row['id']}/dismiss", json={"reason": "late"})
    assert again.status_code == 409 and "already resolved" in again.json()["error"]["message"]
    no_reason = api.post(f"/api/v1/eras/{remittance_id}/undo", json={})
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "bad_request"
    undone = api.post(f"/api/v1/eras/{remittance_id}/undo", json={"reason": "recheck"})
    assert undone.json()["claims"] == 2
    assert _paid(store) == Decimal("0.00")
    assert status_of(store, "CB-9002") is ClaimStatus.SUBMITTED
    posted = api.post(f"/api/v1/eras/{remittance_id}/post").json()
    assert (posted["claims"], posted["unmatched"]) == (2, 0)  # the hand match is kept
    assert _paid(store) == Decimal("120.00")
    assert api.get("/api/v1/unmatched").json() == []


def test_the_api_posts_a_held_file_and_refuses_a_viewer(api: TestClient, store: Store) -> None:
    add_claim(store, "CB3001", (("99213", "150", "CB3001-1"),))
    text = data("835/reversal-and-correction.835").replace("BPR*C*10*", "BPR*C*11*")
    [report] = ingest_bytes(store, "off.835", text.encode())
    path = f"/api/v1/held-files/{report.inbound_file_id}/post"
    viewer = {"Authorization": f"Bearer {token_for(store, 'viewer')}"}
    refused = api.post(path, json={"reason": "looked fine"}, headers=viewer)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert _paid(store) == Decimal("0.00")
    [posted] = api.post(path, json={"reason": "payer confirmed by phone"}).json()
    assert posted["trace_number"] == "CHK700001" and posted["claims"] == 2
    assert status_of(store, "CB3001") is ClaimStatus.PAID


def test_the_openapi_document_lists_the_posting_routes(api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/eras/{remittance_id}/undo",
        "/api/v1/eras/{remittance_id}/post",
        "/api/v1/held-files/{inbound_file_id}/post",
        "/api/v1/unmatched",
        "/api/v1/unmatched/{unmatched_id}/match",
        "/api/v1/unmatched/{unmatched_id}/dismiss",
    ):
        assert path in paths, path


def _second_check(store: Store) -> None:
    """CB2001 paid by EFT55501, then by EFT55502 again: the second payment is held."""
    posted_paid_and_denied(store)
    again = data("835/paid-and-denied-with-plb.835").replace("EFT55501", "EFT55502")
    [report] = ingest_bytes(store, "again.835", again.encode())
    assert "1 payments held for review" in (report.detail or "")


def test_a_viewer_sees_a_held_payment_but_cannot_decide(viewer: TestClient, store: Store) -> None:
    _second_check(store)
    page = viewer.get("/unmatched").text
    assert "Held for review <span" in page and "already paid in full" in page
    assert "/held-payments/" not in page  # no forms
    with store.read() as session:
        held_id = session.scalars(
            select(t.UnmatchedClaimRow.id).where(t.UnmatchedClaimRow.reason == "overpayment")
        ).one()
    token = csrf_of(viewer, "/unmatched")
    refused = viewer.post(
        f"/held-payments/{held_id}/post", data={"csrf_token": token, "reason": "x"}
    )
    assert refused.status_code == 403
    assert _paid(store) == Decimal("120.00")


def test_the_api_lists_and_refunds_a_held_payment(api: TestClient, store: Store) -> None:
    _second_check(store)
    [held] = api.get("/api/v1/held-payments").json()
    assert (held["clm01"], held["trace_number"], held["paid"]) == ("CB2001", "EFT55502", "120.00")
    assert held["reason"] == "overpayment"
    assert api.get("/api/v1/unmatched").json()[0]["reason"] == "no_claim"  # CB2002, twice
    no_reason = api.post(f"/api/v1/held-payments/{held['id']}/refund", json={"reason": " "})
    assert no_reason.status_code == 400
    done = api.post(f"/api/v1/held-payments/{held['id']}/refund", json={"reason": "returned"})
    assert done.status_code == 200
    assert api.get("/api/v1/held-payments").json() == []
    assert _paid(store) == Decimal("120.00")
    [(_, detail)] = _audited(store, "unmatched")
    assert "held payment refunded: returned" in (detail or "")
