"""In Debian's Chromium: the correction form names each refused box next to it, for the eye
(red, beside the box) and for a screen reader (aria-invalid, and the reason as the box's
description), saves nothing, and then saves an amount typed as a biller types it."""

from __future__ import annotations

from datetime import date

from web_support import PASSWORD

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import create_claims
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from cycle_support import status_of

REJECTED = "CB000001"


def _rejected(store: Store) -> None:
    with store.transaction() as session:
        create_claims(session, "test", date(2026, 11, 20))
        claims = ClaimRepository(session)
        claims.transition(REJECTED, ClaimStatus.SUBMITTED, "sent", "test")
        claims.transition(REJECTED, ClaimStatus.PAYER_REJECTED, "SUBSCRIBER ID NOT FOUND", "test")


def test_the_correction_form_shows_each_refused_box_next_to_it(
    browser: object, served: str, store: Store
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    _rejected(store)
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page: Page = context.new_page()
    page.goto(f"{served}/login")
    page.fill("input[name=username]", "biller")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")

    page.goto(f"{served}/claims/{REJECTED}")
    page.click("text=Correct and resubmit")
    expect(page.locator("h1")).to_contain_text(f"Correct claim {REJECTED}")
    typed = {
        "rendering_npi": "1234567890",
        "place_of_service": "99x",
        "dob": "2030-01-02",
        "line1_charge": "95.009",
    }
    for name, value in typed.items():
        page.fill(f"input[name={name}]", value)
    page.click("button:has-text('Save and resubmit')")

    expect(page.locator("[role=alert]")).to_contain_text("Nothing was saved: 4 problems.")
    reasons = {
        "rendering_npi": "'1234567890' is not an NPI (wrong check digit)",
        "place_of_service": "'99x' is not a place of service",
        "dob": "2030-01-02 is in the future",
        "line1_charge": "'95.009' has more than two decimals",
    }
    for name, reason in reasons.items():
        box = page.locator(f"input[name={name}]")
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_accessible_description(reason)
        expect(box).to_have_value(typed[name])  # what was typed stays, to be corrected
        expect(page.locator(f"#{name}-error")).to_be_visible()
    expect(page.locator("input[name=member_id]")).not_to_have_attribute("aria-invalid", "true")
    found = Axe().run(page, context="form.correction").response["violations"]
    assert [v["id"] for v in found if v["impact"] in ("critical", "serious")] == []
    assert status_of(store, REJECTED) is ClaimStatus.PAYER_REJECTED

    page.fill("input[name=rendering_npi]", "1987654328")
    page.fill("input[name=place_of_service]", "02")
    page.fill("input[name=dob]", "1980-05-01")
    page.fill("input[name=line1_charge]", "$1,095.00")
    page.fill("input[name=member_id]", "U8823410299")
    page.click("button:has-text('Save and resubmit')")
    expect(page.locator("[role=status]")).to_contain_text("Corrected and checked again.")
    expect(page.locator("h1 .st")).to_have_text("ready")
    page.goto(f"{served}/claims/{REJECTED}/correct")
    expect(page.locator("input[name=line1_charge]")).to_have_value("1095.00")
    expect(page.locator("input[name=rendering_npi]")).to_have_value("1987654328")
    context.close()
