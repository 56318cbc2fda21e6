"""Administration (admins only): the practice's users and API tokens, and the audit log.

Each action answers an HTMX request with what it did, in the page's result panel, and the
tables again (swapped out of band); an error goes to the same panel (``_error.html``). Without
HTMX the whole page comes back with the message. Disabling a user or resetting their password
reaches every practice they work in, so it needs an admin of each (``check_may_manage``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from claimbridge.domain.models import Secret
from claimbridge.services.users import (
    AUDIT_PAGE,
    MIN_PASSWORD_LENGTH,
    TOKEN_DAYS_DEFAULT,
    TOKEN_DAYS_MAX,
    Role,
    TokenScope,
    User,
    add_user,
    audit_entries,
    check_may_manage,
    create_token,
    hash_password,
    is_user,
    list_tokens,
    list_users,
    record_audit,
    revoke_token,
    set_active,
    set_password_hash,
    set_role,
)
from claimbridge.web.auth import CheckedForm, field, require
from claimbridge.web.errors import BadRequest
from claimbridge.web.render import page
from claimbridge.web.throttle import HashingSlots
from claimbridge.web.views.common import now, optional_int, practice_id_of, store_of

router = APIRouter()


def _answer(request: Request, message: str | None = None, token: str | None = None) -> HTMLResponse:
    """The result panel and the tables (HTMX), or the whole page."""
    with store_of(request).read() as session:
        users = list_users(session)
        tokens = list_tokens(session)
        before = optional_int(request.query_params.get("audit_before"), "audit entry")
        # one more than a page: whether older entries are left to link to
        entries = [] if _from_htmx(request) else audit_entries(session, AUDIT_PAGE + 1, before)
    context: dict[str, object] = {
        "users": users,
        "tokens": tokens,
        "entries": entries[:AUDIT_PAGE],
        "older": entries[AUDIT_PAGE - 1].id if len(entries) > AUDIT_PAGE else None,
        "paged": before is not None,
        "token": token,
        "message": message,
        "roles": list(Role),
        "scopes": list(TokenScope),
        "now": now(),
        "token_days": TOKEN_DAYS_DEFAULT,
        "token_days_max": TOKEN_DAYS_MAX,
        "min_password": MIN_PASSWORD_LENGTH,
    }
    name = "_admin_done.html" if _from_htmx(request) else "admin.html"
    return page(request, name, 200, **context)


def _from_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _role(form_value: str) -> Role:
    try:
        return Role(form_value)
    except ValueError:
        raise BadRequest(f"{form_value!r} is not a role: admin, biller or viewer") from None


def _user_id(form: CheckedForm) -> int:
    user_id = optional_int(field(form, "user_id"), "user")
    if user_id is None:
        raise BadRequest("which user? reload the page and try again")
    return user_id


def _password(request: Request, form: CheckedForm, name: str = "password") -> str:
    """The hash of the form's new password, made outside any transaction."""
    slots: HashingSlots = request.app.state.hashing_slots
    with slots():
        return hash_password(Secret(field(form, name)))


def _audit(request: Request, user: User, entity_key: str, detail: str) -> None:
    with store_of(request).transaction() as session:
        record_audit(session, user.username, "change", "user", entity_key, detail=detail)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> HTMLResponse:
    """Users, API tokens and the newest audit entries."""
    require(request, Role.ADMIN)
    return _answer(request)


@router.post("/admin/users", response_class=HTMLResponse)
def new_user(request: Request, form: CheckedForm) -> HTMLResponse:
    """Give a person a role in this practice; a new person gets the password typed."""
    admin = require(request, Role.ADMIN)
    username, role = field(form, "username"), _role(field(form, "role"))
    with store_of(request).read() as session:
        known = is_user(session, username)
    password = None if known else Secret(field(form, "password"))
    slots: HashingSlots = request.app.state.hashing_slots
    with slots(), store_of(request).transaction() as session:
        made = add_user(session, username, role, password)
        record_audit(session, admin.username, "change", "user", made.username, detail="added")
    kept = " (they keep the password they have)" if known else ""
    return _answer(request, f"{made.username} is a {made.role.value} here{kept}.")


@router.post("/admin/users/role", response_class=HTMLResponse)
def change_role(request: Request, form: CheckedForm) -> HTMLResponse:
    """Give a user another role in this practice."""
    admin = require(request, Role.ADMIN)
    role = _role(field(form, "role"))
    with store_of(request).transaction() as session:
        name = set_role(session, admin.id, _user_id(form), role)
        record_audit(session, admin.username, "change", "user", name, detail=f"role {role}")
    return _answer(request, f"{name} is now a {role.value} here.")


@router.post("/admin/users/active", response_class=HTMLResponse)
def enable_or_disable(request: Request, form: CheckedForm) -> HTMLResponse:
    """Disable a user (their sessions end at once, their tokens stop) or enable them again."""
    admin = require(request, Role.ADMIN)
    user_id, active = _user_id(form), field(form, "active") == "yes"
    store = store_of(request)
    with store.across_practices(write=True) as session:
        name = check_may_manage(session, admin.id, practice_id_of(request), user_id)
        set_active(session, user_id, active)
    _audit(request, admin, name, "enabled" if active else "disabled")
    if active:
        return _answer(request, f"{name} may sign in again.")
    return _answer(request, f"{name} is disabled: their sessions ended and their tokens stopped.")


@router.post("/admin/users/password", response_class=HTMLResponse)
def reset_password(request: Request, form: CheckedForm) -> HTMLResponse:
    """Give a user a new password (an admin's reset); their sessions end at once."""
    admin = require(request, Role.ADMIN)
    user_id = _user_id(form)
    with store_of(request).across_practices() as session:
        check_may_manage(session, admin.id, practice_id_of(request), user_id)
    hashed = _password(request, form)
    with store_of(request).across_practices(write=True) as session:
        name = check_may_manage(session, admin.id, practice_id_of(request), user_id)
        set_password_hash(session, user_id, hashed)
    _audit(request, admin, name, "password reset")
    return _answer(request, f"{name} has a new password; their sessions ended. Tell them it.")


@router.post("/admin/tokens", response_class=HTMLResponse)
def new_token(request: Request, form: CheckedForm) -> HTMLResponse:
    """Make an API token for the signed-in admin; it is shown this once."""
    user = require(request, Role.ADMIN)
    try:
        scope = TokenScope(field(form, "scope", TokenScope.WRITE.value) or TokenScope.WRITE)
    except ValueError:
        raise BadRequest("a token reads only (read) or also writes (write)") from None
    days = optional_int(field(form, "days"), "days") or TOKEN_DAYS_DEFAULT
    with store_of(request).transaction() as session:
        token = create_token(session, user, field(form, "name") or "api", scope, days)
    return _answer(request, f"A {scope.value} token for {days} days.", token.reveal())


@router.post("/admin/tokens/revoke", response_class=HTMLResponse)
def revoke(request: Request, form: CheckedForm) -> HTMLResponse:
    """Revoke an API token of this practice: it stops working at once."""
    admin = require(request, Role.ADMIN)
    token_id = optional_int(field(form, "token_id"), "token")
    if token_id is None:
        raise BadRequest("which token? reload the page and try again")
    with store_of(request).transaction() as session:
        revoked = revoke_token(session, token_id)
        record_audit(session, admin.username, "change", "token", str(revoked.id), detail="revoked")
    return _answer(request, f"The token {revoked.name!r} of {revoked.username} is revoked.")
