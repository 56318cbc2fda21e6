"""SIGTERM (how systemd and container engines stop a service) and Ctrl-C stop ``watch`` and
``serve`` cleanly: exit 0, a line saying so, nothing on stderr, and in the ledger every returned
file applied once or not at all (the file in hand is finished first).

The commands run as installed, in a fresh interpreter, and the test sends the signal at a moment
it has seen, never after a guessed time: the line ``watch`` prints before it sleeps, the word a
paused apply of the first file sends on a pipe, the server's start-up line, a held request
saying it is in flight and the server saying it waits for it.
``claimbridge.stopping`` and the ingest's part are also checked in-process, the signal sent from
inside a file's apply.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from claimbridge.errors import Stopped
from claimbridge.services import ingest
from claimbridge.services.changes import Changes
from claimbridge.services.ingest import Outcome, poll
from claimbridge.services.polls import Poll, folder_source, recent_polls
from claimbridge.stopping import finish_first, stop_on_signals
from claimbridge.store.db import Store
from claimbridge.transport import LocalDirTransport
from claimbridge.x12.sniff import FileKind
from cycle_support import NOW, answered, era_backlog, ledger_snapshot
from support import RUN_MAIN

STOPPED_POLL = "stopped by SIGTERM before it ended; the rest is read at the next poll"


@contextmanager
def _claimbridge(*args: str) -> Iterator[subprocess.Popen[str]]:
    """The command running as installed; killed at the end if it is still running."""
    with subprocess.Popen(
        [sys.executable, "-c", RUN_MAIN, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    ) as process:
        try:
            yield process
        finally:
            process.kill()  # nothing when it has ended


def _read_until(stream: object, wanted: str) -> list[str]:
    """Lines of ``stream`` up to the first holding ``wanted`` (all of them when it ends)."""
    assert hasattr(stream, "readline")
    lines: list[str] = []
    while line := stream.readline():
        lines.append(line)
        if wanted in line:
            break
    return lines


def _stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """SIGTERM, then its exit code and what it printed until it ended."""
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def _polls(url: str) -> tuple[Poll, ...]:
    store = Store(url)
    try:
        with store.read() as session:
            return recent_polls(session, 10)
    finally:
        store.dispose()


def _outcomes(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT outcome FROM inbound_files")]


# --- claimbridge.stopping ----------------------------------------------------------------


def test_a_signal_outside_finish_first_stops_at_once_and_the_handlers_are_put_back() -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    reached = []
    with pytest.raises(Stopped) as raised, stop_on_signals():
        os.kill(os.getpid(), signal.SIGTERM)
        reached.append("after the signal")
    assert reached == []
    assert (raised.value.signal_name, raised.value.how) == ("SIGTERM", "SIGTERM")
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_a_signal_inside_finish_first_is_raised_when_the_block_ends() -> None:
    reached = []
    with pytest.raises(Stopped) as raised, stop_on_signals():
        with finish_first():
            os.kill(os.getpid(), signal.SIGINT)
            with finish_first():
                reached.append("inner block")
            reached.append("outer block, after the inner one ended")
        reached.append("after the outer block")
    assert reached == ["inner block", "outer block, after the inner one ended"]
    assert raised.value.how == "Ctrl-C (SIGINT)"


# --- the ingest: the file in hand is finished, the rest left for the next poll -----------


def test_sigterm_while_a_file_is_applied_finishes_that_file_and_records_the_poll_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert threading.current_thread() is threading.main_thread()  # where signals are handled
    stopped = Store(f"sqlite:///{tmp_path / 'stopped.db'}")
    stopped.upgrade()
    root = answered(stopped, tmp_path / "oa").root
    stopped.dispose()  # everything in the database file, then a copy of it
    shutil.copyfile(tmp_path / "stopped.db", tmp_path / "reference.db")
    reference = Store(f"sqlite:///{tmp_path / 'reference.db'}")
    source = folder_source(root)
    poll(reference, LocalDirTransport(root), tmp_path / "a1", now=NOW, actor="t", source=source)

    apply = ingest._apply
    signalled = []

    def apply_with_sigterm(
        session: Session, kind: FileKind, data: bytes, changes: Changes
    ) -> tuple[Outcome, str]:
        if not signalled:  # the first file: SIGTERM arrives in the middle of its apply
            signalled.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
        return apply(session, kind, data, changes)

    monkeypatch.setattr(ingest, "_apply", apply_with_sigterm)
    with pytest.raises(Stopped), stop_on_signals():
        poll(stopped, LocalDirTransport(root), tmp_path / "a2", now=NOW, actor="t", source=source)
    assert _outcomes(tmp_path / "stopped.db") == ["applied"]  # finished and committed; no more
    with stopped.read() as session:
        [record] = recent_polls(session, 5)
    assert (record.ok, record.files, record.detail) == (False, 1, STOPPED_POLL)

    monkeypatch.setattr(ingest, "_apply", apply)
    poll(stopped, LocalDirTransport(root), tmp_path / "a2", now=NOW, actor="t", source=source)
    assert ledger_snapshot(stopped) == ledger_snapshot(reference)
    stopped.dispose()
    reference.dispose()


# --- claimbridge watch -------------------------------------------------------------------


def test_sigterm_while_watch_sleeps_stops_it_at_once_with_exit_0(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    root = answered(store, tmp_path / "oa").root
    store.dispose()
    with _claimbridge("watch", "--every", "1h", "--from", str(root),
                      "--archive", str(tmp_path / "archive"), "--db", url) as watch:  # fmt: skip
        printed = _read_until(watch.stdout, "next poll in 1h")
        code, out, err = _stop(watch)
    assert (code, err) == (0, ""), err
    assert "6 files: 6 applied." in "".join(printed)
    assert out == "stopped by SIGTERM.\n"  # and no line again, nor half of one
    assert _outcomes(tmp_path / "ledger.db") == ["applied"] * 6
    [record] = _polls(url)
    assert (record.actor, record.ok, record.files) == ("watch", True, 6)


# ``claimbridge watch`` as installed, but the apply of its first file says so on one pipe and
# waits for a byte on another: the test sends SIGTERM exactly while a file is being applied.
PAUSED_MAIN = (
    """
import os, sys
from claimbridge.services import ingest
told, go = int(sys.argv.pop(1)), int(sys.argv.pop(1))
apply, paused = ingest._apply, []
def apply_when_told(*args):
    if not paused:
        paused.append(True)
        os.write(told, b"applying")
        os.read(go, 1)
    return apply(*args)
ingest._apply = apply_when_told
"""
    + RUN_MAIN
)


def test_sigterm_while_watch_applies_a_file_finishes_it_and_loses_nothing(tmp_path: Path) -> None:
    template, files = era_backlog(tmp_path, claims=150, era_files=6)
    outbound = tmp_path / "from" / "outbound"
    outbound.mkdir(parents=True)
    for number, path in enumerate(files):  # the duplicate ERA under a name of its own
        shutil.copyfile(path, outbound / f"{number:02d}_{path.name}")
    database = tmp_path / "ledger.db"
    shutil.copyfile(template, database)
    shutil.copyfile(template, tmp_path / "reference.db")
    url, reference = f"sqlite:///{database}", Store(f"sqlite:///{tmp_path / 'reference.db'}")
    poll(reference, LocalDirTransport(outbound.parent), tmp_path / "reference-archive", now=NOW,
         actor="test", source="reference")  # fmt: skip

    archive = str(tmp_path / "archive")
    told, tell = os.pipe()
    wait, go = os.pipe()
    args = ("watch", "--every", "1h", "--from", str(outbound.parent), "--archive", archive,
            "--db", url)  # fmt: skip
    with subprocess.Popen(
        [sys.executable, "-c", PAUSED_MAIN, str(tell), str(wait), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, pass_fds=(tell, wait),
    ) as watch:  # fmt: skip
        os.close(tell)
        os.close(wait)
        try:
            assert os.read(told, 8) == b"applying", watch.communicate()  # the first file
            watch.send_signal(signal.SIGTERM)
            os.write(go, b"x")
            out, err = watch.communicate(timeout=120)
        finally:
            watch.kill()
            os.close(told)
            os.close(go)
    assert (watch.returncode, err) == (0, ""), err
    assert out.split() == ["stopped", "by", "SIGTERM."]  # (and the progress display's blank line)
    assert _outcomes(database) == ["applied"]  # the file in hand was finished, no other begun
    [record] = _polls(url)
    assert (record.actor, record.ok, record.files, record.detail) == (
        "watch", False, 1, STOPPED_POLL)  # fmt: skip

    with _claimbridge("watch", "--once", "--from", str(outbound.parent), "--archive", archive,
                      "--db", url) as again:  # fmt: skip
        out, err = again.communicate(timeout=300)
    assert (again.returncode, err) == (0, ""), err
    assert f"{len(files) - 2} files:" in out  # the rest; the duplicate is not read again
    stopped = Store(url)
    try:
        assert ledger_snapshot(stopped) == ledger_snapshot(reference)
    finally:
        stopped.dispose()
        reference.dispose()


# --- claimbridge serve -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sigterm_stops_serve_with_exit_0_and_no_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    store.dispose()
    port = _free_port()
    with _claimbridge("serve", "--port", str(port), "--db", url) as server:
        started = _read_until(server.stderr, "Uvicorn running on")
        assert "Uvicorn running on" in started[-1], "".join(started)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=30) as answer:
            assert answer.status == 200
        code, out, err = _stop(server)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"claimbridge on http://127.0.0.1:{port}/ (Ctrl-C or SIGTERM stops it)"
    assert lines[-1] == "stopped by SIGTERM."
    assert "Traceback" not in err and "ERROR" not in err
    assert "Finished server process" in err


# ``claimbridge serve`` as installed, with one more public route whose request says on a pipe
# that it is in flight and is answered only when the test sends a byte on another.
HELD_REQUEST_MAIN = (
    """
import os, sys
import claimbridge.web.app as web_app
told, go = int(sys.argv.pop(1)), int(sys.argv.pop(1))
create_app = web_app.create_app
def create_with_a_held_route(*args, **kwargs):
    app = create_app(*args, **kwargs)
    @app.get("/login/held")
    def held():
        os.write(told, b"in flight")
        os.read(go, 1)
        return {"answered": True}
    return app
web_app.create_app = create_with_a_held_route
"""
    + RUN_MAIN
)


def test_serve_answers_the_request_in_flight_before_it_stops(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    store.dispose()
    port = _free_port()
    told, tell = os.pipe()
    wait, go = os.pipe()
    answers: list[bytes] = []

    def ask() -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/held", timeout=60) as answer:
            answers.append(answer.read())

    with subprocess.Popen(
        [sys.executable, "-c", HELD_REQUEST_MAIN, str(tell), str(wait), "serve", "--port",
         str(port), "--db", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, pass_fds=(tell, wait),
    ) as server:  # fmt: skip
        os.close(tell)
        os.close(wait)
        asking = threading.Thread(target=ask)
        try:
            assert "Uvicorn running on" in _read_until(server.stderr, "Uvicorn running on")[-1]
            asking.start()
            assert os.read(told, 9) == b"in flight"
            server.send_signal(signal.SIGTERM)
            waiting = _read_until(server.stderr, "Waiting for connections to close")
            assert "Waiting for connections to close" in waiting[-1], waiting  # on our request
            os.write(go, b"x")
            asking.join(timeout=60)
            out, err = server.communicate(timeout=120)
        finally:
            server.kill()
            os.close(told)
            os.close(go)
    assert answers == [b'{"answered":true}']
    assert server.returncode == 0, err
    assert out.splitlines()[-1] == "stopped by SIGTERM."
    assert "Traceback" not in err and "ERROR" not in err
