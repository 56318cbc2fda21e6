"""Crash injection: ``claimbridge submit`` killed with SIGKILL at every step boundary of a
submission, over a local folder and over SFTP to the simulator, then run again.

Whatever the step, the second run ends with exactly one file in Office Ally's inbound, under
the batch's name and with the bytes the ledger kept, every ready claim in it once and in no
other file, the batch ``sent``, and nothing of ours left behind. A file that was already under
its name when the process died is recorded, not sent again. The kill is a real SIGKILL of a
real command at a named step (``crash_at``), not a hope that a random delay hits the window.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from claimbridge.domain.models import Secret
from claimbridge.services.claims import create_claims
from claimbridge.sim import SimConfig, start_simulator
from claimbridge.store import tables as t
from claimbridge.store.crypto import Cipher
from claimbridge.store.db import Store
from claimbridge.store.repositories import set_password
from claimbridge.x12.tokenizer import parse_segments
from crash_at import HOOKED_MAIN, STEPS
from ledger_fixtures import load_example
from support import RUN_MAIN

TESTS = Path(__file__).resolve().parents[1]
KEY = Fernet.generate_key().decode()
# What the second run says of the batch the first left behind, by the step it died at.
RESUMED = {
    "before_upload": "uploaded now",
    "mid_upload": "uploaded now",
    "after_rename": "recorded, not sent again",
    "before_commit": "recorded, not sent again",
    "after_commit": None,  # nothing left to finish
}
ON_SERVER_AFTER_CRASH = {"after_rename", "before_commit", "after_commit"}


@dataclass(frozen=True, slots=True)
class Office:
    """Where ``submit`` sends to: its extra arguments, and the inbound folder to look in."""

    arguments: tuple[str, ...]
    inbound: Path


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Store]:
    """The example practice with its claims made: four ready, one held."""
    store = Store(f"sqlite:///{tmp_path / 'ledger.db'}")
    store.upgrade()
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", date.today())
    yield store
    store.dispose()


@pytest.fixture(params=["folder", "sftp"])
def office(request: pytest.FixtureRequest, tmp_path: Path, ledger: Store) -> Iterator[Office]:
    """A local folder, or the simulator over SFTP with the account and password in the ledger."""
    if request.param == "folder":
        root = tmp_path / "office-ally"
        root.mkdir()
        yield Office(("--to", str(root)), root / "inbound")
        return
    config = SimConfig(root=tmp_path / "sim", port=0, poll_interval=3600)  # never picks up
    with start_simulator(config) as simulator:
        with ledger.transaction() as session:
            session.execute(
                update(t.ClearinghouseAccountRow).values(
                    sftp_host=config.host, sftp_port=simulator.port, username=config.user
                )
            )
            set_password(session, Secret(config.password), Cipher(Secret(KEY)))
        yield Office(("--known-hosts", str(tmp_path / "known_hosts")), simulator.root / "inbound")


def _submit(
    ledger: Store, office: Office, crash_at: str | None
) -> subprocess.CompletedProcess[str]:
    """``claimbridge submit`` in a fresh interpreter, with the crash hook when ``crash_at``."""
    env = {**os.environ, "CLAIMBRIDGE_SECRET_KEY": KEY, "COLUMNS": "300"}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    if crash_at is not None:
        env["CLAIMBRIDGE_CRASH_AT"] = crash_at
    code = HOOKED_MAIN if crash_at else RUN_MAIN
    command = [sys.executable, "-c", code, "submit", "--db", ledger.url, *office.arguments]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def _batches(ledger: Store) -> list[tuple[str, str, bytes]]:
    with ledger.read() as session:
        query = select(t.BatchRow.file_name, t.BatchRow.status, t.BatchRow.content)
        return [(name, status, content) for name, status, content in session.execute(query)]


def _submissions(ledger: Store) -> dict[str, int]:
    """How many times each claim was put in a file."""
    with ledger.read() as session:
        query = select(t.ClaimRow.clm01).join(
            t.ClaimSubmissionRow, t.ClaimSubmissionRow.claim_id == t.ClaimRow.id
        )
        found: dict[str, int] = {}
        for clm01 in session.scalars(query):
            found[clm01] = found.get(clm01, 0) + 1
        return found


def _claims_in(data: bytes) -> list[str]:
    """The CLM01 of every claim in an 837P file."""
    return [segment.fields[1] for segment in parse_segments(data.decode()) if segment.id == "CLM"]


@pytest.mark.parametrize("step", STEPS)
def test_a_submit_killed_at_any_step_sends_each_claim_once(
    ledger: Store, office: Office, step: str
) -> None:
    crashed = _submit(ledger, office, step)

    assert crashed.returncode == -9, crashed.stderr
    [(name, status, content)] = _batches(ledger)
    assert status == ("sent" if step == "after_commit" else "uploading")
    assert ((office.inbound / name).exists()) == (step in ON_SERVER_AFTER_CRASH)

    again = _submit(ledger, office, None)

    assert again.returncode == 0, again.stderr
    wanted = RESUMED[step]
    if wanted is None:
        assert "sent 0 claims in 0 files" in again.stdout
    else:
        [line] = [line for line in again.stdout.splitlines() if name in line]
        assert line.strip().startswith(f"{name} (batch B1, 4 claims): ") and wanted in line
    assert _batches(ledger) == [(name, "sent", content)]
    assert {p.name: p.read_bytes() for p in office.inbound.iterdir()} == {name: content}
    claims = _claims_in(content)
    assert sorted(claims) == sorted(set(claims)) and len(claims) == 4
    assert _submissions(ledger) == dict.fromkeys(claims, 1)
