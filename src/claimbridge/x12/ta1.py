"""TA1 interchange acknowledgment: did the receiver take our whole interchange (ISA…IEA)?

``parse(ta1)`` reads a ``Ta1`` that ``envelope.iter_envelopes`` yields, with the ISA of the file
it came in. TA101 is the ISA13 we sent; TA104 is A (accepted), E (accepted, errors noted) or R
(rejected: nothing in the interchange was processed); TA105 says why, as a note code (I18).
TA102 is the YYMMDD date of our ISA09, read as 20YY; an eight-digit CCYYMMDD date, which some
senders write, is read as well, and anything else reads as None with the text kept.

The JSON shape leaves out ISA02 and ISA04 (authorization and security information), which may
hold passwords. ISA11 is ``repetition_separator`` from version 00501 on; before it (00401) ISA11
is the interchange control standards identifier (``U``) and is named ``standards_identifier``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from claimbridge.x12.envelope import InterchangeHeader, Ta1
from claimbridge.x12.jsonable import to_jsonable
from claimbridge.x12.values import require

# TA104 (element I17).
ACKNOWLEDGMENTS: Mapping[str, str] = {
    "A": "Interchange accepted, no errors",
    "E": "Interchange accepted, errors noted; do not send it again",
    "R": "Interchange rejected because of errors; nothing in it was processed",
}

# TA105 (element I18), https://stedi.com/edi/x12-005010/element/I18 and x12-notes §5.
NOTES: Mapping[str, str] = {
    "000": "No error",
    "001": "The interchange control numbers in the header and trailer do not match",
    "002": "This standard (control standards identifier) is not supported",
    "003": "This version of the controls is not supported",
    "004": "The segment terminator is invalid",
    "005": "Invalid interchange ID qualifier for sender",
    "006": "Invalid interchange sender ID",
    "007": "Invalid interchange ID qualifier for receiver",
    "008": "Invalid interchange receiver ID",
    "009": "Unknown interchange receiver ID",
    "010": "Invalid authorization information qualifier value",
    "011": "Invalid authorization information value",
    "012": "Invalid security information qualifier value",
    "013": "Invalid security information value",
    "014": "Invalid interchange date value",
    "015": "Invalid interchange time value",
    "016": "Invalid interchange standards identifier value",
    "017": "Invalid interchange version ID value",
    "018": "Invalid interchange control number value",
    "019": "Invalid acknowledgment requested value",
    "020": "Invalid test indicator value",
    "021": "Invalid number of included groups value",
    "022": "Invalid control structure",
    "023": "Improper (premature) end-of-file (transmission)",
    "024": "Invalid interchange content (e.g. invalid GS segment)",
    "025": "Duplicate interchange control number",
    "026": "Invalid data element separator",
    "027": "Invalid component element separator",
    "028": "Invalid delivery date in deferred delivery request",
    "029": "Invalid delivery time in deferred delivery request",
    "030": "Invalid delivery time code in deferred delivery request",
    "031": "Invalid grade of service code",
}

_HIDDEN_ISA_FIELDS = frozenset({"authorization", "security"})
REPETITION_FROM = "00501"  # the ISA12 version from which ISA11 is the repetition separator


@dataclass(frozen=True, slots=True)
class Coded:
    """A code as sent and its meaning in words (None when our code list does not hold it)."""

    code: str
    meaning: str | None


@dataclass(frozen=True, slots=True)
class InterchangeAck:
    """One TA1 and the ISA of the interchange that carried it."""

    interchange: InterchangeHeader  # the ISA of the file the TA1 came in (not ours)
    control_number: str  # TA101: the ISA13 of our interchange
    interchange_date: date | None  # TA102 as a date; None when it is not one
    interchange_date_text: str  # TA102 as sent
    interchange_time: str  # TA103 as sent (HHMM)
    acknowledgment: Coded  # TA104
    note: Coded  # TA105
    position: int  # the TA1's segment position in its file

    @property
    def accepted(self) -> bool:
        """True when the interchange was accepted (TA104 A or E)."""
        return self.acknowledgment.code in ("A", "E")


def parse(ta1: Ta1) -> InterchangeAck:
    """The TA1 in ``ta1`` with its codes explained."""
    segment = ta1.segment
    date_text = segment.element(2)
    return InterchangeAck(
        interchange=ta1.interchange,
        control_number=require(segment, 1, "TA101 (interchange control number)"),
        interchange_date=_interchange_date(date_text),
        interchange_date_text=date_text,
        interchange_time=segment.element(3),
        acknowledgment=_coded(ACKNOWLEDGMENTS, require(segment, 4, "TA104 (acknowledgment)")),
        note=_coded(NOTES, segment.element(5)),
        position=segment.position,
    )


def to_json(value: InterchangeAck) -> dict[str, Any]:
    """``value`` as plain JSON: ISO date, codes as ``{"code", "meaning"}``, no ISA02/ISA04."""
    isa = {
        name: field
        for name, field in _as_dict(value.interchange).items()
        if name not in _HIDDEN_ISA_FIELDS
    }
    if value.interchange.version < REPETITION_FROM:  # ISA11 was the standards identifier
        isa = {("standards_identifier" if k == "repetition_separator" else k): v
               for k, v in isa.items()}  # fmt: skip
    return {
        "interchange": isa,
        "control_number": value.control_number,
        "interchange_date": value.interchange_date.isoformat() if value.interchange_date else None,
        "interchange_date_text": value.interchange_date_text,
        "interchange_time": value.interchange_time,
        "acknowledgment": _as_dict(value.acknowledgment),
        "note": _as_dict(value.note),
        "accepted": value.accepted,
    }


def _interchange_date(text: str) -> date | None:
    """YYMMDD (read as 20YY) or CCYYMMDD; None when ``text`` is neither or not a real date."""
    if not text.isdigit() or len(text) not in (6, 8):
        return None
    full = "20" + text if len(text) == 6 else text
    try:
        return date(int(full[:4]), int(full[4:6]), int(full[6:]))
    except ValueError:
        return None


def _coded(table: Mapping[str, str], code: str) -> Coded:
    return Coded(code, table.get(code))


def _as_dict(value: object) -> dict[str, Any]:
    shape: dict[str, Any] = to_jsonable(value)
    return shape
