"""In Debian's Chromium: the TEST/PRODUCTION marker is seen and readable, and an admin switches
to production through the confirmation page with the keyboard-reachable buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from web_support import PASSWORD

from claimbridge.store import tables as t
from claimbridge.store.db import Store

SENT = datetime(2026, 10, 28, 16, 0, tzinfo=UTC)

# WCAG 2 contrast ratio of an element's text colour against its own background colour.
CONTRAST = """element => {
  const rgb = text => text.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const style = getComputedStyle(element);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_the_marker_is_readable_and_an_admin_goes_to_production(
    browser: object, served: str, store: Store
) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    with store.transaction() as session:  # a test batch Office Ally's 999 accepted
        session.add(
            t.BatchRow(
                isa13=900, gs06=900, file_name="OATEST_837P_847291635_B900_20261028T160000.txt",
                test_mode=True, status="accepted", claim_count=1, created_at=SENT, sent_at=SENT,
            )
        )  # fmt: skip
    page: Page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.goto(f"{served}/login")
    marker = page.locator("#account-mode")
    expect(marker).to_be_visible()
    expect(marker).to_contain_text("TEST")
    assert marker.evaluate(CONTRAST) >= 4.5
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")

    page.goto(f"{served}/provider")
    expect(page.locator("#mode")).to_contain_text("Ready for production.")
    page.get_by_role("link", name="Go to production…").click()
    expect(page.locator("h1")).to_have_text("Switch the Office Ally account to PRODUCTION")
    page.get_by_role("button", name="Switch to production now").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{served}/provider?switched=production#mode")
    expect(marker).to_contain_text("PRODUCTION")
    expect(marker).to_contain_text("claims go to the payers")
    assert marker.evaluate(CONTRAST) >= 4.5
    page.goto(f"{served}/provider/mode/test")
    expect(page.get_by_label("Why the practice tests again")).to_be_visible()
    page.close()
