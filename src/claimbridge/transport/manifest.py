"""What has been downloaded: one entry per remote file version, kept as JSON in the archive.

A remote file is *new* when no entry has its folder, name, size and modification time; a file
Office Ally rewrites under the same name is therefore fetched again. Each entry also records
the SHA-256 of the bytes and where the raw copy sits in the archive, so a file listed again
with the same bytes is never archived twice.

The file (``<archive>/manifest.json``) is rewritten atomically after every entry, so a crash
loses at most the entry being added, never the manifest; that file is then fetched again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from claimbridge.atomic import write_atomic
from claimbridge.errors import StoreError
from claimbridge.transport.base import RemoteFile

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One downloaded file version; ``archived_as`` is relative to the archive folder."""

    folder: str
    name: str
    size: int
    mtime: int
    sha256: str
    archived_as: str
    fetched_at: str

    @property
    def key(self) -> tuple[str, str, int, int]:
        """What identifies a remote file version: folder, name, size, mtime."""
        return (self.folder, self.name, self.size, self.mtime)


class Manifest:
    """The entries of ``path``, loaded on creation; ``record`` saves each new entry at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries = list(_load(path))
        self._keys = {entry.key for entry in self._entries}

    @property
    def entries(self) -> tuple[ManifestEntry, ...]:
        return tuple(self._entries)

    def is_new(self, remote: RemoteFile) -> bool:
        """True unless this exact version (name, size, mtime) was downloaded before."""
        return (remote.folder, remote.name, remote.size, remote.mtime) not in self._keys

    def by_sha256(self, sha256: str) -> ManifestEntry | None:
        """The first entry whose bytes had this hash."""
        return next((entry for entry in self._entries if entry.sha256 == sha256), None)

    def record(self, entry: ManifestEntry) -> None:
        """Add ``entry`` and rewrite the file atomically."""
        if entry.key in self._keys:
            return
        self._entries.append(entry)
        self._keys.add(entry.key)
        self._save()

    def _save(self) -> None:
        document = {"version": FORMAT_VERSION, "files": [asdict(e) for e in self._entries]}
        write_atomic(self.path, (json.dumps(document, indent=1) + "\n").encode())


def _load(path: Path) -> Iterable[ManifestEntry]:
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_bytes())
        return [_entry(item) for item in _files(document)]
    except OSError as error:
        raise StoreError(f"could not read {path}: {error.strerror or error}") from error
    except (ValueError, TypeError, KeyError) as error:
        raise StoreError(
            f"the download manifest {path} is damaged ({error}); restore it from a backup "
            "(every downloaded file is still in the archive beside it)"
        ) from error


def _files(document: Any) -> list[Any]:
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise ValueError(f"expected a version {FORMAT_VERSION} manifest")
    files = document["files"]
    if not isinstance(files, list):
        raise TypeError("'files' is not a list")
    return files


def _entry(item: Any) -> ManifestEntry:
    entry = ManifestEntry(**item)
    if not all(isinstance(v, int) for v in (entry.size, entry.mtime)):
        raise TypeError(f"size and mtime of {entry.name!r} must be whole numbers")
    return entry
