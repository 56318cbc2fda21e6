"""Kill the running process with SIGKILL at a named step of ``submit``: the crash-injection
tests' hook, which exists only here. ``install(step)`` wraps the functions at that step's
boundary; the tests run ``claimbridge``'s main() after it when ``CLAIMBRIDGE_CRASH_AT`` names a
step (``HOOKED_MAIN``). The package itself has no hook and reads no such variable.

Steps, in the order a file meets them:

``before_upload``  the intent is committed, nothing is sent yet
``mid_upload``     half the bytes are written to the temporary file (acknowledged by the server)
``after_rename``   the file is under its real name; the transport has not returned
``before_commit``  the upload returned; the batch is not yet confirmed ``sent``
``after_commit``   the batch is confirmed ``sent``
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

STEPS = ("before_upload", "mid_upload", "after_rename", "before_commit", "after_commit")
HOOKED_MAIN = (
    "import os, sys; import crash_at; crash_at.install(os.environ['CLAIMBRIDGE_CRASH_AT']); "
    "from claimbridge.cli import main; sys.argv[0] = 'claimbridge'; main()"
)


def die() -> None:
    """SIGKILL: no handler, no ``finally``, no flush; what a power cut or the OOM killer does."""
    os.kill(os.getpid(), signal.SIGKILL)


def install(step: str) -> None:
    """Make this process die at ``step`` of its next submission."""
    {
        "before_upload": _before_upload,
        "mid_upload": _mid_upload,
        "after_rename": _after_rename,
        "before_commit": _before_commit,
        "after_commit": _after_commit,
    }[step]()


def _before_upload() -> None:
    from claimbridge.services import submit

    submit._upload = lambda *args: die()  # type: ignore[assignment]


def _mid_upload() -> None:
    import asyncssh

    from claimbridge.transport import local

    write_local = local._write_synced

    def half_local(path: Path, data: bytes) -> None:
        write_local(path, data[: len(data) // 2])
        die()

    write_sftp = asyncssh.SFTPClientFile.write

    async def half_sftp(self: Any, data: Any, offset: int | None = None) -> int:
        await write_sftp(self, data[: len(data) // 2], offset)
        die()
        return 0

    local._write_synced = half_local
    asyncssh.SFTPClientFile.write = half_sftp  # type: ignore[method-assign]


def _after_rename() -> None:
    from claimbridge.transport import local, sftp

    link = local._link_then_drop
    rename = sftp._rename_once

    def linked(*args: Any) -> None:
        link(*args)
        die()

    async def renamed(*args: Any) -> None:
        await rename(*args)
        die()

    local._link_then_drop = linked
    sftp._rename_once = renamed


def _before_commit() -> None:
    from claimbridge.services import submit

    submit._confirm = lambda *args: die()


def _after_commit() -> None:
    from claimbridge.services import submit

    confirm = submit._confirm

    def confirmed(*args: Any) -> None:
        confirm(*args)
        die()

    submit._confirm = confirmed
