"""Things views need from the app's configuration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Request

from claimbridge.errors import ConfigError
from claimbridge.services.polls import sftp_source
from claimbridge.settings import Settings
from claimbridge.store.crypto import Cipher, resolve_key
from claimbridge.store.repositories import get_account
from claimbridge.transport import Transport
from claimbridge.web.views.common import store_of


def cipher_of(settings: Settings) -> Cipher:
    """The cipher of the configured key; ``ConfigError`` when there is none."""
    return Cipher(resolve_key(settings.secret_key, settings.key_path))


def required_cipher(request: Request) -> Cipher:
    """The app's cipher; ``ConfigError`` in words when no key is configured."""
    try:
        return cipher_of(request.app.state.settings)
    except ConfigError as error:
        raise ConfigError(f"the SFTP password cannot be encrypted: {error}") from None


@dataclass(frozen=True, slots=True)
class OfficeAlly:
    """An open connection to the practice's Office Ally account, and how a poll names it."""

    transport: Transport
    source: str


@contextmanager
def office_ally_transport(request: Request) -> Iterator[OfficeAlly]:
    """A connection to the practice's Office Ally account, closed afterwards; ``ConfigError``
    when the practice has no account yet."""
    store = store_of(request)
    with store.read() as session:
        account = get_account(session, required_cipher(request))
    if account is None:
        raise ConfigError("no Office Ally account yet: load the practice file first")
    transport: Transport = request.app.state.transport_factory(account)
    try:
        yield OfficeAlly(transport, sftp_source(account))
    finally:
        transport.close()
