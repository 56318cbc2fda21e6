"""Fetch what is new in ``outbound``: download once, keep the raw bytes, then record them.

For each listed file that the manifest does not know (by name, size and mtime), oldest first:

1. download every byte (a file whose length differs from the listing is still being written:
   it is left for the next fetch);
2. write the bytes to ``<archive>/<folder>/<name>`` atomically (temporary file, fsync, rename)
   — before anything parses them;
3. record name, size, mtime and SHA-256 in the manifest;
4. delete the remote file only when ``delete_remote`` is set (never by default: Office Ally's
   retention rules are not published).

A failure stops the fetch and is raised; every file finished before it stays archived and
recorded, and the file it stopped on is fetched again next time, so nothing is lost and
nothing is recorded twice. Usage::

    result = fetch_new(transport, Path("var/archive"), now=datetime.now(UTC))
    for fetched in result.fetched:
        ingest(fetched.archived)
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from claimbridge.atomic import FILE_MODE, private_folder, write_atomic
from claimbridge.errors import InputError, RemoteFileMissing, StoreError, TransportError
from claimbridge.transport.base import RemoteFile, Transport, sha256_hex
from claimbridge.transport.manifest import MANIFEST_NAME, Manifest, ManifestEntry
from claimbridge.transport.officeally import OFFICE_ALLY_FOLDERS

log = logging.getLogger("claimbridge.transport")
LOCK_NAME = ".fetch.lock"


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """A downloaded file: where it came from, its hash and its raw copy in the archive."""

    remote: RemoteFile
    sha256: str
    archived: Path


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch did.

    ``fetched``: new bytes, archived now. ``repeated``: listed as a new version, but with bytes
    already archived (not stored twice). ``vanished``: listed, then gone before the download.
    ``unsettled``: still being written, left for next time. ``deleted``: remote paths removed.
    """

    fetched: tuple[FetchedFile, ...] = ()
    repeated: tuple[FetchedFile, ...] = ()
    vanished: tuple[RemoteFile, ...] = ()
    unsettled: tuple[RemoteFile, ...] = ()
    deleted: tuple[str, ...] = ()


@dataclass
class _Progress:
    fetched: list[FetchedFile] = field(default_factory=list)
    repeated: list[FetchedFile] = field(default_factory=list)
    vanished: list[RemoteFile] = field(default_factory=list)
    unsettled: list[RemoteFile] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def result(self) -> FetchResult:
        return FetchResult(
            tuple(self.fetched),
            tuple(self.repeated),
            tuple(self.vanished),
            tuple(self.unsettled),
            tuple(self.deleted),
        )


class Archive:
    """The local folder that keeps every byte received, and its manifest; see ``open_archive``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest = Manifest(root / MANIFEST_NAME)

    def keep(self, remote: RemoteFile, data: bytes, sha256: str) -> Path:
        """Write ``data`` under the remote name; a different file of that name gets its hash."""
        target = self.root / remote.folder / remote.name
        try:
            if target.exists() and sha256_hex(target.read_bytes()) != sha256:
                target = target.with_name(f"{remote.name}.{sha256[:12]}")
        except OSError as error:
            raise StoreError(f"could not read {target}: {error.strerror or error}") from error
        if not target.exists():
            write_atomic(target, data)
        return target

    def known_copy(self, sha256: str) -> Path | None:
        """The archived file holding these bytes, if any still exists."""
        entry = self.manifest.by_sha256(sha256)
        path = self.root / entry.archived_as if entry else None
        return path if path is not None and path.exists() else None

    def record(self, remote: RemoteFile, sha256: str, archived: Path, now: datetime) -> None:
        """Add the manifest entry for ``remote`` (after its bytes are safely archived)."""
        entry = ManifestEntry(
            remote.folder,
            remote.name,
            remote.size,
            remote.mtime,
            sha256,
            archived.relative_to(self.root).as_posix(),
            now.astimezone(UTC).isoformat(),
        )
        self.manifest.record(entry)


@contextlib.contextmanager
def open_archive(root: Path) -> Iterator[Archive]:
    """The archive at ``root`` (created 0700 if missing), locked so two fetches never
    interleave."""
    with archive_lock(root):
        yield Archive(root)


@contextlib.contextmanager
def archive_lock(root: Path) -> Iterator[None]:
    """Hold the archive's lock (creating the folder 0700 if missing): no fetch writes into it
    meanwhile, so a backup copies files and manifest that agree."""
    private_folder(root)
    try:
        lock = os.fdopen(os.open(root / LOCK_NAME, os.O_WRONLY | os.O_CREAT, FILE_MODE), "a")
    except OSError as error:
        raise StoreError(f"cannot use the archive {root}: {error.strerror or error}") from error
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def fetch_new(
    transport: Transport,
    archive_root: Path,
    *,
    now: datetime,
    folder: str = OFFICE_ALLY_FOLDERS.outbound,
    delete_remote: bool = False,
) -> FetchResult:
    """Download the files of ``folder`` that the archive's manifest does not know yet."""
    if now.tzinfo is None:
        raise InputError("the fetch time must carry a time zone", path="now")
    progress = _Progress()
    with open_archive(archive_root) as archive:
        listed = sorted(transport.list(folder), key=lambda r: (r.mtime, r.name))
        for remote in listed:
            if archive.manifest.is_new(remote):
                _fetch_one(transport, archive, remote, now, progress)
            if delete_remote and not archive.manifest.is_new(remote):
                _delete(transport, remote, progress)
    return progress.result()


def _fetch_one(
    transport: Transport, archive: Archive, remote: RemoteFile, now: datetime, progress: _Progress
) -> None:
    try:
        data = transport.download(remote.path)
    except RemoteFileMissing:
        log.warning("%s was listed but is gone; skipped", remote.path)
        progress.vanished.append(remote)
        return
    if len(data) != remote.size:
        log.info("%s changed while downloading; it will be fetched next time", remote.path)
        progress.unsettled.append(remote)
        return
    _archive(archive, remote, data, now, progress)


def _archive(
    archive: Archive, remote: RemoteFile, data: bytes, now: datetime, progress: _Progress
) -> None:
    sha256 = sha256_hex(data)
    known = archive.known_copy(sha256)
    archived = known or archive.keep(remote, data, sha256)
    archive.record(remote, sha256, archived, now)
    fetched = FetchedFile(remote, sha256, archived)
    (progress.repeated if known else progress.fetched).append(fetched)
    log.info("fetched %s (%d bytes, sha256 %s)", remote.path, remote.size, sha256[:12])


def _delete(transport: Transport, remote: RemoteFile, progress: _Progress) -> None:
    """Remove an archived file from the server; a failure is logged and retried next fetch."""
    try:
        transport.delete(remote.path)
    except TransportError as error:
        log.warning("could not delete %s after fetching it: %s", remote.path, error)
        return
    progress.deleted.append(remote.path)
