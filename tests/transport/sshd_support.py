"""Helpers for the transport tests: a real OpenSSH server, a TCP proxy that cuts streams, and
the same account seen through each transport.

``SshdServer`` runs ``/usr/sbin/sshd -D -e -f <config>`` on 127.0.0.1 and a free port with host
keys generated into a temporary folder, password and key login for the system user ``cbtest``,
and ``internal-sftp`` starting in a folder that holds ``inbound`` and ``outbound``. It needs
root (to run sshd and create the user); elsewhere the tests skip, and fail under CI.

``TcpProxy`` sits between the client and sshd on 127.0.0.1 and can drop a connection after N
bytes in either direction, or swallow connections without answering.

This module has its own name (not ``conftest``) so test modules can import it unambiguously.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from claimbridge.domain.models import Secret
from claimbridge.transport.base import Transport
from claimbridge.transport.local import LocalDirTransport
from claimbridge.transport.lockout import UnkeptMarks
from claimbridge.transport.memory import MemoryTransport
from claimbridge.transport.retry import RetryPolicy
from claimbridge.transport.sftp import SftpSettings, SftpTransport

SSHD = Path("/usr/sbin/sshd")
TEST_USER = "cbtest"
TEST_PASSWORD = "cb-Synthetic-Pa55"
USER_LOCK = Path(tempfile.gettempdir()) / "claimbridge-cbtest-user.lock"
FAST_RETRY = RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.05)


def sshd_missing_reason() -> str | None:
    """Why a real sshd cannot be run here, or None when it can."""
    if not SSHD.exists():
        return f"OpenSSH's sshd is not installed at {SSHD} (apt-get install openssh-server)"
    if os.geteuid() != 0:
        return "the sshd tests need root to run sshd and create the test user"
    if shutil.which("useradd") is None or shutil.which("chpasswd") is None:
        return "useradd and chpasswd are needed to create the test user"
    return None


def ensure_test_user() -> pwd.struct_passwd:
    """Create ``cbtest`` if missing and (re)set its password; safe across parallel workers."""
    with USER_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            pwd.getpwnam(TEST_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER],
                check=True,
                capture_output=True,
            )
        subprocess.run(["chpasswd"], input=f"{TEST_USER}:{TEST_PASSWORD}\n", text=True, check=True)
    return pwd.getpwnam(TEST_USER)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def write_private_key(path: Path, algorithm: str) -> asyncssh.SSHKey:
    key = asyncssh.generate_private_key(algorithm)
    key.write_private_key(str(path))
    path.chmod(0o600)
    return key


class SshdServer:
    """One sshd process with its own configuration, host key, log and SFTP home."""

    def __init__(self, base: Path, user: pwd.struct_passwd) -> None:
        self.base = base
        self.user = user
        self.port = free_port()
        self.home = base / "home"
        self.log_path = base / "sshd.log"
        self.client_key_path = base / "client_key"
        self.process: subprocess.Popen[bytes] | None = None
        self.host_key: asyncssh.SSHKey | None = None
        self._prepare()

    def _prepare(self) -> None:
        self.base.chmod(0o755)
        self.home.mkdir(mode=0o755)
        for folder in ("inbound", "outbound"):
            (self.home / folder).mkdir()
            os.chown(self.home / folder, self.user.pw_uid, self.user.pw_gid)
        client_key = write_private_key(self.client_key_path, "ssh-ed25519")
        authorized = self.base / "authorized_keys"
        authorized.write_bytes(client_key.export_public_key("openssh"))
        authorized.chmod(0o644)
        self.new_host_key("ssh-ed25519")

    def new_host_key(self, algorithm: str) -> None:
        """Replace the host key (takes effect at the next start)."""
        for old in self.base.glob("host_key*"):
            old.unlink()
        path = self.base / f"host_key_{algorithm.replace('-', '_')}"
        self.host_key = write_private_key(path, algorithm)
        self._write_config(path)

    def _write_config(self, host_key: Path) -> None:
        config = f"""
            ListenAddress 127.0.0.1
            Port {self.port}
            HostKey {host_key}
            PidFile {self.base / "sshd.pid"}
            AuthorizedKeysFile {self.base / "authorized_keys"}
            StrictModes no
            UsePAM no
            PasswordAuthentication yes
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin no
            AllowUsers {TEST_USER}
            MaxAuthTries 6
            UseDNS no
            LogLevel VERBOSE
            Subsystem sftp internal-sftp
            ForceCommand internal-sftp -d {self.home}
        """
        path = self.base / "sshd_config"
        path.write_text("\n".join(line.strip() for line in config.splitlines()) + "\n")
        path.chmod(0o600)

    def start(self) -> None:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(SSHD), "-D", "-e", "-f", str(self.base / "sshd_config")],
                stdout=log,
                stderr=log,
            )
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited: {self.log_path.read_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.02)
        raise RuntimeError(f"sshd did not listen on {self.port}: {self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart_with_new_host_key(self, algorithm: str = "ssh-ed25519") -> None:
        self.stop()
        self.new_host_key(algorithm)
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def files(self, folder: str) -> dict[str, bytes]:
        """Every file in a folder of the SFTP home, hidden ones included, as the server sees it."""
        return {p.name: p.read_bytes() for p in sorted((self.home / folder).iterdir())}

    def place(self, folder: str, name: str, data: bytes, mtime: int | None = None) -> None:
        """Put a file on the server as Office Ally would, owned by the test user."""
        path = self.home / folder / name
        path.write_bytes(data)
        os.chown(path, self.user.pw_uid, self.user.pw_gid)
        if mtime is not None:
            os.utime(path, (mtime, mtime))

    def clear(self) -> None:
        for folder in ("inbound", "outbound"):
            for path in (self.home / folder).iterdir():
                path.unlink()

    def settings(self, known_hosts: Path, **changes: object) -> SftpSettings:
        """Settings for the test account (password login) through ``port`` or sshd itself."""
        values: dict[str, object] = {
            "host": "127.0.0.1",
            "port": self.port,
            "username": TEST_USER,
            "password": Secret(TEST_PASSWORD),
            "known_hosts": known_hosts,
            "connect_timeout": 5.0,
            "operation_timeout": 20.0,
            "retry": FAST_RETRY,
        }
        values.update(changes)
        return SftpSettings(**values)  # type: ignore[arg-type]


# --- the proxy ----------------------------------------------------------------------------


class TcpProxy:
    """A 127.0.0.1 TCP proxy to ``target_port`` that can cut or swallow connections.

    ``cut_upstream_after`` / ``cut_downstream_after``: close the first ``cuts`` connections
    after that many bytes client→server / server→client. ``blackhole``: accept and never
    forward. ``connections`` counts accepted connections.
    """

    def __init__(
        self,
        target_port: int,
        *,
        cut_upstream_after: int | None = None,
        cut_downstream_after: int | None = None,
        cuts: int = 1,
        blackhole: bool = False,
    ) -> None:
        self.target_port = target_port
        self.limits = (cut_upstream_after, cut_downstream_after)
        self.cuts = cuts
        self.blackhole = blackhole
        self.connections = 0
        self.cut_done = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopping = False
        self._spawn(self._accept_loop)

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._stopping:
                    client.close()
                    return
                self.connections += 1
                number = self.connections
                self._sockets.append(client)
            if not self.blackhole:
                self._connect(client, number)

    def _connect(self, client: socket.socket, number: int) -> None:
        try:
            server = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            client.close()
            return
        with self._lock:
            self._sockets.append(server)
        cut = number <= self.cuts
        upstream, downstream = self.limits if cut else (None, None)
        self._spawn(self._pump, client, server, upstream)
        self._spawn(self._pump, server, client, downstream)

    def _pump(self, source: socket.socket, sink: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                if limit is not None and sent + len(chunk) >= limit:
                    sink.sendall(chunk[: max(0, limit - sent)])
                    self._cut(source, sink)
                    return
                sink.sendall(chunk)
                sent += len(chunk)
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
        except OSError:
            self._cut(source, sink)

    def _cut(self, *sockets: socket.socket) -> None:
        with self._lock:
            self.cut_done += 1
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            self._stopping = True
            sockets = list(self._sockets)
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)
        for sock in sockets:
            sock.close()


# --- the same account behind three transports ------------------------------------------


@dataclass
class Account:
    """A transport and a view of the server behind it that does not go through the transport."""

    transport: Transport
    place: Callable[[str, str, bytes, int | None], None]
    files: Callable[[str], dict[str, bytes]]


def memory_account() -> Account:
    transport = MemoryTransport()

    def place(folder: str, name: str, data: bytes, mtime: int | None) -> None:
        transport.put(f"{folder}/{name}", data, mtime)

    def files(folder: str) -> dict[str, bytes]:
        prefix = folder + "/"
        return {
            p[len(prefix) :]: d for p, (d, _) in transport.files.items() if p.startswith(prefix)
        }

    return Account(transport, place, files)


def local_account(root: Path) -> Account:
    root.mkdir(parents=True, exist_ok=True)
    transport = LocalDirTransport(root)

    def place(folder: str, name: str, data: bytes, mtime: int | None) -> None:
        path = root / folder / name
        path.write_bytes(data)
        if mtime is not None:
            os.utime(path, (mtime, mtime))

    def files(folder: str) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted((root / folder).iterdir())}

    return Account(transport, place, files)


def sftp_account(server: SshdServer, known_hosts: Path) -> Account:
    transport = SftpTransport(server.settings(known_hosts), marks=UnkeptMarks())
    return Account(transport, server.place, server.files)
