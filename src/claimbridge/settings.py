"""Settings: a frozen dataclass with documented fields, read from ``CLAIMBRIDGE_*`` variables.

Only entry points (the command line, the web app, the simulator) call ``Settings.from_env``; the
result is passed down, and ``x12/`` and ``domain/`` never read the environment. Each field's
metadata names its variable and says what it does::

    settings = Settings.from_env(os.environ)
    store = Store(settings.db_url)

Everything claimbridge keeps lives in one folder, the home (``CLAIMBRIDGE_HOME``, else the
platform's user data folder): the SQLite ledger, the archive, the key file and the known-hosts
file. Each may be put elsewhere by its own setting; every path is absolute, so messages name
files unambiguously.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from claimbridge.domain.fees import DEFAULT_FEE_AMOUNT, FeePolicy, FeeRule
from claimbridge.domain.models import Secret
from claimbridge.domain.money import money_problem, to_money
from claimbridge.errors import ConfigError

LEDGER_NAME = "claimbridge.db"
KEY_NAME = "claimbridge.key"
ARCHIVE_NAME = "archive"
KNOWN_HOSTS_NAME = "known_hosts"


def default_home() -> Path:
    """The platform's user data folder for claimbridge (~/.local/share/claimbridge on Linux)."""
    return platformdirs.user_data_path("claimbridge")


def _doc(env: str, help: str, default: str | None = None) -> dict[str, str]:
    return {"env": env, "help": help} | ({"default": default} if default else {})


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything claimbridge can be told from outside; defaults suit a single practice."""

    home: Path = field(
        default_factory=default_home,
        metadata=_doc(
            "CLAIMBRIDGE_HOME",
            "the folder of the ledger, archive, key file and known-hosts file (created 0700)",
            "the platform's user data folder (~/.local/share/claimbridge on Linux)",
        ),
    )
    db_url: str = field(
        default="",
        metadata=_doc(
            "CLAIMBRIDGE_DB",
            "SQLAlchemy URL of the ledger: sqlite:///path.db or postgresql+psycopg://…",
            f"sqlite:///<home>/{LEDGER_NAME}",
        ),
    )
    practice: str | None = field(
        default=None,
        metadata=_doc(
            "CLAIMBRIDGE_PRACTICE",
            "the key of the practice commands work in (--practice wins); needed only when the "
            "ledger holds several",
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
        metadata=_doc("CLAIMBRIDGE_KEY_FILE", "where the Fernet key file is", f"<home>/{KEY_NAME}"),
    )
    archive: Path | None = field(
        default=None,
        metadata=_doc(
            "CLAIMBRIDGE_ARCHIVE",
            "where every downloaded file's raw bytes are kept, with a manifest (--archive wins)",
            f"<home>/{ARCHIVE_NAME}",
        ),
    )
    known_hosts: Path | None = field(
        default=None,
        metadata=_doc(
            "CLAIMBRIDGE_SFTP_KNOWN_HOSTS",
            "the known-hosts file Office Ally's host key is pinned in; the rejected-login "
            "marks sit beside it (--known-hosts wins)",
            f"<home>/{KNOWN_HOSTS_NAME}",
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

    def __post_init__(self) -> None:
        home = self.home.expanduser().absolute()
        object.__setattr__(self, "home", home)
        url = self.db_url or f"sqlite:///{home / LEDGER_NAME}"
        object.__setattr__(self, "db_url", absolute_sqlite_url(url))

    def with_db(self, db_url: str | None) -> Settings:
        """A copy using ``db_url`` when one is given (a ``--db`` option)."""
        return replace(self, db_url=db_url) if db_url else self

    def with_practice(self, practice: str | None) -> Settings:
        """A copy working in the practice ``practice`` when one is given (``--practice``)."""
        return replace(self, practice=practice) if practice else self

    def with_paths(
        self, *, archive: Path | None = None, known_hosts: Path | None = None
    ) -> Settings:
        """A copy using the ``--archive`` and ``--known-hosts`` options that were given."""
        return replace(
            self, archive=archive or self.archive, known_hosts=known_hosts or self.known_hosts
        )

    @property
    def key_path(self) -> Path:
        """The key file: ``CLAIMBRIDGE_KEY_FILE``, else ``claimbridge.key`` in the home."""
        return _absolute(self.key_file) if self.key_file else self.home / KEY_NAME

    @property
    def archive_path(self) -> Path:
        """The archive folder: ``--archive``/``CLAIMBRIDGE_ARCHIVE``, else ``archive`` in the
        home."""
        return _absolute(self.archive) if self.archive else self.home / ARCHIVE_NAME

    @property
    def known_hosts_path(self) -> Path:
        """The known-hosts file: ``--known-hosts``/``CLAIMBRIDGE_SFTP_KNOWN_HOSTS``, else
        ``known_hosts`` in the home."""
        return _absolute(self.known_hosts) if self.known_hosts else self.home / KNOWN_HOSTS_NAME

    @property
    def fee_policy(self) -> FeePolicy:
        """The Non-Par fee rule and amount."""
        return FeePolicy(self.fee_rule, self.fee_amount)


def _absolute(path: Path) -> Path:
    return path.expanduser().absolute()


def absolute_sqlite_url(url: str) -> str:
    """``url``, with a SQLite file named by a relative path named by its absolute path."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return url  # Store names the problem without showing the password
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return url
    if Path(database).is_absolute() or database.startswith("file:"):
        return url
    return parsed.set(database=str(_absolute(Path(database)))).render_as_string(hide_password=False)


def _convert(name: str, env: str, text: str) -> Any:
    if name == "secret_key":
        return Secret(text)
    if name in ("home", "key_file", "archive", "known_hosts"):
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
    (item.metadata["env"], item.metadata.get("default", str(item.default)), item.metadata["help"])
    for item in fields(Settings)
)
"""(variable, default, help) for each setting, for documentation."""
