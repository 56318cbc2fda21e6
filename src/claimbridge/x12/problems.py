"""One problem found in an X12 file, as every validator reports it.

Our own structural checks (``validate``), pyx12's implementation-guide checks (``igcheck``)
and, later, Office Ally's reports all speak this one shape, so a person sees one list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Source = Literal["claimbridge", "pyx12", "office-ally"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Where a file breaks a rule and what the rule says, in plain English.

    ``segment_position`` is 1-based in the file (as ``Segment.position``); ``element`` is written
    as in the guide, e.g. ``'CLM05-3'``; ``loop`` is the TR3 loop id, e.g. ``'2300'``. Any of the
    places may be None when the problem belongs to no single segment.
    """

    segment_position: int | None
    segment_id: str | None
    loop: str | None
    element: str | None
    severity: Severity
    source: Source
    message: str

    @property
    def is_error(self) -> bool:
        """True for an error, False for a warning."""
        return self.severity == "error"

    def where(self) -> str:
        """The place as one short phrase, e.g. 'segment 21 CLM (loop 2300) CLM05-3'."""
        parts = []
        if self.segment_position is not None:
            parts.append(f"segment {self.segment_position}")
        if self.segment_id:
            parts.append(self.segment_id)
        if self.loop:
            parts.append(f"(loop {self.loop})")
        if self.element:
            parts.append(self.element)
        return " ".join(parts) if parts else "file"

    def __str__(self) -> str:
        return f"{self.where()}: {self.severity}: {self.message} [{self.source}]"
