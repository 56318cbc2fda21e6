"""The Content-Security-Policy holds in Chromium: no page breaks it, and what the pages did with
inline script (a confirmation before a void, "Go back" on the error page) still works."""

from __future__ import annotations

import re

from sqlalchemy import update
from web_support import PASSWORD

from claimbridge.domain.status import ClaimStatus
from claimbridge.store import tables as t
from claimbridge.store.db import Store

# Every page without a value in its path, and the pages of one claim; the error page last.
PAGES = [
    "/",
    "/claims",
    "/claims/CB-1003",
    "/claims/CB-1003/eob",
    "/claims/CB-1002/correct",
    "/eras",
    "/unmatched",
    "/payers",
    "/payers/new",
    "/payers/62308",
    "/provider",
    "/onboarding",
    "/reports",
    "/admin",
    "/claims/NOPE-1",
]
# Each report made by the browser: securitypolicyviolation events, recorded before any script of
# the page runs (an init script is the browser's own, so the policy does not apply to it).
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def test_no_page_breaks_the_content_security_policy(
    browser: object, served: str, store: Store
) -> None:
    from playwright.sync_api import Browser, ConsoleMessage, Page, expect

    assert isinstance(browser, Browser)
    with store.transaction() as session:  # an accepted claim: its page offers to void it
        session.execute(
            update(t.ClaimRow)
            .where(t.ClaimRow.clm01 == "CB-1001")
            .values(status=ClaimStatus.PAYER_ACCEPTED.value, payer_claim_control_number="PCN1")
        )
    page: Page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", keep)
    page.goto(f"{served}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_be_visible()
    for path in PAGES:
        answer = page.goto(f"{served}{path}", wait_until="networkidle")
        assert (
            answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
        )
        assert page.evaluate("window.cspViolations") == [], path
    assert console == []

    # HTMX runs under the policy: the worklist filter swaps the list in place
    page.goto(f"{served}/claims")
    page.select_option("select[name=status]", "held")
    expect(page.locator("#claims")).not_to_contain_text("CB-1003")
    expect(page).to_have_url(re.compile(r"/claims\?(.*&)?status=held&"))  # pushed by HTMX

    # the void asks first (data-confirm, app.js); saying no sends nothing
    asked: list[str] = []

    def decline(dialog: object) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", decline)
    page.goto(f"{served}/claims/CB-1001")
    page.click("button:has-text('Void')")
    assert asked and asked[0].startswith("Void claim CB-1001 with the payer?")
    expect(page).to_have_url(f"{served}/claims/CB-1001")
    assert "CB-1001V1" not in page.content()

    # "Go back" on the error page goes back (data-back, app.js)
    page.goto(f"{served}/claims/NOPE-1")
    page.click("a:has-text('Go back')")
    expect(page).to_have_url(f"{served}/claims/CB-1001")
    assert page.evaluate("window.cspViolations") == [] and console == []
