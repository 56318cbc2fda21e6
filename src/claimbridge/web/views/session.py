"""Sign in and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.domain.models import Secret
from claimbridge.services.users import authenticate, memberships
from claimbridge.web.auth import (
    CheckedForm,
    current_user,
    field,
    sign_in,
    sign_out,
    switch_practice,
)
from claimbridge.web.errors import BadRequest
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
    with store_of(request).across_practices() as session:
        user_id = authenticate(session, field(form, "username"), Secret(field(form, "password")))
        practices = [] if user_id is None else memberships(session, user_id)
    problem = None
    if user_id is None:
        problem = "That username and password do not match an active user."
    elif not practices:
        problem = "This user has no role in any practice yet: ask an administrator for one."
    if problem is not None:
        return page(request, "login.html", 401, next=field(form, "next", "/"), problem=problem)
    assert user_id is not None
    sign_in(request, user_id)
    return RedirectResponse(_safe_next(field(form, "next", "/")), status_code=303)


@router.post("/logout")
def logout(request: Request, form: CheckedForm) -> Response:
    """End the session."""
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.post("/practice")
def choose_practice(request: Request, form: CheckedForm) -> Response:
    """Work in another practice the user has a role in; to its dashboard."""
    current_user(request)
    wanted = field(form, "practice")
    chosen = [m for m in request.state.practices if m.key == wanted]
    if not chosen:
        raise BadRequest(f"you have no role in a practice {wanted!r}")
    switch_practice(request, chosen[0].practice_id)
    return RedirectResponse("/", status_code=303)
