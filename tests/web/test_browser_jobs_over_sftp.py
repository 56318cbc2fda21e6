"""Test connection, Submit ready claims and Poll Office Ally now in Chromium, over SFTP to the
simulator: each button answers at once with its job's panel, which follows the job and then
shows the result in its place, announced to screen readers."""

from __future__ import annotations

import re

from sftp_support import app, simulator, store
from web_support import PASSWORD

from claimbridge.sim.server import RunningSimulator
from claimbridge.store.db import Store
from cycle_support import statuses

__all__ = ["app", "simulator", "store"]

RESULT_WAIT_MS = 30_000  # a job's result, under a loaded test machine


def test_the_long_actions_show_their_progress_then_their_result(
    browser: object, served: str, simulator: RunningSimulator, store: Store
) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    page: Page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.goto(f"{served}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")

    def act(path: str, button: str, title: str, result: str) -> str:
        page.goto(f"{served}{path}")
        with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
            page.click(f"button:has-text('{button}')")
        first = posted.value.text()
        assert f"<strong>{title}</strong>" in first and 'aria-live="polite"' in first
        assert 'hx-trigger="every 1s"' in first  # the panel, not the result: it answered at once
        shown = page.locator(result)
        expect(shown).to_be_visible(timeout=RESULT_WAIT_MS)
        expect(page.locator(".job")).to_have_count(0)  # the result took the panel's place
        return shown.inner_text()

    tested = act("/provider", "Test connection", "Testing the connection", "#connection-result")
    assert "Connected to claimbridge@127.0.0.1:" in tested

    page.goto(f"{served}/claims")
    page.click("button:has-text('Make claims from appointments')")
    expect(page.locator("#create-result")).to_contain_text("4 ready to send")
    sent = act("/claims", "Submit ready claims", "Sending ready claims", "#submit-result")
    assert "Sent 4 claims to Office Ally in 1 file" in sent and "OATEST_837P_" in sent
    [name] = re.findall(r"OATEST_837P_\S+\.txt", sent)
    assert list(simulator.root.rglob(f"*{name}"))  # in inbound, or processed by the simulator

    simulator.process_now()  # Office Ally answers: reports, 999, 277CA, ERAs
    polled = act("/", "Poll Office Ally now", "Polling Office Ally", "#poll-result")
    assert "new files from Office Ally" in polled
    assert "paid" in statuses(store).values()
    expect(page.locator("#last-poll")).to_contain_text("Last poll: by admin")
    page.close()
