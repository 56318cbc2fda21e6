"""Office Ally's text reports: the File Summary and the EDI Status report.

Layouts follow what public parsers read (office-ally.md §7): the File Summary has ``File Name:``,
an error summary of ``+---> N # errors <CODE> - <text>`` lines, the sections ``ACCEPTED CLAIM
DETAIL`` and ``ERROR CLAIM DETAIL``, each with a header row starting ``CLAIM#`` and numbered rows
``1)``, ``2)``… in fixed columns; the EDI Status report has a header line starting ``    File ID``
and one row per claim forwarded to a payer. Column starts and widths are those observed; a
value longer than its column is cut. Office Ally's own wording around them is not public, so
the title lines are ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from claimbridge.sim.acks import ClaimRecord
from claimbridge.sim.scenarios import EditSource
from claimbridge.x12.tx837p_005010X222A1.models import Claim

TITLE_WIDTH = 120


@dataclass(frozen=True, slots=True)
class Column:
    """A fixed-width column: its header label, first character (0-based) and width."""

    label: str
    start: int
    width: int


FILE_SUMMARY_COLUMNS = (
    Column("CLAIM#", 0, 6), Column("OA CLAIM ID", 7, 10), Column("PATIENT ID", 19, 18),
    Column("LAST, FIRST", 37, 20), Column("DOB", 57, 10), Column("FROM DOS", 70, 10),
    Column("TO DOS", 81, 10), Column("CPT", 92, 5), Column("DIAG", 100, 7),
    Column("TAX ID", 109, 10), Column("ACCNT#", 121, 14), Column("PHYS ID", 135, 10),
    Column("PAYER", 146, 5), Column("ERROR", 153, 30),
)  # fmt: skip

EDI_STATUS_COLUMNS = (
    Column("File ID", 4, 9), Column("OA Claim ID", 14, 10), Column("Patient Acct", 26, 14),
    Column("Patient Name", 41, 20), Column("Amount", 61, 9), Column("Practice", 73, 10),
    Column("Tax ID", 84, 10), Column("Payer ID", 95, 5), Column("Process Date", 105, 10),
    Column("Payer Ref ID", 122, 15), Column("Status", 142, 8), Column("Payer Response", 152, 60),
)  # fmt: skip


def fixed_row(columns: Sequence[Column], values: Sequence[str]) -> str:
    """``values`` placed at their columns' starts, each cut to its column's width."""
    line = ""
    for column, value in zip(columns, values, strict=True):
        line = line.ljust(column.start) + value[: column.width]
    return line.rstrip()


def header_row(columns: Sequence[Column]) -> str:
    """The column labels, each at its column's start."""
    line = ""
    for column in columns:
        line = line.ljust(column.start) + column.label
    return line


@dataclass(frozen=True, slots=True)
class Upload:
    """What Office Ally knows of an uploaded file before reading it."""

    name: str
    file_id: int
    received: datetime
    account: str

    @property
    def is_test(self) -> bool:
        """True when the name carries Office Ally's test keyword."""
        return "OATEST" in self.name


def file_summary_name(upload: Upload) -> str:
    """``FS_HCFA_<FileID>_IN_C.txt``."""
    return f"FS_HCFA_{upload.file_id}_IN_C.txt"


def edi_status_name(upload: Upload, day: datetime) -> str:
    """``<FileID>_EDI_STATUS_HCFA_<YYYYMMDD>.txt``."""
    return f"{upload.file_id}_EDI_STATUS_HCFA_{day:%Y%m%d}.txt"


def _title(upload: Upload, status: str) -> list[str]:
    mode = "TEST" if upload.is_test else "PRODUCTION"
    return [
        "OFFICE ALLY - FILE SUMMARY REPORT".center(TITLE_WIDTH).rstrip(),
        "",
        f"Customer: {upload.account}",
        f"File ID: {upload.file_id}",
        f"File Name: {upload.name}",
        f"Upload Date: {upload.received:%m/%d/%Y %H:%M}",
        "File Type: HCFA (837P 005010X222A1)",
        f"Mode: {mode}",
        f"File Status: {status}",
        "",
    ]


def failed_file_summary(upload: Upload, errors: Iterable[tuple[str, str]]) -> str:
    """The File Summary of a file that failed: no claims were created.

    ``errors`` holds (code, text) pairs, e.g. ('X12', 'segment 4 SE: count is wrong').
    """
    counted: dict[tuple[str, str], int] = {}
    for error in errors:
        counted[error] = counted.get(error, 0) + 1
    lines = _title(upload, "FAILED")
    lines += [f"+---> {n} # errors {code} - {text}" for (code, text), n in counted.items()]
    lines += ["", "THIS FILE FAILED. NO CLAIMS WERE CREATED. CORRECT THE FILE AND UPLOAD IT AGAIN."]
    return "\n".join(lines) + "\n"


def file_summary(
    upload: Upload, records: Sequence[ClaimRecord], rejected_sets: Sequence[str] = ()
) -> str:
    """The File Summary of a processed file: accepted claims and claims Office Ally rejected.

    ``rejected_sets`` names (ST02) transaction sets the 999 rejected; their claims were not
    created, and the summary says so in its error lines.
    """
    rejected = [r for r in records if r.edit is not None and r.edit.by is EditSource.OFFICE_ALLY]
    accepted = [r for r in records if r not in rejected]
    lines = _title(upload, "PROCESSED")
    lines += [f"+---> 1 # errors X12 - TRANSACTION SET {number} REJECTED, SEE THE 999"
              for number in rejected_sets]  # fmt: skip
    lines += _error_summary(rejected)
    total = sum((r.claim.total_charge for r in records), Decimal("0.00"))
    lines += [
        f"Total Claims: {len(records)}   Accepted: {len(accepted)}   "
        f"Rejected: {len(rejected)}   Total Charges: {total:.2f}",
        "",
    ]
    lines += _section("ACCEPTED CLAIM DETAIL", accepted)
    lines += _section("ERROR CLAIM DETAIL", rejected)
    return "\n".join(lines) + "\n"


def _error_summary(rejected: Sequence[ClaimRecord]) -> list[str]:
    counted: dict[tuple[str, str], int] = {}
    for record in rejected:
        assert record.edit is not None
        key = (record.edit.status, record.edit.text)
        counted[key] = counted.get(key, 0) + 1
    summary = [f"+---> {n} # errors {code} - {text}" for (code, text), n in counted.items()]
    return [*summary, ""] if summary else []


def _section(title: str, records: Sequence[ClaimRecord]) -> list[str]:
    lines = [title, header_row(FILE_SUMMARY_COLUMNS)]
    for number, record in enumerate(records, 1):
        lines.append(fixed_row(FILE_SUMMARY_COLUMNS, _summary_values(number, record)))
    if not records:
        lines.append("NONE")
    return [*lines, ""]


def _summary_values(number: int, record: ClaimRecord) -> list[str]:
    claim = record.claim
    person = claim.patient.name if claim.patient else claim.subscriber.name
    birth = claim.patient.birth_date if claim.patient else claim.subscriber.birth_date
    first, last = _service_dates(claim)
    rendering = claim.rendering_provider
    error = record.edit.text if record.edit else ""
    return [
        f"{number})", record.oa_claim_id, claim.subscriber.member_id,
        f"{person.last}, {person.first}".upper(), f"{birth:%m/%d/%Y}" if birth else "",
        first, last, claim.lines[0].procedure_code, claim.diagnoses[0] if claim.diagnoses else "",
        claim.billing_provider.tax_id, claim.patient_control_number,
        rendering.npi if rendering else claim.billing_provider.npi, claim.payer.payer_id, error,
    ]  # fmt: skip


def _service_dates(claim: Claim) -> tuple[str, str]:
    start = min(line.service_date for line in claim.lines)
    end = max(line.service_date_end or line.service_date for line in claim.lines)
    return f"{start:%m/%d/%Y}", f"{end:%m/%d/%Y}"


def edi_status_report(
    upload: Upload, records: Sequence[ClaimRecord], payer_numbers: dict[str, str], day: datetime
) -> str:
    """Payers' answers for the claims Office Ally forwarded; ``payer_numbers`` maps CLM01 to the
    payer's claim number of the accepted ones."""
    title = "OFFICE ALLY - EDI STATUS REPORT (CLEARINGHOUSE PAYER RESPONSE)"
    lines = [
        title.center(TITLE_WIDTH).rstrip(),
        "",
        f"Customer: {upload.account}",
        f"Report Date: {day:%m/%d/%Y}",
        "",
        header_row(EDI_STATUS_COLUMNS),
    ]
    for record in records:
        values = _status_values(upload, record, payer_numbers, day)
        lines.append(fixed_row(EDI_STATUS_COLUMNS, values))
    return "\n".join(lines) + "\n"


def _status_values(
    upload: Upload, record: ClaimRecord, payer_numbers: dict[str, str], day: datetime
) -> list[str]:
    claim = record.claim
    person = claim.patient.name if claim.patient else claim.subscriber.name
    edit = record.edit
    accepted = edit is None
    response = edit.text if edit else "CLAIM ACCEPTED FOR PROCESSING"
    return [
        str(upload.file_id), record.oa_claim_id, claim.patient_control_number,
        f"{person.last}, {person.first}".upper(), f"{claim.total_charge:.2f}".rjust(9),
        claim.billing_provider.npi, claim.billing_provider.tax_id, claim.payer.payer_id,
        f"{day:%m/%d/%Y}", payer_numbers.get(claim.patient_control_number, "") if accepted else "",
        "ACCEPTED" if accepted else "REJECTED", response,
    ]  # fmt: skip
