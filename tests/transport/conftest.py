"""Fixtures of the transport tests: a real sshd per worker, a private one, proxies, accounts.

The machinery lives in ``sshd_support``; see its docstring.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sshd_support import (
    Account,
    SshdServer,
    TcpProxy,
    ensure_test_user,
    local_account,
    memory_account,
    sftp_account,
    sshd_missing_reason,
)

from support import need


@contextlib.contextmanager
def running_sshd() -> Iterator[SshdServer]:
    reason = sshd_missing_reason()
    need(reason is None, reason or "")
    user = ensure_test_user()
    base = Path(tempfile.mkdtemp(prefix="claimbridge-sshd-"))
    server = SshdServer(base, user)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def sshd_session() -> Iterator[SshdServer]:
    """One sshd per test worker, shared by tests that do not change it."""
    with running_sshd() as server:
        yield server


@pytest.fixture
def sshd(sshd_session: SshdServer) -> Iterator[SshdServer]:
    """The shared sshd with empty ``inbound`` and ``outbound``."""
    need(sshd_session.process is not None, "sshd is not running")
    sshd_session.clear()
    yield sshd_session
    sshd_session.clear()


@pytest.fixture
def private_sshd() -> Iterator[SshdServer]:
    """An sshd of the test's own, for tests that restart it or change its host key."""
    with running_sshd() as server:
        yield server


@pytest.fixture
def proxy_factory() -> Iterator[Callable[..., TcpProxy]]:
    """Build ``TcpProxy`` objects that are closed at the end of the test."""
    proxies: list[TcpProxy] = []

    def build(target_port: int, **options: object) -> TcpProxy:
        proxy = TcpProxy(target_port, **options)  # type: ignore[arg-type]
        proxies.append(proxy)
        return proxy

    yield build
    for proxy in proxies:
        proxy.close()


@pytest.fixture(params=["memory", "local", "sftp"])
def account(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Account]:
    """The same account contract, behind each transport in turn."""
    if request.param == "memory":
        built = memory_account()
    elif request.param == "local":
        built = local_account(tmp_path / "account")
    else:
        server = request.getfixturevalue("sshd")
        built = sftp_account(server, tmp_path / "known_hosts")
    yield built
    built.transport.close()
