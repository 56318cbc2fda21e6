"""A throw-away PostgreSQL cluster for the store tests: ``initdb`` + ``pg_ctl`` in a temp folder.

The server listens only on a unix socket inside its own folder (no TCP port, so parallel test
workers never collide), runs without fsync, and is stopped and deleted at the end of the
session. PostgreSQL refuses to run as root, so under root the binaries run as the ``postgres``
user (``runuser -u postgres --``) in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

PORT = 5432  # only names the socket file; nothing listens on TCP
SERVER_OPTIONS = (
    "-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=60"
)


def postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(os.path.realpath(on_path)).parent))
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def run_as() -> list[str]:
    """The command prefix that runs a PostgreSQL program as a user it accepts."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def missing_reason() -> str | None:
    """Why a cluster cannot be started here, or None."""
    if postgres_bin() is None:
        return "PostgreSQL (initdb, pg_ctl) is not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server"
        if shutil.which("runuser") is None:
            return "running as root and 'runuser' is missing"
    return None


class PostgresCluster:
    """One private cluster; ``url(name)`` gives a SQLAlchemy URL for a database in it."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="cb-pg-"))
        self.data = self.base / "data"
        self.bin = postgres_bin() or Path("/nonexistent")
        self.running = False

    def start(self) -> None:
        """initdb, then start the server and wait until it accepts connections."""
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale=C")  # fmt: skip
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"), "-w",
                  "-o", f"-k {self.base} -p {PORT} {SERVER_OPTIONS}", "start")  # fmt: skip
        self.running = True

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.running = False
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3) of ``database`` over the unix socket."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.base}&port={PORT}"

    def execute(self, statement: str) -> None:
        """Run one statement outside a transaction in the ``postgres`` database."""
        conninfo = f"host={self.base} port={PORT} user=postgres dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(statement.encode())

    def log_tail(self) -> str:
        """The end of the server log, for a failure message."""
        log = self.base / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def _run(self, program: str, *args: str) -> None:
        command = [*run_as(), str(self.bin / program), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=self.base)
