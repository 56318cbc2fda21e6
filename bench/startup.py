"""Start-up: the ``claimbridge`` script's wall time and peak memory, beside ``python -c pass``.

::

    .venv/bin/python bench/startup.py              # 30 runs of each command
    .venv/bin/python bench/startup.py --runs 100

Each command runs in a fresh process, ``--runs`` times after one untimed round (which writes
the bytecode of claimbridge's modules, as installing does, even under PYTHONDONTWRITEBYTECODE),
the commands taking turns round by round so that the load of the shared machine falls on all of
them alike.
Wall time is the median of the runs, from forking the process to reaping it; memory is the
highest peak resident set of the command's own process (its ``ru_maxrss``, from ``os.wait4``),
forked from the small harness ``peers/run_command.py`` so that no parent's memory is counted.
The targets: ``claimbridge --help`` and ``claimbridge x12 json`` of a 1 KB file within 10× the
wall time of ``python -c pass`` and under 40 MiB. Results are printed and written to
``bench/out/startup.md`` and ``bench/out/startup.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from run import OUT, Reported, Tool, machine, run_harness

REPO = Path(__file__).resolve().parents[1]
SMALL_X12 = REPO / "tests" / "data" / "835" / "multi-transaction.835"
SCRIPT = Path(sys.executable).parent / "claimbridge"
BASELINE = "python -c pass"
TARGET_RATIO = 10.0
TARGET_PEAK_MIB = 40.0
TARGETED = ("claimbridge --help", "claimbridge x12 json")
HARNESS = Tool("run_command", "fork, exec, wait4", "run_command.py", Path(sys.executable), ("-I",))


@dataclass
class Command:
    """One command line, and what each of its runs cost."""

    name: str
    argv: list[str]
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.seconds) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu_seconds) * 1000

    @property
    def peak_mib(self) -> float:
        return max(self.peak_kib) / 1024


def commands() -> list[Command]:
    """The baseline and the claimbridge commands measured against it."""
    return [
        Command(BASELINE, [sys.executable, "-c", "pass"]),
        Command("claimbridge --help", [str(SCRIPT), "--help"]),
        Command("claimbridge --version", [str(SCRIPT), "--version"]),
        Command("claimbridge x12 json", [str(SCRIPT), "x12", "json", str(SMALL_X12)]),
    ]


def run_once(command: Command) -> Reported:
    """What one run of ``command`` cost (the harness's JSON); raises if the command fails."""
    return run_harness(HARNESS, command.argv, timeout=120)


def measure(measured: list[Command], runs: int) -> None:
    """One untimed round, then ``runs`` rounds of every command in turn."""
    for command in measured:
        run_once(command)
    for _ in range(runs):
        for command in measured:
            result = run_once(command)
            command.seconds.append(float(result["seconds"]))
            command.cpu_seconds.append(float(result["cpu_seconds"]))
            command.peak_kib.append(int(result["peak_rss_kib"]))


def report(measured: list[Command], runs: int, where: dict[str, str]) -> str:
    """The Markdown report: every command, then the targets."""
    baseline = next(command for command in measured if command.name == BASELINE)
    lines = [
        "# Start-up benchmark results",
        "",
        f"{where['date']} · commit {where['commit']} · {where['cores']} cores, {where['cpu']} · "
        f"Python {where['python']} · {where['os']} · load average at the end {where['load']} · "
        f"{runs} runs of each command · `x12 json` of {SMALL_X12.relative_to(REPO)} "
        f"({SMALL_X12.stat().st_size:,} bytes)",
        "",
        "| command | median ms | fastest ms | × `python -c pass` (median) | CPU ms (median) "
        "| × by CPU | peak RSS MiB |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for command in measured:
        ratio = command.median_ms / baseline.median_ms
        cpu_ratio = command.cpu_ms / baseline.cpu_ms
        lines.append(
            f"| `{command.name}` | {command.median_ms:.1f} | {command.min_ms:.1f} | "
            f"{ratio:.1f} | {command.cpu_ms:.1f} | {cpu_ratio:.1f} | {command.peak_mib:.1f} |"
        )
    lines += ["", "## Targets", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    for command in (command for command in measured if command.name in TARGETED):
        ratio = command.median_ms / baseline.median_ms
        lines.append(
            f"| `{command.name}` wall time | ≤ {TARGET_RATIO:g}× `python -c pass` | "
            f"{ratio:.1f}× | {_met(ratio <= TARGET_RATIO)} |"
        )
        lines.append(
            f"| `{command.name}` peak memory | < {TARGET_PEAK_MIB:g} MiB | "
            f"{command.peak_mib:.1f} MiB | {_met(command.peak_mib < TARGET_PEAK_MIB)} |"
        )
    return "\n".join(lines) + "\n"


def _met(met: bool) -> str:
    return "PASS" if met else "**FAIL**"


def main(argv: list[str] | None = None) -> int:
    """Measure, print the report and save it with the raw figures in ``bench/out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each command")
    args = parser.parse_args(argv)
    if not SCRIPT.is_file():
        parser.error(f"no claimbridge script beside this Python ({SCRIPT}): run make test first")
    # Measure what a user runs: claimbridge's modules from their bytecode, which an install
    # writes (pip) and this setting would keep the untimed round from writing.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    measured = commands()
    measure(measured, args.runs)
    text = report(measured, args.runs, machine())
    OUT.mkdir(exist_ok=True)
    (OUT / "startup.md").write_text(text)
    payload = {"runs": args.runs, "commands": [asdict(command) for command in measured]}
    (OUT / "startup.json").write_text(json.dumps(payload, indent=2))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
