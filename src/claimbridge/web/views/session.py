"""Sign in and sign out; a signed-in person changes their own password.

Signing in checks the attempt limits first (``web.throttle``: a refused attempt is answered at
once, 429, with how long to wait, and its password is not checked), then the password, in the
thread pool and in one of the few hashing slots. Signing out and a new password end every
session of the user, in every browser (``end_sessions``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from claimbridge.domain.models import Secret
from claimbridge.errors import InputError
from claimbridge.services.users import (
    MIN_PASSWORD_LENGTH,
    check_password,
    end_sessions,
    hash_password,
    memberships,
    record_sign_in,
    set_password_hash,
    verify_user_password,
)
from claimbridge.web.auth import (
    CheckedForm,
    current_user,
    field,
    keep_signed_in,
    sign_in,
    sign_out,
    switch_practice,
)
from claimbridge.web.errors import BadRequest, Busy
from claimbridge.web.render import page
from claimbridge.web.throttle import HashingSlots, SignInLimits
from claimbridge.web.views.common import store_of

router = APIRouter()


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def client_address(request: Request) -> str:
    """The address the request came from (behind a proxy, as uvicorn's ``--proxy-headers``
    and ``--forwarded-allow-ips`` make it)."""
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return page(request, "login.html", next=_safe_next(next), problem=None)


@router.post("/login")
def login(request: Request, form: CheckedForm) -> Response:
    """Check the password; on success start a session and go where the person was going."""
    username, address = field(form, "username"), client_address(request)
    limits: SignInLimits = request.app.state.sign_in_limits
    slots: HashingSlots = request.app.state.hashing_slots
    nxt = field(form, "next", "/")
    refused = limits.attempt(username, address)
    if refused is not None:
        answer = page(request, "login.html", 429, next=nxt, problem=refused.message())
        answer.headers["Retry-After"] = str(refused.seconds)
        return answer
    store = store_of(request)
    try:
        with slots(), store.across_practices() as session:
            checked = check_password(session, username, Secret(field(form, "password")))
    except Busy as busy:
        return page(request, "login.html", 503, next=nxt, problem=f"The server is busy: {busy}.")
    if checked is None:
        problem = "That username and password do not match an active user."
        return page(request, "login.html", 401, next=nxt, problem=problem)
    limits.succeeded(username, address)
    with store.across_practices(write=True) as session:
        generation = record_sign_in(session, checked)
        practices = memberships(session, checked.user_id)
    if not practices:
        problem = "This user has no role in any practice yet: ask an administrator for one."
        return page(request, "login.html", 401, next=nxt, problem=problem)
    sign_in(request, checked.user_id, generation)
    return RedirectResponse(_safe_next(nxt), status_code=303)


@router.post("/logout")
def logout(request: Request, form: CheckedForm) -> Response:
    """End the user's sessions (in every browser: a cookie kept from before no longer works)."""
    user = current_user(request)
    with store_of(request).across_practices(write=True) as session:
        end_sessions(session, user.id)
    sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request) -> HTMLResponse:
    """The form to change one's own password."""
    current_user(request)
    return page(request, "password.html", min_password=MIN_PASSWORD_LENGTH, done=False)


@router.post("/password", response_class=HTMLResponse)
def change_password(request: Request, form: CheckedForm) -> HTMLResponse:
    """Change one's own password: the current one first. Every other session of the user
    ends; this one goes on."""
    user = current_user(request)
    new, again = field(form, "new_password"), field(form, "new_password_again")
    if new != again:
        raise InputError(
            "the new passwords differ", fields={"new_password_again": "type the same password"}
        )
    slots: HashingSlots = request.app.state.hashing_slots
    store = store_of(request)
    with slots():
        with store.across_practices() as session:
            right = verify_user_password(session, user.id, Secret(field(form, "current_password")))
        if not right:
            raise InputError(
                "the current password is not right",
                fields={"current_password": "type your current password again"},
            )
        hashed = hash_password(Secret(new))
    with store.across_practices(write=True) as session:
        generation = set_password_hash(session, user.id, hashed)
    keep_signed_in(request, generation)
    htmx = request.headers.get("HX-Request") == "true"
    name = "_password_done.html" if htmx else "password.html"
    return page(request, name, min_password=MIN_PASSWORD_LENGTH, done=True)


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
