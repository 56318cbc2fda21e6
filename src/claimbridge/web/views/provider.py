"""Provider details: the practice, its providers, the SFTP credentials for Office Ally, and the
account's mode (test or production) with the switch, admins only, after a confirmation page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.domain.account_mode import AccountMode
from claimbridge.domain.models import Secret
from claimbridge.services.account import (
    allow_logins_again,
    has_password,
    login_refused,
    update_sftp,
)
from claimbridge.services.account_mode import mode_status, switch_to_production, switch_to_test
from claimbridge.services.jobs import JobKind
from claimbridge.services.users import Role
from claimbridge.services.worklist import practice_fields, providers
from claimbridge.store.crypto import Cipher
from claimbridge.store.repositories import get_account
from claimbridge.web.app_support import required_cipher
from claimbridge.web.audit import audit
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import BadRequest, NotFound
from claimbridge.web.render import page
from claimbridge.web.views import jobs
from claimbridge.web.views.common import now, optional_int, practice_id_of, store_of

router = APIRouter()


@router.get("/provider", response_class=HTMLResponse)
def provider(request: Request) -> HTMLResponse:
    """The practice, its providers and the SFTP section (the password is never shown)."""
    with store_of(request).read() as session:
        practice = practice_fields(session)
        choices = providers(session)
        account = get_account(session)
        stored = has_password(session) if account else False
        status = mode_status(session) if account else None
        refused = login_refused(session)
    return page(
        request,
        "provider.html",
        practice=practice,
        providers=choices,
        account=account,
        has_password=stored,
        saved=request.query_params.get("saved"),
        status=status,
        switched=request.query_params.get("switched"),
        refused=refused,
        allowed=request.query_params.get("allowed"),
    )


def _target(mode: str) -> AccountMode:
    try:
        return AccountMode(mode)
    except ValueError:
        raise NotFound(f"{mode!r} is not a mode: test or production") from None


@router.get("/provider/mode/{mode}", response_class=HTMLResponse)
def confirm_mode(request: Request, mode: str) -> HTMLResponse:
    """The confirmation page of a switch: what it changes, and what is unmet (admins only)."""
    require(request, Role.ADMIN)
    target = _target(mode)
    with store_of(request).read() as session:
        status = mode_status(session)
    return page(request, "account_mode.html", target=target, status=status)


@router.post("/provider/mode/{mode}")
def switch_mode(request: Request, mode: str, form: CheckedForm) -> Response:
    """Switch the account to ``mode`` once confirmed; recorded and audited (admins only)."""
    user = require(request, Role.ADMIN)
    target = _target(mode)
    if field(form, "confirm") != "yes":
        raise BadRequest(f"confirm the switch to {target.value} on its page first")
    reason = field(form, "reason")
    with store_of(request).transaction() as session:
        if target is AccountMode.PRODUCTION:
            switch_to_production(session, user.username, now())
        else:
            switch_to_test(session, user.username, now(), reason)
    detail = f"mode: {target.value}" + (f": {reason}" if target is AccountMode.TEST else "")
    audit(request, "change", "account", "office_ally", None, detail)
    return RedirectResponse(f"/provider?switched={target.value}#mode", status_code=303)


@router.post("/provider/sftp")
def save_sftp(request: Request, form: CheckedForm) -> Response:
    """Save host, port, username and (when typed) the password, encrypted."""
    user = require(request, Role.ADMIN)
    port = optional_int(field(form, "port"), "port")
    if port is None:
        raise BadRequest("the port is required")
    password = field(form, "password")
    cipher: Cipher | None = required_cipher(request) if password else None
    with store_of(request).transaction() as session:
        refused = login_refused(session)
        changed = update_sftp(
            session,
            field(form, "host"),
            port,
            field(form, "username"),
            Secret(password),
            cipher,
            user.username,
        )
        if changed and refused is not None:  # new credentials: claimbridge may try them
            allow_logins_again(session, practice_id_of(request))
    detail = "SFTP login and password" if password else "SFTP login"
    audit(request, "change", "account", "office_ally", None, detail)
    return RedirectResponse("/provider?saved=1", status_code=303)


@router.post("/provider/sftp/test", response_class=HTMLResponse)
def test_sftp(request: Request, form: CheckedForm) -> HTMLResponse:
    """Log in once with the stored credentials (a job) and say what happened, in words."""
    return jobs.start(request, JobKind.TEST, Role.ADMIN)
