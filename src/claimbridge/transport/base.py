"""The transport interface every way of reaching Office Ally implements, and its shared rules.

A transport moves whole files between claimbridge and one clearinghouse account::

    upload(name, data)  -> remote path   into the upload folder (Office Ally: ``inbound``)
    list(folder)        -> [RemoteFile]  regular files only, hidden and temporary ones left out
    download(path)      -> bytes         e.g. ``outbound/FS_HCFA_123456789_IN_C.txt``
    delete(path)                          only when a setting asks for it
    close()

Methods are synchronous: services call them from ordinary code. Remote paths are relative,
``folder/name``, with ``/`` as separator whatever the local system uses.

Every implementation shares these rules, checked by one contract test over all of them:

* An upload is written under a temporary name and renamed when complete, so the server never
  sees a partial file under its real name. The temporary name (``.part-<hash>``) is hidden and
  holds neither ``837P`` nor ``OATEST``, the keywords Office Ally looks for.
* Before the rename, the size the server holds is compared with the local bytes; a shorter
  file (a full disk) is removed and the upload fails, so it never appears under its real name.
* Uploading a name that already exists is a no-op when the bytes are the same (a retry after a
  lost reply) and an error when they differ: names are unique per batch, never overwritten.
* On its first use (its connection), a transport removes the temporary uploads of ours left in
  the upload folder by a process that died, once untouched for ``LEFTOVER_AGE`` seconds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

from claimbridge.errors import InputError, TransportError

UPLOAD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
TEMPORARY_PREFIX = ".part-"
TEMPORARY_NAME = re.compile(r"\.part-[0-9a-f]{20}")
# Seconds a temporary upload must lie untouched before it counts as a dead process's leftover:
# twice the longest one upload attempt may take (``SftpSettings.operation_timeout``, 300 s), so
# another process's upload in progress, whose file changes with every write, is never removed.
LEFTOVER_AGE = 600


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One file listed on the server; ``mtime`` is whole seconds since the epoch (SFTP v3)."""

    folder: str
    name: str
    size: int
    mtime: int

    @property
    def path(self) -> str:
        """The path to pass to ``download``: ``folder/name``."""
        return join_remote(self.folder, self.name)


class Transport(Protocol):
    """Whole-file access to one clearinghouse account. Services receive one; never build one."""

    def upload(self, name: str, data: bytes) -> str:
        """Write ``data`` as ``name`` in the upload folder, atomically; return its remote path."""
        ...

    def uploaded(self, name: str) -> bytes | None:
        """The bytes of the file ``name`` in the upload folder, or None when there is none."""
        ...

    def list(self, folder: str) -> list[RemoteFile]:
        """The regular, visible files in ``folder``, sorted by name."""
        ...

    def download(self, path: str) -> bytes:
        """Every byte of the file at ``path``."""
        ...

    def delete(self, path: str) -> None:
        """Remove the file at ``path``."""
        ...

    def close(self) -> None:
        """Release the connection; the transport may not be used afterwards."""
        ...


def check_upload_name(name: str) -> str:
    """``name`` if it is a plain file name we may upload: letters, digits, ``.``, ``_``, ``-``."""
    if not UPLOAD_NAME.fullmatch(name):
        raise InputError(
            "an upload name may hold only letters, digits, '.', '_' and '-', "
            "and must start with a letter or digit",
            path=repr(name),
        )
    return name


def is_listed_name(name: str) -> bool:
    """True for names ``list`` reports: not hidden (temporary uploads are hidden)."""
    return bool(name) and not name.startswith(".") and "/" not in name and "\0" not in name


def check_remote_path(path: str) -> tuple[str, str]:
    """Split a relative remote path into (folder, name), refusing anything that climbs out."""
    folder, _, name = path.rpartition("/")
    if not folder or not is_listed_name(name):
        raise InputError("a remote path must be 'folder/name' with a visible file name", path=path)
    check_remote_folder(folder)
    return folder, name


def check_remote_folder(folder: str) -> str:
    """``folder`` if it is relative and every part of it is a plain name."""
    parts = folder.split("/")
    if folder.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise InputError("a remote folder must be relative, without '.' or '..'", path=folder)
    return folder


def join_remote(folder: str, name: str) -> str:
    """``folder/name`` with the remote separator."""
    return f"{folder}/{name}"


def temporary_name(name: str) -> str:
    """The hidden name an upload of ``name`` is written under before its rename.

    It is derived from ``name`` so that a retried upload overwrites its own leftover, and it
    holds neither ``837P`` nor ``OATEST``.
    """
    return TEMPORARY_PREFIX + hashlib.sha256(name.encode()).hexdigest()[:20]


def is_leftover(name: str, mtime: float, now: float) -> bool:
    """True for a temporary upload of ours untouched for ``LEFTOVER_AGE`` seconds."""
    return bool(TEMPORARY_NAME.fullmatch(name)) and now - mtime >= LEFTOVER_AGE


def check_complete(path: str, stored: int, data: bytes) -> None:
    """Refuse an upload whose temporary file holds fewer (or more) bytes than were sent."""
    if stored != len(data):
        raise TransportError(
            f"the server kept {stored} of the {len(data)} bytes of {path} (is its disk full?); "
            "the partial file was removed and nothing appeared under the real name",
            remote_path=path,
        )


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lower-case hex digits."""
    return hashlib.sha256(data).hexdigest()


def check_same_upload(path: str, existing: bytes, data: bytes) -> None:
    """Accept a repeated upload of identical bytes; refuse to replace a file with other bytes."""
    if existing != data:
        raise TransportError(
            f"{path} already exists with different content; upload names are unique per batch "
            "and are never overwritten",
            remote_path=path,
        )
