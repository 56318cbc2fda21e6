"""The pages, one module per area; ``include`` adds their routers to the app."""

from __future__ import annotations

from fastapi import FastAPI

from claimbridge.web.views import (
    admin,
    claim_actions,
    claims,
    dashboard,
    eras,
    follow_ups,
    jobs,
    money,
    onboarding,
    payers,
    posting,
    provider,
    reports,
    session,
)

ROUTERS = (
    session,
    dashboard,
    claim_actions,
    claims,
    eras,
    follow_ups,
    jobs,
    posting,
    money,
    payers,
    provider,
    onboarding,
    reports,
    admin,
)


def include(app: FastAPI) -> None:
    """Add every page's router to ``app``; pages are not in the API's OpenAPI document."""
    for module in ROUTERS:
        app.include_router(module.router, include_in_schema=False)
