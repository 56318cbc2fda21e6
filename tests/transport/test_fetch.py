"""Fetching ``outbound``: each file version once, raw bytes archived before they are recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimbridge.errors import InputError, RemoteFileMissing, StoreError, TransportError
from claimbridge.transport.fetch import FetchResult, fetch_new
from claimbridge.transport.manifest import Manifest
from claimbridge.transport.memory import MemoryTransport

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ERA = "1234_ERA_835_5010_20261120.835"
SUMMARY = "FS_HCFA_123456789_IN_C.txt"


@pytest.fixture
def server() -> MemoryTransport:
    transport = MemoryTransport()
    transport.put(f"outbound/{SUMMARY}", b"File Summary 1", mtime=1_000)
    transport.put(f"outbound/{ERA}", b"ISA*00*era", mtime=2_000)
    return transport


def manifest_names(archive: Path) -> list[str]:
    return [entry.name for entry in Manifest(archive / "manifest.json").entries]


def test_new_files_are_archived_byte_for_byte_and_recorded(
    server: MemoryTransport, tmp_path: Path
) -> None:
    result = fetch_new(server, tmp_path, now=NOW)

    assert [f.remote.name for f in result.fetched] == [SUMMARY, ERA]  # oldest first
    assert (tmp_path / "outbound" / ERA).read_bytes() == b"ISA*00*era"
    entry = Manifest(tmp_path / "manifest.json").entries[1]
    assert (entry.name, entry.size, entry.mtime, entry.archived_as) == (
        ERA,
        10,
        2_000,
        f"outbound/{ERA}",
    )
    assert entry.sha256 == result.fetched[1].sha256 and len(entry.sha256) == 64
    assert entry.fetched_at == "2026-11-20T15:00:00+00:00"


def test_a_second_fetch_downloads_nothing(server: MemoryTransport, tmp_path: Path) -> None:
    fetch_new(server, tmp_path, now=NOW)
    server.calls.clear()

    assert fetch_new(server, tmp_path, now=NOW) == FetchResult()
    assert server.calls == [("list", "outbound")]


def test_nothing_is_deleted_on_the_server_unless_configured(
    server: MemoryTransport, tmp_path: Path
) -> None:
    fetch_new(server, tmp_path, now=NOW)
    assert sorted(server.files) == [f"outbound/{ERA}", f"outbound/{SUMMARY}"]

    result = fetch_new(server, tmp_path, now=NOW, delete_remote=True)

    assert sorted(result.deleted) == [f"outbound/{ERA}", f"outbound/{SUMMARY}"]
    assert server.files == {}
    assert (tmp_path / "outbound" / ERA).exists()


def test_a_failed_delete_is_tried_again_next_time(server: MemoryTransport, tmp_path: Path) -> None:
    server.fail_next("delete", TransportError("lost"))

    first = fetch_new(server, tmp_path, now=NOW, delete_remote=True)
    second = fetch_new(server, tmp_path, now=NOW, delete_remote=True)

    assert len(first.deleted) == 1 and len(second.deleted) == 1
    assert server.files == {} and second.fetched == ()


def test_a_rewritten_file_is_fetched_again_and_kept_beside_the_first(
    server: MemoryTransport, tmp_path: Path
) -> None:
    fetch_new(server, tmp_path, now=NOW)
    server.put(f"outbound/{SUMMARY}", b"File Summary 2, longer", mtime=3_000)

    result = fetch_new(server, tmp_path, now=NOW)

    [again] = result.fetched
    assert again.archived.name == f"{SUMMARY}.{again.sha256[:12]}"
    assert again.archived.read_bytes() == b"File Summary 2, longer"
    assert (tmp_path / "outbound" / SUMMARY).read_bytes() == b"File Summary 1"
    assert manifest_names(tmp_path) == [SUMMARY, ERA, SUMMARY]


def test_same_bytes_under_a_new_mtime_are_recorded_but_not_stored_twice(
    server: MemoryTransport, tmp_path: Path
) -> None:
    fetch_new(server, tmp_path, now=NOW)
    server.put(f"outbound/{ERA}", b"ISA*00*era", mtime=5_000)

    result = fetch_new(server, tmp_path, now=NOW)

    assert result.fetched == () and [f.remote.mtime for f in result.repeated] == [5_000]
    assert sorted(p.name for p in (tmp_path / "outbound").iterdir()) == [ERA, SUMMARY]


def test_a_failed_download_stops_the_fetch_and_keeps_what_came_before(
    server: MemoryTransport, tmp_path: Path
) -> None:
    server.calls.clear()
    downloads = iter([None, TransportError("connection lost")])
    original = server.download

    def failing_second(path: str) -> bytes:
        error = next(downloads)
        if error:
            raise error
        return original(path)

    server.download = failing_second  # type: ignore[method-assign]
    with pytest.raises(TransportError, match="connection lost"):
        fetch_new(server, tmp_path, now=NOW)

    assert manifest_names(tmp_path) == [SUMMARY]
    assert sorted(p.name for p in (tmp_path / "outbound").iterdir()) == [SUMMARY]
    server.download = original  # type: ignore[method-assign]
    assert [f.remote.name for f in fetch_new(server, tmp_path, now=NOW).fetched] == [ERA]


def test_a_file_gone_between_list_and_download_is_reported_not_recorded(
    server: MemoryTransport, tmp_path: Path
) -> None:
    server.fail_next("download", RemoteFileMissing("gone", remote_path=f"outbound/{SUMMARY}"))

    result = fetch_new(server, tmp_path, now=NOW)

    assert [r.name for r in result.vanished] == [SUMMARY]
    assert manifest_names(tmp_path) == [ERA]


def test_a_file_still_being_written_is_left_for_next_time(
    server: MemoryTransport, tmp_path: Path
) -> None:
    original = server.download
    server.download = lambda path: original(path)[:4]  # type: ignore[method-assign]

    result = fetch_new(server, tmp_path, now=NOW)

    assert len(result.unsettled) == 2 and result.fetched == ()
    assert not (tmp_path / "outbound").exists() and manifest_names(tmp_path) == []


def test_bytes_archived_before_a_crash_are_recorded_once_on_the_next_fetch(
    server: MemoryTransport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: Manifest, entry: object) -> None:
        raise KeyboardInterrupt  # the process stops between archiving and recording

    with monkeypatch.context() as patch:
        patch.setattr(Manifest, "record", crash)
        with pytest.raises(KeyboardInterrupt):
            fetch_new(server, tmp_path, now=NOW)
    assert (tmp_path / "outbound" / SUMMARY).exists() and manifest_names(tmp_path) == []

    result = fetch_new(server, tmp_path, now=NOW)

    assert [f.archived.name for f in result.fetched] == [SUMMARY, ERA]
    assert sorted(p.name for p in (tmp_path / "outbound").iterdir()) == [ERA, SUMMARY]


def test_the_manifest_is_rewritten_whole_after_each_file(
    server: MemoryTransport, tmp_path: Path
) -> None:
    fetch_new(server, tmp_path, now=NOW)

    document = json.loads((tmp_path / "manifest.json").read_text())
    assert document["version"] == 1 and len(document["files"]) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_damaged_manifest_is_reported_not_overwritten(
    server: MemoryTransport, tmp_path: Path
) -> None:
    (tmp_path / "manifest.json").write_text('{"version": 1, "files": [{"name": ')

    with pytest.raises(StoreError, match="damaged"):
        fetch_new(server, tmp_path, now=NOW)

    assert (tmp_path / "manifest.json").read_text().endswith('"name": ')


def test_the_fetch_time_must_carry_a_zone(server: MemoryTransport, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        fetch_new(server, tmp_path, now=datetime(2026, 11, 20))


def test_an_unusable_archive_folder_is_a_store_error(
    server: MemoryTransport, tmp_path: Path
) -> None:
    blocker = tmp_path / "archive"
    blocker.write_text("a file where the archive folder should be")

    with pytest.raises(StoreError, match="cannot use the archive"):
        fetch_new(server, blocker, now=NOW)

    assert server.calls == []
