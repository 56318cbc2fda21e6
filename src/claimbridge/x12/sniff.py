"""What kind of file is this? Decided by content only, never by name (office-ally.md §6).

``sniff_bytes(data)`` looks at no more than the first ``SNIFF_LIMIT`` bytes and never raises:

1. A zip's magic number (``PK``) → ``ZIP``; the caller unpacks it and sniffs each member.
2. After a UTF-8 byte-order mark and leading whitespace, text that starts with ``ISA`` is X12:
   the delimiters come from the ISA, then the first transaction set decides by
   ``transaction_kind``, the one rule the reader, ``validate`` and ingest share: ST01 ``999`` →
   999, ``277`` → 277CA when ST03 (else GS08) names 005010X214, else 277, ``835`` → 835, ``837``
   with X222 → 837P. Only when no ST is within reach does GS01 decide (``FA``, ``HN``, ``HP``,
   ``HC``). A group whose GS01 or GS08 disagrees with its ST01 or ST03 (``envelope_mismatch``)
   is identified by its ST all the same; the reader refuses it, saying which. An interchange with
   a TA1 and no functional group is a TA1; one that carries a TA1 before a group is classified by
   the group (the reader yields the TA1 too).
3. Otherwise Office Ally's text reports by their markers: the File Summary by its claim detail
   sections or ``CLAIM#`` header row, the ERA status text by ``Check#`` or ``Payer Claim Control
   Number:``, the EDI Status report by a header row starting ``File ID``; a bare ``File Name:``
   line, the File Summary's weakest marker, is tried last.
4. Anything else, binary junk included, is ``UNKNOWN``: keep the bytes and show them to a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.delimiters import read_delimiters

SNIFF_LIMIT = 8192

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = " \t\r\n\x00"
_TEXT_CONTROLS = frozenset("\t\n\r\f")
_MAX_ODD_SHARE = 0.05
# ST01 → the GS01 functional identifier of the group that may carry it (each guide, 1.4.x)
FUNCTIONAL_IDS: Mapping[str, str] = {"999": "FA", "277": "HN", "835": "HP", "837": "HC"}
_ST01_OF_GROUP = {functional_id: st01 for st01, functional_id in FUNCTIONAL_IDS.items()}


class FileKind(StrEnum):
    """What a file from Office Ally holds; X12 values match ``reader.Parsed.kind``."""

    TA1 = "TA1"
    X999 = "999"
    X277CA = "277CA"
    X277 = "277"
    X835 = "835"
    X837P = "837P"
    OA_FILE_SUMMARY = "OA_FILE_SUMMARY"
    OA_EDI_STATUS = "OA_EDI_STATUS"
    OA_ERA_STATUS = "OA_ERA_STATUS"
    ZIP = "ZIP"
    UNKNOWN = "UNKNOWN"


def sniff_bytes(data: bytes) -> FileKind:
    """The kind of file ``data`` holds, from its first ``SNIFF_LIMIT`` bytes."""
    head = bytes(data[:SNIFF_LIMIT])
    if head.startswith(_ZIP_MAGIC):
        return FileKind.ZIP
    text = head.removeprefix(_BOM).decode("utf-8", errors="replace").lstrip(_WHITESPACE)
    if text.startswith("ISA"):
        return _sniff_x12(text)
    return _sniff_report(text)


def _sniff_x12(text: str) -> FileKind:
    try:
        delimiters = read_delimiters(text)
    except X12SyntaxError:
        return FileKind.UNKNOWN
    segments = [raw.lstrip(_WHITESPACE) for raw in text.split(delimiters.segment)[1:]]
    rows = [raw.split(delimiters.element) for raw in segments]
    for index, row in enumerate(rows):
        if row[0] == "GS":
            st = next((r for r in rows[index + 1 :] if r[0] == "ST"), [])
            return _kind_of_group(row, st)
    return FileKind.TA1 if any(row[0] == "TA1" for row in rows) else FileKind.UNKNOWN


def _kind_of_group(gs: list[str], st: list[str]) -> FileKind:
    """The kind named by the first ST of a group; by its GS when no ST was within reach."""
    guide = _field(st, 3) or _field(gs, 8)
    st01 = _field(st, 1) or _ST01_OF_GROUP.get(_field(gs, 1), "")
    return transaction_kind(st01, guide)


def transaction_kind(st01: str, guide: str) -> FileKind:
    """The kind of a transaction set by ST01 and its guide (ST03, else GS08): 999, 277CA for
    005010X214 and 277 otherwise, 835, 837P for X222 (any other 837 is ``UNKNOWN``)."""
    if st01 == "999":
        return FileKind.X999
    if st01 == "277":
        return FileKind.X277CA if "X214" in guide else FileKind.X277
    if st01 == "835":
        return FileKind.X835
    if st01 == "837" and "X222" in guide:
        return FileKind.X837P
    return FileKind.UNKNOWN


def envelope_mismatch(gs01: str, gs08: str, st01: str, st03: str) -> tuple[str, str] | None:
    """(element, message) when a group's GS01 or GS08 disagrees with its transaction set's
    ST01 or ST03, else None: an 835 travels in a GS01 ``HP`` group, and ST03 repeats GS08."""
    gs01, gs08, st01, st03 = gs01.strip(), gs08.strip(), st01.strip(), st03.strip()
    expected = FUNCTIONAL_IDS.get(st01)
    if expected is not None and gs01 != expected:
        return "GS01", (
            f"GS01 {gs01!r} does not fit ST01 {st01!r}: a {st01} transaction set travels in a "
            f"group whose GS01 is {expected!r}; the sender must correct the envelope"
        )
    if st03 and gs08 and st03 != gs08:
        return "ST03", (
            f"ST03 {st03!r} differs from GS08 {gs08!r}: a transaction set follows the guide "
            "its group names; the sender must correct the envelope"
        )
    return None


def _field(row: list[str], number: int) -> str:
    return row[number].strip() if number < len(row) else ""


def _sniff_report(text: str) -> FileKind:
    if not text or _looks_binary(text):
        return FileKind.UNKNOWN
    upper = text.upper()
    lines = [line.strip() for line in upper.splitlines()]
    if "CLAIM DETAIL" in upper or any(line.startswith("CLAIM#") for line in lines):
        return FileKind.OA_FILE_SUMMARY
    if "PAYER CLAIM CONTROL NUMBER:" in upper or "CHECK#" in upper:
        return FileKind.OA_ERA_STATUS
    if any(_is_file_id_header(line) for line in lines):
        return FileKind.OA_EDI_STATUS
    if any(line.startswith("FILE NAME:") for line in lines):
        return FileKind.OA_FILE_SUMMARY
    return FileKind.UNKNOWN


def _is_file_id_header(line: str) -> bool:
    """A column header row that starts 'File ID' (not a 'File ID: 123' label line)."""
    return line.startswith("FILE ID") and not line[len("FILE ID") :].lstrip().startswith(":")


def _looks_binary(text: str) -> bool:
    """True when control characters or undecodable bytes make up more than a few percent."""
    odd = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in _TEXT_CONTROLS))
    return odd > len(text) * _MAX_ODD_SHARE
