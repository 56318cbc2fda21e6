"""The simulator's SFTP server (asyncssh) on 127.0.0.1, and the loop that answers uploads.

Clients log in with the configured user and password and see two folders, ``inbound`` and
``outbound``, under the root; everything else there (the simulator's ``.sim`` state) is out of
their reach. The host key is made on first start in ``.sim/`` and reused, so a client that pins
it keeps trusting the same simulator. Files an SFTP client still has open for writing are not
picked up.

``start_simulator(config)`` runs the server and the processing loop in a background thread
with its own event loop and returns a ``RunningSimulator`` (``.port``, ``.stop()``,
``.process_now()``); the command line waits on it until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import posixpath
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

import asyncssh

from claimbridge.errors import ClaimbridgeError, ConfigError
from claimbridge.sim.config import SimConfig
from claimbridge.sim.officeally import ProcessResult, prepare_root, process_inbound_once
from claimbridge.sim.state import StateStore

log = logging.getLogger(__name__)

SERVED_FOLDERS = (b"inbound", b"outbound")
_STARTUP_TIMEOUT = 30.0


class OpenUploads:
    """Names of ``inbound`` files that SFTP clients hold open for writing (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: Counter[str] = Counter()

    def opened(self, name: str) -> None:
        with self._lock:
            self._names[name] += 1

    def closed(self, name: str) -> None:
        with self._lock:
            self._names[name] -= 1
            if self._names[name] <= 0:
                del self._names[name]

    def snapshot(self) -> frozenset[str]:
        """The names open right now."""
        with self._lock:
            return frozenset(self._names)


def _client_path(path: bytes) -> list[bytes]:
    """The parts of a client's path, normalised from the root ('..' cannot climb above it)."""
    normalized = posixpath.normpath(posixpath.join(b"/", path))
    return [part for part in normalized.split(b"/") if part]


class SimSftpServer(asyncssh.SFTPServer):
    """SFTP rooted at the simulator root, serving only ``inbound`` and ``outbound``."""

    def __init__(
        self,
        chan: asyncssh.SSHServerChannel[bytes],
        *,
        root: Path,
        uploads: OpenUploads,
        prefix: str = "",
    ) -> None:
        super().__init__(chan, chroot=os.fsencode(root))
        self._uploads = uploads
        self._prefix = prefix  # '<user>/' for a further account's uploads
        self._writing: dict[int, str] = {}

    def map_path(self, path: bytes) -> bytes:
        parts = _client_path(path)
        if parts and parts[0] not in SERVED_FOLDERS:
            raise asyncssh.SFTPPermissionDenied("only inbound and outbound are served here")
        return super().map_path(path)

    async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
        at_root = not _client_path(path)
        async for entry in super().scandir(path):
            name = entry.filename
            if not at_root or name in (b".", b"..", *SERVED_FOLDERS):
                yield entry

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> Any:
        return self._track(super().open(path, pflags, attrs), path)

    def open56(
        self, path: bytes, desired_access: int, flags: int, attrs: asyncssh.SFTPAttrs
    ) -> Any:
        return self._track(super().open56(path, desired_access, flags, attrs), path)

    def _track(self, file_obj: Any, path: bytes) -> Any:
        parts = _client_path(path)
        writable = any(flag in getattr(file_obj, "mode", "") for flag in "wax+")
        if writable and len(parts) == 2 and parts[0] == b"inbound":
            name = self._prefix + os.fsdecode(parts[1])
            self._writing[id(file_obj)] = name
            self._uploads.opened(name)
        return file_obj

    def close(self, file_obj: object) -> Any:
        name = self._writing.pop(id(file_obj), None)
        try:
            return super().close(file_obj)
        finally:
            if name is not None:
                self._uploads.closed(name)


class SimSshServer(asyncssh.SSHServer):
    """Password login for the configured accounts; nothing else is accepted."""

    def __init__(self, users: tuple[str, ...], password: str) -> None:
        self._users = {user.encode() for user in users}
        self._password = password.encode()

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        given = username.encode()
        right_user = any(hmac.compare_digest(given, user) for user in self._users)
        right_password = hmac.compare_digest(password.encode(), self._password)
        return right_user and right_password


def load_host_key(store: StateStore) -> asyncssh.SSHKey:
    """The simulator's host key: read from ``.sim/``, or made there on first start."""
    store.prepare()
    try:
        if store.host_key.exists():
            return asyncssh.read_private_key(store.host_key)
        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(store.host_key)
        store.host_key.chmod(0o600)
        return key
    except (OSError, asyncssh.KeyImportError) as error:
        raise ConfigError(f"cannot use the host key {store.host_key}: {error}") from None


class RunningSimulator:
    """A simulator serving in a background thread. Use as a context manager, or call ``stop``."""

    def __init__(self, config: SimConfig, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.host = config.host
        self.port = config.port
        self.uploads = OpenUploads()
        self.host_key = load_host_key(StateStore(config.state_dir))
        self._clock = clock
        self._ready = threading.Event()
        self._error: ClaimbridgeError | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="claimbridge-sim", daemon=True)

    @property
    def root(self) -> Path:
        """The folder holding ``inbound`` and ``outbound``."""
        return self.config.root

    @property
    def host_public_key(self) -> str:
        """The host key in OpenSSH public format, for a client's known_hosts."""
        return self.host_key.export_public_key().decode().strip()

    def start(self) -> RunningSimulator:
        """Listen and start answering; raise ``ConfigError`` when the port cannot be used."""
        self._thread.start()
        if not self._ready.wait(_STARTUP_TIMEOUT):
            raise ConfigError("the simulator did not start listening in time")
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self

    def process_now(self, now: datetime | None = None) -> ProcessResult:
        """One processing round right away, e.g. with a clock a test controls: every account's
        folder in turn."""
        busy = self.uploads.snapshot()
        at = now or self._clock()
        mine = frozenset(name for name in busy if "/" not in name)
        result = process_inbound_once(self.root, self.config, at, busy=mine)
        for user in self.config.users[1:]:
            theirs = frozenset(name.removeprefix(f"{user}/") for name in busy
                               if name.startswith(f"{user}/"))  # fmt: skip
            config = self.config.for_user(user)
            more = process_inbound_once(config.root, config, at, busy=theirs)
            result = ProcessResult(
                result.submissions + more.submissions, result.delivered + more.delivered
            )
        return result

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening, finish the current round, and wait for the thread."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop may have just closed
                loop.call_soon_threadsafe(stopping.set)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        try:
            acceptor = await self._listen()
        except (OSError, asyncssh.Error) as error:
            where = f"{self.config.host}:{self.config.port}"
            self._error = ConfigError(f"cannot listen on {where}: {error}")
            self._ready.set()
            return
        self.port = acceptor.get_port()
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        self._ready.set()
        try:
            await self._answer_until_stopped(self._stopping)
        finally:
            acceptor.close()
            await acceptor.wait_closed()

    async def _listen(self) -> asyncssh.SSHAcceptor:
        config = self.config
        return await asyncssh.listen(
            config.host,
            config.port,
            server_host_keys=[self.host_key],
            server_factory=partial(SimSshServer, config.users, config.password),
            sftp_factory=self._sftp_server,
            allow_scp=False,
        )

    async def _answer_until_stopped(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await asyncio.to_thread(self._round)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.config.poll_interval)

    def _sftp_server(self, chan: asyncssh.SSHServerChannel[bytes]) -> SimSftpServer:
        """The SFTP server of the account that logged in, rooted at its folder."""
        user = str(chan.get_extra_info("username"))
        root = self.config.for_user(user).root
        prefix = "" if user == self.config.user else f"{user}/"
        return SimSftpServer(chan, root=root, uploads=self.uploads, prefix=prefix)

    def _round(self) -> None:
        try:
            self.process_now()
        except ClaimbridgeError as error:
            log.error("the simulator could not process inbound: %s", error)
        except Exception:  # a bug in one round must not stop the server
            log.exception("the simulator failed while processing inbound")


def start_simulator(
    config: SimConfig, *, clock: Callable[[], datetime] = datetime.now
) -> RunningSimulator:
    """Start serving ``config.root`` over SFTP and answering uploads; returns once listening."""
    config = replace(config, root=Path(config.root).resolve())
    for user in config.users:
        prepare_root(config.for_user(user))
    return RunningSimulator(config, clock).start()
