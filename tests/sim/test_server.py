"""The simulator over real SFTP: an asyncssh client uploads, and the answers appear."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
import sample_claims

from claimbridge.errors import ConfigError
from claimbridge.sim import RunningSimulator, SimConfig, start_simulator
from claimbridge.sim.state import ACCOUNT_RANGE, FIRST_CHECK, FIRST_FILE_ID
from claimbridge.x12.reader import parse_text

USER, PASSWORD = "practice", "s3cret-for-tests"
EXPECTED = ("FS_HCFA_", "_999.999", "_277ca_", "_EDI_STATUS_", "_ERA_835_")


@pytest.fixture
def sim_server(tmp_path: Path) -> Iterator[RunningSimulator]:
    config = SimConfig(root=tmp_path, port=0, user=USER, password=PASSWORD, poll_interval=0.05)
    with start_simulator(config) as running:
        yield running


def known_hosts(sim: RunningSimulator) -> asyncssh.SSHKnownHosts:
    line = f"[{sim.host}]:{sim.port} {sim.host_public_key}\n"
    return asyncssh.import_known_hosts(line)


def sftp_session(sim: RunningSimulator, password: str = PASSWORD, user: str = USER) -> Any:
    return asyncssh.connect(
        sim.host, sim.port, username=user, password=password, known_hosts=known_hosts(sim)
    )


async def upload(sim: RunningSimulator, name: str, data: bytes, user: str = USER) -> None:
    """As claimbridge's transport does: a hidden temporary name, then a rename."""
    async with sftp_session(sim, user=user) as connection, connection.start_sftp_client() as sftp:
        async with sftp.open(f"inbound/.part-{name}", "wb") as file:
            await file.write(data)
        await sftp.rename(f"inbound/.part-{name}", f"inbound/{name}")


async def wait_for_answers(
    sim: RunningSimulator, timeout: float = 20.0, user: str = USER
) -> dict[str, bytes]:
    deadline = time.monotonic() + timeout
    async with sftp_session(sim, user=user) as connection, connection.start_sftp_client() as sftp:
        while True:
            names = [n for n in await sftp.listdir("outbound") if not n.startswith(".")]
            if all(any(part in n for n in names) for part in EXPECTED):
                return {n: await _read(sftp, f"outbound/{n}") for n in names}
            assert time.monotonic() < deadline, f"only {names} after {timeout} s"
            await asyncio.sleep(0.1)


async def _read(sftp: asyncssh.SFTPClient, path: str) -> bytes:
    async with sftp.open(path, "rb") as file:
        data = await file.read()
    return data if isinstance(data, bytes) else data.encode()


def test_an_upload_over_sftp_is_answered_within_seconds(sim_server: RunningSimulator) -> None:
    text = sample_claims.file_text(sample_claims.practice_batch())
    started = time.monotonic()
    asyncio.run(upload(sim_server, "OATEST_837P_CB0000101.txt", text.encode()))
    answers = asyncio.run(wait_for_answers(sim_server))
    assert time.monotonic() - started < 20
    for name, data in answers.items():
        if name.endswith((".999", ".835")) or "_277ca_" in name:
            assert list(parse_text(data.decode())), name
    assert not list((sim_server.root / "inbound").iterdir())


def test_further_accounts_each_have_their_own_folders(tmp_path: Path) -> None:
    config = SimConfig(root=tmp_path, port=0, user=USER, password=PASSWORD, poll_interval=0.05,
                       accounts=2)  # fmt: skip
    text = sample_claims.file_text(sample_claims.practice_batch()).encode()
    with start_simulator(config) as sim:
        asyncio.run(upload(sim, "OATEST_837P_CB0000101.txt", text, user=f"{USER}-2"))
        answers = asyncio.run(wait_for_answers(sim, user=f"{USER}-2"))

        async def listings(user: str) -> list[str]:
            session = sftp_session(sim, user=user)
            async with session as connection, connection.start_sftp_client() as sftp:
                return [n for n in await sftp.listdir("outbound") if not n.startswith(".")]

        others = [asyncio.run(listings(user)) for user in (USER, f"{USER}-1")]
        with pytest.raises(asyncssh.PermissionDenied):
            asyncio.run(listings(f"{USER}-3"))  # no such account
    assert others == [[], []]  # the answers went to the account that uploaded only
    # every answer seen is in that account's own folder (more may have come while looking)
    assert set(answers) <= {p.name for p in (tmp_path / f"{USER}-2" / "outbound").iterdir()}
    assert list((tmp_path / f"{USER}-2" / ".sim" / "processed").iterdir())
    state = json.loads((tmp_path / f"{USER}-2" / ".sim" / "state.json").read_text())
    assert state["file_id"] == FIRST_FILE_ID + 2 * ACCOUNT_RANGE + 1  # its own numbers
    assert state["check"] > FIRST_CHECK + 2 * ACCOUNT_RANGE  # no check number of another's
    assert config.users == (USER, f"{USER}-1", f"{USER}-2")
    with pytest.raises(ConfigError, match="no account"):
        config.for_user("someone")


def test_a_wrong_password_is_refused(sim_server: RunningSimulator) -> None:
    async def login() -> None:
        async with sftp_session(sim_server, password="wrong"):
            pass

    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(login())


def test_only_inbound_and_outbound_are_served(sim_server: RunningSimulator) -> None:
    async def look() -> tuple[list[str], list[str]]:
        async with sftp_session(sim_server) as connection, connection.start_sftp_client() as sftp:
            listed = sorted(n for n in await sftp.listdir(".") if n not in (".", ".."))
            above = sorted(n for n in await sftp.listdir("../..") if n not in (".", ".."))
            for path in (".sim/ssh_host_ed25519_key", "../.sim/state.json"):
                with pytest.raises(asyncssh.SFTPPermissionDenied):
                    await sftp.open(path, "rb")
            return listed, above

    listed, above = asyncio.run(look())
    assert listed == above == ["inbound", "outbound"]


def test_a_file_still_being_written_is_not_picked_up(sim_server: RunningSimulator) -> None:
    text = sample_claims.file_text(sample_claims.practice_batch()).encode()

    async def write_slowly() -> None:
        async with (
            sftp_session(sim_server) as connection,
            connection.start_sftp_client() as sftp,
            sftp.open("inbound/837P_direct.txt", "wb") as file,
        ):
            await file.write(text[:500])
            result = sim_server.process_now()
            await asyncio.sleep(0.3)  # several rounds of the server's own loop
            assert result.submissions == ()
            await file.write(text[500:])

    asyncio.run(write_slowly())
    answers = asyncio.run(wait_for_answers(sim_server))
    summary = next(data for name, data in answers.items() if name.startswith("FS_HCFA_"))
    assert b"File Status: PROCESSED" in summary  # read whole: half the file would have failed


def test_the_host_key_is_kept_across_restarts(tmp_path: Path) -> None:
    config = SimConfig(root=tmp_path, port=0, user=USER, password=PASSWORD)
    with start_simulator(config) as first:
        key = first.host_public_key
    with start_simulator(config) as second:
        assert second.host_public_key == key
        asyncio.run(upload(second, "837P_after_restart.txt", b"not x12"))


def test_a_port_in_use_is_a_config_error(sim_server: RunningSimulator, tmp_path: Path) -> None:
    taken = SimConfig(root=tmp_path / "other", port=sim_server.port, user=USER, password=PASSWORD)
    with pytest.raises(ConfigError, match="cannot listen"):
        start_simulator(taken)
