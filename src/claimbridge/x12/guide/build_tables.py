"""Write the guide tables (``tables/*.json``) from pyx12's maps: ``python -m …guide.build_tables``.

pyx12 4.0.0 (BSD-3-Clause, https://github.com/azoner/pyx12) describes every TR3 as XML: loops
with their usage and repeat, segments with usage, position and max use, elements with the
data element they use (type, minimum and maximum length), code lists and syntax rules. This
script turns the maps of the four guides claimbridge reads, the control segments' map and the
external code lists they name into plain JSON that ``claimbridge.x12.guide`` loads at run time,
so checking a file needs neither pyx12 nor its XML. Run it again after upgrading pyx12 (or
after correcting a map) and commit the tables; ``tests/x12/test_guide.py`` fails while the
committed tables differ from what this script writes.
"""

from __future__ import annotations

import json
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

# Guide table name → pyx12 map file. The name is what ``guide.load`` asks for.
MAPS = {
    "005010X222A1": "837.5010.X222.A1.xml",
    "005010X221A1": "835.5010.X221.A1.xml",
    "005010X231A1": "999.5010X231.A1.xml",
    "005010X231": "999.5010.xml",  # the 999 before its addenda, still sent by some payers
    "005010X214": "277.5010.X214.xml",
    "control-00501": "x12.control.00501.xml",
}
TABLES = Path(__file__).resolve().parent / "tables"
# The maps' notice, kept with every table made from them (BSD-3-Clause asks for it).
NOTICE = (
    "Made from pyx12 4.0.0's maps, Copyright (c) John Holland <john@zoner.org>, all rights "
    "reserved; BSD-3-Clause, https://github.com/azoner/pyx12/blob/master/LICENSE.txt"
)
MANY = None  # a repeat or max use of '>1'


def _map_file(name: str) -> Element:
    with files("pyx12").joinpath("map", name).open("rb") as handle:  # pyx12's own package data
        root: Element = ElementTree.parse(handle).getroot()
    return root


def _text(element: Element, name: str) -> str | None:
    value = element.get(name) or element.findtext(name)
    return value.strip() if value is not None else None


def _count(text: str | None) -> int | None:
    return None if text is None or text in (">1", "&gt;1") else int(text)


class _Builder:
    def __init__(self) -> None:
        self.data_elements: dict[str, tuple[str, int, int]] = {}
        for item in _map_file("dataele.xml").iter("data_ele"):
            self.data_elements[item.get("ele_num", "")] = (
                item.get("data_type", ""),
                int(item.get("min_len", "0")),
                int(item.get("max_len", "0")),
            )
        self.external: set[str] = set()

    def loop(self, element: Element) -> dict[str, Any]:
        children = [
            *(self.loop(child) for child in element.findall("loop")),
            *(self.segment(child) for child in element.findall("segment")),
        ]
        # pyx12 keeps children by position, loops before segments at one position.
        children.sort(key=lambda child: child["pos"])
        return {
            "kind": "loop",
            "id": element.get("xid"),
            "type": element.get("type"),
            "name": _text(element, "name"),
            "usage": _text(element, "usage"),
            "pos": int(_text(element, "pos") or "0"),
            "repeat": _count(_text(element, "repeat")),
            "children": children,
        }

    def segment(self, element: Element) -> dict[str, Any]:
        parts: dict[int, dict[str, Any]] = {}
        for child in element.findall("element"):
            parts[int(_text(child, "seq") or "0")] = self.element(child)
        for child in element.findall("composite"):
            parts[int(_text(child, "seq") or "0")] = self.composite(child)
        syntax = [_syntax(rule.text or "") for rule in element.findall("syntax")]
        return {
            "kind": "segment",
            "id": element.get("xid"),
            "name": _text(element, "name"),
            "usage": _text(element, "usage"),
            "pos": int(_text(element, "pos") or "0"),
            "max_use": _count(_text(element, "max_use")),
            "syntax": [rule for rule in syntax if rule],
            "elements": [parts[seq] for seq in sorted(parts)],
        }

    def composite(self, element: Element) -> dict[str, Any]:
        return {
            "kind": "composite",
            "ref": _text(element, "refdes") or element.get("xid"),
            "name": _text(element, "name"),
            "usage": _text(element, "usage"),
            "seq": int(_text(element, "seq") or "0"),
            "elements": [self.element(child) for child in element.findall("element")],
        }

    def element(self, element: Element) -> dict[str, Any]:
        number = _text(element, "data_ele") or ""
        data_type, min_len, max_len = self.data_elements[number]
        codes = element.find("valid_codes")
        external = codes.get("external") if codes is not None else None
        if external:
            self.external.add(external)
        return {
            "kind": "element",
            "ref": element.get("xid"),
            "data_ele": number,
            "name": _text(element, "name"),
            "usage": _text(element, "usage"),
            "seq": int(_text(element, "seq") or "0"),
            "type": data_type,
            "min": min_len,
            "max": max_len,
            "codes": [code.text or "" for code in codes.findall("code")]
            if codes is not None
            else [],
            "external": external,
            "regex": _text(element, "regex") or None,
        }


def _syntax(text: str) -> list[Any] | None:
    text = text.strip()
    if not text or text[0] not in "PRCLE":
        return None
    return [text[0], *(int(text[i : i + 2]) for i in range(1, len(text) - 1, 2))]


def tables() -> dict[str, Any]:
    """Every table this script writes, by file name."""
    builder = _Builder()
    written: dict[str, Any] = {}
    for name, map_name in MAPS.items():
        root = _map_file(map_name)
        top = root.find("loop")
        assert top is not None, map_name
        written[f"{name}.json"] = {
            "guide": name,
            "source": f"pyx12 4.0.0 map/{map_name}",
            "notice": NOTICE,
            "transaction": root.get("xid"),
            "name": root.findtext("name"),
            "root": builder.loop(top),
        }
    codes: dict[str, list[str]] = {}
    for codeset in _map_file("codes.xml").iter("codeset"):
        identifier = codeset.findtext("id") or ""
        if identifier in builder.external:
            codes[identifier] = sorted({c.text or "" for c in codeset.iterfind("version/code")})
    written["codes.json"] = {
        "source": "pyx12 4.0.0 map/codes.xml",
        "notice": NOTICE,
        "codes": codes,
    }
    return written


def as_text(table: Any) -> str:
    """A table as the JSON text that is committed: keys sorted, one value a line (for diffs)."""
    return json.dumps(table, indent=0, separators=(",", ":"), sort_keys=True) + "\n"


def main() -> int:
    TABLES.mkdir(exist_ok=True)
    for name, table in tables().items():
        (TABLES / name).write_text(as_text(table), encoding="utf-8")
        print(f"wrote {TABLES / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
