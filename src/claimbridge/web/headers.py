"""Security headers on every answer of the web app and the API.

The pages may not be framed (clickjacking), the browser may not guess a type other than the one
sent, no address of ours leaks to another site, forms post only to us. Behind TLS (the request
came over HTTPS, as the reverse proxy's ``X-Forwarded-Proto`` says), browsers are told to come
back only over HTTPS. The Content-Security-Policy lets pages load scripts, styles and images
from us alone: no inline script, handler or ``javascript:`` link (``static/app.js`` does what
they did, by ``data-`` attributes), no ``<style>`` (HTMX's indicator styles are in ``app.css``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
        "object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000"  # a year; only ever sent over HTTPS


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Middleware: add ``SECURITY_HEADERS`` (and HSTS over HTTPS) to every response."""
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.url.scheme == "https":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
