"""What the job tests share: transports made per connection, some of them failing."""

from __future__ import annotations

from claimbridge.domain.models import ClearinghouseAccount
from claimbridge.errors import TransportError
from claimbridge.store.db import Store
from claimbridge.transport.memory import MemoryTransport


class Connections:
    """A fresh ``MemoryTransport`` per connection; the first ``failing`` of them fail to list."""

    def __init__(self, error: TransportError | None = None, failing: int = 0) -> None:
        self.error, self.failing = error, failing
        self.made: list[MemoryTransport] = []

    def __call__(self, account: ClearinghouseAccount, store: Store) -> MemoryTransport:
        made = MemoryTransport()
        if self.error is not None and len(self.made) < self.failing:
            made.fail_next("list", self.error)
        self.made.append(made)
        return made
