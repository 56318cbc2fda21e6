"""``LocalDirTransport``: an account kept in a local folder, for offline use, demos and tests.

The folder has the clearinghouse's layout (``inbound`` and ``outbound`` under ``root``). An
upload is written to a hidden temporary file, flushed to disk, then linked under its real name,
so another process watching ``inbound`` never sees half a file; the size on disk is checked
first. The first use removes temporary uploads a dead process left (``base.is_leftover``).
OS errors become
``TransportError`` subclasses here, as asyncssh's do in ``sftp``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from claimbridge.errors import ConfigError, RemoteFileMissing, TransportError
from claimbridge.transport.base import (
    RemoteFile,
    check_complete,
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


class LocalDirTransport:
    """A clearinghouse account whose home is the local folder ``root``."""

    def __init__(self, root: Path, folders: Folders = OFFICE_ALLY_FOLDERS) -> None:
        if not root.is_dir():
            raise ConfigError(f"the local transport folder {root} does not exist")
        self.root = root
        self.folders = folders
        self.closed = False
        self._swept = False
        for folder in (folders.inbound, folders.outbound):
            (root / check_remote_folder(folder)).mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalDirTransport({str(self.root)!r})"

    def upload(self, name: str, data: bytes) -> str:
        path = join_remote(self.folders.inbound, check_upload_name(name))
        target = self._path(path)
        with _mapped_errors(path):
            if target.exists():
                check_same_upload(path, target.read_bytes(), data)
                return path
            temporary = target.with_name(temporary_name(name))
            _write_synced(temporary, data)
            _check_written(temporary, path, data)
            _link_then_drop(temporary, target, path, data)
        return path

    def uploaded(self, name: str) -> bytes | None:
        path = join_remote(self.folders.inbound, check_upload_name(name))
        target = self._path(path)
        with _mapped_errors(path):
            return target.read_bytes() if target.exists() else None

    def list(self, folder: str) -> list[RemoteFile]:
        check_remote_folder(folder)
        with _mapped_errors(folder):
            entries = list(os.scandir(self._path(folder)))
        files = [_remote_file(folder, entry) for entry in entries if _is_listed(entry)]
        return sorted(files, key=lambda remote: remote.name)

    def download(self, path: str) -> bytes:
        check_remote_path(path)
        with _mapped_errors(path):
            return self._path(path).read_bytes()

    def delete(self, path: str) -> None:
        check_remote_path(path)
        with _mapped_errors(path):
            self._path(path).unlink()

    def close(self) -> None:
        self.closed = True

    def _path(self, path: str) -> Path:
        if self.closed:
            raise TransportError("the transport is closed", remote_path=path)
        if not self._swept:
            self._swept = True
            _remove_leftovers(self.root / self.folders.inbound)
        return self.root / path


def _remove_leftovers(folder: Path) -> None:
    """Delete the temporary uploads of ours that a dead process left in ``folder``."""
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if is_leftover(entry.name, entry.stat(follow_symlinks=False).st_mtime, now):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _is_listed(entry: os.DirEntry[str]) -> bool:
    return is_listed_name(entry.name) and entry.is_file(follow_symlinks=False)


def _remote_file(folder: str, entry: os.DirEntry[str]) -> RemoteFile:
    status = entry.stat(follow_symlinks=False)
    return RemoteFile(folder, entry.name, status.st_size, int(status.st_mtime))


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _check_written(temporary: Path, path: str, data: bytes) -> None:
    """The file on disk holds every byte, or it is removed and the upload refused."""
    try:
        check_complete(path, temporary.stat().st_size, data)
    except TransportError:
        temporary.unlink()
        raise


def _link_then_drop(temporary: Path, target: Path, path: str, data: bytes) -> None:
    """Give ``temporary`` its real name without ever replacing an existing file."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        check_same_upload(path, target.read_bytes(), data)
    finally:
        temporary.unlink()


@contextlib.contextmanager
def _mapped_errors(path: str) -> Iterator[None]:
    """OS errors → ``RemoteFileMissing`` (not found) or ``TransportError`` (anything else)."""
    try:
        yield
    except FileNotFoundError as error:
        raise RemoteFileMissing(f"{path} is not there", remote_path=path) from error
    except OSError as error:
        raise TransportError(f"{path}: {error.strerror or error}", remote_path=path) from error
