"""docs/performance.md, where each bench keeps its own section: ``write_section`` replaces the
section that starts with its heading (up to the next ``## ``), or appends it."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def write_section(heading: str, text: str) -> None:
    """Put ``text`` (which starts with ``heading``) in place of the section ``heading``."""
    body = text.rstrip("\n") + "\n"
    current = DOC.read_text() if DOC.exists() else "# Performance\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: body + "\n", current).rstrip("\n") + "\n"
    else:
        updated = current.rstrip("\n") + "\n\n" + body
    DOC.write_text(updated)
