"""The JSON API under ``/api/v1``: the same services as the pages, with bearer tokens.

Money is a string with two decimals (never a float), dates are ISO 8601; every error is
``{"error": {"code", "message", "details"}}``. FastAPI publishes the OpenAPI document at
``/api/v1/openapi.json``.
"""

from __future__ import annotations

from fastapi import FastAPI

from claimbridge.web.api import (
    account,
    claim_actions,
    follow_ups,
    history,
    money,
    posting,
    records,
    routes,
)


def include(app: FastAPI) -> None:
    """Add the API's routes to ``app``."""
    app.include_router(routes.router)
    app.include_router(claim_actions.router)
    app.include_router(history.router)
    app.include_router(posting.router)
    app.include_router(account.router)
    app.include_router(records.router)
    app.include_router(follow_ups.router)
    app.include_router(money.router)
