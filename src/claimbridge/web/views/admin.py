"""Administration: users, API tokens and the audit log (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from claimbridge.services.users import Role, audit_entries, create_token, list_users
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.render import page
from claimbridge.web.views.common import store_of

router = APIRouter()


def _admin_page(request: Request, token: str | None = None) -> HTMLResponse:
    with store_of(request).read() as session:
        users = list_users(session)
        entries = audit_entries(session)
    return page(request, "admin.html", users=users, entries=entries, token=token)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> HTMLResponse:
    """Users and the newest audit entries."""
    require(request, Role.ADMIN)
    return _admin_page(request)


@router.post("/admin/tokens", response_class=HTMLResponse)
def new_token(request: Request, form: CheckedForm) -> HTMLResponse:
    """Make an API token for the signed-in admin; it is shown this once."""
    user = require(request, Role.ADMIN)
    with store_of(request).transaction() as session:
        token = create_token(session, user, field(form, "name") or "api")
    return _admin_page(request, token.reveal())
