"""Things views need from the app's configuration."""

from __future__ import annotations

from fastapi import Request

from claimbridge.errors import ConfigError
from claimbridge.jobs.runtime import cipher_of
from claimbridge.store.crypto import Cipher


def required_cipher(request: Request) -> Cipher:
    """The app's cipher; ``ConfigError`` in words when no key is configured."""
    try:
        return cipher_of(request.app.state.settings)
    except ConfigError as error:
        raise ConfigError(f"the SFTP password cannot be encrypted: {error}") from None
