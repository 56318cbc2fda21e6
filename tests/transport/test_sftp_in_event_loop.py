"""The SFTP transport used from code that runs inside an event loop, as a web view's is."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sshd_support import SshdServer

from claimbridge.transport.lockout import UnkeptMarks
from claimbridge.transport.sftp import SftpTransport


def test_the_transport_lists_and_closes_inside_a_running_event_loop(
    sshd: SshdServer, tmp_path: Path
) -> None:
    sshd.place("outbound", "FS_HCFA_123456789_IN_C.txt", b"summary", None)

    async def a_view() -> list[str]:
        # Blocking calls from a coroutine: the transport runs its own loop in its own thread,
        # and closing it must not try to run a loop in this one.
        settings = sshd.settings(tmp_path / "known_hosts")
        with SftpTransport(settings, marks=UnkeptMarks()) as transport:
            return [entry.name for entry in transport.list("outbound")]

    assert asyncio.run(a_view()) == ["FS_HCFA_123456789_IN_C.txt"]
