"""Signing in: signed session cookies, CSRF tokens on every form, bearer tokens for the API.

The session cookie holds only the user's id, their session generation, the practice they work
in and the session's CSRF token, signed with itsdangerous and refused after ``max_age``; it is
``HttpOnly``, ``SameSite=Lax`` and ``Secure`` unless the app was told otherwise (plain-HTTP
tests). A cookie whose generation is not the user's in the ledger any more (they signed out,
were disabled or got a new password since) is no session. Every state-changing form carries the
CSRF token (HTMX sends it as ``X-CSRF-Token``); ``checked_form`` refuses a form without it.
``/api/v1`` takes ``Authorization: Bearer <token>`` and no cookies, so it needs no CSRF token;
a read token is refused (403) on every method but GET, HEAD and OPTIONS.

Every request works in one practice: the session's (a user with roles in several switches
between them; the first by key otherwise), or the API token's. ``request.state.store`` is the
ledger scoped to it, so no view can reach another practice's rows.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from claimbridge.services.users import (
    Membership,
    Role,
    TokenScope,
    User,
    get_user,
    memberships,
    note_token_use,
    session_generation,
    token_use_due,
    user_for_token,
)
from claimbridge.store.db import Store
from claimbridge.web.errors import CsrfRefused, Forbidden, NotSignedIn, WebError, render_error

COOKIE = "cb_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
PUBLIC_PREFIXES = ("/login", "/static/")
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(slots=True)
class SessionData:
    """What the cookie carries: the signed-in user's id (None before sign-in) and their session
    generation when they signed in, the CSRF token, and the practice they work in."""

    user_id: int | None
    csrf: str
    changed: bool = False
    practice_id: int | None = None
    generation: int | None = None


class SessionCodec:
    """Signs and reads the session cookie."""

    def __init__(self, secret: str, max_age: int, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="claimbridge-session")
        self.max_age = max_age
        self.secure = secure

    def read(self, request: Request) -> SessionData:
        """The session in the request's cookie, or a new anonymous one."""
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data: dict[str, Any] = self._serializer.loads(raw, max_age=self.max_age)
                return SessionData(
                    data.get("uid"),
                    str(data["csrf"]),
                    practice_id=data.get("pid"),
                    generation=data.get("gen"),
                )
            except (BadSignature, KeyError, TypeError):
                pass
        return SessionData(None, secrets.token_urlsafe(32), changed=True)

    def write(self, response: Response, session: SessionData) -> None:
        """Set the cookie when the session changed."""
        if not session.changed:
            return
        value = self._serializer.dumps(
            {
                "uid": session.user_id,
                "gen": session.generation,
                "csrf": session.csrf,
                "pid": session.practice_id,
            }
        )
        response.set_cookie(
            COOKIE,
            value,
            max_age=self.max_age,
            httponly=True,
            secure=self.secure,
            samesite="lax",
        )


def sign_in(request: Request, user_id: int, generation: int) -> None:
    """Start a signed-in session for the user ``user_id`` (at their session ``generation``)
    with a fresh CSRF token."""
    session: SessionData = request.state.session
    session.user_id, session.csrf, session.changed = user_id, secrets.token_urlsafe(32), True
    session.practice_id, session.generation = None, generation


def keep_signed_in(request: Request, generation: int) -> None:
    """Carry this browser's session on to the user's new ``generation`` (after they changed
    their own password, which ended their other sessions)."""
    session: SessionData = request.state.session
    session.generation, session.changed = generation, True


def sign_out(request: Request) -> None:
    """Forget the session in this browser (``end_sessions`` ends it in the ledger)."""
    session: SessionData = request.state.session
    session.user_id, session.csrf, session.changed = None, secrets.token_urlsafe(32), True
    session.practice_id, session.generation = None, None


def switch_practice(request: Request, practice_id: int) -> None:
    """Work in ``practice_id`` from the next request on (the caller checked the user's role)."""
    session: SessionData = request.state.session
    session.practice_id, session.changed = practice_id, True


def is_public(path: str) -> bool:
    """True for the sign-in page and the static files; everything else needs a user."""
    return any(path == p or path.startswith(p) for p in PUBLIC_PREFIXES)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@dataclass(frozen=True, slots=True)
class Signed:
    """Who made the request, in which practice, and the practices they may switch to."""

    user: User
    practice_id: int
    practices: list[Membership]
    read_only: bool = False


def _find_user(request: Request) -> Signed | None:
    """Who made the request (run in the thread pool: it reads the ledger)."""
    store: Store = request.app.state.store
    if request.url.path.startswith("/api/"):
        token = _bearer(request)
        if token is None:
            return None
        with store.across_practices() as session:
            owner = user_for_token(session, token)
        if owner is None:
            return None
        if token_use_due(owner):
            with store.across_practices(write=True) as session:
                note_token_use(session, owner)
        read_only = owner.scope is TokenScope.READ
        return Signed(owner.user, owner.practice_id, [], read_only)
    user_id = request.state.session.user_id
    if user_id is None:
        return None
    with store.across_practices() as session:
        generation = session_generation(session, user_id)
        practices = memberships(session, user_id)
    if generation is None or generation != request.state.session.generation or not practices:
        return None
    wanted = request.state.session.practice_id
    practice_id = next((m.practice_id for m in practices if m.practice_id == wanted), None)
    practice_id = practices[0].practice_id if practice_id is None else practice_id
    with store.scoped(practice_id).read() as session:
        user = get_user(session, user_id)
    return None if user is None else Signed(user, practice_id, practices)


Next = Callable[[Request], Awaitable[Response]]


async def authenticate(request: Request, call_next: Next) -> Response:
    """Middleware: read the session, find the user, refuse anyone not signed in."""
    codec: SessionCodec = request.app.state.session_codec
    request.state.session = codec.read(request)
    request.state.user = None
    request.state.practices = []
    if not is_public(request.url.path):
        signed = await run_in_threadpool(_find_user, request)
        if signed is not None and signed.read_only and request.method not in READING_METHODS:
            refused = Forbidden(
                "this API token may only read: an admin can make a write token on the Admin page"
            )
            return render_error(request, refused)
        if signed is not None:
            request.state.user = signed.user
            request.state.practices = signed.practices
            request.state.store = request.app.state.store.scoped(signed.practice_id)
            request.state.practice_id = signed.practice_id
        if request.state.user is None:
            what = "an API token" if request.url.path.startswith("/api/") else "signing in"
            response = render_error(request, NotSignedIn(f"this needs {what}"))
            codec.write(response, request.state.session)
            return response
    response = await call_next(request)
    codec.write(response, request.state.session)
    return response


def current_user(request: Request) -> User:
    """The signed-in user (the middleware guarantees one outside the public paths)."""
    user: User | None = request.state.user
    if user is None:
        raise NotSignedIn("this needs signing in")
    return user


def require(request: Request, role: Role) -> User:
    """The signed-in user when their role is at least ``role``; else ``Forbidden``."""
    user = current_user(request)
    if not user.role.at_least(role):
        raise Forbidden(f"this needs the {role.value} role; {user.username} is a {user.role.value}")
    return user


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's session, for forms."""
    session: SessionData = request.state.session
    return session.csrf


async def checked_form(request: Request) -> FormData:
    """The submitted form, after checking its CSRF token against the session's."""
    form = await request.form()
    sent = request.headers.get(CSRF_HEADER) or str(form.get(CSRF_FIELD) or "")
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfRefused("the form is missing its security token: reload the page and try again")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
"""A view's parameter: the submitted form, CSRF-checked before the view runs. A view that takes
it can be a plain ``def``, which FastAPI runs in its thread pool, off the server's event loop."""


def field(form: FormData, name: str, default: str = "") -> str:
    """A form field as stripped text."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default


__all__ = ["CheckedForm", "WebError", "checked_form", "current_user", "field", "require"]
