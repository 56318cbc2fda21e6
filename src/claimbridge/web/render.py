"""Rendering pages: the Jinja2 environment, its filters, and the context every page gets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from claimbridge.domain.account_mode import AccountMode
from claimbridge.domain.frequency import ClaimFrequency
from claimbridge.domain.remit_codes import claim_status_text
from claimbridge.errors import ClaimbridgeError
from claimbridge.services.account_mode import current_mode
from claimbridge.web.auth import csrf_token
from claimbridge.web.views.common import store_of

TEMPLATES = Path(__file__).resolve().parent / "templates"

NAV = (
    ("/", "Dashboard"),
    ("/claims", "Claims"),
    ("/follow-ups", "Follow-ups"),
    ("/eras", "ERAs"),
    ("/unmatched", "Unmatched"),
    ("/payers", "Insurances"),
    ("/provider", "Provider"),
    ("/onboarding", "Onboarding"),
    ("/statements", "Statements"),
    ("/reports", "Reports"),
)


def money(value: Decimal | None) -> str:
    """1234.5 → '1,234.50'; None → ''."""
    return "" if value is None else f"{value:,.2f}"


def us_date(value: date | datetime | None) -> str:
    """A date as billers write it (MM/DD/YYYY); a time adds HH:MM UTC."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%m/%d/%Y %H:%M} UTC"
    return f"{value:%m/%d/%Y}"


def words(value: object) -> str:
    """'payer_rejected' → 'payer rejected'."""
    return str(value or "").replace("_", " ")


def office_ally_mode(request: Request) -> AccountMode | None:
    """The account's mode for the marker every page shows; None before there is an account
    (or a ledger that can be read)."""
    try:
        with store_of(request).read() as session:
            return current_mode(session)
    except ClaimbridgeError:
        return None


def quantity(value: Decimal | None) -> str:
    """Units as a biller writes them: 1.000 → '1', 1.500 → '1.5'; None → ''."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


FREQUENCIES = {
    ClaimFrequency.ORIGINAL.value: "original claim",
    ClaimFrequency.REPLACEMENT.value: "replacement claim",
    ClaimFrequency.VOID.value: "void",
}


def frequency(code: str) -> str:
    """CLM05-3 in words: '1' → 'original claim (frequency 1)'."""
    return f"{FREQUENCIES.get(code, 'claim')} (frequency {code})"


def make_templates() -> Jinja2Templates:
    """The template environment with claimbridge's filters, and ``office_ally_mode``."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters.update(
        money=money,
        us_date=us_date,
        words=words,
        clp_status=claim_status_text,
        quantity=quantity,
        frequency=frequency,
    )
    templates.env.globals["office_ally_mode"] = office_ally_mode
    return templates


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render template ``name`` with the user, the CSRF token and the navigation."""
    templates: Jinja2Templates = request.app.state.templates
    context |= {
        "user": request.state.user,
        "practices": getattr(request.state, "practices", []),
        "practice_id": getattr(request.state, "practice_id", None),
        "csrf": csrf_token(request),
        "nav": NAV,
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, name, context, status_code=status_code)
