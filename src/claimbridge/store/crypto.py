"""The SFTP password, encrypted at rest with Fernet; the key never enters the database.

The key comes from ``CLAIMBRIDGE_SECRET_KEY`` or from a key file that ``claimbridge init``
creates with mode 0600: by default next to a SQLite database (``claimbridge.db`` →
``claimbridge.db.key``), else ``claimbridge.key`` in the working folder. A key file that
others can read is refused. Whoever has the key and the database has the password, so keep
the key file out of backups of the database, or back it up separately.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError

KEY_FILE_MODE = 0o600


def generate_key() -> Secret:
    """A new random Fernet key."""
    return Secret(Fernet.generate_key().decode("ascii"))


def default_key_file(db_url: str) -> Path:
    """Where the key file lives for ``db_url`` when no key file is configured."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        raise ConfigError(f"{db_url!r} is not a database URL") from None
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        return Path(database).with_name(Path(database).name + ".key")
    return Path("claimbridge.key")


def create_key_file(path: Path) -> bool:
    """Write a new key to ``path`` with mode 0600 unless it exists; True when written."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    except FileExistsError:
        return False
    except OSError as error:
        raise ConfigError(f"cannot create the key file {path}: {error.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(generate_key().reveal() + "\n")
    return True


def read_key_file(path: Path) -> Secret:
    """The key in ``path``; refused when the file is missing or others may read it."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"no key file at {path}: run 'claimbridge init' or set CLAIMBRIDGE_SECRET_KEY"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the key file {path}: {error}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"the key file {path} is open to other users: chmod 600 it")
    return Secret(text)


def resolve_key(secret_key: Secret | None, key_file: Path) -> Secret:
    """The configured key: ``secret_key`` when set, else the one in ``key_file``."""
    return secret_key if secret_key is not None else read_key_file(key_file)


class Cipher:
    """Encrypts and decrypts secrets with one Fernet key."""

    def __init__(self, key: Secret) -> None:
        try:
            self._fernet = Fernet(key.reveal().encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError(
                "the secret key is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None

    def __repr__(self) -> str:
        return "Cipher([secure])"

    def encrypt(self, secret: Secret) -> bytes:
        """The Fernet token of ``secret``."""
        return self._fernet.encrypt(secret.reveal().encode("utf-8"))

    def decrypt(self, token: bytes) -> Secret:
        """The secret in ``token``; ``ConfigError`` when it was made with another key."""
        try:
            return Secret(self._fernet.decrypt(token).decode("utf-8"))
        except InvalidToken:
            raise ConfigError(
                "the stored password was encrypted with another key; "
                "restore the key or set the password again"
            ) from None
