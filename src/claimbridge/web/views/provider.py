"""Provider details: the practice, its providers, and the SFTP credentials for Office Ally."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError
from claimbridge.services.account import check_connection, has_password, update_sftp
from claimbridge.services.users import Role
from claimbridge.services.worklist import practice_fields, providers
from claimbridge.store.crypto import Cipher
from claimbridge.store.repositories import get_account
from claimbridge.web.app_support import required_cipher
from claimbridge.web.audit import audit
from claimbridge.web.auth import checked_form, field, require
from claimbridge.web.errors import BadRequest
from claimbridge.web.render import page
from claimbridge.web.views.common import optional_int, store_of

router = APIRouter()


@router.get("/provider", response_class=HTMLResponse)
def provider(request: Request) -> HTMLResponse:
    """The practice, its providers and the SFTP section (the password is never shown)."""
    with store_of(request).read() as session:
        practice = practice_fields(session)
        choices = providers(session)
        account = get_account(session)
        stored = has_password(session) if account else False
    return page(
        request,
        "provider.html",
        practice=practice,
        providers=choices,
        account=account,
        has_password=stored,
        saved=request.query_params.get("saved"),
    )


@router.post("/provider/sftp")
async def save_sftp(request: Request) -> Response:
    """Save host, port, username and (when typed) the password, encrypted."""
    form = await checked_form(request)
    require(request, Role.ADMIN)
    port = optional_int(field(form, "port"), "port")
    if port is None:
        raise BadRequest("the port is required")
    password = field(form, "password")
    cipher: Cipher | None = required_cipher(request) if password else None
    with store_of(request).transaction() as session:
        update_sftp(
            session, field(form, "host"), port, field(form, "username"), Secret(password), cipher
        )
    detail = "SFTP login and password" if password else "SFTP login"
    audit(request, "change", "account", "office_ally", None, detail)
    return RedirectResponse("/provider?saved=1", status_code=303)


@router.post("/provider/sftp/test", response_class=HTMLResponse)
async def test_sftp(request: Request) -> HTMLResponse:
    """Log in once with the stored credentials and say what happened, in words."""
    await checked_form(request)
    require(request, Role.ADMIN)
    cipher = required_cipher(request)
    with store_of(request).read() as session:
        account = get_account(session, cipher)
    if account is None:
        raise ConfigError("no Office Ally account yet: load the practice file first")
    result = check_connection(account, request.app.state.transport_factory)
    return page(request, "_connection.html", result=result)
