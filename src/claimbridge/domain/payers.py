"""The payer master list's rules: claim filing indicators, Medicare, Par and Non-Par.

The claim filing indicator (SBR09) is checked against the 005010X222A1 code list; ``09`` (self
pay) and ``10`` (central certification) were 4010 codes and are refused.
"""

from __future__ import annotations

from claimbridge.domain.models import Payer

CLAIM_FILING_INDICATORS: dict[str, str] = {
    "11": "other non-federal programs",
    "12": "preferred provider organization (PPO)",
    "13": "point of service (POS)",
    "14": "exclusive provider organization (EPO)",
    "15": "indemnity insurance",
    "16": "health maintenance organization (HMO) Medicare risk",
    "17": "dental maintenance organization",
    "AM": "automobile medical",
    "BL": "Blue Cross/Blue Shield",
    "CH": "CHAMPUS (TRICARE)",
    "CI": "commercial insurance",
    "DS": "disability",
    "FI": "Federal Employees Program",
    "HM": "health maintenance organization",
    "LM": "liability medical",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "OF": "other federal program",
    "TV": "Title V",
    "VA": "Veterans Affairs plan",
    "WC": "workers' compensation health claim",
    "ZZ": "mutually defined",
}

MEDICARE_INDICATORS = frozenset({"MA", "MB"})


def filing_indicator_problem(code: str) -> str | None:
    """Why ``code`` is not a 5010 claim filing indicator (SBR09)."""
    if code in CLAIM_FILING_INDICATORS:
        return None
    if code in ("09", "10"):
        return f"{code!r} was a 4010 claim filing indicator and is not valid in 5010"
    return f"{code!r} is not a claim filing indicator (e.g. CI, BL, MB, MC)"


def is_medicare(payer: Payer) -> bool:
    """True for a Medicare payer (filing indicator MA or MB): OA must be told of approval."""
    return payer.claim_filing_indicator in MEDICARE_INDICATORS


def describe(payer: Payer) -> str:
    """The payer as people name it in messages: 'CIGNA (62308)'."""
    return f"{payer.name} ({payer.payer_id})"
