"""The claim frequency type code (CLM05-3 of an 837P; NUBC's codes, 005010X222A1 2300 CLM05-3).

A claim goes out as an original (1); sent again to correct one the payer has, it replaces it (7)
or voids it (8), naming the payer's claim control number (REF*F8). A void repeats the claim it
cancels and carries no adjudication of its own; nothing follows it and no money is owed on it.
"""

from __future__ import annotations

from enum import StrEnum


class ClaimFrequency(StrEnum):
    """CLM05-3: how a claim stands to the one the payer already has."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"
