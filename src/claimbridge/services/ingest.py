"""The one way returned files enter the ledger: ``poll``, ``import`` and ``watch`` all end here.

::

    reports = ingest_bytes(store, "FS_HCFA_123_IN_C.txt", data)      # one file
    reports = ingest_paths(store, [Path("a.835"), Path("b.999")])    # files brought by hand
    reports = poll(store, transport, Path("archive"), now=now, actor="dana", source=account)

For each file, in ONE database transaction:

1. its bytes are kept in ``inbound_files`` (once by SHA-256: the same bytes under another name
   change nothing and are reported as a duplicate);
2. it is identified by content (``x12.sniff``), never by name; a zip is unpacked and each member
   ingested the same way, in the same transaction;
3. it is applied (``services.acks`` for TA1, 999, 277CA and Office Ally's reports,
   ``services.post`` for 835s) inside a savepoint: a file that cannot be read is rolled back to
   its kept bytes, recorded ``failed`` with the reason, and the next file goes on; a claim
   to the next payer whose replacement or void waited for its payer's answer gets it
   (``services.claim_chain.follow_waiting``);
4. its outcome (applied, held, failed, unknown, unpacked, kept) and a one-line detail are
   stored on its ``inbound_files`` row. An 835 any of whose transaction sets is held (its
   totals do not balance) is ``held`` as a whole, its detail naming every held set first, until
   a person posts it anyway or dismisses it (``services.reposting``); the sets that balance are
   posted meanwhile. A transaction set whose group disagrees with it (GS01 against ST01, GS08
   against ST03) fails the file with the reason (``x12.reader.check_group``).

A crash anywhere rolls the file's transaction back; running again applies it exactly once.
Under ``stopping.stop_on_signals()`` (``claimbridge watch``) SIGTERM or Ctrl-C lets the file in
hand finish and commit (``finish_first``), then stops the poll, which is recorded as stopped.
``poll`` downloads into the raw archive first (``transport.fetch_new``), then ingests every
archived file the ledger does not have yet, so a crash between the two loses nothing. Every
poll, failed or not, leaves a ``polls`` row (``services.polls``).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import lzma
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.oa_reports import parse_edi_status, parse_file_summary
from claimbridge.errors import ClaimbridgeError, InputError, Stopped, StoreError
from claimbridge.services import acks
from claimbridge.services.changes import Changes, chunks
from claimbridge.services.claim_chain import follow_waiting
from claimbridge.services.polls import Poll, record_poll
from claimbridge.services.post import post_remittance
from claimbridge.stopping import finish_first
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import record_inbound_file
from claimbridge.transport.base import Transport
from claimbridge.transport.fetch import fetch_new
from claimbridge.transport.manifest import MANIFEST_NAME, Manifest
from claimbridge.x12.envelope import iter_envelopes
from claimbridge.x12.reader import check_group, parse_envelopes
from claimbridge.x12.sniff import FileKind, sniff_bytes
from claimbridge.x12.tokenizer import CHUNK_SIZE, iter_segments

_X12 = frozenset({FileKind.TA1, FileKind.X999, FileKind.X277CA, FileKind.X277, FileKind.X835})
MAX_ZIP_UNPACKED = 256 * 1024 * 1024  # every member of a zip unpacked, together: 256 MiB
MAX_ZIP_MEMBERS = 1000  # Office Ally's zips hold a day's reports and ERAs: tens of files
MAX_ZIP_RATIO = 100  # unpacked / packed: X12 and reports pack 10-30 times; bombs, thousands
MIN_ZIP_ALLOWANCE = 16 * 1024 * 1024  # what a small zip may always unpack to
ZIP_READ = 1024 * 1024
# What a damaged zip raises while it is unpacked: zipfile's own errors, the decompressors' (a
# broken deflate stream is a zlib.error), RuntimeError for an encrypted member or a compression
# method zipfile does not know.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    RuntimeError,
    zlib.error,
    lzma.LZMAError,
)

Progress = Callable[[int], None]


class Outcome(StrEnum):
    """What became of a returned file (``inbound_files.outcome``)."""

    APPLIED = "applied"  # read and applied to the ledger
    HELD = "held"  # read, but held for a person (an 835 whose totals do not balance)
    DISMISSED = "dismissed"  # held, then set aside by a person with a reason; nothing posted
    FAILED = "failed"  # could not be read; kept with the reason
    UNKNOWN = "unknown"  # not a kind claimbridge knows; kept for a person
    UNPACKED = "unpacked"  # a zip whose members were ingested one by one
    KEPT = "kept"  # known, but nothing to apply (Office Ally's readable ERA text, an 837P)
    DUPLICATE = "duplicate"  # the same bytes were ingested before (never stored twice)


@dataclass(frozen=True, slots=True)
class FileReport:
    """What ingesting one file did."""

    name: str
    sha256: str
    kind: FileKind
    outcome: Outcome
    detail: str
    inbound_file_id: int | None


@dataclass(frozen=True, slots=True)
class ReturnedFile:
    """A file kept in the ledger (``inbound_files``) and what became of it."""

    id: int
    name: str
    kind: str
    outcome: str
    detail: str
    received_at: datetime
    remote_path: str | None


def returned_files(
    session: Session, outcomes: Iterable[Outcome] = (), limit: int | None = None
) -> list[ReturnedFile]:
    """The files kept, newest first (``limit`` of them when given); only those whose outcome
    is one of ``outcomes`` when any are named."""
    file = t.InboundFileRow
    columns = (file.id, file.name, file.detected_type, file.outcome, file.outcome_detail)
    query = select(*columns, file.received_at, file.remote_path).order_by(file.id.desc())
    wanted = [outcome.value for outcome in outcomes]
    if wanted:
        query = query.where(file.outcome.in_(wanted))
    if limit is not None:
        query = query.limit(limit)
    return [
        ReturnedFile(file_id, name, kind or "", outcome, detail or "", received, remote)
        for file_id, name, kind, outcome, detail, received, remote in session.execute(query)
    ]


class _Unreadable(ClaimbridgeError):
    """Raised inside an apply to roll its savepoint back with a reason."""


def ingest_bytes(
    store: Store, name: str, data: bytes, *, remote_path: str | None = None
) -> list[FileReport]:
    """Ingest one file (a zip: it and each member) in one transaction; one report per file.

    Under ``stopping.stop_on_signals()`` (``claimbridge watch``) a SIGTERM or Ctrl-C that comes
    while the file is applied lets it finish and commit, then stops.
    """
    with finish_first(), store.transaction() as session:
        return _ingest(store, session, name, data, remote_path)


def ingest_paths(
    store: Store, paths: Sequence[Path], progress: Progress | None = None
) -> list[FileReport]:
    """Files brought by hand: each read and ingested in its own transaction, in order."""
    reports: list[FileReport] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read {path}: {error.strerror or error}") from None
        reports += ingest_bytes(store, path.name, data)
        if progress is not None:
            progress(1)
    return reports


def poll(
    store: Store,
    transport: Transport,
    archive_root: Path,
    *,
    now: datetime,
    actor: str,
    source: str,
    progress: Progress | None = None,
) -> list[FileReport]:
    """Download what is new into the archive, then ingest every archived file not yet read.

    Every call is recorded (``services.polls``) as ``actor`` polling ``source`` (the SFTP
    account or folder; never a password), also when it fails: the error is recorded, then
    raised again.
    """
    reports: list[FileReport] = []
    started = time.monotonic()

    def record(ok: bool, detail: str) -> None:
        failed = sum(1 for report in reports if report.outcome is Outcome.FAILED)
        finished = now + timedelta(seconds=time.monotonic() - started)
        with finish_first():
            record_poll(store, Poll(now, finished, actor, source, len(reports), failed, ok, detail))

    try:
        fetch_new(transport, archive_root, now=now)
        _ingest_new(store, archive_root, reports, progress)
    except (Exception, KeyboardInterrupt) as error:
        record(False, _failure(error))
        raise
    record(True, poll_summary(reports))
    return reports


def ingest_archive(
    store: Store, archive_root: Path, progress: Progress | None = None
) -> list[FileReport]:
    """Ingest the archive's files whose bytes the ledger does not have yet, oldest first."""
    reports: list[FileReport] = []
    _ingest_new(store, archive_root, reports, progress)
    return reports


def poll_summary(reports: Sequence[FileReport]) -> str:
    """'3 files: 2 applied, 1 failed', or 'nothing new'."""
    counted = {o: sum(1 for r in reports if r.outcome is o) for o in Outcome}
    summary = ", ".join(f"{n} {o.value}" for o, n in counted.items() if n)
    return f"{len(reports)} files: {summary}" if reports else "nothing new"


def _failure(error: BaseException) -> str:
    """The words a failed poll is recorded with: our own messages, never a third party's."""
    if isinstance(error, Stopped):
        return f"stopped by {error.how} before it ended; the rest is read at the next poll"
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (Ctrl-C) before it ended"
    if isinstance(error, ClaimbridgeError):
        return str(error)
    return f"an unexpected {type(error).__name__}; the log has the details"


def _ingest_new(
    store: Store, archive_root: Path, reports: list[FileReport], progress: Progress | None
) -> None:
    """Ingest each archived file the ledger does not have yet, in turn, adding its reports to
    ``reports`` as it goes (a poll that fails or is stopped counts the files it finished)."""
    entries = Manifest(archive_root / MANIFEST_NAME).entries
    with store.read() as session:
        known = _known_hashes(session, [entry.sha256 for entry in entries])
    for entry in entries:
        if entry.sha256 in known:
            continue
        known.add(entry.sha256)
        data = _read_archived(archive_root / entry.archived_as)
        remote = f"{entry.folder}/{entry.name}"
        with finish_first():  # a stop signal waits until the file is applied and counted
            reports += ingest_bytes(store, entry.name, data, remote_path=remote)
            if progress is not None:
                progress(1)


def _read_archived(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise StoreError(f"the archived copy {path} cannot be read: {error.strerror}") from None


def _known_hashes(session: Session, hashes: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for part in chunks(sorted(set(hashes))):
        query = select(t.InboundFileRow.sha256).where(t.InboundFileRow.sha256.in_(part))
        known.update(session.scalars(query))
    return known


def _ingest(
    store: Store, session: Session, name: str, data: bytes, remote_path: str | None
) -> list[FileReport]:
    kind = sniff_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    file_id, new = record_inbound_file(session, name[:255], data, kind.value, "received")
    if not new:
        detail = f"the same bytes were ingested before (file {file_id})"
        return [FileReport(name, digest, kind, Outcome.DUPLICATE, detail, file_id)]
    members: list[FileReport] = []
    if kind is FileKind.ZIP:
        outcome, detail, members = _unpack(store, session, name, data)
    else:
        outcome, detail = _apply_safely(store, session, kind, data, file_id)
    row = session.get_one(t.InboundFileRow, file_id)
    row.outcome, row.outcome_detail, row.remote_path = outcome.value, detail, remote_path
    return [FileReport(name, digest, kind, outcome, detail, file_id), *members]


def _unpack(
    store: Store, session: Session, name: str, data: bytes
) -> tuple[Outcome, str, list[FileReport]]:
    try:
        contents = _zip_members(data)
    except _ZipRefused as refused:
        return Outcome.FAILED, f"the zip is not unpacked: {refused}", []
    except _ZIP_ERRORS as error:
        return Outcome.FAILED, f"the zip cannot be unpacked: {error}", []
    reports: list[FileReport] = []
    for member, content in contents:
        reports += _ingest(store, session, f"{name}/{member}", content, None)
    return Outcome.UNPACKED, f"{len(contents)} files unpacked", reports


class _ZipRefused(Exception):
    """A zip over the limits; its message says which."""


def _zip_members(data: bytes) -> list[tuple[str, bytes]]:
    """Each member of the zip ``data`` unpacked, the limits checked as the bytes come out (a
    member's declared size can lie): ``MAX_ZIP_MEMBERS``, ``MAX_ZIP_UNPACKED`` and
    ``MAX_ZIP_RATIO``. A zip inside the zip is not unpacked (Office Ally sends none)."""
    allowed = min(MAX_ZIP_UNPACKED, max(len(data) * MAX_ZIP_RATIO, MIN_ZIP_ALLOWANCE))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if any(not info.filename for info in archive.infolist()):
            raise _ZipRefused("a member has no file name")
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise _ZipRefused(f"{len(infos)} members, more than {MAX_ZIP_MEMBERS}")
        contents, unpacked = [], 0
        for info in infos:
            pieces = []
            with archive.open(info) as member:
                while piece := member.read(ZIP_READ):
                    unpacked += len(piece)
                    if unpacked > allowed:
                        raise _ZipRefused(
                            f"it unpacks to more than {allowed:,} bytes "
                            f"({len(data):,} packed; at most {MAX_ZIP_RATIO} times that, "
                            f"and {MAX_ZIP_UNPACKED:,} in all)"
                        )
                    pieces.append(piece)
            content = b"".join(pieces)
            if sniff_bytes(content) is FileKind.ZIP:
                raise _ZipRefused(f"{info.filename} is a zip inside the zip")
            contents.append((info.filename, content))
    return contents


def _apply_safely(
    store: Store, session: Session, kind: FileKind, data: bytes, file_id: int
) -> tuple[Outcome, str]:
    """Apply inside a savepoint; a file that cannot be read leaves only its kept bytes."""
    try:
        with store.transaction():
            changes = Changes(file_id)
            outcome, detail = _apply(session, kind, data, changes)
            changes.write(session)
            follow_waiting(session, changes.actor)  # a next payer's claim it answered
            session.flush()
    except (ClaimbridgeError, ValueError, UnicodeError) as error:
        return Outcome.FAILED, f"cannot be read: {error}"
    return outcome, detail


def _apply(session: Session, kind: FileKind, data: bytes, changes: Changes) -> tuple[Outcome, str]:
    if kind is FileKind.UNKNOWN:
        return Outcome.UNKNOWN, "not a file claimbridge recognises; kept for a person to look at"
    if kind in _X12:
        return _apply_x12(session, data, changes)
    text = data.decode("utf-8", errors="replace")
    if kind is FileKind.OA_FILE_SUMMARY:
        return Outcome.APPLIED, acks.apply_file_summary(session, parse_file_summary(text), changes)
    if kind is FileKind.OA_EDI_STATUS:
        return Outcome.APPLIED, acks.apply_edi_status(session, parse_edi_status(text), changes)
    if kind is FileKind.OA_ERA_STATUS:
        return Outcome.KEPT, "Office Ally's readable ERA; payments are posted from the 835"
    for envelope in iter_envelopes(iter_segments(_text_chunks(data))):
        check_group(envelope)  # an 837 in another kind of group is refused, saying why
    return Outcome.KEPT, "an 837P claim file, not an answer; nothing to apply"


def _text_chunks(data: bytes, size: int = CHUNK_SIZE) -> Iterator[str]:
    """``data`` decoded piece by piece, so a large 835 is never split into segments at once."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    for start in range(0, len(data), size):
        yield decoder.decode(data[start : start + size])
    yield decoder.decode(b"", final=True)


def _apply_x12(session: Session, data: bytes, changes: Changes) -> tuple[Outcome, str]:
    """Apply every transaction set; a file with any 835 held is held, naming each one held."""
    details: list[str] = []
    held: list[str] = []
    eras = 0
    for parsed in parse_envelopes(iter_envelopes(iter_segments(_text_chunks(data)))):
        if parsed.kind == "835":
            result = post_remittance(session, parsed.value, changes.inbound_file_id, changes)
            eras += 1
            (held if result.held else details).append(str(result))
        else:
            details.append(_apply_ack(session, parsed.kind, parsed.value, changes))
    if not details and not held:
        raise _Unreadable("the file holds no transaction set and no TA1")
    if not held:
        return Outcome.APPLIED, _joined(details)
    count = f"{len(held)} of {eras} ERAs held: " if eras > 1 else ""
    posted = f"; the other {eras - len(held)} posted: {_joined(details)}" if details else ""
    return Outcome.HELD, f"{count}{'; '.join(held)}{posted}"


def _apply_ack(session: Session, kind: str, value: object, changes: Changes) -> str:
    if kind == "TA1":
        return acks.apply_ta1(session, value, changes)  # type: ignore[arg-type]
    if kind == "999":
        return acks.apply_999(session, value, changes)  # type: ignore[arg-type]
    if kind in ("277CA", "277"):
        return acks.apply_277ca(session, value, changes)  # type: ignore[arg-type]
    return f"a {kind} transaction set: nothing to apply"


def _joined(details: Iterable[str], most: int = 20) -> str:
    listed = list(details)
    shown = "; ".join(listed[:most])
    return shown + (f"; … and {len(listed) - most} more" if len(listed) > most else "")
