"""Office Ally's text reports read into values: the File Summary and the EDI Status report.

Office Ally does not publish the layouts (office-ally.md §7), so nothing here trusts a fixed
character offset: each table's columns are found from its header row (a column runs from its
label's first character to the next label's), and each row is cut at those places.

- File Summary: ``File Name:`` names our upload; a file that FAILED (``File Status: FAILED`` or
  "this file failed") created no claims and every claim in it must be fixed and sent again;
  otherwise the ``ERROR CLAIM DETAIL`` rows are claims Office Ally rejected (the ERROR column
  says why) and the ``ACCEPTED CLAIM DETAIL`` rows passed (office-ally.md §8).
- EDI Status: after the header row starting ``File ID``, one row per claim a payer answered:
  ``Patient Acct`` (our CLM01), ``Status`` ACCEPTED or REJECTED, ``Payer Ref ID`` (the payer's
  claim number) and the ``Payer Response`` text.

Both parsers raise ``InputError`` when the report lacks what identifies it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimbridge.errors import InputError

_ROW_NUMBER = re.compile(r"\s*\d+\)")
_ERROR_LINE = re.compile(r"\+-+>\s*(\d+)\s*#\s*errors?\s+(\S+)\s*-\s*(.*)", re.IGNORECASE)
FILE_SUMMARY_LABELS = (
    "CLAIM#", "OA CLAIM ID", "PATIENT ID", "LAST, FIRST", "DOB", "FROM DOS", "TO DOS", "CPT",
    "DIAG", "TAX ID", "ACCNT#", "PHYS ID", "PAYER", "ERROR",
)  # fmt: skip
EDI_STATUS_LABELS = (
    "FILE ID", "OA CLAIM ID", "PATIENT ACCT", "PATIENT NAME", "AMOUNT", "PRACTICE", "TAX ID",
    "PAYER ID", "PROCESS DATE", "PAYER PROCESS DATE", "PAYER REF ID", "STATUS", "PAYER RESPONSE",
)  # fmt: skip
_ACCOUNT_LABELS = ("PATIENT ACCT", "PATIENT ACCOUNT")  # the column that names the claim


@dataclass(frozen=True, slots=True)
class SummaryClaim:
    """One claim row of a File Summary; ``error`` is empty for an accepted claim."""

    patient_control_number: str
    oa_claim_id: str
    payer_id: str
    error: str

    @property
    def rejected(self) -> bool:
        """True when Office Ally rejected the claim."""
        return bool(self.error)


@dataclass(frozen=True, slots=True)
class FileSummary:
    """A File Summary: the upload it answers, whether it failed, the errors and the claims."""

    file_name: str
    failed: bool
    errors: tuple[str, ...]
    claims: tuple[SummaryClaim, ...]


@dataclass(frozen=True, slots=True)
class PayerResponse:
    """One row of an EDI Status report: what a payer said about one claim."""

    patient_control_number: str
    oa_claim_id: str
    payer_id: str
    accepted: bool
    payer_claim_number: str
    response: str


@dataclass(frozen=True, slots=True)
class EdiStatus:
    """An EDI Status report: the payers' answers, one per claim row."""

    responses: tuple[PayerResponse, ...]


@dataclass(frozen=True, slots=True)
class _Columns:
    """Column labels (upper case) and where each starts, read from a header row."""

    starts: dict[str, tuple[int, int | None]]

    @classmethod
    def of(cls, header: str, labels: Sequence[str]) -> _Columns:
        """The columns of ``header``: each known label found as whole words, longest first."""
        upper, taken = header.upper(), list[tuple[int, int]]()
        found: list[tuple[int, str]] = []
        for label in sorted(labels, key=len, reverse=True):
            for match in re.finditer(rf"(?<!\S){re.escape(label)}(?!\S)", upper):
                span = match.span()
                if all(span[1] <= start or span[0] >= end for start, end in taken):
                    taken.append(span)
                    found.append((span[0], label))
                    break
        found.sort()
        ends: list[int | None] = [start for start, _ in found[1:]]
        if found:  # the last column runs to the end of the line
            ends.append(None)
        return cls({label: (start, end) for (start, label), end in zip(found, ends, strict=True)})

    def value(self, line: str, *labels: str) -> str:
        """The text of the first of ``labels`` this table has, in ``line``; '' when none."""
        for label in labels:
            if label in self.starts:
                start, end = self.starts[label]
                return line[start:end].strip()
        return ""


def parse_file_summary(text: str) -> FileSummary:
    """A File Summary report; ``InputError`` when it names no uploaded file."""
    lines = text.splitlines()
    file_name = _labelled(lines, "FILE NAME")
    if not file_name:
        raise InputError("the File Summary has no 'File Name:' line")
    status = _labelled(lines, "FILE STATUS").upper()
    failed = status == "FAILED" or "THIS FILE FAILED" in text.upper()
    errors = tuple(_error_text(line) for line in lines if _ERROR_LINE.match(line.strip()))
    return FileSummary(file_name, failed, errors, tuple(_summary_claims(lines)))


def _labelled(lines: Sequence[str], label: str) -> str:
    for line in lines:
        name, colon, value = line.strip().partition(":")
        if colon and name.strip().upper() == label:
            return value.strip()
    return ""


def _error_text(line: str) -> str:
    match = _ERROR_LINE.match(line.strip())
    assert match is not None
    count, code, text = match.groups()
    return f"{code} - {text.strip()} ({count})"


def _summary_claims(lines: Sequence[str]) -> list[SummaryClaim]:
    claims: list[SummaryClaim] = []
    columns: _Columns | None = None
    for line in lines:
        if line.strip().upper().startswith("CLAIM#"):
            columns = _Columns.of(line, FILE_SUMMARY_LABELS)
        elif columns is not None and _ROW_NUMBER.match(line):
            claims.append(_summary_claim(columns, line))
    return claims


def _summary_claim(columns: _Columns, line: str) -> SummaryClaim:
    return SummaryClaim(
        patient_control_number=columns.value(line, "ACCNT#", "ACCOUNT#", "PATIENT ACCT"),
        oa_claim_id=columns.value(line, "OA CLAIM ID", "CLAIM ID"),
        payer_id=columns.value(line, "PAYER", "PAYER ID"),
        error=columns.value(line, "ERROR", "ERRORS"),
    )


def parse_edi_status(text: str) -> EdiStatus:
    """An EDI Status report; ``InputError`` when it has no header row starting 'File ID'."""
    lines = text.splitlines()
    header = next((n for n, line in enumerate(lines) if _is_header(line)), None)
    if header is None:
        raise InputError("the EDI Status report has no header row starting 'File ID'")
    columns = _Columns.of(lines[header], EDI_STATUS_LABELS)
    if not columns.starts.keys() & set(_ACCOUNT_LABELS):
        raise InputError(
            "the EDI Status report's header row has no 'Patient Acct' column, so no row can "
            "be matched to a claim; ask Office Ally for the report again",
            path=f"line {header + 1}",
        )
    rows = [line for line in lines[header + 1 :] if line.strip()]
    return EdiStatus(
        tuple(_response(columns, line) for line in rows if _has_account(columns, line))
    )


def _is_header(line: str) -> bool:
    stripped = line.strip().upper()
    return stripped.startswith("FILE ID") and not stripped[7:].lstrip().startswith(":")


def _has_account(columns: _Columns, line: str) -> bool:
    return bool(columns.value(line, *_ACCOUNT_LABELS))


def _response(columns: _Columns, line: str) -> PayerResponse:
    return PayerResponse(
        patient_control_number=columns.value(line, *_ACCOUNT_LABELS),
        oa_claim_id=columns.value(line, "OA CLAIM ID"),
        payer_id=columns.value(line, "PAYER ID"),
        accepted=columns.value(line, "STATUS").upper() == "ACCEPTED",
        payer_claim_number=columns.value(line, "PAYER REF ID", "PAYER REF"),
        response=columns.value(line, "PAYER RESPONSE", "RESPONSE"),
    )
