"""Office Ally style payer lists (CSV) → one entry per payer, with unreadable rows named.

OA's list has changed over time (office-ally.md §11), so headers are matched loosely (case,
spaces and punctuation ignored) and both layouts are read:

- *wide*: one row per payer, with an enrollment column per transaction
  (``837P Enrollment``, ``ERA Enrollment`` / ``835 Enrollment``);
- *long*: one row per payer and transaction, with ``Transaction`` and ``Enrollment`` columns;
  rows of the same payer are merged, rows for other transactions (270, 276, 837I …) are skipped.

Par status comes from a ``Type``/``TYP`` column (``P``/``NP``, ``Par``/``Non-Par``) or from a
``Non-Par`` column with a check mark. An enrollment mark (``!``, ``Y``, ``X``, a check mark,
``Required``) means enrollment is required; Office Ally's own headings ``837P``, ``ERA`` and
``835`` are its enrollment columns. Office Ally's ``Available`` and ``State`` columns are known
and not kept. Any other column is refused, naming it: a column read by nobody would lose what it
says (an enrollment mark under a heading we do not know would let claims go out ungated).
Rows are numbered as in a spreadsheet: the header is row 1.

``decode_payer_list`` reads the bytes as saved: UTF-8 (with or without a byte-order mark),
UTF-16 with its mark, else Windows-1252, as Excel saves a CSV on Windows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from claimbridge.domain.models import Transaction
from claimbridge.domain.payers import filing_indicator_problem
from claimbridge.errors import InputError

_MARKED = frozenset({"!", "y", "yes", "x", "✓", "✔", "√", "required", "true", "1", "*"})
_UNMARKED = frozenset({"", "n", "no", "false", "0", "-", "not required"})
_PAR = frozenset({"p", "par", "participating"})
_NON_PAR = frozenset({"np", "nonpar", "non-par", "non par", "non-participating"})
_TRANSACTIONS = {
    "837p": Transaction.CLAIMS,
    "claims": Transaction.CLAIMS,
    "claim": Transaction.CLAIMS,
    "835": Transaction.ERA,
    "era": Transaction.ERA,
    "remits": Transaction.ERA,
    "remit": Transaction.ERA,
    "835remits": Transaction.ERA,
}
_IGNORED = frozenset({"available", "state", "states", "lastchecked", "updated"})
_HEADERS = {
    "payer_id": ("payerid", "oapayerid", "id", "cpid", "payernumber"),
    "name": ("payername", "name", "payer"),
    "type": ("type", "typ", "partype", "parnonpar", "parstatus"),
    "non_par": ("nonpar", "nonparticipating"),
    "transaction": ("transaction", "transactiontype"),
    "enrollment": ("enrollment", "enrollmentrequired", "enroll"),
    "notes": ("notes", "note", "comments", "comment"),
    "filing": ("claimfilingindicator", "filingindicator", "sbr09"),
}


@dataclass(frozen=True, slots=True)
class PayerListEntry:
    """What a payer list says about one payer; None where the list is silent."""

    payer_id: str
    name: str
    row: int
    par: bool | None = None
    enrollment_required: tuple[tuple[Transaction, bool], ...] = ()
    notes: str | None = None
    claim_filing_indicator: str | None = None

    def required(self, transaction: Transaction) -> bool | None:
        """Whether the list marks enrollment as required for ``transaction``; None if silent."""
        return dict(self.enrollment_required).get(transaction)


@dataclass(frozen=True, slots=True)
class PayerList:
    """The payers read, in list order, and the rows that could not be read."""

    entries: tuple[PayerListEntry, ...]
    problems: tuple[str, ...] = ()


@dataclass
class _Columns:
    """Which CSV column holds what; ``enrollment_by`` maps wide enrollment columns."""

    named: dict[str, str] = field(default_factory=dict)
    enrollment_by: dict[str, Transaction] = field(default_factory=dict)


def _squash(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.lower())


def _find_columns(headers: list[str]) -> _Columns:
    columns = _Columns()
    unknown: list[str] = []
    for header in headers:
        key = _squash(header)
        transaction = _wide_enrollment(key)
        if transaction is not None:
            if transaction in columns.enrollment_by.values():
                unknown.append(header)
            columns.enrollment_by[header] = transaction
            continue
        name = next((name for name, aliases in _HEADERS.items() if key in aliases), None)
        if name is not None and name not in columns.named:
            columns.named[name] = header
        elif key and key not in _IGNORED:
            unknown.append(header)
    for needed, label in (("payer_id", "payer ID"), ("name", "payer name")):
        if needed not in columns.named:
            raise InputError(f"no {label} column in the header", path="row 1")
    if unknown:
        listed = ", ".join(repr(header) for header in unknown)
        which = (
            f"columns {listed} are not ones" if len(unknown) > 1 else f"column {listed} is not one"
        )
        raise InputError(
            f"{which} claimbridge reads, or repeats another; rename or remove it (known: Payer "
            "ID, Payer Name, Type/TYP, Non-Par, 837P, ERA/835, Transaction, Enrollment, Notes, "
            "Claim Filing Indicator, Available, State)",
            path="row 1",
        )
    return columns


def _wide_enrollment(key: str) -> Transaction | None:
    if key in ("837p", "claims"):  # Office Ally's own headings: the column holds the mark
        return Transaction.CLAIMS
    if key in ("era", "835", "remits", "835remits"):
        return Transaction.ERA
    if "enroll" not in key:
        return None
    if "837p" in key or "claim" in key:
        return Transaction.CLAIMS
    if "835" in key or "era" in key or "remit" in key:
        return Transaction.ERA
    return None


def decode_payer_list(data: bytes) -> str:
    """The text of a payer list file: UTF-8 (a byte-order mark dropped), UTF-16 with its mark,
    else Windows-1252 (its five unused bytes read as U+FFFD)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_payer_csv(text: str) -> PayerList:
    """Read an Office Ally style payer list; ``InputError`` only when no row can be read."""
    # newline=None: a list saved with old Mac line ends (CR alone) reads like any other
    lines = io.StringIO(text.lstrip("\ufeff"), newline=None)
    reader = csv.DictReader(lines, dialect=_dialect(text))
    try:
        columns = _find_columns(list(reader.fieldnames or []))
        merger = _Merger()
        for row in reader:
            if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                merger.add(reader.line_num, _read_row(reader.line_num, row, columns))
    except csv.Error as error:
        raise InputError(
            f"not a CSV file claimbridge can read ({error}); save the list as CSV again",
            path=f"row {reader.line_num + 1}",  # the row being read when it broke
        ) from None
    return PayerList(tuple(merger.entries.values()), tuple(merger.problems))


def _dialect(text: str) -> type[csv.Dialect]:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _cell(row: dict[str, str | None], columns: _Columns, name: str) -> str:
    header = columns.named.get(name)
    value = row.get(header) if header else None
    return value.strip() if isinstance(value, str) else ""


def _read_row(number: int, row: dict[str, str | None], columns: _Columns) -> PayerListEntry | str:
    """The entry of one row, or the reason it cannot be read."""
    payer_id, name = _cell(row, columns, "payer_id"), _cell(row, columns, "name")
    if not payer_id:
        return f"row {number}: the payer ID is empty"
    if not name:
        return f"row {number}: payer {payer_id!r} has no name"
    try:
        return PayerListEntry(
            payer_id=payer_id,
            name=name,
            row=number,
            par=_par(row, columns),
            enrollment_required=tuple(_enrollment_marks(row, columns)),
            notes=_cell(row, columns, "notes") or None,
            claim_filing_indicator=_filing(row, columns),
        )
    except ValueError as error:
        return f"row {number}: payer {payer_id!r}: {error}"


def _par(row: dict[str, str | None], columns: _Columns) -> bool | None:
    kind = _cell(row, columns, "type").lower()
    if kind in _PAR or kind in _NON_PAR:
        return kind in _PAR
    if kind:
        raise ValueError(f"type {kind!r} is neither P nor NP")
    if "non_par" not in columns.named:
        return None
    return not _mark(_cell(row, columns, "non_par"), "Non-Par")


def _mark(text: str, what: str) -> bool:
    value = text.strip().lower()
    if value in _MARKED:
        return True
    if value in _UNMARKED:
        return False
    raise ValueError(f"{what} mark {text!r} is not understood")


def _enrollment_marks(
    row: dict[str, str | None], columns: _Columns
) -> Iterator[tuple[Transaction, bool]]:
    for header, transaction in columns.enrollment_by.items():
        yield transaction, _mark(row.get(header) or "", f"{header} enrollment")
    if "transaction" in columns.named and "enrollment" in columns.named:
        listed = _transaction(_cell(row, columns, "transaction"))
        if listed is not None:
            yield listed, _mark(_cell(row, columns, "enrollment"), "enrollment")


def _transaction(text: str) -> Transaction | None:
    return _TRANSACTIONS.get(_squash(text))


def _filing(row: dict[str, str | None], columns: _Columns) -> str | None:
    code = _cell(row, columns, "filing").upper()
    if code and (problem := filing_indicator_problem(code)):
        raise ValueError(problem)
    return code or None


@dataclass
class _Merger:
    """Entries by payer ID; rows of one payer merge, contradictions are problems."""

    entries: dict[str, PayerListEntry] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, number: int, read: PayerListEntry | str) -> None:
        if isinstance(read, str):
            self.problems.append(read)
            return
        earlier = self.entries.get(read.payer_id)
        merged = read if earlier is None else _merge(earlier, read)
        if merged is None:
            first_row = earlier.row if earlier else 0
            self.problems.append(
                f"row {number}: payer {read.payer_id!r} contradicts row {first_row}"
            )
        else:
            self.entries[read.payer_id] = merged


def _merge(first: PayerListEntry, later: PayerListEntry) -> PayerListEntry | None:
    """One entry from two rows of the same payer, or None when they disagree."""
    if first.name != later.name or (None not in (first.par, later.par) and first.par != later.par):
        return None
    marks = dict(first.enrollment_required)
    for transaction, required in later.enrollment_required:
        if marks.setdefault(transaction, required) != required:
            return None
    return replace(
        first,
        par=first.par if first.par is not None else later.par,
        enrollment_required=tuple(marks.items()),
        notes=_join_notes(first.notes, later.notes),
        claim_filing_indicator=first.claim_filing_indicator or later.claim_filing_indicator,
    )


def _join_notes(first: str | None, later: str | None) -> str | None:
    if not first or not later or later in first:
        return first or later
    return f"{first}; {later}"
