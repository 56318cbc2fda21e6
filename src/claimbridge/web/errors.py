"""Web errors carry their HTTP status; one handler renders any error as HTML or as JSON.

Under ``/api/`` every error is ``{"error": {"code": …, "message": …, "details": …}}``; pages
get the error page, and a page that needs a signed-in person redirects to the sign-in form.
``ClaimbridgeError`` subclasses map to statuses here, so services never know about HTTP.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimbridge.errors import (
    ClaimbridgeError,
    ConfigError,
    InputError,
    InvalidTransition,
    RecordNotFound,
    StoreError,
    TransportError,
)


class WebError(Exception):
    """An error with an HTTP status and a stable code."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, details: Any = None) -> None:
        self.message = message
        self.details = details
        super().__init__(message)


class BadRequest(WebError):
    """The request cannot be understood or its values are wrong."""

    status, code = 400, "bad_request"


class NotSignedIn(WebError):
    """No session or token: sign in first."""

    status, code = 401, "not_signed_in"


class Forbidden(WebError):
    """Signed in, but the role does not allow this."""

    status, code = 403, "forbidden"


class CsrfRefused(WebError):
    """A form came without the token of the session that showed it."""

    status, code = 403, "csrf_refused"


class NotFound(WebError):
    """Nothing is at this address."""

    status, code = 404, "not_found"


class Conflict(WebError):
    """The ledger refused the change as it stands."""

    status, code = 409, "conflict"


class Busy(WebError):
    """The server is doing as much of this as it will at once; try again shortly."""

    status, code = 503, "busy"


class UpstreamFailed(WebError):
    """Office Ally's server could not be reached or refused us; the message says why."""

    status, code = 502, "office_ally_unavailable"


def from_claimbridge(error: ClaimbridgeError) -> WebError:
    """The web error a library error becomes."""
    if isinstance(error, RecordNotFound):
        return NotFound(str(error))
    if isinstance(error, InputError) and error.fields:
        named = [{"field": name, "message": why} for name, why in error.fields.items()]
        return BadRequest(str(error), named)
    if isinstance(error, InputError):
        return BadRequest(str(error), list(error.problems) or None)
    if isinstance(error, InvalidTransition | ConfigError | StoreError):
        return Conflict(str(error))
    if isinstance(error, TransportError):
        return UpstreamFailed(str(error))
    return WebError(str(error))


def _from_http(error: StarletteHTTPException) -> WebError:
    known: dict[int, type[WebError]] = {404: NotFound, 401: NotSignedIn, 403: Forbidden}
    kind = known.get(error.status_code, BadRequest)
    made = kind(str(error.detail))
    made.status = error.status_code
    return made


def error_body(error: WebError) -> dict[str, Any]:
    """The one JSON shape of every API error."""
    return {"error": {"code": error.code, "message": error.message, "details": error.details}}


def render_error(request: Request, error: WebError) -> Response:
    """The error as JSON under /api/, else a redirect to sign in or the error page; for an
    HTMX action, the error as a part of a page (swapped where its result goes), or a full-page
    redirect to sign in."""
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return JSONResponse(error_body(error), status_code=error.status, headers=headers)
    from_htmx = request.headers.get("HX-Request") == "true"
    if isinstance(error, NotSignedIn):
        if from_htmx:  # the whole page goes to sign in, not a sign-in page inside a part of it
            page = urlsplit(request.headers.get("HX-Current-URL", "")).path or "/"
            return Response(status_code=204, headers={"HX-Redirect": f"/login?next={page}"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    templates = request.app.state.templates
    context = {
        "error": error,
        "user": getattr(request.state, "user", None),
        "csrf": "",
        "path": request.url.path,  # the header's Admin link reads it for an admin
    }
    # An HTMX action gets the error alone, swapped where its result would have gone.
    name = "_error.html" if from_htmx else "error.html"
    response: Response = templates.TemplateResponse(
        request, name, context, status_code=error.status
    )
    return response


def install_handlers(app: FastAPI) -> None:
    """Route every error through ``render_error``."""

    async def web(request: Request, error: Exception) -> Response:
        assert isinstance(error, WebError)
        return render_error(request, error)

    async def library(request: Request, error: Exception) -> Response:
        assert isinstance(error, ClaimbridgeError)
        return render_error(request, from_claimbridge(error))

    async def http(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        return render_error(request, _from_http(error))

    async def validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        details = [{"where": list(e["loc"]), "problem": e["msg"]} for e in error.errors()]
        return render_error(request, BadRequest("the request has wrong values", details))

    app.add_exception_handler(WebError, web)
    app.add_exception_handler(ClaimbridgeError, library)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
