"""Run the fuzz targets (``make fuzz``): each in its own process, one after the other.

    python fuzz/run.py                       # every target, FUZZ_SECONDS (5) seconds each
    python fuzz/run.py --seconds 600 ingest  # one target for ten minutes
    python fuzz/run.py --runs 1000000 x12_999
    python fuzz/run.py --one x12_999 -- -runs=1 crash-…   # replay an input (libFuzzer options)

A target starts from its seeds in ``fuzz/corpus/<target>`` (kept in the repository, never
written to) and the inputs earlier runs found interesting in ``.fuzz/<target>/corpus`` (not
kept). A finding (an error outside claimbridge's tree, an input slower than ``--timeout``
seconds, more memory than ``--rss-mb``) stops its target, is saved as
``.fuzz/<target>/finding-<hash>`` and makes the run fail; the log is ``.fuzz/<target>/log``.
``--work`` puts both elsewhere (``make fuzz-sanitize`` keeps its runs in ``.fuzz/sanitized``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
WORK = HERE.parent / ".fuzz"
MAX_LEN = 16384  # bytes: above every seed; a longer input finds nothing a short one does not


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        return _one(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description="Run claimbridge's fuzz targets.")
    parser.add_argument("targets", nargs="*", help="target names (default: all)")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "5")))
    parser.add_argument("--runs", type=int, default=0, help="inputs per target (then no --seconds)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory a target may use")
    parser.add_argument("--work", type=Path, default=WORK, help="where runs keep what they find")
    options = parser.parse_args(argv)
    names = _target_names()
    unknown = sorted(set(options.targets) - set(names))
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; the targets are {', '.join(names)}")
    failed = [name for name in options.targets or names if not _run(name, options.__dict__)]
    if failed:
        print(
            f"fuzz: findings in {', '.join(failed)}; see {options.work}/<target>/", file=sys.stderr
        )
        return 1
    return 0


def _target_names() -> list[str]:
    return sorted(path.name for path in CORPUS.iterdir() if path.is_dir())


def _run(name: str, options: dict[str, Any]) -> bool:
    work = options["work"] / name
    (work / "corpus").mkdir(parents=True, exist_ok=True)
    budget = (
        f"-runs={options['runs']}" if options["runs"] else (f"-max_total_time={options['seconds']}")
    )
    command = [
        sys.executable, str(Path(__file__).resolve()), "--one", name, "--",
        str(work / "corpus"), str(CORPUS / name), budget,
        f"-timeout={options['timeout']}", f"-rss_limit_mb={options['rss_mb']}",
        f"-max_len={MAX_LEN}", f"-artifact_prefix={work}/finding-", "-print_final_stats=1",
    ]  # fmt: skip
    started = time.monotonic()
    with (work / "log").open("w") as log:
        status = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
    text = (work / "log").read_text(errors="replace")
    runs = re.findall(r"stat::number_of_executed_units: (\d+)", text)
    done = f"{int(runs[-1]):,} inputs" if runs else "inputs not counted"
    took = time.monotonic() - started
    if status.returncode == 0:
        print(f"{name:14} {done} in {took:.0f} s, no finding")
        return True
    print(f"{name:14} FINDING after {done} in {took:.0f} s; the end of {work}/log:")
    print("\n".join(text.splitlines()[-40:]))
    return False


def _one(name: str, libfuzzer_args: list[str]) -> int:
    import importlib

    import atheris

    sys.path.insert(0, str(HERE))
    from targets import TARGETS, refusing_only_ours

    if name not in TARGETS:
        raise SystemExit(f"no fuzz target {name!r}; the targets are {', '.join(TARGETS)}")
    target = TARGETS[name]
    with atheris.instrument_imports(include=["claimbridge"]):
        for module in target.modules:
            importlib.import_module(module)
    target.prepare()
    args = [a for a in libfuzzer_args if a != "--"]
    atheris.Setup([sys.argv[0], *args], refusing_only_ours(target.run))
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
