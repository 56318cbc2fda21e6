"""In Debian's Chromium: a biller undoes an ERA's posting, posts it again, and matches the ERA's
other claim by hand on the Unmatched page. Screenshots as in ``test_browser``."""

from __future__ import annotations

import os
from pathlib import Path

from test_browser import SHOTS, browser, served
from web_support import PASSWORD

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.ingest import ingest_bytes
from claimbridge.store.db import Store
from cycle_support import add_claim, data, status_of

__all__ = ["browser", "served"]


def test_a_biller_corrects_a_posting(
    browser: object, served: str, store: Store, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    add_claim(store, "CB-9002", (("99213", "90", None),))
    ingest_bytes(store, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    shots = SHOTS if os.environ.get("CLAIMBRIDGE_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page: Page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.goto(f"{served}/login")
    page.fill("input[name=username]", "biller")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")

    page.goto(f"{served}/eras")
    page.fill("input[name=reason]", "posted to the wrong practice")
    page.click("button:has-text('Undo posting')")
    expect(page.locator("table.grid").first).to_contain_text("undone")
    assert status_of(store, "CB2001") is ClaimStatus.SUBMITTED
    page.click("button:has-text('Post again')")
    expect(page.locator("button:has-text('Undo posting')")).to_be_visible()
    assert status_of(store, "CB2001") is ClaimStatus.PAID
    page.screenshot(path=str(shots / "era-posting.png"))

    page.click("nav a:has-text('Unmatched')")
    expect(page.locator("h1")).to_contain_text("Unmatched ERA claims (1)")
    page.screenshot(path=str(shots / "unmatched.png"))
    page.fill("input[name=clm01]", "CB-9002")
    page.click("button:has-text('Match')")
    expect(page.locator("h1")).to_contain_text("Unmatched ERA claims (0)")
    assert status_of(store, "CB-9002") is ClaimStatus.DENIED
    page.close()
