"""The claim cycle in Debian's Chromium: claims made from the appointments and submitted, the
simulator answers, a poll, a payer rejection opened, corrected and sent again, paid on the next
round, its EOB read, a report exported.

The app talks to a folder laid out as Office Ally's SFTP home; between the clicks the test lets
the built-in simulator answer what was uploaded, as Office Ally does hours later. Screenshots of
the dashboard, the worklist, the rejected claim and its correction go where the other browser
test puts its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from web_support import PASSWORD, example_ledger

from claimbridge.domain.models import ClearinghouseAccount
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.store.db import Store
from claimbridge.transport import LocalDirTransport, Transport
from ledger_fixtures import MEMBER_ID, MISTYPED_MEMBER_ID, mistype_member_id
from support import REPO

SHOTS = REPO / "docs" / "screenshots"
FIRST_ROUND = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
JOB_MS = 30_000  # Submit and Poll are jobs: their result comes when the job has ended


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The example practice, CB000001's member ID mistyped (ZZ…): the simulator's payer
    rejects it as unknown."""
    ledger = example_ledger(tmp_path / "ledger.db")
    mistype_member_id(ledger)
    yield ledger
    ledger.dispose()


@pytest.fixture
def office_ally(tmp_path: Path) -> Path:
    """The folder the app uploads to and fetches from, as the simulator lays it out."""
    root = tmp_path / "officeally"
    for folder in ("inbound", "outbound"):
        (root / folder).mkdir(parents=True)
    return root


@pytest.fixture
def transport(office_ally: Path) -> Callable[[ClearinghouseAccount], Transport]:
    """Every connection of the app goes to ``office_ally``."""
    return lambda account, store: LocalDirTransport(office_ally)


def _answer(root: Path, at: datetime) -> None:
    """The simulator reads what was uploaded and writes its answers, as Office Ally would, all
    stamped ``at``: Office Ally's files carry the times Office Ally wrote them.

    The poll applies files oldest first by modification time in whole seconds (all SFTP gives),
    then by name. Left with the times the simulator happened to write them at, a round written
    across a second boundary put the File Summary and the 277CA (which report the payer's
    ID rejection as Office Ally's) before the EDI Status report: CB000001 became
    clearinghouse_rejected, the payer's rejection a note, and the test found no CB000001 among
    the payer rejections. Within one second the EDI Status report's name sorts first."""
    result = process_inbound_once(root, SimConfig(root=root), at.replace(tzinfo=None))
    for name in result.delivered:
        os.utime(root / "outbound" / name, (at.timestamp(), at.timestamp()))


def test_a_rejected_claim_is_corrected_resubmitted_and_paid(
    browser: object, served: str, office_ally: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)
    shots = SHOTS if os.environ.get("CLAIMBRIDGE_SCREENSHOTS") == "1" else tmp_path
    page: Page = browser.new_page(viewport={"width": 1360, "height": 900}, accept_downloads=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=False)

    def submit_and_poll(at: datetime, sent: str) -> None:
        page.goto(f"{served}/claims")
        page.click("button:has-text('Submit ready claims')")
        expect(page.locator("#submit-result")).to_contain_text(sent, timeout=JOB_MS)
        _answer(office_ally, at)
        page.goto(f"{served}/")
        page.click("button:has-text('Poll Office Ally now')")
        expect(page.locator("#poll-result")).to_contain_text("new file", timeout=JOB_MS)

    page.goto(f"{served}/login")
    page.fill("input[name=username]", "biller")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")

    page.goto(f"{served}/claims")
    page.click("button:has-text('Make claims from appointments')")
    expect(page.locator("#create-result")).to_contain_text(
        "Made 5 claims: 4 ready to send, 1 held."
    )
    submit_and_poll(FIRST_ROUND, "Sent 4 claims")
    page.goto(f"{served}/")
    expect(page.locator("main")).to_contain_text("Last poll")
    shot("dashboard")
    page.goto(f"{served}/claims?status=payer_rejected")
    page.click("text=CB000001")
    expect(page.locator("h1")).to_contain_text("payer rejected")
    expect(page.locator("p.alert.error")).to_contain_text("SUBSCRIBER ID NOT FOUND")
    shot("claim-rejected")

    page.click("a:has-text('Correct and resubmit')")
    member_id = page.locator("input[name=member_id]")
    expect(member_id).to_have_value(MISTYPED_MEMBER_ID)
    member_id.fill(MEMBER_ID)
    shot("claim-correct")
    page.click("button:has-text('Save and resubmit')")
    expect(page.locator("[role=status]")).to_contain_text("Corrected and checked again.")
    expect(page.locator("h1")).to_contain_text("ready")
    expect(page.locator("ol.timeline")).to_contain_text("changed insured's ID (1a)")
    # CB000005 bills the same policy and was rejected for the same ID: sent again as it is
    page.click("p.alert.warning a:has-text('CB000005')")
    page.click("button:has-text('Resubmit as is')")
    expect(page.locator("[role=status]")).to_contain_text("Queued to go again")

    # with the Medigap claim the first round's Medicare ERA made
    submit_and_poll(FIRST_ROUND + timedelta(days=1), "Sent 3 claims")
    page.goto(f"{served}/claims/CB000001")
    expect(page.locator("h1")).to_contain_text("paid")
    expect(page.locator("main")).to_contain_text(re.compile(r"Office Ally claim ID \d+"))
    page.click("a:has-text('EOB')")
    expect(page.locator("h1")).to_contain_text("EOB")
    expect(page.locator("main")).to_contain_text("CB000001")

    page.goto(f"{served}/claims")
    expect(page.locator("#claims")).to_contain_text("CB000001")
    shot("claims")

    page.goto(f"{served}/reports")
    with page.expect_download() as download:
        page.locator("#payments a:has-text('Export CSV')").click()
    saved = tmp_path / "payments.csv"
    download.value.save_as(saved)
    assert len(saved.read_text(encoding="utf-8").splitlines()) > 1
    page.close()
