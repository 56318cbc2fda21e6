"""Where the time of a typed 835 read goes, stage by stage, in one process.

Reads one generated 835 (5 MB by default) held in memory through each stage alone and
prints CPU seconds, MB/s and nanoseconds per segment, best of ``--repeats``: splitting the
text with ``str.split`` only (the floor of any design that looks at each segment in Python),
the tokenizer, the tokenizer with envelopes, the 005010X221A1 typing alone (on transaction
sets built beforehand), and the whole read. Every stage runs inside ``fewer_collections``,
as ``parse_envelopes`` does. ``--python-loops`` measures the Python loops the reader uses when
its C extensions were not built. Run: ``.venv/bin/python bench/reading_cost.py [--size MB]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import generate
from claimbridge.x12 import envelope as envelope_module
from claimbridge.x12 import tokenizer as tokenizer_module
from claimbridge.x12.collector import fewer_collections
from claimbridge.x12.envelope import TransactionSet, iter_envelopes
from claimbridge.x12.reader import compiled_loops
from claimbridge.x12.tokenizer import parse_segments
from claimbridge.x12.tx835_005010X221A1 import claims as claims_module
from claimbridge.x12.tx835_005010X221A1 import parse

DATA = Path(__file__).resolve().parent / "out" / "data"


def use_python_loops() -> None:
    """Read with the Python loops only, as a machine without a C compiler does."""
    tokenizer_module._stream_c = None
    envelope_module._stream_c = None
    claims_module._claims_c = None


def best_cpu_seconds(work: Callable[[], object], repeats: int) -> float:
    """The least process CPU time of ``repeats`` runs of ``work``."""
    times = []
    for _ in range(repeats):
        with fewer_collections():
            start = time.process_time()
            work()
            times.append(time.process_time() - start)
    return min(times)


def stages(text: str) -> list[tuple[str, Callable[[], object]]]:
    """Each stage of reading ``text`` as a call that does it and keeps nothing."""
    transactions = [
        e for e in iter_envelopes(parse_segments(text)) if isinstance(e, TransactionSet)
    ]
    terminator, separator = "~", "*"

    def split_only() -> None:
        for raw in text.split(terminator):
            raw.split(separator)

    def tokenize() -> None:
        for _ in parse_segments(text):
            pass

    def envelopes() -> None:
        for _ in iter_envelopes(parse_segments(text)):
            pass

    def typing() -> None:
        for transaction in transactions:
            parse(transaction)

    def whole() -> None:
        for envelope in iter_envelopes(parse_segments(text)):
            parse(envelope)  # type: ignore[arg-type]

    return [
        ("str.split only (floor)", split_only),
        ("tokenizer", tokenize),
        ("tokenizer + envelopes", envelopes),
        ("typing alone (sets built before)", typing),
        ("whole typed read", whole),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=5.0, help="MB of 835 (default 5)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--python-loops", action="store_true", help="without the C loops, as with no compiler"
    )
    options = parser.parse_args()
    if options.python_loops:
        use_python_loops()
    print(f"inner loops: {'C' if compiled_loops() else 'Python'}")
    manifest = generate.ensure_835(DATA, options.size, seed=835)
    text = Path(manifest.path).read_text(encoding="ascii")
    megabytes = len(text) / generate.MB
    print(f"{manifest.path}: {manifest.segments:,} segments, {manifest.claims:,} claims")
    print("| stage | CPU s | MB/s | ns per segment |\n|---|--:|--:|--:|")
    for name, work in stages(text):
        seconds = best_cpu_seconds(work, options.repeats)
        per_segment = seconds / manifest.segments * 1e9
        print(f"| {name} | {seconds:.3f} | {megabytes / seconds:.1f} | {per_segment:,.0f} |")


if __name__ == "__main__":
    main()
