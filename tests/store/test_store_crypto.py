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
    generate_key,
    read_key_file,
    resolve_key,
)


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


def test_a_missing_key_file_says_what_to_do_for_a_new_ledger_and_for_a_stored_password(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError) as raised:
        read_key_file(tmp_path / "absent.key")
    message = str(raised.value)
    assert "For a new ledger, run 'claimbridge init'" in message
    assert "claimbridge restore BACKUP --key-from KEYFILE" in message
    assert "CLAIMBRIDGE_KEY_FILE or CLAIMBRIDGE_SECRET_KEY" in message


def test_a_key_file_is_created_0600_in_a_0700_folder_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert create_key_file(tmp_path / "home" / "claimbridge.key")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "home" / "claimbridge.key").stat().st_mode) == 0o600


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
