"""Fixtures of the web tests; the helpers live in ``web_support`` (a unique module name)."""

from __future__ import annotations

from browser_support import browser, served
from web_support import admin, anonymous, api, app, biller, store, transport, viewer, web_template

__all__ = [
    "admin",
    "anonymous",
    "api",
    "app",
    "biller",
    "browser",
    "served",
    "store",
    "transport",
    "viewer",
    "web_template",
]
