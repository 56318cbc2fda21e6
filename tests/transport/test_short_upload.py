"""An upload the server stored only in part (a full disk that still answered "ok") is refused
before its rename: nothing appears under the real name, the partial file is removed, and the
error says how many bytes the server kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncssh
import pytest
from sshd_support import SshdServer

from claimbridge.errors import TransportError
from claimbridge.transport import LocalDirTransport, local
from claimbridge.transport.lockout import UnkeptMarks
from claimbridge.transport.retry import NO_RETRY
from claimbridge.transport.sftp import SftpTransport

NAME = "OATEST_837P_123456789_B7_20261120T143005.txt"
CLAIMS = b"ISA*00*" + bytes(range(256)) * 64
KEPT = f"the server kept {len(CLAIMS) // 2} of the {len(CLAIMS)} bytes"


def test_a_short_file_on_the_server_is_never_renamed(
    sshd: SshdServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = asyncssh.SFTPClientFile.write

    async def half(self: asyncssh.SFTPClientFile, data: Any, offset: int | None = None) -> int:
        await write(self, data[: len(data) // 2], offset)  # acknowledged, half kept
        return len(data)

    monkeypatch.setattr(asyncssh.SFTPClientFile, "write", half)
    settings = sshd.settings(tmp_path / "known_hosts", retry=NO_RETRY)
    transport = SftpTransport(settings, marks=UnkeptMarks())
    with transport, pytest.raises(TransportError, match=KEPT) as caught:
        transport.upload(NAME, CLAIMS)

    assert caught.value.remote_path == f"inbound/{NAME}"
    assert sshd.files("inbound") == {}


def test_a_short_file_in_a_local_folder_is_never_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = local._write_synced
    monkeypatch.setattr(local, "_write_synced", lambda path, data: write(path, data[:-1]))
    transport = LocalDirTransport(tmp_path)

    with pytest.raises(TransportError, match=f"kept {len(CLAIMS) - 1} of the {len(CLAIMS)}"):
        transport.upload(NAME, CLAIMS)

    assert list((tmp_path / "inbound").iterdir()) == []
