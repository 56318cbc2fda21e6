"""A biller's morning in Debian's Chromium, driven by Playwright: one browser for the session.

Signs in, walks the onboarding, adds a payer, opens a claim and its EOB, exports a report, and
takes a screenshot of each main page: into docs/screenshots/ when CLAIMBRIDGE_SCREENSHOTS=1 (to
refresh the README's pictures), else into the test's temporary folder so a test run leaves the
work tree as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from web_support import PASSWORD

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.ingest import ingest_bytes
from claimbridge.store.db import Store
from cycle_support import add_claim, data, renumber, status_of
from support import REPO

SHOTS = REPO / "docs" / "screenshots"


def test_a_billers_morning(browser: object, served: str, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    shots = SHOTS if os.environ.get("CLAIMBRIDGE_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page: Page = browser.new_page(viewport={"width": 1360, "height": 900}, accept_downloads=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
        assert (shots / f"{name}.png").stat().st_size > 0

    page.goto(f"{served}/claims")
    expect(page).to_have_url(f"{served}/login?next=/claims")
    shot("sign-in")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Claims")

    page.goto(f"{served}/")
    expect(page.locator("text=Claim CB-1002 held")).to_be_visible()

    page.goto(f"{served}/onboarding")
    expect(page.locator("pre")).to_contain_text("Form Type Submitted (HCFA/UB/ADA): HCFA")
    page.locator("#oa_account button:has-text('Mark done')").click()
    expect(page.locator("#oa_account")).to_have_class("done")
    page.select_option("select[name=era_split]", "by_check")
    page.locator("#go_live button:has-text('Save')").click()
    expect(page.locator("#era_split")).to_have_class("done")
    shot("onboarding")

    page.goto(f"{served}/payers/new")
    page.fill("input[name=payer_id]", "AET01")
    page.fill("input[name=name]", "Aetna Better Health")
    page.select_option("select[name=claim_filing_indicator]", "HM")
    page.check("input[name=e835_required]")
    page.click("button:has-text('Save payer')")
    expect(page.locator("table.grid")).to_contain_text("AETNA BETTER HEALTH")
    shot("insurances")

    page.goto(f"{served}/claims")
    page.select_option("select[name=status]", "held")
    expect(page.locator("#claims")).not_to_contain_text("CB-1001")
    page.select_option("select[name=status]", "")
    expect(page.locator("#claims")).to_contain_text("CB-1001")
    page.click("text=CB-1003")
    expect(page.locator("h1")).to_contain_text("Claim CB-1003")
    shot("claim")
    page.click("a:has-text('EOB')")
    expect(page.locator("h1")).to_contain_text("EOB")

    page.goto(f"{served}/provider")
    page.click("button:has-text('Test connection')")
    expect(page.locator("#connection-result")).to_contain_text(
        "No SFTP password is stored yet", timeout=30_000
    )
    shot("provider")

    page.goto(f"{served}/eras")
    shot("eras")
    page.goto(f"{served}/reports")
    with page.expect_download() as download:
        page.locator("#ar-aging a:has-text('Export CSV')").click()
    saved = tmp_path / "aging.csv"
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").startswith("Payer,Payer ID,0–30")
    shot("reports")
    page.close()


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


def test_a_biller_reviews_payments_held_as_beyond_their_claim(
    browser: object, served: str, store: Store
) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    era = data("835/paid-and-denied-with-plb.835")
    for trace in ("EFT55501", "EFT55502", "EFT55503"):  # the claim paid once, then twice more
        ingest_bytes(store, f"{trace}.835", renumber(era, "EFT55501", trace).encode())
    page: Page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.goto(f"{served}/login")
    page.fill("input[name=username]", "biller")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")

    page.click("a:has-text('2 ERA payments held for review')")
    held = page.locator("#held")
    expect(held).to_contain_text("Held for review (2)")
    rows = page.locator("#held + p + .scroll tbody tr")
    expect(rows.first).to_contain_text("already paid in full (120.00 paid on a 200.00 charge)")
    rows.first.locator("input[name=reason]").fill("payer confirmed the second check")
    rows.first.locator("button:has-text('Post')").click()
    expect(page.locator("[role=status]")).to_contain_text("posted to its claim")
    expect(held).to_contain_text("Held for review (1)")
    assert status_of(store, "CB2001") is ClaimStatus.PAID
    rows.first.locator("input[name=reason]").fill("check returned to the payer")
    rows.first.locator("button:has-text('Refunded')").click()
    expect(page.locator("[role=status]")).to_contain_text("marked refunded")
    expect(held).to_contain_text("Held for review (0)")

    page.goto(f"{served}/claims/CB2001")
    expect(page.locator("main")).to_contain_text(
        "posted by biller: payer confirmed the second check"
    )
    expect(page.locator("main")).to_contain_text("marked refunded by biller: check returned")
    page.close()
