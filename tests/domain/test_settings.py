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
    assert settings.db_url == "sqlite:///claimbridge.db"
    assert settings.fee_policy == FeePolicy(FeeRule.FIFTY_PERCENT, Decimal("35.00"))
    assert settings.secret_key is None


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "CLAIMBRIDGE_DB": "postgresql+psycopg://ledger@db/claims",
            "CLAIMBRIDGE_SECRET_KEY": "synthetic-key",
            "CLAIMBRIDGE_KEY_FILE": "/etc/claimbridge/key",
            "CLAIMBRIDGE_NON_PAR_FEE_RULE": "any_claim",
            "CLAIMBRIDGE_NON_PAR_FEE_AMOUNT": "39.95",
            "UNRELATED": "x",
        }
    )
    assert settings.db_url == "postgresql+psycopg://ledger@db/claims"
    assert settings.secret_key is not None and settings.secret_key.reveal() == "synthetic-key"
    assert "synthetic-key" not in repr(settings)
    assert settings.key_file == Path("/etc/claimbridge/key")
    assert settings.fee_policy == FeePolicy(FeeRule.ANY_CLAIM, Decimal("39.95"))


def test_db_option_overrides_the_environment() -> None:
    settings = Settings.from_env({"CLAIMBRIDGE_DB": "sqlite:///a.db"})
    assert settings.with_db("sqlite:///b.db").db_url == "sqlite:///b.db"
    assert settings.with_db(None).db_url == "sqlite:///a.db"


@pytest.mark.parametrize(
    ("name", "value"),
    [("CLAIMBRIDGE_NON_PAR_FEE_RULE", "always"), ("CLAIMBRIDGE_NON_PAR_FEE_AMOUNT", "35.001")],
)
def test_bad_values_name_their_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_every_setting_is_documented() -> None:
    assert [row[0] for row in SETTINGS] == [
        "CLAIMBRIDGE_DB",
        "CLAIMBRIDGE_SECRET_KEY",
        "CLAIMBRIDGE_KEY_FILE",
        "CLAIMBRIDGE_NON_PAR_FEE_RULE",
        "CLAIMBRIDGE_NON_PAR_FEE_AMOUNT",
    ]
    assert all(help_text for _, _, help_text in SETTINGS)
