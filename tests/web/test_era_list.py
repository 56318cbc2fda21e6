"""The ERA list pages with its count and shows how each deposit reconciles with its claims (PLB
interest and recoupments); the Unmatched queue shows what the ERA says of each claim."""

from __future__ import annotations

import re
from decimal import Decimal

from web_support import TestClient

from claimbridge.services.eras import EraFilter, era_list
from claimbridge.services.ingest import ingest_bytes
from claimbridge.services.post import unmatched
from claimbridge.services.unmatched import era_claims
from claimbridge.store.db import Store
from claimbridge.store.repositories import Remittance, add_remittance
from cycle_support import PAID_AND_DENIED, add_claim, data


def _posted(store: Store) -> None:
    """CB2001 of ours is paid 120.00 by EFT55501; CB2002 is none of ours; the PLB adds 2.50
    interest (L6) and takes 30.00 (WO) and 5.00 (FB): a deposit of 87.50."""
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    ingest_bytes(store, "era.835", data(PAID_AND_DENIED).encode())


def test_a_deposit_reconciles_with_its_claims_and_plb(biller: TestClient, store: Store) -> None:
    _posted(store)
    with store.read() as session:
        [row] = era_list(session, EraFilter(check_number="EFT55501")).rows
    assert (row.posted, row.not_posted, row.amount) == (Decimal("120.00"), Decimal("0.00"),
                                                        Decimal("87.50"))  # fmt: skip
    assert [(a.reason_code, a.amount) for a in row.provider_adjustments] == [
        ("L6", Decimal("-2.50")), ("WO", Decimal("30.00")), ("FB", Decimal("5.00")),
    ]  # fmt: skip
    assert row.reconciles
    page = biller.get("/eras").text
    assert "Interest owed +2.50" in page and "Overpayment recovery −30.00" in page
    assert "Forwarding balance −5.00" in page and "reconciles" in page
    assert "does not reconcile" not in page


def test_a_viewer_reads_the_dates_and_is_offered_no_input_it_cannot_save(
    viewer: TestClient, biller: TestClient, store: Store
) -> None:
    _posted(store)
    seen = viewer.get("/eras").text
    assert 'name="received_on"' not in seen and 'name="deposit_on"' not in seen
    assert "no deposit date" in seen
    editable = biller.get("/eras").text
    assert 'name="received_on"' in editable and '<button class="small">Save</button>' in editable


def test_the_era_list_names_the_file_number_as_such(biller: TestClient, store: Store) -> None:
    _posted(store)
    page = biller.get("/eras").text
    assert ">File #</abbr></th>" in page and "ERA #" not in page


def test_the_era_list_pages_with_its_count(
    biller: TestClient, api: TestClient, store: Store
) -> None:
    with store.transaction() as session:
        for number in range(30):
            add_remittance(session, Remittance("62308", f"CHK-{number:03d}", Decimal(10), "CHK"))
    first = biller.get("/eras", params={"size": "25"}).text
    assert "1–25 of 30 ERAs · page 1 of 2" in first
    assert 'href="/eras?size=25&amp;page=2" rel="next"' in first
    second = biller.get("/eras", params={"size": "25", "page": "2"}).text
    assert re.findall(r"CHK-\d{3}", second) == [f"CHK-{n:03d}" for n in range(4, -1, -1)]
    listed = api.get("/api/v1/eras", params={"size": "25"})
    assert listed.headers["X-Total-Count"] == "30" and len(listed.json()) == 25
    assert listed.json()[0]["provider_adjustments"] == [] and listed.json()[0]["posted"] == "0.00"
    assert biller.get("/eras", params={"size": "7"}).status_code == 400


def test_the_unmatched_queue_shows_the_eras_patient_member_and_dates(
    biller: TestClient, api: TestClient, store: Store
) -> None:
    _posted(store)
    with store.read() as session:
        [waiting] = unmatched(session)
        said = era_claims(session, [waiting.id])[waiting.id]
    assert waiting.patient_control_number == "CB2002"
    assert (said.patient, said.member_id) == ("ROE, RICHARD", "ABC987654321")
    assert said.served == (said.service_dates[0], said.service_dates[0])
    assert said.service_dates[0].isoformat() == "2025-02-26"
    page = biller.get("/unmatched").text
    assert "ROE, RICHARD" in page and "ABC987654321" in page and "02/26/2025" in page
    [item] = api.get("/api/v1/unmatched").json()
    assert item["era_claim"] == {"patient": "ROE, RICHARD", "member_id": "ABC987654321",
                                 "service_dates": ["2025-02-26"]}  # fmt: skip
