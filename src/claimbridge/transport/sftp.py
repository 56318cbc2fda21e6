"""``SftpTransport``: Office Ally over SFTP with asyncssh — the only module that imports asyncssh.

The methods are synchronous; asyncssh runs on an event loop in a thread of its own, so services
call ``transport.list("outbound")`` from ordinary code. One connection is opened on first use
and reused; any failure drops it and the next attempt dials again.

Hardening, in the order a connection meets it:

* **Account marked?** If this account's credentials were rejected before, stop before dialling
  (``lockout``): Office Ally locks accounts after repeated failed logins. The marks are asked
  of, and a rejection recorded in, the ``LoginMarks`` the transport is given (the ledger's, for
  a practice's account), in the caller's thread, before and after the loop's work.
* **Host key pinned on first use** in the known-hosts file given in the settings; a different
  key raises ``HostKeyMismatch`` before any credential is sent.
* **Only the configured credentials** are offered: no ssh-agent, no ``~/.ssh`` keys or config,
  no keyboard-interactive, so a wrong password costs exactly one failed login.
* **Errors mapped at this edge**: ``map_errors`` turns every asyncssh and OS error into a
  ``TransportError`` subclass; a test walks asyncssh's exception classes to prove it.
* **Retries** with backoff on lost connections and timeouts (``retry``), never on
  ``AuthenticationFailed`` or ``HostKeyMismatch``.
* **Uploads checked before their rename**: the temporary file's size on the server must equal
  the bytes sent. Each new connection removes our temporary uploads that a dead process left
  in ``inbound`` (``base.is_leftover``).

Usage::

    settings = SftpSettings(host="ftp10.officeally.com", username="practice",
                            password=Secret(os.environ["CLAIMBRIDGE_SFTP_PASSWORD"]),
                            known_hosts=Path("var/known_hosts"))
    with SftpTransport(settings, marks=UnkeptMarks()) as transport:
        transport.upload(name, data)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import asyncssh
from asyncssh.public_key import get_default_public_key_algs

from claimbridge.domain.models import ClearinghouseAccount, Secret
from claimbridge.errors import (
    AuthenticationFailed,
    ClaimbridgeError,
    ConfigError,
    HostKeyMismatch,
    RemoteFileMissing,
    TransportError,
    TransportTimeout,
)
from claimbridge.transport.base import (
    RemoteFile,
    check_complete,
    check_remote_folder,
    check_remote_path,
    check_same_upload,
    check_upload_name,
    is_leftover,
    is_listed_name,
    join_remote,
    temporary_name,
)
from claimbridge.transport.hostkeys import KnownHosts
from claimbridge.transport.lockout import (
    AuthFailure,
    LoginMarks,
    account_name,
    failure_at,
)
from claimbridge.transport.officeally import OFFICE_ALLY_FOLDERS, Folders
from claimbridge.transport.retry import RetryPolicy, call_with_retry

T = TypeVar("T")
log = logging.getLogger("claimbridge.transport")

OA_SUPPORT = "support@officeally.com"
DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True, slots=True)
class SftpSettings:
    """One SFTP account. ``known_hosts`` is the file claimbridge pins host keys in.

    Give ``password`` (a ``Secret``), ``client_key`` (an unencrypted OpenSSH private key file),
    or both. Timeouts are seconds: ``connect_timeout`` covers dialling, key exchange and login;
    ``operation_timeout`` one whole upload, listing or download.
    """

    host: str
    username: str
    known_hosts: Path
    port: int = 22
    password: Secret | None = None
    client_key: Path | None = None
    connect_timeout: float = 20.0
    operation_timeout: float = 300.0
    retry: RetryPolicy = DEFAULT_RETRY
    folders: Folders = OFFICE_ALLY_FOLDERS

    @classmethod
    def for_account(
        cls, account: ClearinghouseAccount, known_hosts: Path, connect_timeout: float = 20.0
    ) -> SftpSettings:
        """The settings of the practice's Office Ally account as the ledger keeps it."""
        return cls(
            host=account.sftp_host,
            port=account.sftp_port,
            username=account.username,
            password=account.password,
            known_hosts=known_hosts,
            connect_timeout=connect_timeout,
        )

    def __post_init__(self) -> None:
        if self.password is None and self.client_key is None:
            raise ConfigError(f"SFTP account {self.account} needs a password or a key file")

    @property
    def account(self) -> str:
        """``user@host:port``, as messages and marks name the account."""
        return account_name(self.username, self.host, self.port)


# --- errors ------------------------------------------------------------------------------


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or str(error)
    return str(reason) or type(error).__name__


def _lost(error: BaseException, path: str | None) -> TransportError:
    return TransportError(
        f"the connection to the server was lost ({_reason(error)})", remote_path=path
    )


def _timeout(error: BaseException, path: str | None) -> TransportError:
    return TransportTimeout(
        f"the server did not answer in time ({_reason(error)})", remote_path=path
    )


def _missing(error: BaseException, path: str | None) -> TransportError:
    return RemoteFileMissing(f"{path or 'the file'} is not on the server", remote_path=path)


def _refused(error: BaseException, path: str | None) -> TransportError:
    return TransportError(
        f"the server refused the request for {path or 'the account'} ({_reason(error)})",
        remote_path=path,
    )


def _rejected_login(error: BaseException, path: str | None) -> TransportError:
    return AuthenticationFailed(
        f"the server rejected the login ({_reason(error)}); do not retry: check the "
        f"credentials with Office Ally ({OA_SUPPORT}), accounts lock after repeated failures",
        login=f"the server rejected the login ({_reason(error)})",
        remote_path=path,
    )


def _unverified_host(error: BaseException, path: str | None) -> TransportError:
    return HostKeyMismatch(
        f"the server's host key could not be verified ({_reason(error)}); nothing was sent",
        remote_path=path,
    )


def _session_failed(error: BaseException, path: str | None) -> TransportError:
    return TransportError(f"the SSH session failed ({_reason(error)})", remote_path=path)


def _local_key(error: BaseException, path: str | None) -> TransportError:
    return TransportError(f"a local SSH key could not be used ({_reason(error)})", remote_path=path)


def _unreachable(error: BaseException, path: str | None) -> TransportError:
    return TransportError(f"the server could not be reached ({_reason(error)})", remote_path=path)


# Checked in order: the first matching row wins, so subclasses come before their bases.
_ERROR_MAP: tuple[tuple[tuple[type[BaseException], ...], Callable[..., TransportError]], ...] = (
    ((asyncssh.SFTPNoSuchFile, asyncssh.SFTPNoSuchPath), _missing),
    ((asyncssh.SFTPConnectionLost, asyncssh.SFTPNoConnection, asyncssh.SFTPEOFError), _lost),
    ((asyncssh.SFTPError,), _refused),
    ((asyncssh.HostKeyNotVerifiable,), _unverified_host),
    ((asyncssh.PermissionDenied, asyncssh.IllegalUserName), _rejected_login),
    ((asyncssh.PasswordChangeRequired,), _rejected_login),
    ((ConnectionRefusedError, socket.gaierror), _unreachable),
    ((asyncssh.ConnectionLost, EOFError, ConnectionError), _lost),
    ((TimeoutError,), _timeout),
    ((asyncssh.Error, asyncssh.ChannelListenError), _session_failed),
    (
        (asyncssh.BreakReceived, asyncssh.SignalReceived, asyncssh.TerminalSizeChanged),
        _session_failed,
    ),
    (
        (
            asyncssh.KeyImportError,
            asyncssh.KeyExportError,
            asyncssh.KeyEncryptionError,
            asyncssh.KeyGenerationError,
            asyncssh.ConfigParseError,
        ),
        _local_key,
    ),
    ((OSError,), _unreachable),
)
MAPPED_ERRORS: tuple[type[BaseException], ...] = tuple(
    kind for kinds, _ in _ERROR_MAP for kind in kinds
)


def translate_error(error: BaseException, remote_path: str | None = None) -> TransportError:
    """The claimbridge error for an asyncssh or OS error (``TransportError`` when unknown)."""
    for kinds, build in _ERROR_MAP:
        if isinstance(error, kinds):
            return build(error, remote_path)
    return _session_failed(error, remote_path)


@contextlib.contextmanager
def map_errors(remote_path: str | None = None) -> Iterator[None]:
    """Let ``TransportError`` through; turn every asyncssh and OS error into one."""
    try:
        yield
    except TransportError:
        raise
    except MAPPED_ERRORS as error:
        raise translate_error(error, remote_path) from error


# --- host keys ---------------------------------------------------------------------------


class _HostKeyCheck:
    """Trust on first use: pin the first key seen; afterwards accept only the pinned keys."""

    def __init__(self, known_hosts: KnownHosts, host: str, port: int) -> None:
        self.known_hosts, self.host, self.port = known_hosts, host, port
        self.pinned = [
            _import_key(text, known_hosts.path) for text in known_hosts.keys_for(host, port)
        ]
        self.offered: asyncssh.SSHKey | None = None

    def trusted(self) -> Any:
        """The ``known_hosts`` argument for asyncssh: exactly the pinned keys, nothing else."""
        return (tuple(self.pinned), (), (), (), (), (), ())

    def algorithms(self) -> list[str]:
        """Host key algorithms to offer: the pinned key's first, then every other default.

        The server then proves the pinned key when it still has one, and a server that
        switched to another key type still shows its key, so the refusal can name it.
        """
        pinned = [alg for key in self.pinned for alg in key.sig_algorithms]
        others = [alg for alg in get_default_public_key_algs() if alg not in pinned]
        return list(dict.fromkeys(alg.decode() for alg in pinned + others))

    def accept(self, key: asyncssh.SSHKey) -> bool:
        """Called for a key that is not pinned: pin it if nothing is, else refuse it."""
        self.offered = key
        if self.pinned:
            return False
        self.known_hosts.pin(self.host, self.port, key.export_public_key("openssh").decode())
        log.info("pinned host key %s for %s:%d", key.get_fingerprint(), self.host, self.port)
        return True

    def mismatch(self, command: str) -> HostKeyMismatch:
        """The error for a server whose key is not the pinned one; says what to do."""
        pinned = ", ".join(key.get_fingerprint() for key in self.pinned)
        offered = self.offered.get_fingerprint() if self.offered else "that could not be read"
        seen = f"presented host key {offered}"
        return HostKeyMismatch(
            f"the SFTP server {self.host}:{self.port} {seen}, but {pinned} was pinned for it in "
            f"{self.known_hosts.path} when claimbridge first connected. Nothing was sent, not "
            "even the password. Someone may be intercepting the connection, or the server's key "
            "was replaced. Ask Office Ally support to confirm the new key's fingerprint; only if "
            f"they do, remove the pinned key with `{command}` and connect again to pin the new one."
        )


class _PinningClient(asyncssh.SSHClient):
    """asyncssh's client hooks, with host keys checked by ``_HostKeyCheck``."""

    def __init__(self, check: _HostKeyCheck) -> None:
        self._check = check

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        return self._check.accept(key)


def _import_key(text: str, source: Path) -> asyncssh.SSHKey:
    try:
        return asyncssh.import_public_key(text)
    except asyncssh.KeyImportError as error:
        raise ConfigError(f"{source} holds a key claimbridge cannot read: {error}") from error


def _load_client_key(path: Path | None) -> list[asyncssh.SSHKey]:
    if path is None:
        return []
    try:
        return [asyncssh.read_private_key(path)]
    except (OSError, ValueError) as error:
        raise ConfigError(f"the SFTP key file {path} cannot be used: {_reason(error)}") from error


# --- the event loop thread ---------------------------------------------------------------


class _LoopThread:
    """An asyncio event loop running in a daemon thread; ``run`` waits for one coroutine."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="claimbridge-sftp", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop(self) -> None:
        # Everything runs on the loop's own thread: the caller may be inside an event loop of
        # its own (a web view), where run_until_complete here would raise.
        self.run(_cancel_other_tasks())
        self.run(self._loop.shutdown_asyncgens())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def _cancel_other_tasks() -> None:
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


# --- the transport -----------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Rejected(AuthenticationFailed):
    """The server rejected the credentials: raised on the loop, recorded by the caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"the server rejected the login ({detail})")
        self.detail = detail


class SftpTransport:
    """An Office Ally account over SFTP. Not thread-safe: one caller at a time. ``marks``
    keeps the account's rejected logins (``lockout``)."""

    def __init__(
        self,
        settings: SftpSettings,
        *,
        marks: LoginMarks,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.settings = settings
        self._client_keys = _load_client_key(settings.client_key)
        self._known_hosts = KnownHosts(settings.known_hosts)
        self._marks = marks
        self._sleep, self._clock = sleep, clock
        self._loop: _LoopThread | None = None
        self._connection: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"SftpTransport({self.settings.account!r})"

    def __enter__(self) -> SftpTransport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def upload(self, name: str, data: bytes) -> str:
        check_upload_name(name)
        path = join_remote(self.settings.folders.inbound, name)
        self._call("upload", path, lambda: self._upload(path, name, data))
        return path

    def uploaded(self, name: str) -> bytes | None:
        path = join_remote(self.settings.folders.inbound, check_upload_name(name))
        return self._call("read", path, lambda: self._uploaded(path))

    def list(self, folder: str) -> list[RemoteFile]:
        check_remote_folder(folder)
        return [*self._call("list", folder, lambda: self._list(folder))]

    def download(self, path: str) -> bytes:
        check_remote_path(path)
        return self._call("download", path, lambda: self._download(path))

    def delete(self, path: str) -> None:
        check_remote_path(path)
        self._call("delete", path, lambda: self._delete(path))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._loop is not None:
            self._loop.run(self._disconnect())
            self._loop.stop()

    # -- plumbing

    def _call(self, what: str, path: str, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run one operation on the loop thread, mapped, bounded in time and retried."""
        if self._closed:
            raise TransportError("the SFTP transport is closed", remote_path=path)
        loop = self._loop = self._loop or _LoopThread()
        return call_with_retry(
            lambda: self._attempt(loop, make, path),
            self.settings.retry,
            what=f"{what} {path}",
            sleep=self._sleep,
        )

    def _attempt(
        self, loop: _LoopThread, make: Callable[[], Coroutine[Any, Any, T]], path: str
    ) -> T:
        """One try of an operation; one that must dial asks the marks first, and a rejected
        login is recorded in them before it is raised."""
        if self._sftp is None:
            self._refuse_marked_account()
        try:
            return loop.run(self._guarded(make(), path))
        except _Rejected as rejected:
            raise self._reject(rejected.detail) from rejected.__cause__

    async def _guarded(self, operation: Coroutine[Any, Any, T], path: str) -> T:
        try:
            with map_errors(path):
                return await asyncio.wait_for(operation, self.settings.operation_timeout)
        except Exception as error:
            if not isinstance(error, RemoteFileMissing):
                await self._disconnect()  # the session's state is unknown: start afresh
            raise

    async def _client(self) -> asyncssh.SFTPClient:
        if self._sftp is None:
            connection = await self._connect()
            try:
                self._sftp = await connection.start_sftp_client()
            except BaseException:
                await self._disconnect()
                raise
            await self._remove_leftovers(self._sftp)
        return self._sftp

    async def _remove_leftovers(self, sftp: asyncssh.SFTPClient) -> None:
        """Delete our temporary uploads that a dead process left in ``inbound``; a failure
        here is only logged: the operation that connected goes on."""
        inbound, now = self.settings.folders.inbound, self._clock().timestamp()
        try:
            for entry in await sftp.readdir(inbound):
                name = _name_text(entry)
                if is_leftover(name, entry.attrs.mtime or now, now):
                    await sftp.remove(join_remote(inbound, name))
                    log.info("removed the leftover temporary upload %s/%s", inbound, name)
        except asyncssh.SFTPError as error:
            log.warning("could not clear leftover uploads in %s: %s", inbound, _reason(error))

    async def _connect(self) -> asyncssh.SSHClientConnection:
        settings = self.settings
        check = _HostKeyCheck(self._known_hosts, settings.host, settings.port)
        try:
            self._connection = await asyncssh.connect(
                settings.host, settings.port, **self._options(check)
            )
        except asyncssh.HostKeyNotVerifiable as error:
            raise check.mismatch(self._command("forget-host-key")) from error
        except (asyncssh.PermissionDenied, asyncssh.PasswordChangeRequired) as error:
            raise _Rejected(_reason(error)) from error
        log.info("connected to %s", settings.account)
        return self._connection

    def _options(self, check: _HostKeyCheck) -> dict[str, Any]:
        settings = self.settings
        methods = ["publickey"] if self._client_keys else []
        options: dict[str, Any] = {
            "client_factory": lambda: _PinningClient(check),
            "known_hosts": check.trusted(),
            "server_host_key_algs": check.algorithms(),
            "username": settings.username,
            "client_keys": self._client_keys or None,
            "agent_path": None,
            "config": None,
            "kbdint_auth": False,
            "gss_auth": False,
            "gss_kex": False,
            "host_based_auth": False,
            "connect_timeout": settings.connect_timeout,
            "login_timeout": settings.connect_timeout,
        }
        if settings.password is not None:
            options["password"] = settings.password.reveal()
            methods.append("password")
        options["preferred_auth"] = methods
        return options

    def _refuse_marked_account(self) -> None:
        failure = self._marks.refused(self.settings.account)
        if failure is not None:
            raise AuthenticationFailed(
                self._auth_message(failure, before=True), login=self._login(failure, before=True)
            )

    def _reject(self, detail: str) -> AuthenticationFailed:
        account, when = self.settings.account, self._clock()
        try:
            failure = self._marks.refuse(account, when, detail)
        except ClaimbridgeError as error:  # the rejection still stands, and is never retried
            log.error("login rejected for %s, and not recorded: %s", account, error)
            failure = failure_at(account, when, detail)
            kept = f" It could not be recorded: {error}."
        else:
            log.error("login rejected for %s; account marked, no retry", account)
            kept = ""
        return AuthenticationFailed(
            self._auth_message(failure, before=False) + kept,
            login=self._login(failure, before=False),
        )

    def _login(self, failure: AuthFailure, *, before: bool) -> str:
        when = f"was rejected at {failure.when}" if before else "was just rejected"
        return f"the SFTP login for {self.settings.account} {when} ({failure.detail})"

    def _auth_message(self, failure: AuthFailure, *, before: bool) -> str:
        return (
            f"{self._login(failure, before=before)}. claimbridge will not try "
            "this account again, because repeated failed logins lock an Office Ally account. "
            f"Check the SFTP username and password with Office Ally support ({OA_SUPPORT}); "
            f"they differ from the Service Center login. {self._marks.remedy()}"
        )

    def _command(self, name: str) -> str:
        settings = self.settings
        words = ["claimbridge", "sftp", name, "--host", settings.host, "--port", str(settings.port)]
        words += ["--known-hosts", str(settings.known_hosts)]
        return shlex.join(words)

    async def _disconnect(self) -> None:
        sftp, connection = self._sftp, self._connection
        self._sftp = self._connection = None
        if sftp is not None:
            sftp.exit()
        if connection is not None:
            connection.close()
            with contextlib.suppress(TimeoutError, asyncssh.Error, OSError):
                await asyncio.wait_for(connection.wait_closed(), self.settings.connect_timeout)

    # -- the operations, on the loop thread

    async def _upload(self, path: str, name: str, data: bytes) -> None:
        sftp = await self._client()
        existing = await _read_if_present(sftp, path)
        if existing is not None:
            check_same_upload(path, existing, data)
            return
        temporary = join_remote(self.settings.folders.inbound, temporary_name(name))
        async with sftp.open(temporary, "wb") as file:
            await file.write(data)
            with contextlib.suppress(asyncssh.SFTPOpUnsupported):
                await file.fsync()
        await _check_written(sftp, temporary, path, data)
        await _rename_once(sftp, temporary, path, data)
        log.info("uploaded %s (%d bytes)", path, len(data))

    async def _uploaded(self, path: str) -> bytes | None:
        return await _read_if_present(await self._client(), path)

    async def _list(self, folder: str) -> Sequence[RemoteFile]:
        return await _list_folder(await self._client(), folder)

    async def _download(self, path: str) -> bytes:
        sftp = await self._client()
        async with sftp.open(path, "rb") as file:
            data = await file.read()
        return data if isinstance(data, bytes) else data.encode()

    async def _delete(self, path: str) -> None:
        sftp = await self._client()
        await sftp.remove(path)
        log.info("deleted %s", path)


async def _list_folder(sftp: asyncssh.SFTPClient, folder: str) -> list[RemoteFile]:
    names = await sftp.readdir(folder)
    files = [_remote_file(folder, entry) for entry in names if _is_listed(entry)]
    return sorted(files, key=lambda remote: remote.name)


async def _read_if_present(sftp: asyncssh.SFTPClient, path: str) -> bytes | None:
    try:
        async with sftp.open(path, "rb") as file:
            data = await file.read()
    except asyncssh.SFTPNoSuchFile:
        return None
    return data if isinstance(data, bytes) else data.encode()


async def _check_written(sftp: asyncssh.SFTPClient, temporary: str, path: str, data: bytes) -> None:
    """The server's temporary file holds every byte, or it is removed and the upload refused."""
    stored = (await sftp.stat(temporary)).size
    try:
        check_complete(path, -1 if stored is None else stored, data)
    except TransportError:
        with contextlib.suppress(asyncssh.SFTPError):
            await sftp.remove(temporary)
        raise


async def _rename_once(sftp: asyncssh.SFTPClient, temporary: str, path: str, data: bytes) -> None:
    """Rename without overwriting; if ``path`` appeared meanwhile it must hold the same bytes."""
    try:
        await sftp.rename(temporary, path)
    except asyncssh.SFTPFailure:
        existing = await _read_if_present(sftp, path)
        if existing is None:
            raise
        check_same_upload(path, existing, data)
        await sftp.remove(temporary)


def _name_text(entry: asyncssh.SFTPName) -> str:
    name = entry.filename
    return name if isinstance(name, str) else name.decode("utf-8", "surrogateescape")


def _is_listed(entry: asyncssh.SFTPName) -> bool:
    return is_listed_name(_name_text(entry)) and entry.attrs.type == asyncssh.FILEXFER_TYPE_REGULAR


def _remote_file(folder: str, entry: asyncssh.SFTPName) -> RemoteFile:
    attrs = entry.attrs
    return RemoteFile(folder, _name_text(entry), attrs.size or 0, int(attrs.mtime or 0))
