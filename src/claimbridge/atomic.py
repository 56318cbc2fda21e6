"""Local files written so that a crash leaves either the old file or the new one, never half.

Used for claimbridge's own state (archive, manifest, known hosts, login marks) and for the
files the simulator hands out; an OS error becomes a ``StoreError`` that names the file. A leaf
module like ``errors``: every layer may use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from claimbridge.errors import StoreError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``: a temporary file beside it, fsync, rename, fsync the folder."""
    try:
        _write(path, data)
    except OSError as error:
        raise StoreError(f"could not write {path}: {error.strerror or error}") from error


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
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
