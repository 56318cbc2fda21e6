"""A biller's worklist in Chromium, over SFTP to the simulator: find a claim by the patient's
name and open it, sort on a column, page through with the count, then select the ready claims
and send them with Submit selected, which runs the same job as Submit ready claims. axe-core
checks each state: no critical and no serious violation. Without JavaScript the same choices
are links and forms that load whole pages."""

from __future__ import annotations

from typing import Any

from sftp_support import app, simulator, store
from web_support import PASSWORD

from claimbridge.domain.status import ClaimStatus
from claimbridge.sim.server import RunningSimulator
from claimbridge.store.db import Store
from cycle_support import statuses
from ledger_fixtures import add_claim

__all__ = ["app", "simulator", "store"]

RESULT_WAIT_MS = 30_000  # a job's result, under a loaded test machine
DRAFTS = 30  # with the example's five claims, two pages of 25


def _axe_clean(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    found = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"critical", "serious"}
    ]
    assert not found, "\n".join(found)


def _signed_in(browser: Any, served: str, javascript: bool = True) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 900},
                                  java_script_enabled=javascript)  # fmt: skip
    page = context.new_page()
    page.goto(f"{served}/login")
    page.fill("input[name=username]", "biller")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{served}/")
    return page


def test_search_sort_page_and_submit_the_selected_claims(
    browser: object, served: str, simulator: RunningSimulator, store: Store
) -> None:
    from playwright.sync_api import expect

    for number in range(DRAFTS):
        add_claim(store, f"ZZ{number:04d}", status=ClaimStatus.DRAFT)
    page = _signed_in(browser, served)
    page.goto(f"{served}/claims")
    page.click("button:has-text('Make claims from appointments')")
    expect(page.locator("#create-result")).to_contain_text("4 ready to send")

    # search → open the claim
    page.fill("input[name=q]", "Blake")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/claims?q=Blake*")
    expect(page.locator("#worklist .count[role=status]")).to_have_text("1–2 of 2 claims")
    expect(page.locator("#claims tbody tr")).to_have_count(2)
    _axe_clean(page)
    page.click("#claims a:has-text('CB000001')")
    page.wait_for_url(f"{served}/claims/CB000001")
    expect(page.locator("h1")).to_contain_text("Claim CB000001")

    # sort: a heading's link, once up, once down, said by aria-sort
    page.goto(f"{served}/claims?q=CB0000")
    charge = page.locator("#claims th", has_text="Charge")
    expect(charge).to_have_attribute("aria-sort", "none")
    charge.locator("a").click()
    page.wait_for_url("**sort=charge&dir=asc*")
    expect(page.locator("#claims th", has_text="Charge")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.locator("#claims tbody tr").first).to_contain_text("CB000005")  # 90.00
    page.locator("#claims th", has_text="Charge").locator("a").click()
    page.wait_for_url("**sort=charge&dir=desc*")
    charge = page.locator("#claims th", has_text="Charge")
    expect(charge).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#claims tbody tr").first).to_contain_text("CB000002")  # 245.00
    _axe_clean(page)

    # page: 35 claims, 25 a page, next and previous, every choice in the address
    page.goto(f"{served}/claims?size=25&sort=claim")
    expect(page.locator("#worklist .count[role=status]")).to_have_text(
        "1–25 of 35 claims · page 1 of 2"
    )
    page.locator("#worklist a[rel=next]").first.click()
    page.wait_for_url("**page=2*")
    expect(page.locator("#worklist .count[role=status]")).to_contain_text("26–35 of 35 claims")
    expect(page.locator("#claims tbody tr").first).to_contain_text("ZZ0020")
    _axe_clean(page)
    page.locator("#worklist a[rel=prev]").first.click()
    page.wait_for_url(lambda url: "page=" not in url)
    expect(page.locator("#claims tbody tr").first).to_contain_text("CB000001")

    # select the ready claims and send them: the Submit job, over SFTP
    page.goto(f"{served}/claims")
    page.select_option("select[name=status]", "ready")
    page.wait_for_url("**status=ready*")
    expect(page.locator("#claims tbody tr")).to_have_count(4)
    page.check("#select-page")
    expect(page.locator("#claims input.pick:checked")).to_have_count(4)
    expect(page.locator("#selected-count")).to_have_text("4")
    page.click("button:has-text('Submit selected')")
    result = page.locator("#submit-result")
    expect(result).to_contain_text("Sent 4 claims to Office Ally in 1 file", timeout=RESULT_WAIT_MS)
    expect(result).to_contain_text("OATEST_837P_")
    _axe_clean(page)
    assert {statuses(store)[f"CB00000{n}"] for n in (1, 2, 3, 5)} == {"submitted"}
    page.context.close()


def test_one_selected_claim_goes_over_sftp_and_the_other_ready_ones_stay(
    browser: object, served: str, simulator: RunningSimulator, store: Store
) -> None:
    from playwright.sync_api import expect

    page = _signed_in(browser, served)
    page.goto(f"{served}/claims")
    page.click("button:has-text('Make claims from appointments')")
    expect(page.locator("#create-result")).to_contain_text("4 ready to send")
    page.goto(f"{served}/claims?status=ready")
    page.check("#claims input[value=CB000001]")
    page.click("button:has-text('Submit selected')")
    expect(page.locator("#submit-area")).to_contain_text("Sent 1 claim", timeout=30_000)
    _axe_clean(page)
    after = statuses(store)
    assert after["CB000001"] == "submitted"
    assert {after[f"CB00000{n}"] for n in (2, 3, 5)} == {"ready"}
    page.context.close()


def test_without_javascript_sorting_paging_and_selecting_load_whole_pages(
    browser: object, served: str, store: Store
) -> None:
    from playwright.sync_api import expect

    for number in range(DRAFTS):
        add_claim(store, f"ZZ{number:04d}", status=ClaimStatus.DRAFT)
    page = _signed_in(browser, served, javascript=False)
    page.goto(f"{served}/claims?size=25")
    page.locator("#claims th", has_text="Claim #").locator("a").click()
    page.wait_for_url("**sort=claim&dir=asc*")
    page.locator("#worklist a[rel=next]").first.click()
    page.wait_for_url("**page=2*")
    expect(page.locator("#worklist .count[role=status]")).to_contain_text("26–30 of 30 claims")
    page.click("a:has-text('Select this page')")
    page.wait_for_url("**select=page*")
    expect(page.locator("#claims input.pick:checked")).to_have_count(5)
    with page.context.expect_page() as printed:
        page.click("button:has-text('Print selected')")
    sheet = printed.value
    sheet.wait_for_load_state()
    expect(sheet.locator("h1")).to_contain_text("5 claims to print")
    page.context.close()
