"""Settings: a frozen dataclass with documented fields, read from ``CLAIMBRIDGE_*`` variables.

Only entry points (the command line, the web app, the simulator) call ``Settings.from_env``; the
result is passed down, and ``x12/`` and ``domain/`` never read the environment. Each field's
metadata names its variable and says what it does::

    settings = Settings.from_env(os.environ)
    store = Store(settings.db_url)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from claimbridge.domain.fees import DEFAULT_FEE_AMOUNT, FeePolicy, FeeRule
from claimbridge.domain.models import Secret
from claimbridge.domain.money import money_problem, to_money
from claimbridge.errors import ConfigError

DEFAULT_DB_URL = "sqlite:///claimbridge.db"


def _doc(env: str, help: str) -> dict[str, str]:
    return {"env": env, "help": help}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything claimbridge can be told from outside; defaults suit a single practice."""

    db_url: str = field(
        default=DEFAULT_DB_URL,
        metadata=_doc(
            "CLAIMBRIDGE_DB",
            "SQLAlchemy URL of the ledger: sqlite:///path.db or postgresql+psycopg://…",
        ),
    )
    secret_key: Secret | None = field(
        default=None,
        metadata=_doc(
            "CLAIMBRIDGE_SECRET_KEY",
            "Fernet key for the SFTP password; when unset, the key file is used",
        ),
    )
    key_file: Path | None = field(
        default=None,
        metadata=_doc(
            "CLAIMBRIDGE_KEY_FILE",
            "where the Fernet key file is; default: next to a SQLite database, "
            "else claimbridge.key in the working folder",
        ),
    )
    fee_rule: FeeRule = field(
        default=FeeRule.FIFTY_PERCENT,
        metadata=_doc(
            "CLAIMBRIDGE_NON_PAR_FEE_RULE",
            "fifty_percent (fee when ≥50% of a month's claims are Non-Par) or any_claim",
        ),
    )
    fee_amount: Decimal = field(
        default=DEFAULT_FEE_AMOUNT,
        metadata=_doc(
            "CLAIMBRIDGE_NON_PAR_FEE_AMOUNT",
            "monthly Non-Par fee per (tax ID, rendering NPI), e.g. 35.00 or 39.95",
        ),
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from ``CLAIMBRIDGE_*`` variables; ``ConfigError`` names a bad one."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            text = environ.get(item.metadata["env"], "").strip()
            if text:
                values[item.name] = _convert(item.name, item.metadata["env"], text)
        return cls(**values)

    def with_db(self, db_url: str | None) -> Settings:
        """A copy using ``db_url`` when one is given (a ``--db`` option)."""
        return replace(self, db_url=db_url) if db_url else self

    @property
    def fee_policy(self) -> FeePolicy:
        """The Non-Par fee rule and amount."""
        return FeePolicy(self.fee_rule, self.fee_amount)


def _convert(name: str, env: str, text: str) -> Any:
    if name == "secret_key":
        return Secret(text)
    if name == "key_file":
        return Path(text)
    if name == "fee_rule":
        return parse_fee_rule(text, env)
    if name == "fee_amount":
        return parse_fee_amount(text, env)
    return text


def parse_fee_rule(text: str, where: str) -> FeeRule:
    """``text`` as a fee rule; ``ConfigError`` naming ``where`` when it is not one."""
    try:
        return FeeRule(text)
    except ValueError:
        choices = ", ".join(rule.value for rule in FeeRule)
        raise ConfigError(f"{where}: {text!r} is not a fee rule ({choices})") from None


def parse_fee_amount(text: str, where: str) -> Decimal:
    """``text`` as a fee amount; ``ConfigError`` naming ``where`` when it is not one."""
    problem = money_problem(text)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return to_money(text)


SETTINGS: tuple[tuple[str, str, str], ...] = tuple(
    (item.metadata["env"], str(item.default), item.metadata["help"]) for item in fields(Settings)
)
"""(variable, default, help) for each setting, for documentation."""
