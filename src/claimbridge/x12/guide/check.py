"""The implementation-guide check: one pass over the segments, one guide table per group.

``GuideCheck.feed`` takes each segment of a file in order and returns the problems it shows;
``finish`` reports envelopes left open. Nothing but counters and the current place in the
guide is kept, so memory stays flat whatever the file's size.

The walk through the guide is the one pyx12 4.0.0 does (``map_walker``), so the two agree on
every verdict: from the current segment's place, later siblings are tried in guide order, then
those of each enclosing loop; a segment that starts a loop enters it (counting the loop and
starting the counts inside it again); a required segment or loop passed over unseen is
missing; a segment found nowhere is out of place. Where the walk goes from a place depends
only on the segment's id and qualifier, so each route is worked out once (in a process: every
check shares the guide tables) and kept by each check as a plan with its counters; following a
plan costs a few counter look-ups.

The guide is chosen per functional group by GS08 and GS01, as pyx12's map index pairs them.
A group whose guide claimbridge has no table for stops the checks with a warning.

``GuideCheck.feed`` is ``_guide_c.follow`` (C) when it was built: it takes a segment whose
plan is kept and that reports nothing (most of them) as ``_follow`` would, from the same
counters, memos and plans (``_fast``), and gives every other segment to ``_feed_one``, the
Python pass, which stays the reference: both give the same problems for every file.
``feed_batch`` (``_guide_c.follow_batch``) does the same for a list of segments in one call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from types import ModuleType

from claimbridge.x12.guide import values
from claimbridge.x12.guide.rules import (
    CONTROL,
    DATE_TYPES,
    GUIDES,
    CompositeRule,
    ElementRule,
    Guide,
    LoopRule,
    SegmentRule,
    load,
)
from claimbridge.x12.guide.values import shown
from claimbridge.x12.problems import Problem
from claimbridge.x12.segments import Segment

_guide_c: ModuleType | None
try:
    from claimbridge.x12.guide import _guide_c
except ImportError:  # built without a C compiler: the Python pass gives the same problems
    _guide_c = None


def compiled() -> bool:
    """True when the guide check's quick path runs in C (the C extension was built)."""
    return _guide_c is not None


VERSIONS = frozenset({"00401", "00501"})
PLAN_LIMIT = 4096  # routes remembered per check; then the memo starts again
CLEAN_LIMIT = 8192  # segments remembered clean per check; then the memo starts again
_ENVELOPE = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_READ_TAGS = _ENVELOPE | {"HL"}  # segments pyx12's reader numbers or counts

# Plan steps and ends.
_SEGMENT_MISSING = 0
_LOOP_MISSING = 1
_MATCH = 2
_ENTER = 3
_NOT_FOUND = 4
_LOST = 5  # pyx12 matched a loop but found no segment in it: it keeps its place, says nothing


@dataclass(frozen=True, slots=True)
class _Route:
    """Where a segment goes from one place in a guide: the steps that may report, the end."""

    steps: tuple[tuple[int, LoopRule | SegmentRule, LoopRule | SegmentRule], ...]
    end: int
    node: SegmentRule | None  # the segment node reached (MATCH, ENTER)
    loop: LoopRule | None  # the loop entered (ENTER)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A route with the counters it reads and writes in one pass.

    ``steps`` are (counts, key, node compared, node reported): a required segment or loop
    passed over is missing when its count is 0. ``counter`` counts the segment reached,
    ``loop_counter`` the loop entered; ``inner`` are the counts a new repeat of it clears.
    """

    steps: tuple[tuple[dict[str, int], str, LoopRule | SegmentRule, LoopRule | SegmentRule], ...]
    end: int
    node: SegmentRule | None
    loop: LoopRule | None
    counter: dict[str, int]
    loop_counter: dict[str, int]
    inner: tuple[dict[str, int], ...]
    quick: bool  # reaches a segment the guide uses: ``_follow`` takes it when no step reports


@dataclass(slots=True)
class _Envelopes:
    """What pyx12's reader tracks of envelopes: open ones, ids used, counts, HL and LX."""

    open: list[tuple[str, str, int]] = field(default_factory=list)  # (tag, control number, pos)
    gs_ids: set[str] = field(default_factory=set)
    st_ids: set[str] = field(default_factory=set)
    gs_count: int = 0
    st_count: int = 0
    seg_count: int = 0
    hl_count: int = 0
    hl_stack: list[int] = field(default_factory=list)
    lx_count: int = 0


class GuideCheck:
    """Checks a file's segments against the implementation guide of each functional group."""

    def __init__(self) -> None:
        self.control = load(CONTROL)
        self.guide: Guide = self.control
        self.node: LoopRule | SegmentRule = self.control.node("/ISA_LOOP/ISA")
        self.counts: dict[str, dict[str, int]] = {}  # loop path → its children's counts
        self.plans: dict[tuple[object, ...], _Plan] = {}
        self.qualified = dict(self.control.qualified)
        self.envelopes = _Envelopes()
        self.component = ":"
        self.version = ""
        self.stopped = False
        self.checks_lx = False
        self.last_position = 0
        self.last_id = ""
        self.ta1_seen = False  # in this interchange: it needs no functional group then
        self.clean: set[tuple[SegmentRule, tuple[str, ...]]] = set()
        self.composites: dict[tuple[CompositeRule, str], list[tuple[str, str]]] = {}
        self.read_tags = _READ_TAGS
        self.slow_tags = _READ_TAGS | {"TA1"}  # and ISA, GS: the segments ``_feed`` takes
        # What ``_guide_c.follow`` reads: the plans that report nothing as ``_fast`` tuples
        # (each with its node's element checks), under the keys of ``plans``.
        self.fast_plans: dict[tuple[object, ...], tuple[object, ...]] = {}
        self.feed: Callable[[Segment], list[Problem]] = (
            partial(_guide_c.follow, self.__dict__, self._feed_one)
            if _guide_c is not None
            else self._feed_one
        )
        """The problems a segment shows at its place in the file (fed in file order)."""
        self.feed_batch: Callable[[list[Segment]], list[Problem]] = (
            partial(_guide_c.follow_batch, self.__dict__, self._feed_one)
            if _guide_c is not None
            else self._feed_each
        )
        """``feed`` for each segment of a list, the problems of them all (one call in C)."""

    # -- the pass ---------------------------------------------------------------------------

    def _feed_each(self, batch: list[Segment]) -> list[Problem]:
        """``feed_batch`` in Python."""
        return [problem for segment in batch for problem in self._feed_one(segment)]

    def _feed_one(self, segment: Segment) -> list[Problem]:
        """``feed`` in Python."""
        if self.stopped:
            return []
        tag, fields, position = segment
        self.last_position, self.last_id = position, tag
        if tag not in self.slow_tags and fields[-1]:
            plan = self._plan(segment)
            if plan.quick:
                return self._follow(plan, segment)
        return self._feed(segment)

    def _follow(self, plan: _Plan, segment: Segment) -> list[Problem]:
        """``feed`` for a segment whose route reports nothing on the way (most of them)."""
        for counts, key, _, _ in plan.steps:
            if not counts.get(key):
                return self._feed(segment)  # something required was passed over: say what
        node = plan.node
        assert node is not None
        found: list[Problem] = []
        loop = plan.loop
        if loop is not None:
            self._enter_loop(plan, loop, segment, found)
        counts = plan.counter
        key = node.key
        count = counts.get(key, 0) + 1
        counts[key] = count
        if count > node.max_use and loop is None:
            message = f"{node.id} repeats {count} times; the guide allows {node.max_use}"
            found.append(self._problem(segment.position, node.id, node.loop_id, None, message))
        self.node = node
        self.envelopes.seg_count += 1
        self._check_once(node, segment, found)
        return found

    def _check_once(self, node: SegmentRule, segment: Segment, found: list[Problem]) -> None:
        """The element checks, unless this very segment was found clean at this place before."""
        seen = (node, segment.fields)
        if seen in self.clean:
            return
        before = len(found)
        self._check_elements(node, segment, found)
        if len(found) == before:
            if len(self.clean) >= CLEAN_LIMIT:
                self.clean.clear()
            self.clean.add(seen)

    def _feed(self, segment: Segment) -> list[Problem]:
        tag, fields, _ = segment
        found: list[Problem] = []
        if tag == "ISA":
            node: SegmentRule | None = self._start_interchange(segment)
        elif tag == "GS":
            node = self._start_group(segment, found)
        else:
            if tag == "TA1":
                self.ta1_seen = True
            node = self._walk(segment, found)
        if node is not None:
            self.node = node
        if tag in self.read_tags or fields[-1] == "":
            self._read(segment, found)  # numbers and counts, placed in the loop just found
        else:
            self.envelopes.seg_count += 1
        if node is not None and (tag != "ISA" or self.version == "00501"):
            self._check_once(node, segment, found)  # a 4010 ISA has other elements
        return found

    def finish(self, *, terminated: bool = True) -> list[Problem]:
        """Envelopes the file left open (pyx12's check at the end of the file); with
        ``terminated`` False, that the last segment has no segment terminator."""
        if self.stopped:
            return []
        found: list[Problem] = []
        if not terminated and self.last_position:
            message = (
                "the file ends without a segment terminator after its last segment; "
                "a reader that needs one drops that segment"
            )
            found.append(self._problem(self.last_position, self.last_id, None, None, message))
        names = {"ST": "SE", "GS": "GE", "ISA": "IEA"}
        for tag, number, _ in self.envelopes.open:
            message = f"{tag} {shown(number)} is never closed: its {names[tag]} is missing"
            found.append(self._problem(self.last_position, tag, None, None, message))
        return found

    # -- envelopes, HL and LX numbering (pyx12's reader) ---------------------------------------

    def _read(self, segment: Segment, found: list[Problem]) -> None:
        fields, tag, state = segment.fields, segment.id, self.envelopes
        if len(fields) > 1 and fields[-1] == "" and tag != "ISA":
            found.append(self._at(segment, None, "the segment ends with an element separator"))
        if tag not in _ENVELOPE:
            state.seg_count += 1
            if tag == "HL":
                self._read_hl(segment, found)
            elif self.checks_lx and tag == "CLM":
                state.lx_count = 0
            elif self.checks_lx and tag == "LX":
                state.lx_count += 1
                if segment.element(1) != str(state.lx_count):
                    message = (
                        f"LX01 {shown(segment.element(1))} should be {state.lx_count}: "
                        "lines count 1, 2, 3 … in each claim"
                    )
                    found.append(self._at(segment, "LX01", message))
            return
        reader = _ENVELOPE_READERS[tag]
        reader(self, segment, found)

    def _read_isa(self, isa: Segment, found: list[Problem]) -> None:
        # The ISA's 106 characters, its 16 elements and an ISA13 used twice are the structural
        # checks' (``x12.validate``), which run with or without the guide.
        state = self.envelopes
        if isa.element(12) not in VERSIONS:
            message = (
                f"ISA12 {shown(isa.element(12))} is not an X12 version claimbridge knows (00501)"
            )
            found.append(self._at(isa, "ISA12", message))
        number = isa.element(13)
        state.open.append(("ISA", number, isa.position))
        state.gs_count, state.gs_ids = 0, set()
        self.component = isa.element(16)[:1] or ":"

    def _read_gs(self, gs: Segment, found: list[Problem]) -> None:
        state = self.envelopes
        number = gs.element(6)
        if number in state.gs_ids:
            message = f"GS06 {shown(number)} is used by an earlier group of this interchange"
            found.append(self._at(gs, "GS06", message))
        state.gs_count += 1
        state.gs_ids.add(number)
        state.open.append(("GS", number, gs.position))
        state.st_count, state.st_ids = 0, set()

    def _read_st(self, st: Segment, found: list[Problem]) -> None:
        state = self.envelopes
        state.hl_stack, state.hl_count = [], 0
        number = st.element(2)
        if number in state.st_ids:
            message = f"ST02 {shown(number)} is used by an earlier transaction set of this group"
            found.append(self._at(st, "ST02", message))
        state.st_count += 1
        state.st_ids.add(number)
        state.open.append(("ST", number, st.position))
        state.seg_count = 1

    def _read_hl(self, hl: Segment, found: list[Problem]) -> None:
        state = self.envelopes
        state.hl_count += 1
        if _whole(hl.element(1)) != state.hl_count:
            message = (
                f"HL01 {shown(hl.element(1))} should be {state.hl_count}: levels count 1, 2, 3 …"
            )
            found.append(self._at(hl, "HL01", message))
        if hl.element(2) != "":
            parent = _whole(hl.element(2))
            if parent not in state.hl_stack:
                message = f"HL02 {shown(hl.element(2))} names no level this one can sit under"
                found.append(self._at(hl, "HL02", message))
            while state.hl_stack and parent != state.hl_stack[-1]:
                state.hl_stack.pop()
        state.hl_stack.append(state.hl_count)

    def _read_iea(self, iea: Segment, found: list[Problem]) -> None:
        self._close(iea, "ISA", "IEA02", found)
        if _whole(iea.element(1)) != self.envelopes.gs_count:
            count = self.envelopes.gs_count
            message = f"IEA01 {shown(iea.element(1))} should be {count}, the number of groups"
            found.append(self._at(iea, "IEA01", message))

    def _read_ge(self, ge: Segment, found: list[Problem]) -> None:
        self._close(ge, "GS", "GE02", found)
        if _whole(ge.element(1)) != self.envelopes.st_count:
            count = self.envelopes.st_count
            message = (
                f"GE01 {shown(ge.element(1))} should be {count}, the number of transaction sets"
            )
            found.append(self._at(ge, "GE01", message))

    def _read_se(self, se: Segment, found: list[Problem]) -> None:
        state = self.envelopes
        top = state.open[-1] if state.open else None
        if top is None or top[0] != "ST" or top[1] != se.element(2):
            opened = top[1] if top else ""
            message = f"SE02 {shown(se.element(2))} differs from ST02 {shown(opened)}"
            found.append(self._at(se, "SE02", message))
        if _whole(se.element(1)) != state.seg_count + 1:
            count = state.seg_count + 1
            message = f"SE01 {shown(se.element(1))} should be {count}, the segments from ST to SE"
            found.append(self._at(se, "SE01", message))
        if state.open:
            state.open.pop()

    def _close(self, trailer: Segment, tag: str, element: str, found: list[Problem]) -> None:
        state = self.envelopes
        if state.open and state.open[-1][0] != tag:
            inner = state.open.pop()
            message = f"{inner[0]} {shown(inner[1])} is not closed before this {trailer.id}"
            found.append(self._at(trailer, None, message))
        if not state.open:
            return
        number = state.open[-1][1]
        if trailer.element(2) != number:
            message = (
                f"{element} {shown(trailer.element(2))} differs from the {tag} control number "
                f"{shown(number)}"
            )
            found.append(self._at(trailer, element, message))
        state.open.pop()

    # -- the walk through the guide ----------------------------------------------------------

    def _start_interchange(self, isa: Segment) -> SegmentRule:
        self.version = isa.element(12)
        self.ta1_seen = False
        self._restart("/ISA_LOOP", "ISA")
        node = self.control.node("/ISA_LOOP/ISA")
        assert isinstance(node, SegmentRule)
        return node

    def _start_group(self, gs: Segment, found: list[Problem]) -> SegmentRule | None:
        self._restart("/ISA_LOOP/GS_LOOP", "GS")
        name = GUIDES.get((gs.element(8), gs.element(1))) if self.version == "00501" else None
        if name is None:
            message = (
                f"claimbridge has no implementation guide for GS08 {shown(gs.element(8))} with "
                f"GS01 {shown(gs.element(1))} (ISA12 {shown(self.version)}); "
                "the guide was not checked"
            )
            found.append(Problem(gs.position, "GS", None, None, "warning", "claimbridge", message))
            self.stopped = True
            return None
        if self.guide.name != name:
            self.guide = load(name)
            self.checks_lx = self.guide.transaction == "837"
            self.read_tags = _READ_TAGS | {"CLM", "LX"} if self.checks_lx else _READ_TAGS
            self.slow_tags = self.read_tags | {"TA1"}
            self.qualified = _merged(self.control.qualified, self.guide.qualified)
        node = self.guide.node("/ISA_LOOP/GS_LOOP/GS")
        assert isinstance(node, SegmentRule)
        return node

    def _restart(self, loop_path: str, first: str) -> None:
        """pyx12's forced start of an ISA or GS loop: counts inside dropped, one more loop."""
        prefix = loop_path + "/"
        for path, counts in self.counts.items():
            if path == loop_path or path.startswith(prefix):
                counts.clear()
        parent, _, name = loop_path.rpartition("/")
        self._increment(parent or "/", name)
        self._increment(loop_path, first)

    def _counter(self, path: str) -> dict[str, int]:
        """The counts of the children of the loop at ``path`` (kept for the whole pass)."""
        counts = self.counts.get(path)
        if counts is None:
            counts = self.counts[path] = {}
        return counts

    def _increment(self, parent_path: str, key: str) -> int:
        counts = self._counter(parent_path)
        count = counts.get(key, 0) + 1
        counts[key] = count
        return count

    def _plan(self, segment: Segment) -> _Plan:
        """The plan from the current place for ``segment``, worked out once per route."""
        fields = segment.fields
        tag = segment.id
        numbers = self.qualified.get(tag)
        if numbers is None:
            key: tuple[object, ...] = (self.node, tag)
        elif len(numbers) == 1:
            number = numbers[0]
            key = (self.node, tag, fields[number] if number < len(fields) else None)
        else:
            key = (self.node, tag, *(fields[n] if n < len(fields) else None for n in numbers))
        plan = self.plans.get(key)
        if plan is None:
            if len(self.plans) >= PLAN_LIMIT:
                self.plans.clear()
                self.fast_plans.clear()
            route = _route(key, self.node, segment, self.component)
            plan = self.plans[key] = self._with_counters(route)
            if plan.quick:
                self.fast_plans[key] = self._fast(plan)
        return plan

    def _fast(self, plan: _Plan) -> tuple[object, ...]:
        """``plan`` as ``_guide_c.follow`` reads it: (steps as (counts, key), node, its key,
        its max use, its counts, the loop entered as (key, repeat, counts, inner) or None,
        the node's element checks)."""
        node = plan.node
        assert node is not None
        loop = plan.loop
        entered = None if loop is None else (loop.key, loop.repeat, plan.loop_counter, plan.inner)
        steps = tuple((counts, key) for counts, key, _, _ in plan.steps)
        elements = _ELEMENT_PLANS.get(node)
        if elements is None:
            elements = _ELEMENT_PLANS[node] = _element_plan(node)
        return (steps, node, node.key, node.max_use, plan.counter, entered, elements)

    def _with_counters(self, route: _Route) -> _Plan:
        steps = tuple(
            (self._counter(_parent_path(node)), node.key, reported, node)
            for kind, node, reported in route.steps
        )
        node, loop = route.node, route.loop
        counter = self._counter(node.parent.path) if node is not None else {}
        if loop is not None:
            assert loop.parent is not None
            inner = tuple(self._counter(path) for path in loop.inner_paths)
            quick = route.end == _ENTER and loop.usage != "N"
            loop_counter = self._counter(loop.parent.path)
            return _Plan(steps, route.end, node, loop, counter, loop_counter, inner, quick)
        quick = route.end == _MATCH and node is not None and node.usage != "N"
        return _Plan(steps, route.end, node, None, counter, {}, (), quick)

    def _walk(self, segment: Segment, found: list[Problem]) -> SegmentRule | None:
        plan = self._plan(segment)
        missing = (
            [(reported, node) for counts, key, reported, node in plan.steps if not counts.get(key)]
            if plan.steps
            else []
        )
        end = plan.end
        if end == _MATCH:
            assert plan.node is not None
            return self._matched(segment, plan, missing, found)
        if end == _ENTER:
            assert plan.node is not None and plan.loop is not None
            return self._entered(segment, plan, missing, found)
        if end == _NOT_FOUND:
            place = self.node.parent.id if self.node.parent is not None else ""
            message = (
                f"{segment.id} is not expected here (after {self.node.id} in {place or 'the file'})"
            )
            found.append(self._at(segment, None, message))
        return None

    def _matched(
        self,
        segment: Segment,
        plan: _Plan,
        missing: list[tuple[LoopRule | SegmentRule, LoopRule | SegmentRule]],
        found: list[Problem],
    ) -> SegmentRule:
        node = plan.node
        assert node is not None
        counts = plan.counter
        count = counts.get(node.key, 0) + 1
        counts[node.key] = count
        if node.usage == "N":
            found.append(self._at(segment, None, f"{node.id} is not used in this guide here"))
        elif count > node.max_use:
            message = f"{node.id} repeats {count} times; the guide allows {node.max_use}"
            found.append(self._problem(segment.position, node.id, node.loop_id, None, message))
        same = (node.id, node.parent.id)
        for reported, what in missing:
            if (reported.id, _parent_id(reported)) != same and reported.pos != node.pos:
                self._report_missing(segment, what, found)
        return node

    def _entered(
        self,
        segment: Segment,
        plan: _Plan,
        missing: list[tuple[LoopRule | SegmentRule, LoopRule | SegmentRule]],
        found: list[Problem],
    ) -> SegmentRule:
        loop, node = plan.loop, plan.node
        assert loop is not None and node is not None
        if loop.usage == "N":
            found.append(self._at(segment, None, f"loop {loop.id} is not used in this guide"))
        else:
            self._enter_loop(plan, loop, segment, found)
        counts = plan.counter
        counts[node.key] = counts.get(node.key, 0) + 1
        for _, what in missing:
            self._report_missing(segment, what, found)
        return node

    def _enter_loop(
        self, plan: _Plan, loop: LoopRule, segment: Segment, found: list[Problem]
    ) -> None:
        """``segment`` starts another repeat of ``loop``: the counts of the loops inside it
        start again, and a repeat beyond what the guide allows is reported."""
        for counts in plan.inner:
            if counts:
                counts.clear()
        loop_counts = plan.loop_counter
        count = loop_counts.get(loop.key, 0) + 1
        loop_counts[loop.key] = count
        if count > loop.repeat:
            message = f"loop {loop.id} repeats {count} times; the guide allows {loop.repeat}"
            found.append(self._problem(segment.position, segment.id, loop.id, None, message))

    def _report_missing(
        self, segment: Segment, what: LoopRule | SegmentRule, found: list[Problem]
    ) -> None:
        if isinstance(what, LoopRule):
            if what.id == "GS_LOOP" and self.ta1_seen:
                return  # an interchange may carry TA1s alone (pyx12's control map says otherwise)
            message = f'required loop {what.id} "{what.name}" is missing'
            found.append(self._problem(segment.position, segment.id, what.id, None, message))
            return
        message = f'required segment {what.id} "{what.name}" is missing'
        found.append(self._problem(segment.position, segment.id, what.loop_id, None, message))

    # -- elements ----------------------------------------------------------------------------

    def _check_elements(self, node: SegmentRule, segment: Segment, found: list[Problem]) -> None:
        tag, fields, position = segment
        parts = node.elements
        sent, wanted = len(fields) - 1, len(parts)
        loop = node.loop_id
        if sent > wanted:
            message = f"{tag} has {sent} elements; the guide defines {wanted}"
            found.append(self._problem(position, tag, loop, None, message))
        separator = self.component if tag != "ISA" else None
        for index in range(min(sent, wanted)):
            part = parts[index]
            if type(part) is CompositeRule:
                problems = self._check_composite(part, fields[index + 1], separator)
            else:
                assert isinstance(part, ElementRule)
                value = fields[index + 1]
                known = value and not part.dated and part.memo.get(value) == ()
                if known and (not separator or separator not in value):
                    continue  # a value found right before
                problems = self._check_simple(node, index, fields, separator)
            for ref, message in problems:
                found.append(self._problem(position, tag, loop, ref, message))
        for part in parts[sent:]:
            if type(part) is CompositeRule:
                problems = values.check_composite(part, None)
            else:
                assert isinstance(part, ElementRule)
                problems = [(part.ref, message) for message in values.check_absent(part)]
            for ref, message in problems:
                found.append(self._problem(position, tag, loop, ref, message))
        if node.syntax:
            self._check_syntax(node, segment, found)

    def _check_composite(
        self, part: CompositeRule, value: str, separator: str | None
    ) -> list[tuple[str, str]]:
        composites = self.composites
        seen = (part, value)
        problems = composites.get(seen)
        if problems is None:
            components = value.split(separator) if separator else [value]
            if len(composites) >= CLEAN_LIMIT:
                composites.clear()
            problems = composites[seen] = values.check_composite(part, components)
        return problems

    def _check_simple(
        self, node: SegmentRule, index: int, fields: tuple[str, ...], separator: str | None
    ) -> list[tuple[str, str]]:
        part = node.elements[index]
        assert isinstance(part, ElementRule)
        value = fields[index + 1]
        if not value:
            return [(part.ref, message) for message in values.check_absent(part)]
        messages = part.memo.get(value)
        if messages is None or (separator and separator in value):
            messages = self._check_element(part, value, separator)
        if not messages and (part.data_ele == "1251" or (index == 2 and node.id == "DTP")):
            messages = values.check_formats(part, value, _formats(node, index, fields))
        return [(part.ref, message) for message in messages]

    def _check_element(
        self, part: ElementRule, value: str, separator: str | None
    ) -> tuple[str, ...]:
        if not value:
            return values.check_absent(part)
        if separator and separator in value:
            message = f'{part.ref} "{part.name}" is a simple element but holds components'
            return (f"{message}: {shown(value)}",)
        return values.check_value(part, value)

    def _check_syntax(self, node: SegmentRule, segment: Segment, found: list[Problem]) -> None:
        separator = self.component
        fields = segment.fields
        if all(values.syntax_holds(rule, fields, separator) for rule in node.syntax):
            return
        present = [False, *(bool(f.rstrip(separator)) for f in fields[1:])]
        for rule in node.syntax:
            message = values.check_syntax(segment.id, rule, present)
            if message is not None:
                found.append(
                    self._problem(segment.position, segment.id, node.loop_id, None, message)
                )

    # -- problems ----------------------------------------------------------------------------

    def _at(self, segment: Segment, element: str | None, message: str) -> Problem:
        loop = self.node.loop_id if isinstance(self.node, SegmentRule) else None
        return self._problem(segment.position, segment.id, loop, element, message)

    def _problem(
        self, position: int, tag: str | None, loop: str | None, element: str | None, message: str
    ) -> Problem:
        return Problem(position, tag, loop, element, "error", "claimbridge", message)


_ENVELOPE_READERS = {
    "ISA": GuideCheck._read_isa,
    "GS": GuideCheck._read_gs,
    "ST": GuideCheck._read_st,
    "SE": GuideCheck._read_se,
    "GE": GuideCheck._read_ge,
    "IEA": GuideCheck._read_iea,
}


# What depends on the guide alone, worked out once for every check: the element checks of a
# segment's node, and a segment's route from a place (by its id and qualifiers, as ``_plan``
# keys it, and the component separator). Guide tables are shared and never change.
_ELEMENT_PLANS: dict[SegmentRule, tuple[object, ...]] = {}
_ROUTES: dict[tuple[object, ...], _Route] = {}


def _route(
    key: tuple[object, ...], node: LoopRule | SegmentRule, segment: Segment, component: str
) -> _Route:
    """``segment``'s route from ``node`` (``key``: ``_plan``'s), worked out once."""
    shared = (component, *key)
    route = _ROUTES.get(shared)
    if route is None:
        if len(_ROUTES) >= PLAN_LIMIT:
            _ROUTES.clear()
        route = _ROUTES[shared] = _Planner(node, segment, component).plan()
    return route


def _element_plan(node: SegmentRule) -> tuple[object, ...]:
    """What ``_guide_c.follow`` checks of a segment at ``node`` before it calls it clean:
    (each element as (its value check, where its date formats come from) or, a composite, as
    (its rule, empty allowed, not used, its components' value checks); for each number of
    elements sent whether the rest may be left out; the syntax rules as bytes: the code's
    letter and the element numbers). What it cannot call clean from these, it leaves to the
    Python pass."""
    parts: list[tuple[object, ...]] = []
    absent_ok: list[bool] = []
    for index, part in enumerate(node.elements):
        if type(part) is CompositeRule:
            empty_ok = not values.check_composite(part, None)
            checks = tuple(_value_check(component) for component in part.elements)
            parts.append((part, empty_ok, part.usage == "N", checks))
        else:
            assert isinstance(part, ElementRule)
            empty_ok = not values.check_absent(part)
            parts.append((_value_check(part), _format_source(node, index)))
        absent_ok.append(empty_ok)
    rest_ok = tuple(all(absent_ok[sent:]) for sent in range(len(absent_ok) + 1))
    syntax = tuple(bytes([ord(str(rule[0])[:1]), *map(int, rule[1:])]) for rule in node.syntax)
    return (tuple(parts), rest_ok, syntax)


def _format_source(node: SegmentRule, index: int) -> int | tuple[str, ...] | None:
    """Where ``_check_simple`` finds the date formats element ``index`` may take: None when
    it checks none, 2 for DTP03 (the one DTP02 names), else ``_formats``' list (which does
    not depend on the values)."""
    part = node.elements[index]
    assert isinstance(part, ElementRule)
    if not (part.data_ele == "1251" or (index == 2 and node.id == "DTP")):
        return None
    if node.id == "DTP":
        return 2 if index == 2 else ()
    return tuple(_formats(node, index, ()))


# ``values.is_valid_type``'s types as ``_guide_c`` knows them; any other it leaves to Python.
_C_TYPES = {"": 0, "R": 2, "ID": 3, "AN": 3, "DT": 4, "TM": 5}


def _value_check(part: ElementRule) -> tuple[object, ...]:
    """An element's or component's check as ``_guide_c`` reads it: (its memo, empty allowed,
    left to Python, type, minimum and maximum length, codes, external codes or None)."""
    kind = 1 if part.type[:1] == "N" else _C_TYPES.get(part.type, -1)
    to_python = part.usage == "N" or part.regex is not None or kind < 0
    empty_ok = not values.check_absent(part)
    return (part.memo, empty_ok, to_python, kind, part.min_len, part.max_len, part.codes,
            part.external)  # fmt: skip


def _whole(text: str) -> int | None:
    text = text.strip()
    if text[:1] in "+-":
        sign, digits = text[:1], text[1:]
    else:
        sign, digits = "", text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    return int(sign + digits)


def _formats(node: SegmentRule, index: int, fields: tuple[str, ...]) -> list[str]:
    """The date formats element ``index`` may take: DTP03 the one DTP02 names; an element 1251
    those of the elements 1250 before it (as pyx12 reads DTP, DMG, DTM …)."""
    if node.id == "DTP":
        named = fields[2] if index == 2 and len(fields) > 2 else ""
        return [named] if named in DATE_TYPES else []
    parts = node.elements[:index]
    return [
        code
        for part in parts
        if type(part) is ElementRule and part.data_ele == "1250"
        for code in part.code_list
    ]


def _merged(*tables: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    merged: dict[str, tuple[int, ...]] = {}
    for table in tables:
        for tag, numbers in table.items():
            known = merged.get(tag, ())
            merged[tag] = (*known, *(n for n in numbers if n not in known))
    return merged


def _parent_path(node: LoopRule | SegmentRule) -> str:
    parent = node.parent
    assert parent is not None
    return parent.path


def _parent_id(node: LoopRule | SegmentRule) -> str | None:
    return node.parent.id if node.parent is not None else None


class _Planner:
    """Works out where a segment goes from one place in the guide (pyx12's walk, no counts)."""

    def __init__(self, start: LoopRule | SegmentRule, segment: Segment, component: str) -> None:
        self.start = start
        self.segment = segment
        self.component = component
        self.steps: list[tuple[int, LoopRule | SegmentRule, LoopRule | SegmentRule]] = []

    def plan(self) -> _Route:
        node = self.start
        position = node.pos
        loop = node if isinstance(node, LoopRule) else node.parent
        while True:
            plan = self._scan(loop, position)
            if plan is not None:
                return plan
            if loop.is_root:
                return _Route(tuple(self.steps), _NOT_FOUND, None, None)
            position = loop.pos
            assert loop.parent is not None
            loop = loop.parent

    def _scan(self, loop: LoopRule, position: int) -> _Route | None:
        for child in loop.children:
            if child.pos < position:
                continue
            if isinstance(child, SegmentRule):
                if self._matches(child):
                    # pyx12 would start a wrapper loop again here (a second PLB: "Loop FOOTER
                    # exceeded max count"); a segment of a wrapper just repeats.
                    if not loop.is_root and not loop.wrapper and self._loop_matches(loop):
                        return self._enter(loop)
                    return _Route(tuple(self.steps), _MATCH, child, None)
                if child.usage == "R":
                    self.steps.append((_SEGMENT_MISSING, child, child))
            elif self._loop_matches(child):
                return self._enter(child)
        return None

    def _enter(self, loop: LoopRule) -> _Route:
        entered = self._goto(loop)
        if entered is None:
            return _Route(tuple(self.steps), _LOST, None, None)
        inner, first = entered
        return _Route(tuple(self.steps), _ENTER, first, inner)

    def _goto(self, loop: LoopRule) -> tuple[LoopRule, SegmentRule] | None:
        first = loop.first_segment()
        if first is not None and self._matches(first):
            return loop, first
        for child in loop.children:
            if isinstance(child, LoopRule):
                entered = self._goto(child)
                if entered is not None:
                    return entered
        return None

    def _loop_matches(self, loop: LoopRule) -> bool:
        first = loop.first()
        if first is None:
            return False
        if isinstance(first, LoopRule):
            return any(isinstance(c, LoopRule) and self._loop_matches(c) for c in loop.children)
        if self._matches(first):
            return True
        if loop.usage == "R":
            self.steps.append((_LOOP_MISSING, loop, first))
        return False

    def _matches(self, node: SegmentRule) -> bool:
        segment = self.segment
        if segment.id != node.id:
            return False
        qualifier = node.qualifier
        if qualifier is None:
            return True
        number, component, codes = qualifier
        if number >= len(segment.fields):
            return False
        value = segment.fields[number]
        if component:
            parts = value.split(self.component)
            return len(parts) >= component and parts[component - 1] in codes
        return value.rstrip(self.component) in codes
