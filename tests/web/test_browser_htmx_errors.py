"""In Debian's Chromium: an HTMX action's error shows where its answer goes, and an action after
the session ended takes the whole page to sign in (never a sign-in page inside the dashboard)."""

from __future__ import annotations

from web_support import PASSWORD

from claimbridge.services.ingest import ingest_bytes
from claimbridge.store.db import Store
from cycle_support import add_claim, data


def test_errors_of_htmx_actions_are_shown_and_a_lost_session_signs_in_again(
    browser: object, served: str, store: Store
) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    ingest_bytes(store, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page: Page = context.new_page()
    page.goto(f"{served}/login")
    page.fill("input[name=username]", "biller")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")

    page.goto(f"{served}/eras")
    row = page.locator("form[action$='/dates']").first
    row.locator("input[name=received_on]").fill("")
    row.locator("button:has-text('Save')").click()
    alert = row.locator(".saved [role=alert]")
    expect(alert).to_contain_text("the received date is required")

    page.goto(f"{served}/")
    context.clear_cookies()  # the session ends (expired, signed out elsewhere)
    page.click("button:has-text('Poll Office Ally now')")
    expect(page).to_have_url(f"{served}/login?next=/")
    expect(page.locator("main h1, h1").first).to_contain_text("Sign in")
    assert page.locator("#poll-area").count() == 0  # no dashboard part around the sign-in
    context.close()
