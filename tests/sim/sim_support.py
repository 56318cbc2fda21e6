"""Fixtures of the simulator tests: a processed upload of the example practice, read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sample_claims

from claimbridge.sim import ProcessResult, SimConfig, process_inbound_once
from claimbridge.x12.reader import Parsed, parse_text
from claimbridge.x12.tx835_005010X221A1 import Loop2100, Remittance

NOW = datetime(2026, 11, 12, 10, 0)


@dataclass
class Run:
    """One upload answered by the simulator, with its outbound files read back."""

    root: Path
    result: ProcessResult
    files: dict[str, str] = field(default_factory=dict)

    def named(self, pattern: str) -> list[str]:
        """Names in outbound containing ``pattern``, sorted."""
        return sorted(name for name in self.files if pattern in name)

    def one(self, pattern: str) -> str:
        (name,) = self.named(pattern)
        return self.files[name]

    def parsed(self, name: str) -> list[Parsed]:
        return list(parse_text(self.files[name]))

    def eras(self) -> dict[str, list[Remittance]]:
        """Each 835 file's remittances, by file name."""
        return {name: [p.value for p in self.parsed(name)] for name in self.named("_ERA_835_")}

    def claims(self, number: str) -> list[tuple[str, Loop2100]]:
        """Every CLP for CLM01 ``number``, with the 835 file it came in, in file order."""
        return [
            (name, claim)
            for name, remittances in self.eras().items()
            for remittance in remittances
            for claim in remittance.claims
            if claim.clp.patient_control_number == number
        ]


def upload_and_process(
    root: Path, text: str, name: str = "OATEST_837P_CB0000101.txt", **settings: Any
) -> Run:
    """Drop ``text`` in ``root/inbound`` as ``name``, run one round at ``NOW``, read outbound."""
    (root / "inbound").mkdir(parents=True, exist_ok=True)
    (root / "inbound" / name).write_text(text)
    config = SimConfig(root=root, **settings)
    result = process_inbound_once(root, config, NOW)
    return Run(root, result, read_outbound(root))


def read_outbound(root: Path) -> dict[str, str]:
    return {
        path.name: path.read_text()
        for path in sorted((root / "outbound").iterdir())
        if not path.name.startswith(".")
    }


@pytest.fixture(scope="module")
def practice_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The example practice's five claims, answered with the default scenario, no ERA split."""
    root = tmp_path_factory.mktemp("practice")
    return upload_and_process(root, sample_claims.file_text(sample_claims.practice_batch()))
