"""Local files written so that a crash leaves either the old file or the new one, never half.

Used for claimbridge's own state (archive, manifest, known hosts, login marks, backups) and for
the files the simulator hands out; an OS error becomes a ``StoreError`` that names the file. A
leaf module like ``errors``: every layer may use it.

Everything claimbridge keeps may hold PHI or secrets, so what it creates is private whatever the
umask: files 0600 (``write_atomic``, ``create_private_file``) and folders 0700
(``private_folder``). Files and folders that already exist keep their modes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from claimbridge.errors import StoreError

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``: a temporary file beside it, fsync, rename, fsync the folder."""
    try:
        _write(path, data)
    except OSError as error:
        raise StoreError(f"could not write {path}: {error.strerror or error}") from error


def _write(path: Path, data: bytes) -> None:
    _make_folders(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename inside ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parent with mode 0700; an existing one is left as is."""
    try:
        _make_folders(folder)
    except OSError as error:
        detail = error.strerror or error
        raise StoreError(f"could not create the folder {folder}: {detail}") from error


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 (and its folders 0700) unless it exists; True when
    created. A file SQLite then opens keeps that mode, and so do its -wal and -journal files."""
    try:
        _make_folders(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    except OSError as error:
        raise StoreError(f"could not create {path}: {error.strerror or error}") from error
    os.fchmod(descriptor, FILE_MODE)  # the umask may have taken bits away, never added them
    os.close(descriptor)
    return True


def _make_folders(folder: Path) -> None:
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for created in reversed(missing):
        try:
            created.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue
        os.chmod(created, FOLDER_MODE)
