"""The Fernet key lives outside the database, in a 0600 file or the environment."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from claimbridge.domain.models import Secret
from claimbridge.errors import ConfigError
from claimbridge.store.crypto import (
    Cipher,
    create_key_file,
    default_key_file,
    generate_key,
    read_key_file,
    resolve_key,
)


def test_the_key_file_sits_next_to_a_sqlite_database() -> None:
    assert default_key_file("sqlite:///var/cb/ledger.db") == Path("var/cb/ledger.db.key")
    assert default_key_file("sqlite:////srv/cb.db") == Path("/srv/cb.db.key")
    assert default_key_file("postgresql+psycopg://u@h/db") == Path("claimbridge.key")
    assert default_key_file("sqlite://") == Path("claimbridge.key")


def test_a_created_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db.key"
    assert create_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = read_key_file(path)
    assert not create_key_file(path)
    assert read_key_file(path) == key
    Cipher(key)  # a valid Fernet key


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    create_key_file(path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        read_key_file(path)


def test_a_missing_key_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="claimbridge init"):
        read_key_file(tmp_path / "absent.key")


def test_the_environment_key_wins(tmp_path: Path) -> None:
    key = generate_key()
    assert resolve_key(key, tmp_path / "absent.key") is key


def test_round_trip_and_a_wrong_key() -> None:
    cipher = Cipher(generate_key())
    token = cipher.encrypt(Secret("synthetic-pw"))
    assert b"synthetic-pw" not in token
    assert cipher.decrypt(token) == Secret("synthetic-pw")
    with pytest.raises(ConfigError, match="another key"):
        Cipher(generate_key()).decrypt(token)
    assert "synthetic" not in repr(cipher)


def test_a_malformed_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a Fernet key"):
        Cipher(Secret("too-short"))
