"""Every asyncssh and OS error becomes a claimbridge error at the SFTP edge; secrets stay hidden."""

from __future__ import annotations

import asyncio
import builtins
import inspect
import socket
from pathlib import Path

import asyncssh
import pytest

from claimbridge.domain.models import Secret
from claimbridge.errors import (
    AuthenticationFailed,
    ConfigError,
    HostKeyMismatch,
    RemoteFileMissing,
    TransportError,
    TransportTimeout,
)
from claimbridge.transport.lockout import UnkeptMarks
from claimbridge.transport.sftp import SftpSettings, SftpTransport, map_errors


def subclasses(root: type[BaseException]) -> set[type[BaseException]]:
    found = {root}
    for child in root.__subclasses__():
        found |= subclasses(child)
    return found


def asyncssh_exceptions() -> set[type[BaseException]]:
    """Every exception class asyncssh exports or derives from its own ``Error``."""
    exported = {
        value
        for value in vars(asyncssh).values()
        if inspect.isclass(value) and issubclass(value, BaseException)
    }
    own = {cls for cls in subclasses(asyncssh.Error) if cls.__module__.startswith("asyncssh")}
    return exported | own


def os_exceptions() -> set[type[BaseException]]:
    """OSError and every subclass the standard library defines (sockets included)."""
    return {cls for cls in subclasses(OSError) if cls.__module__ in ("builtins", "socket", "ssl")}


def raised_through_map(kind: type[BaseException]) -> BaseException:
    error = kind.__new__(kind)
    error.args = ("simulated",)
    try:
        with map_errors("outbound/x.835"):
            raise error
    except BaseException as caught:
        return caught
    raise AssertionError("nothing was raised")


ALL = sorted(asyncssh_exceptions() | os_exceptions(), key=lambda cls: cls.__qualname__)


def test_asyncssh_still_has_the_classes_we_walk() -> None:
    assert len(asyncssh_exceptions()) >= 50
    assert asyncssh.SFTPNoSuchFile in asyncssh_exceptions()


@pytest.mark.parametrize("kind", ALL, ids=lambda cls: cls.__qualname__)
def test_no_asyncssh_or_os_error_slips_through(kind: type[BaseException]) -> None:
    mapped = raised_through_map(kind)

    assert isinstance(mapped, TransportError), f"{kind} came out as {type(mapped)}"
    assert isinstance(mapped.__cause__, kind)
    assert mapped.remote_path == "outbound/x.835"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (asyncssh.SFTPNoSuchFile, RemoteFileMissing),
        (asyncssh.SFTPNoSuchPath, RemoteFileMissing),
        (asyncssh.PermissionDenied, AuthenticationFailed),
        (asyncssh.HostKeyNotVerifiable, HostKeyMismatch),
        (asyncssh.TimeoutError, TransportTimeout),
        (asyncio.TimeoutError, TransportTimeout),
        (socket.timeout, TransportTimeout),
        (asyncssh.ConnectionLost, TransportError),
        (asyncssh.SFTPConnectionLost, TransportError),
        (ConnectionResetError, TransportError),
        (ConnectionRefusedError, TransportError),
        (asyncssh.SFTPPermissionDenied, TransportError),
    ],
)
def test_errors_map_to_the_class_that_says_what_happened(
    kind: type[BaseException], expected: type[TransportError]
) -> None:
    assert type(raised_through_map(kind)) is expected


def test_programming_errors_are_not_disguised_as_transport_errors() -> None:
    for kind in (builtins.TypeError, builtins.KeyError, builtins.AttributeError):
        assert type(raised_through_map(kind)) is kind


def test_the_password_never_shows(tmp_path: Path) -> None:
    settings = SftpSettings(
        host="127.0.0.1",
        username="practice",
        password=Secret("hunter2-synthetic"),
        known_hosts=tmp_path / "known_hosts",
    )

    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.password)
    assert "hunter2" not in repr(SftpTransport(settings, marks=UnkeptMarks()))
    assert settings.password is not None and settings.password.reveal() == "hunter2-synthetic"


def test_an_account_needs_a_password_or_a_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs a password or a key"):
        SftpSettings(host="h", username="u", known_hosts=tmp_path / "k")


def test_an_unreadable_key_file_is_a_config_error(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    key.write_text("not a key")
    settings = SftpSettings(host="h", username="u", known_hosts=tmp_path / "k", client_key=key)

    with pytest.raises(ConfigError, match="cannot be used"):
        SftpTransport(settings, marks=UnkeptMarks())
