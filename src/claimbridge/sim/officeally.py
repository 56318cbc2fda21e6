"""The simulator's Office Ally: picks up uploads from ``inbound`` and answers in ``outbound``.

``process_inbound_once(root, config, now)`` does one round, synchronously:

1. every complete upload in ``inbound`` (a visible regular file whose name contains ``837P``,
   not being written by an SFTP client, not a temporary name) gets the next File ID, is
   answered (``answer.answer_upload``), and is moved to ``.sim/processed/<FileID>_<name>`` so it
   is never read twice;
2. the answers wait in ``.sim/pending/<FileID>/`` until due: ``now + delay`` (second ERAs
   ``second_era_delay`` later);
3. every answer that is due is written to ``outbound`` through a hidden temporary name and a
   rename, so a client never sees half a file.

The server calls it every ``poll_interval`` seconds; tests and the demo call it with the time
they want, so nothing has to sleep.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from claimbridge.atomic import write_atomic
from claimbridge.errors import ConfigError
from claimbridge.sim.answer import answer_upload
from claimbridge.sim.config import SimConfig
from claimbridge.sim.reports import Upload
from claimbridge.sim.state import Counters, OutputFile, StateStore

log = logging.getLogger(__name__)

UPLOAD_KEYWORD = "837P"
_TEMPORARY_SUFFIXES = (".part", ".tmp", ".filepart")
_MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Submission:
    """One upload picked up: its File ID, its name, whether it failed, and its answers' names."""

    file_id: int
    name: str
    failed: bool
    outputs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProcessResult:
    """What one round did: uploads picked up, and answers written to ``outbound``."""

    submissions: tuple[Submission, ...]
    delivered: tuple[str, ...]


def process_inbound_once(
    root: str | Path,
    config: SimConfig | None = None,
    now: datetime | None = None,
    *,
    busy: Set[str] = frozenset(),
) -> ProcessResult:
    """One round over ``root`` at ``now`` (the clock when None).

    ``config`` gives the scenario, split option and delays (its own ``root`` is replaced by
    ``root``); ``busy`` names inbound files still being written, which are left for later.
    """
    root = Path(root)
    config = replace(config, root=root) if config else SimConfig(root=root)
    now = now or datetime.now()
    store = StateStore(config.state_dir)
    prepare_root(config)
    with store.locked():
        counters = store.load_counters(Counters.for_account(config.account))
        submissions = []
        for path in waiting_uploads(config.inbound, busy):
            submission = _take(path, config, counters, now, store)
            store.save_counters(counters)
            if submission is not None:
                submissions.append(submission)
        delivered = _deliver_due(store, config.outbound, now)
    return ProcessResult(tuple(submissions), tuple(delivered))


def prepare_root(config: SimConfig) -> None:
    """Create ``inbound``, ``outbound`` and the state folders."""
    try:
        config.inbound.mkdir(parents=True, exist_ok=True)
        config.outbound.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot create the folders in {config.root}: {error.strerror}") from None
    StateStore(config.state_dir).prepare()


def is_upload_name(name: str) -> bool:
    """True for a name Office Ally picks up: visible, holds ``837P``, not a temporary name."""
    return (
        not name.startswith(".")
        and UPLOAD_KEYWORD in name
        and not name.lower().endswith(_TEMPORARY_SUFFIXES)
    )


def waiting_uploads(inbound: Path, busy: Set[str] = frozenset()) -> list[Path]:
    """The uploads to pick up, oldest first."""
    found = []
    for entry in os.scandir(inbound):
        name = entry.name
        if entry.is_file(follow_symlinks=False) and is_upload_name(name) and name not in busy:
            found.append((entry.stat().st_mtime_ns, name, Path(entry.path)))
    return [path for _, _, path in sorted(found)]


def _take(
    path: Path, config: SimConfig, counters: Counters, now: datetime, store: StateStore
) -> Submission | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None  # the client removed it before we got to it
    upload = Upload(path.name, counters.take_file_id(), now, config.user.upper())
    text = data.decode("utf-8", errors="replace")
    answer = answer_upload(upload, text, config, counters, now)
    _schedule(store, upload.file_id, answer.outputs, config, now)
    os.replace(path, store.processed / f"{upload.file_id}_{path.name}")
    log.info("picked up %s as File ID %d", path.name, upload.file_id)
    names = tuple(output.name for output in answer.outputs)
    return Submission(upload.file_id, path.name, answer.failed, names)


def _schedule(
    store: StateStore,
    file_id: int,
    outputs: Sequence[OutputFile],
    config: SimConfig,
    now: datetime,
) -> None:
    folder = store.pending / str(file_id)
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for index, output in enumerate(outputs):
        delay = config.delay + (config.second_era_delay if output.run else 0)
        due = now + timedelta(seconds=delay)
        write_atomic(folder / f"{index:03d}", output.text.encode())
        entries.append({"name": output.name, "file": f"{index:03d}", "due": due.isoformat()})
    _write_manifest(folder, entries)


def _write_manifest(folder: Path, entries: list[dict[str, str]]) -> None:
    write_atomic(folder / _MANIFEST, json.dumps({"outputs": entries}, indent=2).encode())


def _pending_folders(store: StateStore) -> Iterator[Path]:
    folders = [p for p in store.pending.iterdir() if (p / _MANIFEST).is_file()]
    yield from sorted(folders, key=lambda p: (len(p.name), p.name))


def _deliver_due(store: StateStore, outbound: Path, now: datetime) -> list[str]:
    delivered = []
    for folder in _pending_folders(store):
        entries = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))["outputs"]
        waiting = []
        for entry in entries:
            if datetime.fromisoformat(entry["due"]) <= now:
                delivered.append(_deliver(folder, entry, outbound))
            else:
                waiting.append(entry)
        if waiting:
            _write_manifest(folder, waiting)
        else:
            shutil.rmtree(folder)
    return delivered


def _deliver(folder: Path, entry: dict[str, str], outbound: Path) -> str:
    name = entry["name"]
    if (outbound / name).exists():  # e.g. the same upload name sent twice
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem}_{folder.name}{dot}{suffix}" if dot else f"{name}_{folder.name}"
    write_atomic(outbound / name, (folder / entry["file"]).read_bytes())
    return name
