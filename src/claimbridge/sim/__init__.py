"""The Office Ally simulator: an SFTP server that answers 837P uploads as Office Ally does.

It plays Office Ally from the outside: it reads uploads with the X12 readers and writes its
answers with the X12 writers, and never uses claimbridge's services, store or transport.

    config = SimConfig(root=Path("sim-root"), port=0)
    with start_simulator(config) as sim:      # listening on 127.0.0.1:sim.port
        ...                                    # upload to inbound/, read outbound/
    process_inbound_once(root, config, now)   # one round without a server, at a chosen time

See docs/simulator.md for what it imitates and the scenario file format.
"""

from __future__ import annotations

from claimbridge.sim.config import EraSplit, SimConfig
from claimbridge.sim.officeally import ProcessResult, Submission, process_inbound_once
from claimbridge.sim.scenarios import (
    Edit,
    EditSource,
    Outcome,
    Rule,
    Scenario,
    default_scenario,
    load_scenario,
    parse_scenario,
)
from claimbridge.sim.server import RunningSimulator, start_simulator

__all__ = [
    "Edit",
    "EditSource",
    "EraSplit",
    "Outcome",
    "ProcessResult",
    "Rule",
    "RunningSimulator",
    "Scenario",
    "SimConfig",
    "Submission",
    "default_scenario",
    "load_scenario",
    "parse_scenario",
    "process_inbound_once",
    "start_simulator",
]
