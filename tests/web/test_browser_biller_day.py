"""A biller's whole day in Chromium (as a biller, and again as an admin), over SFTP to the
simulator, as ``claimbridge serve`` runs it: sign in to an alert for the held claim, find it by
the patient's name, release its hold by approving its payer's enrollment, submit, poll, correct
the payer's rejection and send it again, poll it paid, then follow a claim up and find it in "my
follow-ups".

After every step the test asserts what the page shows. Throughout: no answer is a 5xx, the
console shows no error, an HTMX action (the search, Submit, Poll) leaves the page it
acted in (a marker set on ``window`` before it is still there after), and axe-core finds no
critical or serious violation in any state the day passes through.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sftp_support import app, store
from web_support import PASSWORD

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import create_claims
from claimbridge.sim import SimConfig, start_simulator
from claimbridge.sim.server import RunningSimulator
from claimbridge.store.db import Store
from cycle_support import status_of
from ledger_fixtures import MEMBER_ID, MISTYPED_MEMBER_ID, mistype_member_id

__all__ = ["app", "simulator", "store"]

JOB_MS = 30_000  # a job's result, under a loaded test machine
FIRST_ROUND = datetime(2026, 11, 20, 14, 30)  # when the simulator answers, as Office Ally would
HELD, HELD_PATIENT = "CB000004", "Kapoor"  # BS001's 837P enrollment is not started
REJECTED = "CB000001"  # Aaron Blake's, his member ID mistyped: the payer does not know it
ALSO_REJECTED = "CB000005"  # the same policy
FOLLOWED = "CB000002"  # United Healthcare sends no ERA yet: a paper remittance to watch for
TODAY = datetime.now(UTC).date()  # the app's today: a follow-up on it is due


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[RunningSimulator]:
    """``sftp_support.simulator``, but it answers only when the test says, at the time the test
    gives (``process_now``), never by itself in between."""
    config = SimConfig(root=tmp_path / "sim", port=0, poll_interval=3600)
    with start_simulator(config) as running:
        yield running


@pytest.fixture
def ledger(store: Store) -> Store:
    """The example practice over SFTP, Aaron Blake's member ID mistyped (ZZ…): the simulator's
    payer rejects his claims as unknown."""
    mistype_member_id(store)
    return store


@dataclass(slots=True)
class Day:
    """The biller's page, and what went wrong on it at any time of the day."""

    page: Any
    served: str
    failures: list[str] = field(default_factory=list)  # 5xx answers, console and script errors

    def go(self, path: str) -> None:
        self.page.goto(f"{self.served}{path}")

    def open_listed(self, clm01: str, status: str) -> None:
        """Open claim ``clm01`` from the worklist shown; its page says ``status``."""
        from playwright.sync_api import expect

        self.page.click(f"#claims a:has-text('{clm01}')")
        self.page.wait_for_url(f"{self.served}/claims/{clm01}")
        expect(self.page.locator("h1 .st")).to_have_text(status)

    def axe(self, state: str) -> None:
        """Nothing went wrong on the way to ``state``, and axe-core finds no critical and no
        serious violation in the page as it is now."""
        from axe_playwright_python.sync_playwright import Axe

        assert self.failures == [], f"on the way to {state}"
        found = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
            for v in Axe().run(self.page).response["violations"]
            if v["impact"] in {"critical", "serious"}
        ]
        assert not found, f"{state}:\n" + "\n".join(found)

    @contextmanager
    def in_place(self, action: str) -> Iterator[None]:
        """The HTMX action inside the block answers in the page: a full load would lose the
        marker put on ``window`` before it."""
        marker = secrets.token_hex(8)
        self.page.evaluate(f"window.billerDay = '{marker}'")
        yield
        kept = self.page.evaluate("window.billerDay")
        assert kept == marker, f"{action} reloaded the page"


def _watch(day: Day, context: Any) -> None:
    """Note every 5xx answer, console error and uncaught script error, on every page."""

    def answered(response: Any) -> None:
        if response.status >= 500:
            day.failures.append(f"{response.status} {response.request.method} {response.url}")

    def logged(message: Any) -> None:
        if message.type == "error":
            day.failures.append(f"console: {message.text} at {message.location.get('url')}")

    context.on("response", answered)
    context.on("console", logged)
    context.on("weberror", lambda error: day.failures.append(f"script: {error.error}"))


def _answer(simulator: RunningSimulator, at: datetime) -> None:
    """The simulator answers what was uploaded, every file stamped ``at`` (the poll applies
    files oldest first by whole second, then by name: see ``test_browser_cycle._answer``)."""
    result = simulator.process_now(at)
    assert result.delivered, "the simulator had nothing to answer"
    stamp = at.replace(tzinfo=UTC).timestamp()
    for name in result.delivered:
        os.utime(simulator.root / "outbound" / name, (stamp, stamp))


@pytest.mark.parametrize("user", ["biller", "admin"])
def test_a_billers_day_over_sftp(
    browser: object,
    served: str,
    simulator: RunningSimulator,
    ledger: Store,
    user: str,
) -> None:
    """The day of a biller, and the same day of an admin (who may do all a biller does)."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    with ledger.transaction() as session:  # the morning's claims, made from the appointments
        create_claims(session, "watch", FIRST_ROUND.date())
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    day = Day(page, served)
    _watch(day, context)

    # 1. sign in: the dashboard names the held claim and why
    day.go("/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{served}/")
    expect(page.locator("header")).to_contain_text(user)
    alert = page.locator("p.alert", has_text=f"Claim {HELD} held")
    expect(alert).to_contain_text("837P enrollment with BLUE SHIELD OF CALIFORNIA (BS001)")
    day.axe("dashboard, a claim held")

    # 2. find the held claim by its patient's name, and open it
    day.go("/claims")
    with day.in_place("the search"):
        page.fill("input[name=q]", HELD_PATIENT)
        page.press("input[name=q]", "Enter")
        page.wait_for_url(f"**/claims?q={HELD_PATIENT}*")
        expect(page.locator("#worklist .count[role=status]")).to_have_text("1–1 of 1 claim")
    row = page.locator("#claims tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(HELD)
    expect(row).to_contain_text("held")
    day.axe("worklist, searched by name")
    day.open_listed(HELD, "held")
    expect(page.locator("p.alert").first).to_contain_text("enrollment with BLUE SHIELD")
    day.axe("the held claim")

    # 3. its cause: BS001 approved the 837P enrollment; saving the payer releases the claim
    day.go("/payers/BS001")
    page.select_option("select[name=e837P_status]", "approved")
    page.fill("input[name=e837P_approved_on]", "2026-11-19")
    day.axe("the payer's form")
    page.click("button:has-text('Save payer')")
    page.wait_for_url("**/payers?saved=BS001*")
    expect(page.locator("[role=status]")).to_have_text(
        "Saved BS001. 1 held claim passed every check now and is ready to submit."
    )
    day.axe("the payers, saved")
    day.go(f"/claims/{HELD}")
    expect(page.locator("h1 .st")).to_have_text("ready")
    released = page.locator("ol.timeline li").filter(has_text=f"by {user}")
    expect(released).to_contain_text("held → ready")
    expect(released).to_contain_text("passed every check")
    day.axe("the released claim")

    # 4. Submit ready claims: a job; the panel follows it and shows what was sent
    day.go("/claims")
    with day.in_place("Submit ready claims"):
        page.click("button:has-text('Submit ready claims')")
        expect(page.locator("#submit-area .job")).to_be_visible()
        day.axe("worklist, submitting")
        sent = page.locator("#submit-result")
        expect(sent).to_contain_text("Sent 5 claims to Office Ally in 1 file", timeout=JOB_MS)
        shown = page.locator("#claims tbody tr", has_text=HELD)
        expect(shown).to_contain_text("submitted")  # the worklist loaded again in place
    [name] = re.findall(r"OATEST_837P_\S+\.txt", sent.inner_text())
    assert list(simulator.root.rglob(f"*{name}")), "the file is not on the SFTP server"
    day.axe("worklist, sent")

    # 5. the simulator answers; Poll Office Ally now applies it; the rejection is listed
    _answer(simulator, FIRST_ROUND)
    day.go("/")
    with day.in_place("Poll Office Ally now"):
        page.click("button:has-text('Poll Office Ally now')")
        polled = page.locator("#poll-result")
        expect(polled).to_contain_text("new files from Office Ally", timeout=JOB_MS)
        expect(page.locator("#last-poll")).to_contain_text(f"Last poll: by {user}")
        rejection = page.locator("p.alert.error", has_text="SUBSCRIBER ID NOT FOUND")
        expect(rejection).to_contain_text("2 claims rejected, fix and resubmit")  # in place
        expect(page.locator("p.alert", has_text=f"Claim {HELD} held")).to_have_count(0)
    day.axe("dashboard, polled")
    rejection.locator("a").click()
    expect(page.locator("#claims tbody tr")).to_have_count(2)
    for clm01 in (REJECTED, ALSO_REJECTED):
        expect(page.locator("#claims")).to_contain_text(clm01)
    day.axe("worklist, the rejected claims")

    # 6. correct the member ID and send it again (its twin as it is); poll again: paid
    day.open_listed(REJECTED, "payer rejected")
    expect(page.locator("p.alert.error").first).to_contain_text("SUBSCRIBER ID NOT FOUND")
    day.axe("the rejected claim")
    page.click("a:has-text('Correct and resubmit')")
    member_id = page.locator("input[name=member_id]")
    expect(member_id).to_have_value(MISTYPED_MEMBER_ID)
    day.axe("the correction form")
    member_id.fill(MEMBER_ID)
    page.click("button:has-text('Save and resubmit')")
    expect(page.locator("[role=status]")).to_contain_text("Corrected and checked again.")
    expect(page.locator("h1 .st")).to_have_text("ready")
    expect(page.locator("ol.timeline")).to_contain_text("changed insured's ID (1a)")
    day.axe("the corrected claim")
    page.click(f"p.alert.warning a:has-text('{ALSO_REJECTED}')")
    page.click("button:has-text('Resubmit as is')")
    expect(page.locator("[role=status]")).to_contain_text("Queued to go again")
    day.axe("the claim resubmitted as is")

    day.go("/claims")
    with day.in_place("Submit ready claims, again"):
        page.click("button:has-text('Submit ready claims')")
        expect(page.locator("#submit-result")).to_contain_text(
            "Sent 3 claims to Office Ally", timeout=JOB_MS
        )  # the two corrected, and the Medigap claim the first ERA from Medicare made
        shown = page.locator("#claims tbody tr", has_text=REJECTED)
        expect(shown).to_contain_text("submitted")
    _answer(simulator, FIRST_ROUND + timedelta(days=1))
    day.go("/")
    with day.in_place("Poll Office Ally now, again"):
        page.click("button:has-text('Poll Office Ally now')")
        expect(page.locator("#poll-result")).to_contain_text("new files", timeout=JOB_MS)
        expect(page.locator("p.alert", has_text="SUBSCRIBER ID NOT FOUND")).to_have_count(0)
    day.go(f"/claims/{REJECTED}")
    expect(page.locator("h1 .st")).to_have_text("paid")
    day.axe("the corrected claim, paid")
    assert status_of(ledger, ALSO_REJECTED) is ClaimStatus.PAID

    # 7. follow up a claim whose payer sends no ERA: a note, then given to me with a date
    day.go(f"/claims/{FOLLOWED}")
    page.fill("textarea[name=text]", "no ERA from UHC: called, paper EOB in the mail, ref 7741")
    page.click("button:has-text('Add note')")
    expect(page.locator("[role=status]")).to_be_visible()
    expect(page.locator("#notes")).to_contain_text("paper EOB in the mail, ref 7741")
    page.select_option("select[name=assigned_to]", user)
    page.fill("input[name=follow_up_on]", TODAY.isoformat())
    page.click("button:has-text('Save follow-up')")
    expect(page.locator("#follow-up")).to_contain_text(f"{user}, on {TODAY:%m/%d/%Y}")
    day.axe("the claim followed up")
    page.click("header nav a:has-text('Follow-ups')")
    page.wait_for_url(f"{served}/follow-ups")
    mine = page.locator("#mine")
    expect(mine.locator("h2")).to_contain_text("My follow-ups (1)")
    expect(mine.locator("tbody tr")).to_have_count(1)
    expect(mine.locator("tbody tr")).to_contain_text(FOLLOWED)
    expect(mine.locator("tbody tr")).to_contain_text("due")  # today
    day.axe("my follow-ups")

    # 8. all day: no 5xx, no console or script error (each axe check saw none before it)
    assert day.failures == []
    context.close()
