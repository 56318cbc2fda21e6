"""One implementation guide as rules: loops, segments, composites and elements.

The tables in ``tables/`` (written by ``build_tables`` from pyx12's maps) are loaded once per
guide into these nodes. A loop holds its children in guide order (by position, loops before
segments at one position); a segment knows the element that tells it apart from segments of
the same id (its qualifier); every node knows the counter key the walk counts it under.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

MANY = 1 << 31  # a repeat or max use of '>1'
DATE_TYPES = frozenset({"RD8", "D8", "D6", "DT", "TM"})


@dataclass(eq=False, slots=True)
class ElementRule:
    """A simple element (or a component of a composite) as the guide uses it."""

    ref: str
    name: str
    usage: str
    seq: int
    data_ele: str
    type: str
    min_len: int
    max_len: int
    codes: frozenset[str]
    code_list: tuple[str, ...]
    external: frozenset[str] | None
    regex: re.Pattern[str] | None
    in_composite: bool
    composite_required: bool
    dated: bool = False  # a date whose format another element names (1251: DTP03, DMG02 …)
    memo: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class CompositeRule:
    """A composite element and its components."""

    ref: str
    name: str
    usage: str
    seq: int
    elements: tuple[ElementRule, ...]


@dataclass(eq=False, slots=True)
class SegmentRule:
    """A segment at one place in the guide."""

    id: str
    name: str
    usage: str
    pos: int
    max_use: int
    syntax: tuple[tuple[Any, ...], ...]
    elements: tuple[ElementRule | CompositeRule, ...]
    parent: LoopRule
    key: str = ""
    # Where the qualifier that tells this segment apart is: (element, component or 0, codes).
    qualifier: tuple[int, int, frozenset[str]] | None = None

    @property
    def loop_id(self) -> str | None:
        """The TR3 loop id ('2300') of the loop holding this segment; None for headers."""
        loop_id = self.parent.id
        return loop_id if loop_id[:1].isdigit() else None


@dataclass(eq=False, slots=True)
class LoopRule:
    """A loop (or the map's root): its children in guide order."""

    id: str
    name: str
    usage: str
    pos: int
    repeat: int
    parent: LoopRule | None
    wrapper: bool = False  # HEADER, DETAIL, FOOTER: a grouping of the guide, not a loop of data
    children: list[LoopRule | SegmentRule] = field(default_factory=list)
    path: str = "/"
    key: str = ""
    # Paths whose counts are dropped when this loop starts again: itself and every loop inside.
    inner_paths: tuple[str, ...] = ()

    @property
    def is_root(self) -> bool:
        return self.parent is None

    def first(self) -> LoopRule | SegmentRule | None:
        return self.children[0] if self.children else None

    def first_segment(self) -> SegmentRule | None:
        first = self.first()
        return first if isinstance(first, SegmentRule) else None


@dataclass(frozen=True, slots=True)
class Guide:
    """One implementation guide: its id, transaction set, root loop and named nodes."""

    name: str
    transaction: str
    root: LoopRule
    nodes: tuple[LoopRule | SegmentRule, ...]
    # Segment id → the elements whose values tell its segments apart (HL → (3,), NM1 → (1,)).
    qualified: dict[str, tuple[int, ...]]

    def node(self, path: str) -> LoopRule | SegmentRule:
        """The node at ``path`` such as '/ISA_LOOP/GS_LOOP/GS'."""
        for node in self.nodes:
            if _full_path(node) == path:
                return node
        raise KeyError(path)


# GS08 (and GS01) → the table of the guide that checks the group, as pyx12's maps.xml pairs them.
GUIDES = {
    ("005010X222A1", "HC"): "005010X222A1",
    ("005010X221A1", "HP"): "005010X221A1",
    ("005010X231A1", "FA"): "005010X231A1",
    ("005010X231", "FA"): "005010X231",
    ("005010X214", "HN"): "005010X214",
}
CONTROL = "control-00501"


def _table(name: str) -> dict[str, Any]:
    text = files("claimbridge.x12.guide").joinpath("tables", f"{name}.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


@cache
def external_codes() -> dict[str, frozenset[str]]:
    """The external code lists the guides name (states, countries, claim status codes …)."""
    return {name: frozenset(codes) for name, codes in _table("codes")["codes"].items()}


@cache
def load(name: str) -> Guide:
    """The guide ``name`` ('005010X222A1', or 'control-00501' for the envelope segments)."""
    table = _table(name)
    root = LoopRule("", table["name"] or "", "R", 0, 1, None)
    nodes: list[LoopRule | SegmentRule] = []
    root.children.append(_loop(table["root"], root, nodes))
    _number(root, nodes)
    qualified: dict[str, tuple[int, ...]] = {}
    for node in nodes:
        if isinstance(node, SegmentRule) and node.qualifier is not None:
            numbers = qualified.get(node.id, ())
            if node.qualifier[0] not in numbers:
                qualified[node.id] = (*numbers, node.qualifier[0])
    return Guide(name, table["transaction"], root, tuple(nodes), qualified)


def _loop(item: dict[str, Any], parent: LoopRule, nodes: list[LoopRule | SegmentRule]) -> LoopRule:
    repeat = item["repeat"]
    loop = LoopRule(
        item["id"], item["name"] or "", item["usage"] or "", item["pos"],
        MANY if repeat is None else repeat, parent, item["type"] == "wrapper",
    )  # fmt: skip
    nodes.append(loop)
    for child in item["children"]:
        if child["kind"] == "loop":
            loop.children.append(_loop(child, loop, nodes))
        else:
            segment = _segment(child, loop)
            loop.children.append(segment)
            nodes.append(segment)
    return loop


def _segment(item: dict[str, Any], parent: LoopRule) -> SegmentRule:
    max_use = item["max_use"]
    elements = tuple(
        _composite(part) if part["kind"] == "composite" else _element(part, None)
        for part in item["elements"]
    )
    segment = SegmentRule(
        item["id"], item["name"] or "", item["usage"] or "", item["pos"],
        MANY if max_use is None else max_use, tuple(tuple(rule) for rule in item["syntax"]),
        elements, parent,
    )  # fmt: skip
    segment.qualifier = _qualifier(segment)
    return segment


def _composite(item: dict[str, Any]) -> CompositeRule:
    usage = item["usage"] or ""
    parts = tuple(_element(part, usage) for part in item["elements"])
    return CompositeRule(item["ref"], item["name"] or "", usage, item["seq"], parts)


def _element(item: dict[str, Any], composite_usage: str | None) -> ElementRule:
    external = external_codes()[item["external"]] if item["external"] else None
    regex = re.compile(item["regex"], re.S) if item["regex"] else None
    ref = item["ref"]
    if "-" in ref:  # 'CLM05-01' → 'CLM05-1', as problems name components
        head, _, component = ref.partition("-")
        ref = f"{head}-{int(component)}"
    return ElementRule(
        ref, item["name"] or "", item["usage"] or "", item["seq"], item["data_ele"],
        item["type"], item["min"], item["max"], frozenset(item["codes"]), tuple(item["codes"]),
        external, regex, composite_usage is not None, composite_usage == "R",
        item["data_ele"] == "1251",
    )  # fmt: skip


def _qualifier(segment: SegmentRule) -> tuple[int, int, frozenset[str]] | None:
    """Where the element that tells this segment apart is, as pyx12 finds it.

    The first element when it is a required ID with codes; ENT02 (820); the first component of
    a first composite of IDs (or CTX01-1, an AN with codes, in the 999); HL03.
    """
    parts = segment.elements
    first = parts[0] if parts else None
    if isinstance(first, ElementRule) and first.type == "ID" and first.usage == "R" and first.codes:
        return (1, 0, first.codes)
    second = parts[1] if len(parts) > 1 else None
    entity = segment.id == "ENT" and isinstance(second, ElementRule) and second.type == "ID"
    if entity and isinstance(second, ElementRule) and second.codes:
        return (2, 0, second.codes)
    if isinstance(first, CompositeRule):
        head = first.elements[0]
        if head.codes and (head.type == "ID" or (segment.id == "CTX" and head.type == "AN")):
            return (1, 1, head.codes)
    third = parts[2] if len(parts) > 2 else None
    if segment.id == "HL" and isinstance(third, ElementRule) and third.codes:
        return (3, 0, third.codes)
    return None


def _counter_key(segment: SegmentRule, shared_position: bool) -> str:
    """pyx12 counts a segment under its id, with its first code when others share its position."""
    if not shared_position:
        return segment.id
    parts = segment.elements
    first = parts[0] if parts else None
    second = parts[1] if len(parts) > 1 else None
    third = parts[2] if len(parts) > 2 else None
    candidate: ElementRule | None = None
    if isinstance(first, ElementRule) and first.type == "ID" and first.codes:
        candidate = first
    elif segment.id == "ENT" and isinstance(second, ElementRule) and second.type == "ID":
        candidate = second if second.codes else None
    elif isinstance(first, CompositeRule) and first.elements[0].type == "ID":
        candidate = first.elements[0] if first.elements[0].codes else None
    elif segment.id == "HL" and isinstance(third, ElementRule) and third.codes:
        candidate = third
    return f"{segment.id}[{candidate.code_list[0]}]" if candidate is not None else segment.id


def _number(root: LoopRule, nodes: list[LoopRule | SegmentRule]) -> None:
    """Give every node its path and counter key; every loop the paths inside it."""
    _paths(root)


def _paths(loop: LoopRule) -> list[str]:
    positions: dict[int, int] = {}
    for child in loop.children:
        positions[child.pos] = positions.get(child.pos, 0) + 1
    inner: list[str] = []
    for child in loop.children:
        if isinstance(child, LoopRule):
            child.key = child.id
            child.path = _join(loop.path, child.id)
            inner.extend(_paths(child))
        else:
            child.key = _counter_key(child, positions[child.pos] > 1)
    loop.inner_paths = (loop.path, *inner)
    return list(loop.inner_paths)


def _join(parent: str, name: str) -> str:
    return f"/{name}" if parent == "/" else f"{parent}/{name}"


def _full_path(node: LoopRule | SegmentRule) -> str:
    if isinstance(node, LoopRule):
        return node.path
    return _join(node.parent.path, node.key)
