"""``claimbridge sim``: run the Office Ally simulator until Ctrl-C or SIGTERM.

The simulator's account is a test account on 127.0.0.1, so its password may be an option; it
can also come from ``CLAIMBRIDGE_SIM_PASSWORD``. It is never printed.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from claimbridge.cli.common import report_errors
from claimbridge.errors import Stopped
from claimbridge.sim import (
    EraSplit,
    RunningSimulator,
    Scenario,
    SimConfig,
    default_scenario,
    load_scenario,
    start_simulator,
)
from claimbridge.sim.scenarios import describe
from claimbridge.stopping import stop_on_signals

console = Console(highlight=False, soft_wrap=True)

Root = Annotated[
    Path,
    typer.Option("--root", file_okay=False, help="Folder for inbound/, outbound/ and state."),
]
Host = Annotated[str, typer.Option("--host", help="Address to listen on.")]
Port = Annotated[int, typer.Option("--port", help="Port to listen on; 0 picks a free one.")]
User = Annotated[str, typer.Option("--user", help="The SFTP account's user name.")]
Password = Annotated[
    str,
    typer.Option(
        "--password", envvar="CLAIMBRIDGE_SIM_PASSWORD", help="The SFTP account's password."
    ),
]
Delay = Annotated[
    float, typer.Option("--delay", min=0, help="Seconds between an upload and its answers.")
]
ScenarioFile = Annotated[
    Path | None,
    typer.Option("--scenario", exists=True, dir_okay=False, help="YAML or JSON scenario rules."),
]
Split = Annotated[EraSplit, typer.Option("--era-split", help="How ERAs are split into files.")]
Accounts = Annotated[
    int,
    typer.Option(
        "--accounts",
        min=0,
        max=100_000,
        help="Serve this many more accounts, USER-1 … USER-N, each in ROOT/USER-N.",
    ),
]
PollInterval = Annotated[
    float,
    typer.Option("--poll-interval", min=0.05, help="Seconds between looks at inbound."),
]


def register(root: typer.Typer) -> None:
    """Add ``sim`` to the ``claimbridge`` command."""
    root.command("sim")(sim)


@report_errors
def sim(
    root: Root,
    host: Host = "127.0.0.1",
    port: Port = 2222,
    user: User = "claimbridge",
    password: Password = "claimbridge",
    delay: Delay = 0.0,
    scenario: ScenarioFile = None,
    era_split: Split = EraSplit.NONE,
    accounts: Accounts = 0,
    poll_interval: PollInterval = 0.25,
) -> None:
    """Run an SFTP server that answers 837P uploads as Office Ally does, until stopped.

    Uploads go to inbound/; the File Summary, 999, 277CA, EDI Status report and 835 ERAs
    appear in outbound/ after --delay seconds. --accounts N serves N more accounts (a billing
    company's practices), each with its own folders. Example:

        claimbridge sim --root var/sim --port 2222 --delay 0 --era-split by_check
    """
    rules = load_scenario(scenario) if scenario else default_scenario()
    config = SimConfig(
        root=root, host=host, port=port, user=user, password=password, delay=delay,
        scenario=rules, era_split=era_split, accounts=accounts, poll_interval=poll_interval,
    )  # fmt: skip
    try:
        with stop_on_signals():
            running = start_simulator(config)
            try:
                _announce(running, user, rules, era_split)
                while True:
                    signal.pause()  # until SIGINT or SIGTERM raises Stopped
            finally:
                running.stop()
    except Stopped:
        pass
    console.print("simulator stopped")


def _announce(running: RunningSimulator, user: str, rules: Scenario, era_split: EraSplit) -> None:
    console.print(
        f"Office Ally simulator listening on {running.host} port {running.port}, "
        f"user {user}, root {running.root}"
    )
    if running.config.accounts:
        last = running.config.users[-1]
        console.print(
            f"and {running.config.accounts} more accounts, {user}-1 … {last}, each in "
            f"{running.root}/<user>"
        )
    console.print(f"scenario: {rules.name} ({rules.source}); ERA split: {era_split.value}")
    for line in describe(rules):
        console.print(f"  {line}")
    console.print("Press Ctrl-C to stop.")
