"""The SFTP password, encrypted at rest with Fernet; the key never enters the database.

The key comes from ``CLAIMBRIDGE_SECRET_KEY`` or from a key file that ``claimbridge init``
creates with mode 0600 (``Settings.key_path``: ``CLAIMBRIDGE_KEY_FILE``, else ``claimbridge.key``
in the claimbridge home). A key file that others can read is refused. Whoever has the key and
the database has the password, so ``claimbridge backup`` leaves the key out and writes it to a
separate file only when asked (``--key-to``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from claimbridge.atomic import private_folder
from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError

KEY_FILE_MODE = 0o600


def generate_key() -> Secret:
    """A new random Fernet key."""
    return Secret(Fernet.generate_key().decode("ascii"))


def create_key_file(path: Path) -> bool:
    """Write a new key to ``path`` with mode 0600 unless it exists; True when written."""
    return write_key_file(path, generate_key())


def write_key_file(path: Path, key: Secret) -> bool:
    """Write ``key`` to ``path`` with mode 0600 (its folder 0700) unless the file exists; True
    when written."""
    private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    except FileExistsError:
        return False
    except OSError as error:
        raise ConfigError(f"cannot create the key file {path}: {error.strerror}") from None
    os.fchmod(descriptor, KEY_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.reveal() + "\n")
    return True


def read_key_file(path: Path) -> Secret:
    """The key in ``path``; refused when the file is missing or others may read it."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(missing_key_advice(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the key file {path}: {error}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"the key file {path} is open to other users: chmod 600 it")
    return Secret(text)


def missing_key_advice(path: Path) -> str:
    """What to do when there is no key at ``path``: it depends on what the ledger holds."""
    return (
        f"no key file at {path}. For a new ledger, run 'claimbridge init', which creates it. "
        "If the ledger already holds the SFTP password, only its own key can read it: restore "
        "that key ('claimbridge restore BACKUP --key-from KEYFILE', or copy the key file to "
        f"{path}, or set CLAIMBRIDGE_KEY_FILE or CLAIMBRIDGE_SECRET_KEY); "
        "'claimbridge init' will not make a new key while the ledger holds a password"
    )


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
                "the stored password was encrypted with another key: restore that key "
                "('claimbridge restore BACKUP --key-from KEYFILE', CLAIMBRIDGE_KEY_FILE or "
                "CLAIMBRIDGE_SECRET_KEY) or set the password again ('claimbridge set-password')"
            ) from None
