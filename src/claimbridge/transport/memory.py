"""``MemoryTransport``: an account held in a dict, for tests and dry runs.

Behaves like the SFTP and local transports (one contract test covers all three) and can be
told to fail: ``fail_next("download", TransportError("connection lost"))`` makes the next
download raise that error, so services' fault handling can be tested without a server.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from claimbridge.errors import InputError, RemoteFileMissing, TransportError
from claimbridge.transport.base import (
    RemoteFile,
    check_remote_folder,
    check_remote_path,
    check_same_upload,
    check_upload_name,
    is_leftover,
    is_listed_name,
    join_remote,
    temporary_name,
)
from claimbridge.transport.officeally import OFFICE_ALLY_FOLDERS, Folders


class MemoryTransport:
    """A clearinghouse account in memory: ``files`` maps ``folder/name`` to (bytes, mtime)."""

    def __init__(
        self,
        folders: Folders = OFFICE_ALLY_FOLDERS,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folders = folders
        self.files: dict[str, tuple[bytes, int]] = {}
        self.calls: list[tuple[str, str]] = []
        self.closed = False
        self._clock = clock
        self._faults: list[tuple[str, TransportError]] = []

    def put(self, path: str, data: bytes, mtime: int | None = None) -> None:
        """Place a file as the clearinghouse would (e.g. a report in ``outbound``)."""
        folder, _, name = path.rpartition("/")
        check_remote_folder(folder)
        if name in ("", ".", ".."):
            raise InputError("a file needs a name", path=path)
        self.files[path] = (data, int(self._clock()) if mtime is None else mtime)

    def fail_next(self, operation: str, error: TransportError) -> None:
        """Make the next call of ``operation`` ('upload', 'list', …) raise ``error``."""
        self._faults.append((operation, error))

    def upload(self, name: str, data: bytes) -> str:
        path = join_remote(self.folders.inbound, check_upload_name(name))
        self._enter("upload", path)
        existing = self.files.get(path)
        if existing is not None:
            check_same_upload(path, existing[0], data)
            return path
        temporary = join_remote(self.folders.inbound, temporary_name(name))
        self.put(temporary, data)
        self.files[path] = self.files.pop(temporary)
        return path

    def uploaded(self, name: str) -> bytes | None:
        path = join_remote(self.folders.inbound, check_upload_name(name))
        self._enter("uploaded", path)
        existing = self.files.get(path)
        return None if existing is None else existing[0]

    def list(self, folder: str) -> list[RemoteFile]:
        self._enter("list", check_remote_folder(folder))
        prefix = folder + "/"
        found = [
            RemoteFile(folder, path[len(prefix) :], len(data), mtime)
            for path, (data, mtime) in self.files.items()
            if path.startswith(prefix) and is_listed_name(path[len(prefix) :])
        ]
        if not found and not any(p.startswith(prefix) for p in self.files):
            self._require_known_folder(folder)
        return sorted(found, key=lambda remote: remote.name)

    def download(self, path: str) -> bytes:
        check_remote_path(path)
        self._enter("download", path)
        return self._existing(path)[0]

    def delete(self, path: str) -> None:
        check_remote_path(path)
        self._enter("delete", path)
        self._existing(path)
        del self.files[path]

    def close(self) -> None:
        self.closed = True

    def _enter(self, operation: str, path: str) -> None:
        if self.closed:
            raise TransportError("the transport is closed", remote_path=path)
        if not self.calls:  # the first use stands for a new connection
            self._remove_leftovers()
        self.calls.append((operation, path))
        for index, (failing, error) in enumerate(self._faults):
            if failing == operation:
                del self._faults[index]
                raise error

    def _remove_leftovers(self) -> None:
        prefix, now = self.folders.inbound + "/", self._clock()
        for path, (_, mtime) in list(self.files.items()):
            if path.startswith(prefix) and is_leftover(path[len(prefix) :], mtime, now):
                del self.files[path]

    def _existing(self, path: str) -> tuple[bytes, int]:
        try:
            return self.files[path]
        except KeyError:
            raise RemoteFileMissing(f"{path} is not on the server", remote_path=path) from None

    def _require_known_folder(self, folder: str) -> None:
        if folder not in (self.folders.inbound, self.folders.outbound):
            raise RemoteFileMissing(f"the folder {folder} is not on the server", remote_path=folder)
