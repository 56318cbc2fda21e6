"""One contract for every transport: memory, a local folder, and SFTP against a real sshd."""

from __future__ import annotations

import time

import pytest
from sshd_support import Account

from claimbridge.errors import InputError, RemoteFileMissing, TransportError
from claimbridge.transport.base import LEFTOVER_AGE, RemoteFile, temporary_name

NAME = "OATEST_837P_123456789_B1_20261120T143005.txt"
CLAIMS = b"ISA*00*" + bytes(range(256)) * 64  # every byte value, so nothing is text-mangled


def test_upload_lands_in_inbound_under_its_name_only(account: Account) -> None:
    path = account.transport.upload(NAME, CLAIMS)

    assert path == f"inbound/{NAME}"
    assert account.files("inbound") == {NAME: CLAIMS}
    listed = account.transport.list("inbound")
    assert [(f.name, f.size, f.path) for f in listed] == [(NAME, len(CLAIMS), path)]


def test_repeating_an_identical_upload_changes_nothing(account: Account) -> None:
    account.transport.upload(NAME, CLAIMS)
    account.transport.upload(NAME, CLAIMS)

    assert account.files("inbound") == {NAME: CLAIMS}


def test_an_upload_never_replaces_a_different_file(account: Account) -> None:
    account.transport.upload(NAME, CLAIMS)

    with pytest.raises(TransportError, match="already exists with different content") as caught:
        account.transport.upload(NAME, b"other bytes")

    assert caught.value.remote_path == f"inbound/{NAME}"
    assert account.files("inbound")[NAME] == CLAIMS


def test_a_leftover_partial_upload_is_overwritten_and_removed(account: Account) -> None:
    account.place("inbound", temporary_name(NAME), b"half a fi", None)

    account.transport.upload(NAME, CLAIMS)

    assert account.files("inbound") == {NAME: CLAIMS}


def test_our_leftover_temporary_uploads_are_removed_on_the_next_connection(
    account: Account,
) -> None:
    dead = temporary_name("OATEST_837P_123456789_B9_20261120T143005.txt")
    running = temporary_name(NAME)  # another process's upload, still being written
    stale = int(time.time()) - LEFTOVER_AGE - 60
    account.place("inbound", dead, b"half a fi", stale)
    account.place("inbound", running, b"half a fi", None)
    account.place("inbound", ".part-not-ours", b"kept", stale)
    account.place("inbound", "837P_someone_elses.txt", b"kept", stale)

    account.transport.list("outbound")  # the first use connects

    assert set(account.files("inbound")) == {running, ".part-not-ours", "837P_someone_elses.txt"}


@pytest.mark.parametrize("name", ["", "../escape.txt", "a/b.txt", ".hidden", "with space.txt"])
def test_unsafe_upload_names_are_refused_before_any_transfer(account: Account, name: str) -> None:
    with pytest.raises(InputError):
        account.transport.upload(name, CLAIMS)

    assert account.files("inbound") == {}


def test_list_reports_visible_regular_files_sorted_with_size_and_mtime(account: Account) -> None:
    account.place("outbound", "b_ERA_835_5010_20261120.835", b"835 bytes", 1_763_600_000)
    account.place("outbound", "FS_HCFA_123456789_IN_C.txt", b"summary", 1_763_500_000)
    account.place("outbound", ".hidden", b"not listed", None)

    listed = account.transport.list("outbound")

    assert listed == [
        RemoteFile("outbound", "FS_HCFA_123456789_IN_C.txt", 7, 1_763_500_000),
        RemoteFile("outbound", "b_ERA_835_5010_20261120.835", 9, 1_763_600_000),
    ]


def test_download_returns_every_byte(account: Account) -> None:
    account.place("outbound", "big.835", CLAIMS * 8, None)

    assert account.transport.download("outbound/big.835") == CLAIMS * 8


def test_missing_files_and_folders_raise_remote_file_missing(account: Account) -> None:
    with pytest.raises(RemoteFileMissing) as caught:
        account.transport.download("outbound/none.txt")
    assert caught.value.remote_path == "outbound/none.txt"

    with pytest.raises(RemoteFileMissing):
        account.transport.delete("outbound/none.txt")
    with pytest.raises(RemoteFileMissing):
        account.transport.list("no-such-folder")


@pytest.mark.parametrize("path", ["../etc/passwd", "/etc/passwd", "outbound/", "a/../b", "name"])
def test_paths_that_climb_out_are_refused(account: Account, path: str) -> None:
    with pytest.raises(InputError):
        account.transport.download(path)


def test_delete_removes_only_that_file(account: Account) -> None:
    account.place("outbound", "one.txt", b"1", None)
    account.place("outbound", "two.txt", b"2", None)

    account.transport.delete("outbound/one.txt")

    assert account.files("outbound") == {"two.txt": b"2"}


def test_a_closed_transport_refuses_work(account: Account) -> None:
    account.transport.close()

    with pytest.raises(TransportError):
        account.transport.list("outbound")
