"""claimbridge under cProfile: where the 835 reader or the 837P writer spends its time.

Usage: ``claimbridge_profile.py read FILE`` or ``claimbridge_profile.py write CLAIMS SEED``.
Prints the functions with the most own time ("tottime"), each with its share of the total,
then pstats' own listing sorted by cumulative time. cProfile slows pure-Python code by
roughly 2–4×, evenly enough that the shares (not the seconds) are what to read.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import generate  # bench/generate.py, found through the path set above
from claimbridge.x12.reader import read_file
from claimbridge.x12.tx837p_005010X222A1.build import build_837p

TOP = 30


def read(path: str) -> None:
    """Read the 835 fully typed, touching every claim."""
    for parsed in read_file(path):
        for claim in parsed.value.claims:
            _ = claim.service_lines


def writer(claims: int, seed: int) -> Callable[[], None]:
    """A call that builds a synthetic batch of ``claims`` claims (made before profiling)."""
    batch, envelope = generate.claim_batch_837p(claims, seed)

    def build() -> None:
        build_837p(batch, envelope)

    return build


def shares(stats: pstats.Stats) -> list[str]:
    """The ``TOP`` functions by own time, as 'share  seconds  calls  function' lines."""
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in table.values()) or 1.0
    ranked = sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:TOP]
    lines = ["share  own s    calls  function"]
    for (file, line, name), (_, calls, own, _cumulative, _) in ranked:
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        lines.append(f"{own / total:5.1%} {own:6.3f} {calls:8d}  {name} ({where})")
    return lines


def main() -> None:
    """Profile the work the arguments name and print the two listings."""
    kind = sys.argv[1]
    work = (lambda: read(sys.argv[2])) if kind == "read" else writer(*map(int, sys.argv[2:4]))
    profiler = cProfile.Profile()
    profiler.runcall(work)
    stats = pstats.Stats(profiler, stream=io.StringIO())
    print("\n".join(shares(stats)))
    listing = io.StringIO()
    pstats.Stats(profiler, stream=listing).sort_stats("cumulative").print_stats(TOP)
    print(listing.getvalue())


if __name__ == "__main__":
    main()
