"""The X12 benchmarks: claimbridge's 835 reader and 837P writer beside pyx12,
linuxforhealth-x12 and edi-835-parser, on the same synthetic files, in one run.

Run ``make bench`` (or ``.venv/bin/python bench/run.py``); ``--quick`` uses small files for a
smoke check, ``--skip-peers`` measures claimbridge alone. Every measurement runs in a fresh
subprocess (``bench/peers/*.py``), which prints its work time and peak RSS; results go to
``bench/out/results.md`` and ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import generate
from claimbridge.x12.reader import compiled_loops
from generate import MB, Manifest835

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
PEERS = BENCH / "peers"
MIB = 1024 * 1024

Reported = dict[str, Any]  # the JSON line a harness prints

TARGET_MB_PER_S = 25.0
TARGET_PEAK_MIB = 64.0
TARGET_WRITE_SECONDS = 0.5
WRITE_CLAIMS = 20_000


@dataclass(frozen=True)
class Plan:
    """What one run measures: file sizes, repeats and budgets."""

    sizes_mb: tuple[float, ...]
    peer_size_mb: float
    repeats: int
    peer_budget_s: float
    write_claims: int
    write_repeats: int
    seed: int = 835

    @property
    def largest_mb(self) -> float:
        return max(self.sizes_mb)


FULL = Plan(
    sizes_mb=(5, 20, 50),
    peer_size_mb=5,
    repeats=5,
    peer_budget_s=150,
    write_claims=WRITE_CLAIMS,
    write_repeats=5,
)
QUICK = Plan(
    sizes_mb=(0.5, 1, 2),
    peer_size_mb=0.5,
    repeats=1,
    peer_budget_s=10,
    write_claims=2_000,
    write_repeats=2,
)


@dataclass(frozen=True)
class Tool:
    """A harness in ``bench/peers/`` and the Python that runs it."""

    name: str
    does: str
    script: str
    python: Path
    flags: tuple[str, ...] = ()


@dataclass
class Row:
    """One measurement: a tool on a file, what it cost and what it saw."""

    tool: str
    does: str
    file_mb: float
    file_bytes: int
    claims_expected: int
    result: Reported = field(default_factory=dict)
    error: str = ""
    note: str = ""

    @property
    def seconds(self) -> float:
        return float(self.result.get("seconds", 0.0))

    @property
    def cpu_seconds(self) -> float:
        return float(self.result.get("cpu_seconds", 0.0))

    @property
    def mb_per_s(self) -> float:
        return self.file_bytes / MB / self.seconds if self.seconds else 0.0

    @property
    def claims_per_s(self) -> float:
        return self.claims_expected / self.seconds if self.seconds else 0.0

    @property
    def peak_mib(self) -> float:
        return int(self.result.get("peak_rss_kib", 0)) / 1024

    @property
    def before_mib(self) -> float:
        return int(self.result.get("rss_before_kib", 0)) / 1024


# --- running harnesses ---------------------------------------------------------------------


def run_harness(tool: Tool, args: list[str], timeout: float) -> Reported:
    """Run ``tool`` in a fresh process; its last stdout line is the JSON it reports."""
    command = [str(tool.python), *tool.flags, str(PEERS / tool.script), *args]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=environment, check=False
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit code {done.returncode}"]
        raise RuntimeError(lines[-1][:300])
    result: Reported = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(tool: Tool, manifest: Manifest835, repeats: int, timeout: float) -> Row:
    """The best of ``repeats`` runs of ``tool`` on ``manifest``'s file (the highest peak RSS)."""
    row = Row(tool.name, tool.does, manifest.size_mb, manifest.bytes, manifest.claims)
    results: list[Reported] = []
    try:
        for _ in range(repeats):
            results.append(run_harness(tool, [manifest.path], timeout))
    except subprocess.TimeoutExpired:
        row.error = f"stopped after {timeout:.0f} s (time budget)"
    except RuntimeError as failure:
        row.error = str(failure)
    if results:
        row.result = min(results, key=lambda r: float(r["seconds"]))
        row.result["peak_rss_kib"] = max(int(r["peak_rss_kib"]) for r in results)
        row.result["runs"] = len(results)
        row.note = _count_check(row, manifest)
    return row


def _count_check(row: Row, manifest: Manifest835) -> str:
    """'' when the tool saw every claim (and, if it sums BPR02, the right total)."""
    problems = []
    seen = row.result.get("claims")
    if seen != manifest.claims:
        problems.append(f"saw {seen} claims of {manifest.claims}")
    total = row.result.get("total_paid")
    if total is not None and Decimal(str(total)) != Decimal(manifest.total_paid):
        problems.append(f"Σ BPR02 {total} ≠ {manifest.total_paid}")
    return "; ".join(problems)


# --- peers and their virtual environments -------------------------------------------------


PEER_VENVS: dict[str, tuple[str, ...]] = {
    "lfh": ("linuxforhealth-x12==0.57.0", "pydantic<2"),
    "edi835": ("edi-835-parser==1.8.0",),
}


def peer_python(name: str) -> Path:
    """The Python of peer venv ``name`` under ``bench/out/venvs``, created on first use."""
    venv = OUT / "venvs" / name
    python = venv / "bin" / "python"
    wanted = " ".join(PEER_VENVS[name])
    stamp = venv / ".installed"
    if stamp.exists() and stamp.read_text() == wanted and python.exists():
        return python
    print(f"creating {venv} ({wanted}) …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *PEER_VENVS[name]], check=True)
    stamp.write_text(wanted)
    return python


def peer_tools() -> tuple[list[Tool], list[str]]:
    """The peers that can run here, and a note for each that cannot."""
    main = Path(sys.executable)
    tools = [
        Tool("pyx12 4.0.0", "X12Reader: every segment, envelope checks", "pyx12_segments.py", main),
        Tool("pyx12 4.0.0", "x12n_document: full IG validation", "pyx12_validate.py", main),
    ]
    missing: list[str] = []
    for name, tool in (
        ("lfh", ("linuxforhealth-x12 0.57.0", "X12ModelReader: pydantic models", "lfh_models.py")),
        ("edi835", ("edi-835-parser 1.8.0", "parse(): claim, service objects", "edi835_parse.py")),
    ):
        try:
            python = peer_python(name)
        except (subprocess.CalledProcessError, OSError) as failure:
            missing.append(f"{tool[0]}: its venv could not be built ({failure})")
            continue
        flags = ("-W", "ignore") if name == "edi835" else ()
        tools.append(Tool(*tool, python=python, flags=flags))
    return tools, missing


def measure_peer(tool: Tool, small: Manifest835, large: Manifest835, budget: float) -> list[Row]:
    """``tool`` on the small file, then on the large one when its pace says it fits the budget."""
    first = measure(tool, small, repeats=1, timeout=budget)
    if first.error or not first.seconds:
        return [first]
    projected = first.seconds * large.bytes / small.bytes
    if projected > budget:
        first.note = _join(
            first.note, f"{large.size_mb:g} MB not run: projected {projected:.0f} s > budget"
        )
        return [first]
    return [first, measure(tool, large, repeats=1, timeout=budget * 1.5)]


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


# --- the 837P writer ----------------------------------------------------------------------


def measure_writer(plan: Plan) -> Reported:
    """The writer harness: build ``plan.write_claims`` claims ``plan.write_repeats`` times."""
    tool = Tool("claimbridge", "build_837p", "claimbridge_write837.py", Path(sys.executable))
    args = [str(plan.write_claims), str(plan.write_repeats), str(plan.seed)]
    try:
        return run_harness(tool, args, timeout=600)
    except (RuntimeError, subprocess.TimeoutExpired) as failure:
        return {"error": str(failure)}


# --- the report -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Cores, CPU, Python, OS, date and commit of this run."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": " / ".join(f"{load:.1f}" for load in os.getloadavg()),
        "commit": commit or "unknown",
        "loops": "C" if compiled_loops() else "Python only (the C extension was not built)",
    }


def reading_table(rows: list[Row]) -> list[str]:
    lines = [
        "| tool | what it does | file | seconds | CPU s | MB/s | claims/s | peak RSS MiB "
        "(before work) | notes |",
        "|---|---|---|--:|--:|--:|--:|--:|---|",
    ]
    for row in rows:
        if row.error and not row.result:
            lines.append(
                f"| {row.tool} | {row.does} | {row.file_mb:g} MB | – | – | – | – | – "
                f"| {row.error} |"
            )
            continue
        lines.append(
            f"| {row.tool} | {row.does} | {row.file_mb:g} MB | {row.seconds:.2f} | "
            f"{row.cpu_seconds:.2f} | {row.mb_per_s:.2f} | {row.claims_per_s:,.0f} | "
            f"{row.peak_mib:.1f} ({row.before_mib:.1f}) | {_join(row.note, row.error)} |"
        )
    return lines


def writer_lines(writer: Reported) -> list[str]:
    if "error" in writer:
        return [f"837P writer: not measured ({writer['error']})"]
    best = float(writer["best_seconds"])
    claims = int(writer["claims"])
    runs = ", ".join(f"{s:.3f}" for s in writer["all_seconds"])
    return [
        "| writer | claims | best of | seconds (best) | CPU s (best) | claims/s | output MB "
        "| peak RSS MiB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
        f"| claimbridge build_837p | {claims:,} | {writer['runs']} | {best:.3f} | "
        f"{float(writer['best_cpu_seconds']):.3f} | "
        f"{claims / best:,.0f} | {int(writer['output_bytes']) / MB:.2f} | "
        f"{int(writer['peak_rss_kib']) / 1024:.1f} |",
        "",
        f"All runs (s): {runs}.",
    ]


def targets(rows: list[Row], writer: Reported, plan: Plan) -> list[str]:
    """The three stated targets beside what this run measured."""
    typed = {row.file_mb: row for row in rows if row.does.startswith("read_file") and row.result}
    lines = ["| target | goal | measured | met |", "|---|---|---|---|"]
    largest = typed.get(plan.largest_mb)
    if largest:
        speed = largest.mb_per_s
        by_cpu = largest.file_bytes / MB / largest.cpu_seconds if largest.cpu_seconds else 0.0
        lines.append(
            f"| typed 835 reading, one core | ≥ {TARGET_MB_PER_S:g} MB/s | {speed:.1f} MB/s on "
            f"{plan.largest_mb:g} MB ({by_cpu:.1f} MB/s by CPU time) | "
            f"{_yes(speed >= TARGET_MB_PER_S)} |"
        )
        peaks = ", ".join(f"{mb:g} MB: {row.peak_mib:.1f}" for mb, row in sorted(typed.items()))
        flat = largest.peak_mib <= TARGET_PEAK_MIB
        lines.append(
            f"| peak memory, flat as files grow | ≤ {TARGET_PEAK_MIB:g} MiB on "
            f"{plan.largest_mb:g} MB | {peaks} MiB | {_yes(flat)} |"
        )
    if "best_seconds" in writer:
        best = float(writer["best_seconds"])
        cpu = float(writer["best_cpu_seconds"])
        lines.append(
            f"| write {int(writer['claims']):,} claims (837P) | ≤ {TARGET_WRITE_SECONDS} s | "
            f"{best:.3f} s ({cpu:.3f} s CPU) | {_yes(best <= TARGET_WRITE_SECONDS)} |"
        )
    return lines


def _yes(met: bool) -> str:
    return "yes" if met else "**no**"


def report(
    rows: list[Row], writer: Reported, plan: Plan, notes: list[str], where: dict[str, str]
) -> str:
    """The whole Markdown report."""
    lines = [
        "# X12 benchmark results",
        "",
        f"{where['date']} · commit {where['commit']} · {where['cores']} cores, {where['cpu']} · "
        f"Python {where['python']} · {where['os']} · load average at the end {where['load']} · "
        f"claimbridge's inner reading loops: {where['loops']}",
        "",
        "## Reading 835 files",
        "",
        *reading_table(rows),
        "",
        "## Writing 837P",
        "",
        *writer_lines(writer),
        "",
        "## Targets",
        "",
        *targets(rows, writer, plan),
    ]
    if notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------


def our_tools() -> list[Tool]:
    python = Path(sys.executable)
    return [
        Tool("claimbridge", "tokenizer: read_segments", "claimbridge_tokenize.py", python),
        Tool("claimbridge", "+ envelopes: iter_envelopes", "claimbridge_envelopes.py", python),
        Tool("claimbridge", "read_file: typed 835 values", "claimbridge_read.py", python),
    ]


def run(plan: Plan, skip_peers: bool) -> str:
    """Generate the inputs, measure everything and return the report."""
    data = OUT / "data"
    manifests = {size: generate.ensure_835(data, size, plan.seed) for size in plan.sizes_mb}
    rows: list[Row] = []
    for tool in our_tools():
        for size, manifest in manifests.items():
            print(f"{tool.name} {tool.does} on {size:g} MB …", flush=True)
            rows.append(measure(tool, manifest, plan.repeats, timeout=600))
    writer = measure_writer(plan)
    notes: list[str] = []
    if not skip_peers:
        small = generate.ensure_835(data, plan.peer_size_mb, plan.seed)
        tools, notes = peer_tools()
        for tool in tools:
            print(f"{tool.name} {tool.does} …", flush=True)
            rows += measure_peer(tool, small, manifests[plan.largest_mb], plan.peer_budget_s)
    text = report(rows, writer, plan, notes, machine())
    _save(text, rows, writer, plan)
    return text


def profile(plan: Plan) -> list[Path]:
    """cProfile listings of the typed read (smallest file) and the writer, saved in ``OUT``."""
    python = str(Path(sys.executable))
    script = str(PEERS / "claimbridge_profile.py")
    smallest = generate.ensure_835(OUT / "data", min(plan.sizes_mb), plan.seed)
    runs = {
        "profile-835-read.txt": ["read", smallest.path],
        "profile-837p-write.txt": ["write", str(plan.write_claims), str(plan.seed)],
    }
    saved = []
    for name, args in runs.items():
        print(f"profiling {args[0]} …", flush=True)
        done = subprocess.run([python, script, *args], capture_output=True, text=True, check=True)
        (OUT / name).write_text(done.stdout)
        saved.append(OUT / name)
    return saved


def _save(text: str, rows: list[Row], writer: Reported, plan: Plan) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "results.md").write_text(text)
    payload = {"plan": asdict(plan), "rows": [asdict(row) for row in rows], "writer": writer}
    (OUT / "results.json").write_text(json.dumps(payload, indent=2, default=str))


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the plan, print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small files, about a minute")
    parser.add_argument("--skip-peers", action="store_true", help="measure claimbridge only")
    parser.add_argument("--peer-budget", type=float, help="seconds one peer run may take")
    parser.add_argument(
        "--profile", action="store_true", help="only profile claimbridge (bench/out/profile-*)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.peer_budget:
        plan = Plan(**{**asdict(plan), "peer_budget_s": args.peer_budget})
    if args.profile:
        for path in profile(plan):
            print(f"{path}:\n" + "\n".join(path.read_text().splitlines()[:16]) + "\n")
        return 0
    print(run(plan, args.skip_peers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
