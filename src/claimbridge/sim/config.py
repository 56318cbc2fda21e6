"""The simulator's settings: where it keeps its folders, how it listens, what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from claimbridge.errors import ConfigError
from claimbridge.sim.scenarios import Scenario, default_scenario

OFFICE_ALLY_ID = "330897513"
OFFICE_ALLY_NAME = "OFFICE ALLY"


class EraSplit(StrEnum):
    """Office Ally's ERA split options (office-ally.md §15); the values practice.json uses."""

    NONE = "none"
    BY_PROVIDER = "by_provider"
    BY_PAYER = "by_payer"
    BY_PROVIDER_AND_PAYER = "by_provider_and_payer"
    BY_CHECK = "by_check"
    BY_PAYER_TRN03 = "by_payer_trn03"


@dataclass(frozen=True, slots=True, kw_only=True)
class SimConfig:
    """Everything the simulator needs; the password never shows in ``repr``.

    ``root`` holds ``inbound/`` and ``outbound/`` (what SFTP clients see) and ``.sim/`` (the
    simulator's own state, host key and processed uploads, hidden from clients). ``port`` 0 asks
    the system for a free port. ``delay`` is the seconds between an upload and its answers;
    ``second_era_delay`` the further seconds before a claim's second ERA (its second payment,
    or its reversal and correction). ``forward_test_claims`` answers ``OATEST`` uploads as if
    payers had seen them, which Office Ally itself does not do (see docs/simulator.md).
    ``accounts`` more accounts are served beside ``user`` (a billing company's many practices):
    ``<user>-1`` … ``<user>-<accounts>``, with the same password, each in its own folder
    ``root/<user>-<n>`` with its own ``inbound``, ``outbound`` and state; ``account`` is
    ``n`` in the settings of one of them (``for_user``), 0 for the main one.
    """

    root: Path
    host: str = "127.0.0.1"
    port: int = 2222
    user: str = "claimbridge"
    password: str = field(default="claimbridge", repr=False)
    delay: float = 0.0
    second_era_delay: float = 0.0
    scenario: Scenario = field(default_factory=default_scenario)
    era_split: EraSplit = EraSplit.NONE
    forward_test_claims: bool = True
    poll_interval: float = 0.25
    accounts: int = 0
    account: int = 0

    def __post_init__(self) -> None:
        if self.delay < 0 or self.second_era_delay < 0:
            raise ConfigError("the delays must be zero or more seconds")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port {self.port} is not between 0 and 65535")
        if not self.user or not self.password:
            raise ConfigError("the simulator needs a user name and a password")
        if self.poll_interval <= 0:
            raise ConfigError("the poll interval must be more than zero seconds")
        if self.accounts < 0:
            raise ConfigError("the number of further accounts must be zero or more")

    @property
    def users(self) -> tuple[str, ...]:
        """Every account's user name: ``user``, then ``<user>-1`` … ``<user>-<accounts>``."""
        return (self.user, *(f"{self.user}-{n}" for n in range(1, self.accounts + 1)))

    def for_user(self, user: str) -> SimConfig:
        """The settings of one account: its folder and user name; ``ConfigError`` for a user
        the simulator does not serve."""
        if user == self.user:
            return self
        if user not in self.users:
            raise ConfigError(f"the simulator serves no account {user!r}")
        number = self.users.index(user)
        return replace(self, root=self.root / user, user=user, accounts=0, account=number)

    @property
    def inbound(self) -> Path:
        """Where clients upload."""
        return self.root / "inbound"

    @property
    def outbound(self) -> Path:
        """Where the simulator answers."""
        return self.root / "outbound"

    @property
    def state_dir(self) -> Path:
        """The simulator's own files, hidden from SFTP clients."""
        return self.root / ".sim"
