"""Element values against the guide: presence, length, characters, codes, data types, syntax.

Each check follows the X12 rules as pyx12 4.0.0 applies them, so both give one verdict:
a number's length leaves out its sign and decimal point; ID and AN values use the 5010
extended character set; dates are CCYYMMDD (or YYMMDD for D6) from 1800 on, times HHMM[SS[d…]];
a DTP date takes the format its DTP02 names, an element 1251 the formats its 1250 allows.
A result is a tuple of messages (empty when the value is right), remembered per element rule
for values seen before: codes, dates and amounts repeat, so most elements cost one lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from claimbridge.x12.guide.rules import CompositeRule, ElementRule

SHOWN = 40  # characters of a value a message quotes
MEMO_LIMIT = 2048  # values remembered per element rule; then the memo starts again

_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)
_REAL = re.compile(r"-?[0-9]*(\.[0-9]+)?", re.ASCII)
_BAD_CHARACTER = re.compile(r"""[^A-Z0-9!"&'()*+,\-./:;?= a-z%~@\[\]_{}\\|<>^`#$]""", re.ASCII)
_CONTROL = re.compile("[\x01-\x07\x09-\x0d\x11-\x17\x1c-\x1f]")
_CONTROL_NAMES = {
    "\x07": "BEL", "\x09": "HT", "\x0a": "LF", "\x0b": "VT", "\x0c": "FF", "\x0d": "CR",
    "\x1c": "FS", "\x1d": "GS", "\x1e": "RS", "\x1f": "US", "\x01": "SOH", "\x02": "STX",
    "\x03": "ETX", "\x04": "EOT", "\x05": "ENQ", "\x06": "ACK", "\x11": "DC1", "\x12": "DC2",
    "\x13": "DC3", "\x14": "DC4", "\x15": "NAK", "\x16": "SYN", "\x17": "ETB",
}  # fmt: skip
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_DATE_FORMATS = ("RD8", "DT", "D8", "D6")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
NO_PROBLEM: tuple[str, ...] = ()


def check_value(rule: ElementRule, value: str) -> tuple[str, ...]:
    """Messages for a present value of a simple element or component (remembered)."""
    memo = rule.memo
    found = memo.get(value)
    if found is None:
        found = _check_present(rule, value)
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[value] = found
    return found


def check_absent(rule: ElementRule) -> tuple[str, ...]:
    """Messages for an element (or component) left empty or not sent."""
    if rule.usage != "R":
        return NO_PROBLEM
    if rule.seq != 1 or not rule.in_composite or rule.composite_required:
        return (f"{_named(rule)} is required but missing",)
    return NO_PROBLEM


def check_formats(rule: ElementRule, value: str, formats: Iterable[str]) -> tuple[str, ...]:
    """Messages for a date or time whose format another element names (DTP02, 1250)."""
    formats = [f for f in formats if f]
    if not formats or any(is_valid_type(value, f) for f in formats):
        return NO_PROBLEM
    if "TM" in formats:
        return (f"{_named(rule)} is not a valid time: {shown(value)}",)
    if any(f in _DATE_FORMATS for f in formats):
        return (f"{_named(rule)} is not a valid date: {shown(value)}",)
    return NO_PROBLEM


def check_composite(rule: CompositeRule, components: list[str] | None) -> list[tuple[str, str]]:
    """(element, message) for a composite sent as ``components`` (None when not sent); the
    element is the component's ('CLM05-3') when the problem is one component's."""
    empty = components is None or not any(components)
    if empty:
        if rule.usage == "R":
            return [(rule.ref, f"{_named(rule)} is required but missing")]
        return []
    assert components is not None
    if rule.usage == "N":
        return [(rule.ref, f"{_named(rule)} is not used in this guide but was sent")]
    parts = rule.elements
    found: list[tuple[str, str]] = []
    if len(components) > len(parts):
        message = f"{_named(rule)} has {len(components)} components; at most {len(parts)}"
        found.append((rule.ref, message))
    for part, component in zip(parts, components, strict=False):
        messages = check_value(part, component) if component else check_absent(part)
        found.extend((part.ref, message) for message in messages)
    for part in parts[len(components) :]:
        found.extend((part.ref, message) for message in check_absent(part))
    return found


def shown(value: str) -> str:
    """``value`` quoted for a message, cut after 40 characters."""
    return repr(value) if len(value) <= SHOWN else repr(value[:SHOWN]) + "…"


def _named(rule: ElementRule | CompositeRule) -> str:
    return f'{rule.ref} "{rule.name}"'


def _check_present(rule: ElementRule, value: str) -> tuple[str, ...]:
    if rule.usage == "N":
        return (f"{_named(rule)} is not used in this guide but was sent",)
    found = _check_length(rule, value)
    control = _CONTROL.search(value)
    if control:
        name = _CONTROL_NAMES.get(control.group(), "control")
        return (*found, f"{_named(rule)} holds a control character (<{name}>)")
    data_type = rule.type
    if data_type in ("AN", "ID") and value[-1] == " " and len(value.rstrip()) >= rule.min_len:
        found.append(f"{_named(rule)} has trailing spaces: {shown(value)}")
    listed = value in rule.codes or (rule.external is not None and value in rule.external)
    if (rule.codes or rule.external is not None) and not listed:
        found.append(f"{shown(value)} is not a valid code for {_named(rule)}")
    if not is_valid_type(value, data_type):
        found.append(_type_message(rule, value))
    if rule.regex is not None and not rule.regex.search(value):
        found.append(f"{_named(rule)} {shown(value)} does not match {rule.regex.pattern!r}")
    return tuple(found)


def _check_length(rule: ElementRule, value: str) -> list[str]:
    data_type = rule.type
    measured = value
    if data_type == "R" or data_type[:1] == "N":
        measured = value.replace("-", "").replace(".", "")
    length = len(measured)
    if length < rule.min_len:
        return [
            f"{_named(rule)} is too short: {shown(value)} has {length}, at least {rule.min_len}"
        ]
    if length > rule.max_len:
        return [f"{_named(rule)} is too long: {shown(value)} has {length}, at most {rule.max_len}"]
    return []


def _type_message(rule: ElementRule, value: str) -> str:
    if rule.type in _DATE_FORMATS:
        return f"{_named(rule)} is not a valid date: {shown(value)}"
    if rule.type == "TM":
        return f"{_named(rule)} is not a valid time: {shown(value)}"
    return f"{_named(rule)} is type {rule.type} and cannot hold {shown(value)}"


def is_valid_type(value: str, data_type: str) -> bool:
    """True when ``value`` (not empty) is of X12 type ``data_type`` (N0, N2, R, ID, AN, D8 …)."""
    if not data_type:
        return True
    if data_type[0] == "N":
        return _NUMBER.fullmatch(value) is not None
    if data_type == "R":
        return _REAL.fullmatch(value) is not None
    if data_type in ("ID", "AN"):
        return _BAD_CHARACTER.search(value) is None
    if data_type == "RD8":
        parts = value.split("-")
        return len(parts) == 2 and all(is_valid_type(part, "D8") for part in parts)
    if data_type in ("DT", "D8", "D6"):
        return _is_date(data_type, value)
    if data_type == "TM":
        return _is_time(value)
    return data_type == "B"


def _is_date(data_type: str, value: str) -> bool:
    if (data_type == "D8" and len(value) != 8) or (data_type == "D6" and len(value) != 6):
        return False
    if len(value) not in (6, 8, 12) or not _DIGITS.fullmatch(value):
        return False
    if len(value) == 6:
        value = ("20" if int(value[:2]) < 50 else "19") + value
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
    if year < 1800 or not 1 <= month <= 12 or not 1 <= day <= _MONTH_DAYS[month - 1]:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if month == 2 and day == 29 and not leap:
        return False
    return len(value) != 12 or _is_time(value[8:12])


def _is_time(value: str) -> bool:
    if not _DIGITS.fullmatch(value):
        return False
    if value[:2] > "23" or value[2:4] > "59":
        return False
    if len(value) > 4:
        return len(value) >= 6 and value[4:6] <= "59" and len(value) <= 8
    return True


def syntax_holds(rule: tuple[Any, ...], fields: tuple[str, ...], separator: str) -> bool:
    """True when the segment's ``fields`` keep one syntax rule (the quick test)."""
    code = rule[0]
    numbers = rule[1:]
    count = len(fields)
    sent = 0
    for n in numbers:
        if n < count:
            value = fields[n]
            if value and (value[-1] != separator or value.rstrip(separator)):
                sent += 1
    if code == "P":
        return sent in (0, len(numbers))
    if code == "R":
        return sent > 0
    if code == "E":
        return sent <= 1
    first = numbers[0]
    if first >= count or not fields[first].rstrip(separator):
        return True
    rest = sent - 1
    if code == "C":
        return rest == len(numbers) - 1
    if code == "L":
        return rest > 0
    return True


def check_syntax(segment_id: str, rule: tuple[object, ...], present: list[bool]) -> str | None:
    """The message when a segment breaks one syntax rule ('P0203', 'C0405' …), else None.

    ``present[n]`` says whether element n (1-based) holds a value.
    """
    code = str(rule[0])
    numbers = [int(str(n)) for n in rule[1:]]

    def sent(number: int) -> bool:
        return number < len(present) and present[number]

    count = sum(1 for n in numbers if sent(n))
    names = " ".join(f"{segment_id}{n:02d}" for n in numbers)
    written = code + "".join(f"{n:02d}" for n in numbers)
    if code == "P" and count not in (0, len(numbers)):
        return f"syntax {written}: when any of {names} is sent, all must be"
    if code == "R" and count == 0:
        return f"syntax {written}: at least one of {names} is required"
    if code == "E" and count > 1:
        return f"syntax {written}: at most one of {names} may be sent"
    rest = sum(1 for n in numbers[1:] if sent(n))
    if code == "C" and sent(numbers[0]) and rest != len(numbers) - 1:
        return f"syntax {written}: when {segment_id}{numbers[0]:02d} is sent, so must be the rest"
    if code == "L" and sent(numbers[0]) and not any(sent(n) for n in numbers[1:]):
        return (
            f"syntax {written}: when {segment_id}{numbers[0]:02d} is sent, one of the rest must be"
        )
    return None
