"""What the simulator remembers between runs, kept in ``<root>/.sim/``.

- ``state.json``: counters, so File IDs, OA claim IDs, check numbers and control numbers never
  repeat, even across restarts;
- ``processed/``: every upload once picked up, renamed ``<FileID>_<name>``, so it is never read
  twice;
- ``pending/<FileID>/``: answers not yet due, each with its due time in ``manifest.json``;
- ``ssh_host_ed25519_key``: the server's host key, made on first start.

Every file is written to a temporary name and renamed, so a crash leaves the old or the new
version, never half of one. One lock file serialises processors (a server and a test, say).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from claimbridge.atomic import write_atomic
from claimbridge.errors import ConfigError

FIRST_FILE_ID = 310_000_001
FIRST_CLAIM_ID = 2_600_000_001
FIRST_ERA_ID = 560_000_001
FIRST_CHECK = 70_000_001
FIRST_CONTROL = 1
ACCOUNT_RANGE = 10_000  # numbers of each kind per further account (up to 20,000 accounts)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One answer for ``outbound``: its name, its text, and the ERA run it belongs to."""

    name: str
    text: str
    run: int = 0


@dataclass(slots=True)
class Counters:
    """The next number of each kind; ``take_*`` returns it and moves on."""

    file_id: int = FIRST_FILE_ID
    claim_id: int = FIRST_CLAIM_ID
    era_id: int = FIRST_ERA_ID
    check: int = FIRST_CHECK
    control: int = FIRST_CONTROL

    @classmethod
    def for_account(cls, account: int) -> Counters:
        """The first numbers of further account ``account`` (0: the main one): each numbers
        from its own range, so no two accounts share a File ID, claim ID or check number, as
        one Office Ally and its payers never reuse one."""
        return cls(
            file_id=FIRST_FILE_ID + account * ACCOUNT_RANGE,
            claim_id=FIRST_CLAIM_ID + account * ACCOUNT_RANGE,
            era_id=FIRST_ERA_ID + account * ACCOUNT_RANGE,
            check=FIRST_CHECK + account * ACCOUNT_RANGE,
            control=FIRST_CONTROL,
        )

    def take_file_id(self) -> int:
        """A new Office Ally File ID (nine digits)."""
        self.file_id += 1
        return self.file_id - 1

    def take_claim_id(self) -> str:
        """A new ten-digit OA Claim ID."""
        self.claim_id += 1
        return str(self.claim_id - 1)

    def take_era_id(self) -> int:
        """A new number for an 835 file name."""
        self.era_id += 1
        return self.era_id - 1

    def take_check(self) -> str:
        """A new check number (TRN02)."""
        self.check += 1
        return str(self.check - 1)

    def take_control(self) -> int:
        """A new interchange and group control number for an outbound X12 file."""
        self.control += 1
        return self.control - 1


class StateStore:
    """The ``.sim`` folder of one simulator root."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir
        self.processed = state_dir / "processed"
        self.pending = state_dir / "pending"
        self.host_key = state_dir / "ssh_host_ed25519_key"
        self._counters_path = state_dir / "state.json"

    def prepare(self) -> None:
        """Create the folders; fail clearly when the root cannot be written."""
        try:
            for folder in (self.dir, self.processed, self.pending):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"cannot create {self.dir}: {error.strerror}") from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the processor lock of this root."""
        self.prepare()
        with (self.dir / "lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def load_counters(self, first: Counters | None = None) -> Counters:
        """The counters saved last, or ``first`` (by default the main account's first values)."""
        try:
            data = json.loads(self._counters_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return first or Counters()
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot read {self._counters_path}: {error}") from None
        return Counters(
            **{k: int(v) for k, v in data.items() if k in Counters.__dataclass_fields__}
        )

    def save_counters(self, counters: Counters) -> None:
        """Keep ``counters`` for the next run."""
        text = json.dumps(asdict(counters), indent=2, sort_keys=True) + "\n"
        write_atomic(self._counters_path, text.encode())
