"""Every page, and every state a page gets into, checked in Debian's Chromium by axe-core (the
copy axe-playwright-python bundles) as an admin and as a biller: no critical and no serious
violation. At 390 px wide (a phone) the page never scrolls sideways: the navigation folds into a
menu and wide tables scroll inside their own box.

The phone-width screenshots go where the other browser tests put theirs (docs/screenshots/ with
CLAIMBRIDGE_SCREENSHOTS=1, else the test's temporary folder).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web_support import PASSWORD

from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.store.db import Store
from cycle_support import PAID_AND_DENIED, add_claim, data
from support import REPO

SHOTS = REPO / "docs" / "screenshots"
PHONE, DESKTOP = 390, 1360
# the screenshots at phone width kept in docs/, by state name
PHONE_SHOTS = {"dashboard", "claims", "claim", "eras", "menu-open"}


@dataclass(frozen=True, slots=True)
class State:
    """A page as ``role`` sees it at ``path``, after ``act`` (clicks that fill a panel)."""

    name: str
    role: str | None  # None: not signed in
    path: str
    act: Callable[[Any], None] | None = None
    widths: tuple[int, ...] = (DESKTOP, PHONE)  # checked in this order; the last is a phone's


def _poll(page: Any) -> None:
    page.click("button:has-text('Poll Office Ally now')")
    page.locator("#poll-result").wait_for()


def _make_claims(page: Any) -> None:
    page.click("button:has-text('Make claims from appointments')")
    page.locator("#create-result").wait_for()


def _submit(page: Any) -> None:
    page.click("button:has-text('Submit ready claims')")
    page.locator("#submit-area > *").first.wait_for()


def _filter_held(page: Any) -> None:
    page.select_option("select[name=status]", "held")
    page.wait_for_url("**/claims?*status=held*")
    page.locator("#claims").wait_for()


def _test_connection(page: Any) -> None:
    page.click("button:has-text('Test connection')")
    page.locator("#connection-result").wait_for()


def _bad_era_date(page: Any) -> None:
    row = page.locator("form[action$='/dates']").first
    row.locator("input[name=received_on]").fill("")
    row.locator("button:has-text('Save')").click()
    row.locator(".saved [role=alert]").wait_for()


def _bad_correction(page: Any) -> None:
    # the template's claims have no patient; the browser sends no form with a required box empty
    for box, value in (("member_id", "U8823410201"), ("first_name", "ANN"), ("last_name", "LEE")):
        page.fill(f"input[name={box}]", value)
    page.fill("input[name=line1_charge]", "ninety")
    page.click("button:has-text('Save and check')")
    page.locator("[role=alert]").wait_for()


def _make_token(page: Any) -> None:
    page.click("button:has-text('Make a token')")
    page.locator("#token").wait_for()


def _add_user(page: Any) -> None:
    adding = page.locator("#add-user")
    adding.locator("input[name=username]").fill("dana")
    adding.locator("input[name=password]").fill(PASSWORD)
    adding.locator("button:has-text('Add user')").click()
    page.locator("tr[data-user=dana]").wait_for()


def _add_existing_user(page: Any) -> None:
    adding = page.locator("#add-user")
    adding.locator("input[name=username]").fill("biller")
    adding.locator("button:has-text('Add user')").click()
    page.locator("#admin-result [role=alert]").wait_for()


def _wrong_current_password(page: Any) -> None:
    page.fill("input[name=current_password]", "not my password")
    page.fill("input[name=new_password]", "a brand new passphrase")
    page.fill("input[name=new_password_again]", "a brand new passphrase")
    page.click("button:has-text('Change password')")
    page.locator("#password-result [role=alert]").wait_for()


def _open_menu(page: Any) -> None:
    page.click("header summary")
    page.locator("header nav a").first.wait_for()


def _wrong_password(page: Any) -> None:
    page.fill("input[name=username]", "biller")
    page.fill("input[name=password]", "not the password")
    page.click("button:has-text('Sign in')")
    page.locator(".alert.error").wait_for()


def _follow_up(page: Any) -> None:
    page.fill("textarea[name=text]", "called the payer, reference 7741")
    page.click("button:has-text('Add note')")
    page.select_option("select[name=assigned_to]", "biller")
    page.fill("input[name=follow_up_on]", "2026-12-01")
    page.click("button:has-text('Save follow-up')")
    page.locator("#follow-up").wait_for()


def _unbalanced_paper_eob(page: Any) -> None:
    page.select_option("select[name=payer]", "EHP01")
    page.fill("input[name=check_number]", "CHK-9")
    page.fill("input[name=check_date]", "2026-11-25")
    page.fill("input[name=claim_0]", "CB3001")
    page.fill("input[name=paid_0]", "100.00")
    page.click("button:has-text('Post paper EOB')")
    page.locator(".alert.error").wait_for()


def _whole_check(page: Any) -> None:
    page.locator("td.code a").first.click()
    page.locator("h2:has-text('The deposit')").wait_for()


def _run_statements(page: Any) -> None:
    page.click("button:has-text('Run statements')")
    page.locator("a:has-text('PDF')").first.wait_for()


PAGES = (
    ("dashboard", "/", None),
    ("claims", "/claims", None),
    ("claims-searched", "/claims?q=CB&sort=charge&dir=desc&size=25", None),
    ("claims-selected", "/claims?select=page", None),
    ("claim", "/claims/CB-1003", None),
    ("eob", "/claims/CB2001/eob", None),
    ("correct", "/claims/CB-1002/correct", None),
    ("eras", "/eras", None),
    ("check-eob", "/eras", _whole_check),
    ("unmatched", "/unmatched", None),
    ("reports", "/reports", None),
    ("payers", "/payers?saved=62308&released=1", None),
    ("payer-new", "/payers/new", None),
    ("payer", "/payers/62308", None),
    ("provider", "/provider", None),
    ("onboarding", "/onboarding", None),
    ("password", "/password", None),
    ("password-error", "/password", _wrong_current_password),
    ("not-found", "/claims/NO-SUCH-CLAIM", None),
    ("poll-result", "/", _poll),
    ("create-result", "/claims", _make_claims),
    ("submit-result", "/claims", _submit),
    ("claims-filtered", "/claims", _filter_held),
    ("era-date-error", "/eras", _bad_era_date),
    ("correction-error", "/claims/CB-1002/correct", _bad_correction),
    ("follow-up-saved", "/claims/CB-1003", _follow_up),
    ("follow-ups", "/follow-ups?who=all", None),
    ("paper-eob", "/eras/paper", None),
    ("paper-eob-error", "/eras/paper", _unbalanced_paper_eob),
    ("statements", "/statements", None),
    ("statements-run", "/statements", _run_statements),
)
STATES = (
    *(
        State(f"{role}-{name}", role, path, act)
        for role in ("admin", "biller")
        for name, path, act in PAGES
    ),
    *(
        State(f"{role}-menu-open", role, "/claims", _open_menu, (PHONE,))
        for role in ("admin", "biller")
    ),
    State("admin-connection-error", "admin", "/provider", _test_connection),
    State("admin-admin", "admin", "/admin"),
    State("admin-token", "admin", "/admin", _make_token),
    State("admin-user-added", "admin", "/admin", _add_user),
    State("admin-user-error", "admin", "/admin", _add_existing_user),
    State("admin-mode-production", "admin", "/provider/mode/production"),
    State("admin-mode-test", "admin", "/provider/mode/test"),
    State("sign-in", None, "/login"),
    State("sign-in-refused", None, "/login", _wrong_password),
)


@pytest.fixture
def ledger(store: Store) -> Store:
    """The web template's claims, plus a posted ERA with a claim none of ours matches and a
    held 835, so that every table on every page has rows."""
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    ingest_bytes(store, "era.835", data(PAID_AND_DENIED).encode())
    add_claim(store, "CB3001", (("99213", "150", "CB3001-1"),))
    off = data("835/reversal-and-correction.835").replace("BPR*C*10*", "BPR*C*11*")
    [held] = ingest_bytes(store, "off.835", off.encode())
    assert held.outcome is Outcome.HELD
    return store


# The panels HTMX fills with the answer of an action (a POST), found from each hx-post element's
# hx-target ("find …" looks inside the element; none means the element itself).
UNANNOUNCED_PANELS = """
[...document.querySelectorAll('[hx-post]')].filter(el => {
  const to = el.getAttribute('hx-target');
  const panel = !to ? el : to.startsWith('find ') ? el.querySelector(to.slice(5))
    : document.querySelector(to);
  return !panel || !panel.closest('[aria-live]');
}).map(el => el.getAttribute('hx-post'))
"""


def _serious(results: dict[str, Any]) -> list[str]:
    """axe's critical and serious violations, each with the elements it found them on."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:6])
        for v in results["violations"]
        if v["impact"] in {"critical", "serious"}
    ]


@pytest.fixture(scope="module")
def signed_in() -> dict[str, Any]:
    """The browser's cookies after signing in, by role: each role signs in through the page
    once per module, and every later page state starts from its session (the session cookie is
    signed with the test apps' fixed secret, and every ledger copy has the same users)."""
    return {}


def _open(browser: Any, served: str, role: str | None, width: int, sessions: dict[str, Any]) -> Any:
    """A new page at ``width`` px, signed in as ``role``."""
    viewport = {"width": width, "height": 844}
    if role is None:
        return browser.new_context(viewport=viewport)
    if role not in sessions:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(f"{served}/login")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"{served}/")
        sessions[role] = context.storage_state()
        context.close()
    return browser.new_context(viewport=viewport, storage_state=sessions[role])


@pytest.mark.parametrize("state", STATES, ids=[s.name for s in STATES])
def test_every_page_state_passes_axe_and_fits_a_phone(
    browser: object,
    served: str,
    ledger: Store,
    signed_in: dict[str, Any],
    state: State,
    tmp_path: Path,
) -> None:
    """axe at desktop width, then at phone width (the same page, the window narrowed): no
    critical or serious violation at either, and nothing wider than the phone."""
    from axe_playwright_python.sync_playwright import Axe

    context = _open(browser, served, state.role, state.widths[0], signed_in)
    try:
        page = context.new_page()
        page.goto(f"{served}{state.path}")
        if state.role is not None:
            assert page.url == f"{served}{state.path}", "the session was not taken"
        if state.act is not None:
            state.act(page)
        assert page.evaluate(UNANNOUNCED_PANELS) == [], "a result panel without aria-live"
        for width in state.widths:
            page.set_viewport_size({"width": width, "height": 844})
            found = _serious(Axe().run(page).response)
            assert not found, f"at {width} px:\n" + "\n".join(found)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE, f"{state.path} is {scroll_width} px wide at {PHONE} px"
        name = state.name.removeprefix("biller-")
        keep = os.environ.get("CLAIMBRIDGE_SCREENSHOTS") == "1" and state.role == "biller"
        shots = SHOTS if keep and name in PHONE_SHOTS else tmp_path
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"phone-{name}.png"), full_page=True)
    finally:
        context.close()


def test_the_skip_link_is_the_first_stop_and_moves_to_the_content(
    browser: object, served: str, signed_in: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    context = _open(browser, served, "biller", PHONE, signed_in)
    try:
        page = context.new_page()
        page.goto(f"{served}/claims")
        skip = page.locator("a.skip")
        expect(skip).not_to_be_in_viewport()  # out of sight until a keyboard reaches it
        page.keyboard.press("Tab")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        page.keyboard.press("Tab")  # the next stop is the page's first control, not the menu
        expect(page.locator("main button").first).to_be_focused()
    finally:
        context.close()
