"""Settings come from CLAIMBRIDGE_* variables, with defaults and clear errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from claimbridge.domain.fees import FeePolicy, FeeRule
from claimbridge.errors import ConfigError
from claimbridge.settings import SETTINGS, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.fee_policy == FeePolicy(FeeRule.FIFTY_PERCENT, Decimal("35.00"))
    assert settings.secret_key is None


def test_everything_lives_in_the_platforms_user_data_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    home = tmp_path / "data" / "claimbridge"
    settings = Settings.from_env({})
    assert settings.home == home
    assert settings.db_url == f"sqlite:///{home / 'claimbridge.db'}"
    assert settings.key_path == home / "claimbridge.key"
    assert settings.archive_path == home / "archive"
    assert settings.known_hosts_path == home / "known_hosts"


def test_every_place_follows_the_home_and_shows_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"CLAIMBRIDGE_HOME": "practice"})
    assert settings.home == tmp_path / "practice"
    assert settings.db_url == f"sqlite:///{tmp_path / 'practice' / 'claimbridge.db'}"
    assert settings.key_path == tmp_path / "practice" / "claimbridge.key"
    moved = settings.with_db("sqlite:///elsewhere.db").with_paths(
        archive=Path("raw"), known_hosts=Path("kh")
    )
    assert moved.db_url == f"sqlite:///{tmp_path / 'elsewhere.db'}"
    assert (moved.archive_path, moved.known_hosts_path) == (tmp_path / "raw", tmp_path / "kh")
    assert moved.with_paths() == moved
    assert Settings(db_url="sqlite://").db_url == "sqlite://"


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "CLAIMBRIDGE_HOME": "/srv/claimbridge",
            "CLAIMBRIDGE_DB": "postgresql+psycopg://ledger@db/claims",
            "CLAIMBRIDGE_SECRET_KEY": "synthetic-key",
            "CLAIMBRIDGE_KEY_FILE": "/etc/claimbridge/key",
            "CLAIMBRIDGE_ARCHIVE": "/var/claimbridge/archive",
            "CLAIMBRIDGE_SFTP_KNOWN_HOSTS": "/etc/claimbridge/known_hosts",
            "CLAIMBRIDGE_NON_PAR_FEE_RULE": "any_claim",
            "CLAIMBRIDGE_NON_PAR_FEE_AMOUNT": "39.95",
            "UNRELATED": "x",
        }
    )
    assert settings.home == Path("/srv/claimbridge")
    assert settings.db_url == "postgresql+psycopg://ledger@db/claims"
    assert settings.secret_key is not None and settings.secret_key.reveal() == "synthetic-key"
    assert "synthetic-key" not in repr(settings)
    assert settings.key_path == Path("/etc/claimbridge/key")
    assert settings.archive_path == Path("/var/claimbridge/archive")
    assert settings.known_hosts_path == Path("/etc/claimbridge/known_hosts")
    assert settings.fee_policy == FeePolicy(FeeRule.ANY_CLAIM, Decimal("39.95"))


def test_db_option_overrides_the_environment() -> None:
    settings = Settings.from_env({"CLAIMBRIDGE_DB": "sqlite:////a.db"})
    assert settings.with_db("sqlite:////b.db").db_url == "sqlite:////b.db"
    assert settings.with_db(None).db_url == "sqlite:////a.db"


@pytest.mark.parametrize(
    ("name", "value"),
    [("CLAIMBRIDGE_NON_PAR_FEE_RULE", "always"), ("CLAIMBRIDGE_NON_PAR_FEE_AMOUNT", "35.001")],
)
def test_bad_values_name_their_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_every_setting_is_documented() -> None:
    assert [row[0] for row in SETTINGS] == [
        "CLAIMBRIDGE_HOME",
        "CLAIMBRIDGE_DB",
        "CLAIMBRIDGE_PRACTICE",
        "CLAIMBRIDGE_SECRET_KEY",
        "CLAIMBRIDGE_KEY_FILE",
        "CLAIMBRIDGE_ARCHIVE",
        "CLAIMBRIDGE_SFTP_KNOWN_HOSTS",
        "CLAIMBRIDGE_NON_PAR_FEE_RULE",
        "CLAIMBRIDGE_NON_PAR_FEE_AMOUNT",
    ]
    assert all(help_text for _, _, help_text in SETTINGS)
    defaults = {variable: default for variable, default, _ in SETTINGS}
    assert defaults["CLAIMBRIDGE_DB"] == "sqlite:///<home>/claimbridge.db"
    assert "user data folder" in defaults["CLAIMBRIDGE_HOME"]
