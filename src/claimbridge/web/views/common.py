"""Small helpers the views share: today's date, the store, parsing optional form values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Path, Request

from claimbridge.store.db import Store
from claimbridge.web.errors import BadRequest

# The id of a record in a path (/eras/{remittance_id}/…): a ledger's ids are 64-bit, so a
# larger number is refused as a bad request before the database sees it (SQLite cannot take it).
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date, UTC."""
    return now().date()


def store_of(request: Request) -> Store:
    """The ledger as the request may see it: scoped to the signed-in user's (or the API
    token's) practice. Before sign-in, the whole ledger, for what is not any practice's."""
    store: Store = getattr(request.state, "store", None) or request.app.state.store
    return store


def practice_id_of(request: Request) -> int:
    """The practice the request works in; ``ConfigError`` when the ledger has none yet."""
    return store_of(request).practice_id


def optional_date(text: str | None, what: str) -> date | None:
    """``text`` (YYYY-MM-DD) as a date; empty is None; ``BadRequest`` naming ``what``."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(f"{what}: {text!r} is not a date (YYYY-MM-DD)") from None


def optional_int(text: str | None, what: str) -> int | None:
    """``text`` as a whole number; empty is None; ``BadRequest`` naming ``what``."""
    if not text or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise BadRequest(f"{what}: {text!r} is not a whole number") from None
