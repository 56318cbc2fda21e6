"""claimbridge: check a file against its implementation guide (``x12 validate``'s default path).

``--guide-only`` runs the guide tables alone (``claimbridge.x12.guide.guide_problems`` over the
streaming tokenizer); without it the whole of ``validate_file``: our structural checks, the
guide tables and the typed readers' read-back in one pass. ``--python-only`` checks the guide
without its C path (as on a machine without a C compiler). Problems are counted, not kept.
"""

from __future__ import annotations

import sys

from _measure import Counts, report

from claimbridge.x12.guide import check, guide_problems
from claimbridge.x12.tokenizer import read_segments
from claimbridge.x12.validate import validate_file


def guide_only(path: str) -> Counts:
    errors = warnings = 0
    for problem in guide_problems(read_segments(path)):
        if problem.is_error:
            errors += 1
        else:
            warnings += 1
    return {"errors": errors, "warnings": warnings, "valid": "no" if errors else "yes"}


def whole(path: str) -> Counts:
    checked = validate_file(path)
    errors = len(checked.errors)
    return {
        "errors": errors,
        "warnings": len(checked.warnings),
        "segments": checked.segments,
        "valid": "no" if errors else "yes",
    }


if __name__ == "__main__":
    arguments = sys.argv[1:]
    only = "--guide-only" in arguments
    if "--python-only" in arguments:
        check._guide_c = None
    files = [a for a in arguments if a not in ("--guide-only", "--python-only")]
    if len(files) != 1:
        raise SystemExit("usage: claimbridge_guide.py [--guide-only] [--python-only] FILE")
    report(lambda: guide_only(files[0]) if only else whole(files[0]))
