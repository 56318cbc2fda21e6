"""In Debian's Chromium: an admin adds a user, changes their role, resets their password and
disables them, with every answer and error in the Admin page's panel; the user's open page is
signed out at once. An admin makes a read-only token and revokes it; a biller changes their own
password and their other browser is signed out."""

from __future__ import annotations

import re
from typing import Any

import httpx
from web_support import PASSWORD

from claimbridge.store.db import Store

NEW_PASSWORD = "a brand new passphrase"


def _signed_in(browser: Any, served: str, username: str, password: str = PASSWORD) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto(f"{served}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{served}/")
    return page


def test_an_admin_manages_a_user_and_the_users_page_signs_out(
    browser: object, served: str, store: Store
) -> None:
    from playwright.sync_api import expect

    admin = _signed_in(browser, served, "admin")
    admin.goto(f"{served}/admin")
    panel = admin.locator("#admin-result")

    adding = admin.locator("#add-user")
    adding.locator("input[name=username]").fill("dana")
    adding.locator("select[name=role]").select_option("viewer")
    adding.locator("input[name=password]").fill("short")
    adding.locator("button:has-text('Add user')").click()
    expect(panel.locator("[role=alert]")).to_contain_text("at least 10 characters")
    adding.locator("input[name=password]").fill(PASSWORD)
    adding.locator("button:has-text('Add user')").click()
    expect(panel).to_contain_text("dana is a viewer here.")
    row = admin.locator("tr[data-user=dana]")
    expect(row).to_contain_text("never")

    row.get_by_label("Role of dana").select_option("biller")
    row.locator("button:has-text('Change role')").click()
    expect(panel).to_contain_text("dana is now a biller here.")
    expect(admin.get_by_label("Role of dana")).to_have_value("biller")

    dana = _signed_in(browser, served, "dana")
    expect(dana.locator("header .who")).to_contain_text("dana · biller")
    admin.locator("tr[data-user=dana]").get_by_label("New password for dana").fill(NEW_PASSWORD)
    admin.locator("tr[data-user=dana] button:has-text('Reset password')").click()
    expect(panel).to_contain_text("dana has a new password; their sessions ended.")
    dana.goto(f"{served}/claims")
    expect(dana).to_have_url(re.compile(r"/login\?next=/claims$"))

    dana = _signed_in(browser, served, "dana", NEW_PASSWORD)
    admin.locator("tr[data-user=dana] button:has-text('Disable')").click()
    expect(panel).to_contain_text("dana is disabled")
    expect(admin.locator("tr[data-user=dana]")).to_contain_text("disabled")
    dana.reload()
    expect(dana).to_have_url(re.compile(r"/login\?next=/$"))
    dana.fill("input[name=username]", "dana")
    dana.fill("input[name=password]", NEW_PASSWORD)
    dana.click("button:has-text('Sign in')")
    expect(dana.locator(".alert.error")).to_contain_text("do not match an active user")

    admin.locator("tr[data-user=dana] button:has-text('Enable')").click()
    expect(panel).to_contain_text("dana may sign in again.")
    me = admin.locator("tr[data-user=admin]")
    expect(me).to_contain_text("active (you)")
    assert me.locator("button").count() == 0  # no way to lock oneself out
    admin.context.close()
    dana.context.close()


def test_an_admin_makes_a_read_token_and_revokes_it(
    browser: object, served: str, store: Store
) -> None:
    from playwright.sync_api import expect

    admin = _signed_in(browser, served, "admin")
    admin.goto(f"{served}/admin")
    expect(admin.locator("#tokens")).to_contain_text("No API token yet.")
    making = admin.locator("#make-token")
    making.get_by_label("Name").fill("ehr")
    making.get_by_label("May").select_option("read")
    making.get_by_label("Lasts (days)").fill("30")
    making.locator("button:has-text('Make a token')").click()
    expect(admin.locator("#admin-result")).to_contain_text("A read token for 30 days.")
    token = admin.locator("#token").inner_text()

    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{served}/api/v1/claims", headers=headers).status_code == 200
    assert httpx.post(f"{served}/api/v1/poll", headers=headers).status_code == 403

    admin.reload()
    row = admin.locator("#tokens tbody tr").first
    expect(row).to_contain_text("ehr")
    expect(row).to_contain_text("read")
    expect(row).not_to_contain_text("never")  # its last use is shown
    row.get_by_label("Revoke the token ehr of admin").click()
    expect(admin.locator("#admin-result")).to_contain_text("The token 'ehr' of admin is revoked.")
    expect(admin.locator("#tokens tbody tr").first).to_contain_text("revoked")
    assert httpx.get(f"{served}/api/v1/claims", headers=headers).status_code == 401
    admin.context.close()


def test_a_biller_changes_their_password_and_their_other_browser_signs_out(
    browser: object, served: str, store: Store
) -> None:
    from playwright.sync_api import expect

    here = _signed_in(browser, served, "biller")
    elsewhere = _signed_in(browser, served, "biller")
    here.click("header a:has-text('Password')")
    expect(here).to_have_url(f"{served}/password")
    form = here.locator("#password-form")
    form.get_by_label("Current password").fill("not my password")
    form.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("New password again").fill(NEW_PASSWORD)
    form.locator("button:has-text('Change password')").click()
    expect(form.locator("#password-result [role=alert]")).to_contain_text(
        "type your current password again"
    )
    form.get_by_label("Current password").fill(PASSWORD)
    form.locator("button:has-text('Change password')").click()
    expect(form.locator("#password-result")).to_contain_text("Your password is changed.")
    here.goto(f"{served}/claims")
    expect(here).to_have_url(f"{served}/claims")
    elsewhere.reload()
    expect(elsewhere).to_have_url(re.compile(r"/login\?next=/$"))
    here.context.close()
    elsewhere.context.close()
