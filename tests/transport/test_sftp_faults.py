"""SFTP against a real sshd when things go wrong: cut streams, wrong passwords, new host keys.

Each test ends by checking that nothing was lost, nothing was duplicated, and the message
says what happened.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sshd_support import TEST_PASSWORD, SshdServer, TcpProxy

from claimbridge.domain.models import Secret
from claimbridge.errors import (
    AuthenticationFailed,
    HostKeyMismatch,
    StoreError,
    TransportError,
    TransportTimeout,
)
from claimbridge.transport.base import temporary_name
from claimbridge.transport.fetch import FetchResult, fetch_new
from claimbridge.transport.hostkeys import KnownHosts
from claimbridge.transport.lockout import AuthFailure, LoginMarks, UnkeptMarks
from claimbridge.transport.retry import NO_RETRY, RetryPolicy
from claimbridge.transport.sftp import SftpTransport

NAME = "OATEST_837P_123456789_B7_20261120T143005.txt"
BIG = bytes(range(256)) * 8192  # 2 MiB: several SSH windows, so a cut lands mid-transfer
CUT_AFTER = 256 * 1024
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ProxyFactory = Callable[..., TcpProxy]


def through(
    proxy: TcpProxy,
    server: SshdServer,
    known_hosts: Path,
    marks: LoginMarks | None = None,
    **changes: object,
) -> SftpTransport:
    """A transport to ``server`` whose connections go through ``proxy``."""
    settings = server.settings(known_hosts, port=proxy.port, **changes)
    return SftpTransport(settings, marks=marks or UnkeptMarks())


def pin_first(server: SshdServer, known_hosts: Path, port: int) -> None:
    """Connect once so the host key is pinned for ``port`` (proxies have their own port)."""
    with SftpTransport(server.settings(known_hosts, port=port), marks=UnkeptMarks()) as transport:
        transport.list("outbound")


# --- cut mid-upload -----------------------------------------------------------------------


def test_cut_mid_upload_leaves_no_file_under_the_real_name(
    sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path
) -> None:
    proxy = proxy_factory(sshd.port, cut_upstream_after=CUT_AFTER)
    with through(proxy, sshd, tmp_path / "known_hosts", retry=NO_RETRY) as transport:
        with pytest.raises(TransportError, match="connection to the server was lost") as caught:
            transport.upload(NAME, BIG)
        assert caught.value.remote_path == f"inbound/{NAME}"
        assert NAME not in sshd.files("inbound")

        transport.upload(NAME, BIG)  # the caller's retry, on a fresh connection

    assert sshd.files("inbound") == {NAME: BIG}
    assert proxy.cut_done >= 1 and proxy.connections == 2


def test_cut_mid_upload_is_retried_and_lands_exactly_once(
    sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = proxy_factory(sshd.port, cut_upstream_after=CUT_AFTER)
    with through(proxy, sshd, tmp_path / "known_hosts") as transport:
        transport.upload(NAME, BIG)

    assert sshd.files("inbound") == {NAME: BIG}
    assert temporary_name(NAME) not in sshd.files("inbound")
    assert proxy.connections == 2
    assert "failed (attempt 1): the connection to the server was lost" in caplog.text


def test_an_upload_whose_reply_was_lost_is_not_written_twice(
    sshd: SshdServer, tmp_path: Path
) -> None:
    with SftpTransport(sshd.settings(tmp_path / "known_hosts"), marks=UnkeptMarks()) as transport:
        transport.upload(NAME, BIG)
        transport.upload(NAME, BIG)  # as after a rename whose reply never came

        with pytest.raises(TransportError, match="different content"):
            transport.upload(NAME, BIG[:-1])

    assert sshd.files("inbound") == {NAME: BIG}


# --- cut mid-download ---------------------------------------------------------------------


def test_cut_mid_download_archives_nothing_and_the_next_fetch_gets_it(
    sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    sshd.place("outbound", "1234_ERA_835_5010_20261120.835", BIG, 1_763_600_000)
    sshd.place("outbound", "FS_HCFA_123456789_IN_C.txt", b"File Summary", 1_763_500_000)
    proxy = proxy_factory(sshd.port, cut_downstream_after=CUT_AFTER)

    with through(proxy, sshd, tmp_path / "known_hosts", retry=NO_RETRY) as transport:
        with pytest.raises(TransportError, match="connection to the server was lost"):
            fetch_new(transport, archive, now=NOW)
        recorded = json.loads((archive / "manifest.json").read_text())["files"]
        assert [entry["name"] for entry in recorded] == ["FS_HCFA_123456789_IN_C.txt"]
        assert sorted(p.name for p in (archive / "outbound").iterdir()) == [
            "FS_HCFA_123456789_IN_C.txt"
        ]

        result = fetch_new(transport, archive, now=NOW)

    assert [f.remote.name for f in result.fetched] == ["1234_ERA_835_5010_20261120.835"]
    assert (archive / "outbound" / "1234_ERA_835_5010_20261120.835").read_bytes() == BIG
    with SftpTransport(sshd.settings(tmp_path / "known_hosts"), marks=UnkeptMarks()) as direct:
        assert fetch_new(direct, archive, now=NOW) == FetchResult()  # nothing new, nothing twice
    assert len(sshd.files("outbound")) == 2  # nothing deleted on the server


def test_cut_mid_download_is_retried_and_archived_once(
    sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    sshd.place("outbound", "1234_ERA_835_5010_20261120.835", BIG, 1_763_600_000)
    proxy = proxy_factory(sshd.port, cut_downstream_after=CUT_AFTER)

    with through(proxy, sshd, tmp_path / "known_hosts") as transport:
        result = fetch_new(transport, archive, now=NOW)

    assert [f.archived.read_bytes() == BIG for f in result.fetched] == [True]
    assert sorted(p.name for p in (archive / "outbound").iterdir()) == [
        "1234_ERA_835_5010_20261120.835"
    ]
    assert proxy.connections == 2


# --- authentication -------------------------------------------------------------------------


def test_wrong_password_is_tried_once_marked_and_explained(
    sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    known_hosts = tmp_path / "known_hosts"
    proxy = proxy_factory(sshd.port)
    failures_before = sshd.log().count("Failed password for")
    wrong = "not-the-" + TEST_PASSWORD
    policy = RetryPolicy(attempts=5, first_delay=0.01)

    marks = UnkeptMarks()
    with (
        through(proxy, sshd, known_hosts, marks, password=Secret(wrong), retry=policy) as transport,
        pytest.raises(AuthenticationFailed) as caught,
    ):
        transport.upload(NAME, b"claims")

    message = str(caught.value)
    assert proxy.connections == 1
    assert _eventually(lambda: sshd.log().count("Failed password for") - failures_before) == 1
    assert "cbtest@127.0.0.1" in message and "will not try this account again" in message
    assert "support@officeally.com" in message and marks.remedy() in message
    failure = marks.refused(f"cbtest@127.0.0.1:{proxy.port}")
    assert failure is not None and failure.detail.startswith("Permission denied")
    assert wrong not in message and wrong not in caplog.text and TEST_PASSWORD not in caplog.text
    assert sshd.files("inbound") == {}


def test_a_marked_account_is_not_dialled_again_while_its_marks_hold_it(
    sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    proxy = proxy_factory(sshd.port)
    marks = UnkeptMarks()
    with (
        through(proxy, sshd, known_hosts, marks, password=Secret("wrong")) as transport,
        pytest.raises(AuthenticationFailed),
    ):
        transport.list("outbound")

    with (
        through(proxy, sshd, known_hosts, marks) as transport,
        pytest.raises(AuthenticationFailed, match="was rejected at 20"),
    ):  # even with the right password
        transport.list("outbound")
    assert proxy.connections == 1

    with through(proxy, sshd, known_hosts, UnkeptMarks()) as transport:  # marks without it
        assert transport.list("outbound") == []
    assert proxy.connections == 2


class _Unrecordable(UnkeptMarks):
    """Marks whose store is out of reach when a rejection comes."""

    def refuse(self, account: str, when: datetime, detail: str) -> AuthFailure:
        raise StoreError("the ledger did not answer")


def test_a_rejection_that_cannot_be_recorded_is_still_not_tried_again(
    sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path
) -> None:
    proxy = proxy_factory(sshd.port)
    policy = RetryPolicy(attempts=5, first_delay=0.01)
    with (
        through(
            proxy, sshd, tmp_path / "known_hosts", _Unrecordable(), password=Secret("wrong"),
            retry=policy,
        ) as transport,
        pytest.raises(AuthenticationFailed, match="could not be recorded: the ledger did not"),
    ):  # fmt: skip
        transport.list("outbound")
    assert proxy.connections == 1


def test_key_login_needs_no_password(sshd: SshdServer, tmp_path: Path) -> None:
    settings = sshd.settings(
        tmp_path / "known_hosts", password=None, client_key=sshd.client_key_path
    )
    with SftpTransport(settings, marks=UnkeptMarks()) as transport:
        transport.upload(NAME, b"claims by key")

    assert sshd.files("inbound") == {NAME: b"claims by key"}
    assert "Accepted publickey for cbtest" in _eventually_text(sshd, "Accepted publickey")


# --- host keys --------------------------------------------------------------------------------


def test_host_key_is_pinned_on_first_use(sshd: SshdServer, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    pin_first(sshd, known_hosts, sshd.port)

    assert sshd.host_key is not None
    expected = sshd.host_key.export_public_key("openssh").decode().split()[:2]
    assert KnownHosts(known_hosts).keys_for("127.0.0.1", sshd.port) == [" ".join(expected)]
    assert known_hosts.read_text().startswith(f"[127.0.0.1]:{sshd.port} ssh-ed25519 ")


def test_a_changed_host_key_is_refused_before_anything_is_sent(
    private_sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    server = private_sshd
    proxy = proxy_factory(server.port)
    pin_first(server, known_hosts, proxy.port)
    assert server.host_key is not None
    old = server.host_key.get_fingerprint()
    server.restart_with_new_host_key()
    assert server.host_key is not None
    log_before = len(server.log())
    policy = RetryPolicy(attempts=4, first_delay=0.01)

    with (
        through(proxy, server, known_hosts, retry=policy) as transport,
        pytest.raises(HostKeyMismatch) as caught,
    ):
        transport.upload(NAME, b"claims")

    message = str(caught.value)
    assert old in message and server.host_key.get_fingerprint() in message
    assert "Nothing was sent, not even the password" in message
    assert f"claimbridge sftp forget-host-key --host 127.0.0.1 --port {proxy.port}" in message
    assert server.files("inbound") == {}
    after = server.log()[log_before:]
    assert "Failed password" not in after and "Accepted" not in after
    assert proxy.connections == 2  # the pinning one, then one refused: never retried


def test_after_forgetting_the_old_key_the_new_one_is_pinned(
    private_sshd: SshdServer, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    server = private_sshd
    pin_first(server, known_hosts, server.port)
    server.restart_with_new_host_key()

    assert KnownHosts(known_hosts).forget("127.0.0.1", server.port) == 1
    pin_first(server, known_hosts, server.port)

    assert server.host_key is not None
    new_key = " ".join(server.host_key.export_public_key("openssh").decode().split()[:2])
    assert KnownHosts(known_hosts).keys_for("127.0.0.1", server.port) == [new_key]


def test_a_host_key_of_another_type_is_refused_too(
    private_sshd: SshdServer, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    pin_first(private_sshd, known_hosts, private_sshd.port)
    private_sshd.restart_with_new_host_key("ecdsa-sha2-nistp256")

    with (
        SftpTransport(private_sshd.settings(known_hosts), marks=UnkeptMarks()) as transport,
        pytest.raises(HostKeyMismatch) as caught,
    ):
        transport.list("outbound")

    assert private_sshd.host_key is not None
    assert private_sshd.host_key.get_fingerprint() in str(caught.value)
    assert private_sshd.host_key.algorithm == b"ecdsa-sha2-nistp256"


# --- timeouts and unreachable servers -----------------------------------------------------------


def test_a_silent_server_times_out_and_is_retried_a_bounded_number_of_times(
    sshd: SshdServer, proxy_factory: ProxyFactory, tmp_path: Path
) -> None:
    proxy = proxy_factory(sshd.port, blackhole=True)
    policy = RetryPolicy(attempts=3, first_delay=0.01)
    started = time.monotonic()

    with (
        through(proxy, sshd, tmp_path / "known_hosts", connect_timeout=0.3, retry=policy) as t,
        pytest.raises(TransportTimeout, match="did not answer in time"),
    ):
        t.list("outbound")

    assert proxy.connections == 3
    assert time.monotonic() - started < 5


def test_a_refused_connection_is_a_transport_error(sshd: SshdServer, tmp_path: Path) -> None:
    closed_port = TcpProxy(sshd.port)
    port = closed_port.port
    closed_port.close()

    with (
        SftpTransport(
            sshd.settings(tmp_path / "known_hosts", port=port), marks=UnkeptMarks()
        ) as transport,
        pytest.raises(TransportError, match="could not be reached") as caught,
    ):
        transport.list("outbound")

    assert type(caught.value) is TransportError


def _eventually(read: Callable[[], int], seconds: float = 3.0) -> int:
    """sshd writes its log a moment after the client sees the result."""
    deadline = time.monotonic() + seconds
    value = read()
    while not value and time.monotonic() < deadline:
        time.sleep(0.05)
        value = read()
    return value


def _eventually_text(server: SshdServer, needle: str) -> str:
    _eventually(lambda: server.log().count(needle))
    return server.log()


def test_an_unwritable_known_hosts_file_stops_the_connection(
    sshd: SshdServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")

    with (
        SftpTransport(sshd.settings(blocker / "known_hosts"), marks=UnkeptMarks()) as transport,
        pytest.raises(StoreError, match="could not write"),
    ):
        transport.list("outbound")
