"""Sign in and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.domain.models import Secret
from claimbridge.services.users import authenticate
from claimbridge.web.auth import CheckedForm, field, sign_in, sign_out
from claimbridge.web.render import page
from claimbridge.web.views.common import store_of

router = APIRouter()


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return page(request, "login.html", next=_safe_next(next), problem=None)


@router.post("/login")
def login(request: Request, form: CheckedForm) -> Response:
    """Check the password; on success start a session and go where the person was going."""
    with store_of(request).read() as session:
        user = authenticate(session, field(form, "username"), Secret(field(form, "password")))
    if user is None:
        problem = "That username and password do not match an active user."
        return page(request, "login.html", 401, next=field(form, "next", "/"), problem=problem)
    sign_in(request, user)
    return RedirectResponse(_safe_next(field(form, "next", "/")), status_code=303)


@router.post("/logout")
def logout(request: Request, form: CheckedForm) -> Response:
    """End the session."""
    sign_out(request)
    return RedirectResponse("/login", status_code=303)
