"""The 999 and 277CA the simulator sends, as the readers' own models.

The 999 answers the upload's functional group: each transaction set is accepted (IK5 ``A``) or
rejected (``R``) with one IK3 (and IK4, when an element is named) per problem found in it. The
problems come from ``claimbridge.x12.validate`` (our structural checks and the implementation-
guide tables, or pyx12's), whose messages are mapped to the 999 error codes by keywords; that
mapping is approximate.

The 277CA comes from Office Ally (NM1*AY) and holds every claim of the accepted transaction
sets: HL 20 Office Ally, HL 21 the submitter, HL 19 per billing provider, HL PT per claim, with
STC ``A2:20`` (accepted, WQ) or the failed edit's codes (rejected, U).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from claimbridge.sim.config import OFFICE_ALLY_ID, OFFICE_ALLY_NAME
from claimbridge.sim.scenarios import Edit
from claimbridge.x12.envelope import GroupHeader
from claimbridge.x12.problems import Problem
from claimbridge.x12.tx277ca_005010X214 import codes as codes277
from claimbridge.x12.tx277ca_005010X214.models import (
    Amount,
    ClaimAck,
    Coded,
    DatePeriod,
    Level,
    Name,
    Quantity,
    Reference,
    Status,
    StatusCode,
    Trace,
    Tracking,
    TransactionHeader,
)
from claimbridge.x12.tx837p_005010X222A1.models import Claim, ClaimBatch
from claimbridge.x12.tx999_005010X231A1 import codes as codes999
from claimbridge.x12.tx999_005010X231A1.models import Coded as Coded999
from claimbridge.x12.tx999_005010X231A1.models import (
    Context,
    ElementError,
    ElementPosition,
    FunctionalAck,
    GroupResponse,
    GroupResult,
    SegmentError,
    SetResponse,
    SetResult,
)

_ZERO = Decimal("0.00")
_ELEMENT = re.compile(r"^[A-Z0-9]{2,3}(?P<element>\d{2})(?:-(?P<component>\d+))?$")
# (words in a problem message, IK304 code) — first match wins; else 8 with an element, else 2.
# The guide tables' words first, then pyx12's.
_SEGMENT_CODES = (("required segment", "3"), ("required loop", "3"), ("not expected here", "2"),
                  ("repeats", "5"), ("mandatory segment", "3"), ("mandatory loop", "3"),
                  ("not found", "2"), ("exceeds", "5"), ("too many", "5"),
                  ("out of order", "7"))  # fmt: skip
_ELEMENT_CODES = (("missing", "1"), ("not a valid date", "8"), ("not a valid time", "9"),
                  ("cannot hold", "6"), ("invalid date", "8"), ("invalid time", "9"),
                  ("too long", "5"), ("too short", "4"), ("character", "6"),
                  ("too many", "3"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class SetCheck:
    """One uploaded transaction set and the problems found in it (positions in the file)."""

    code: str
    control_number: str
    implementation: str
    st_position: int
    problems: tuple[Problem, ...]
    claim_at: tuple[tuple[int, str], ...] = ()  # (CLM position, CLM01), to name the claim

    @property
    def accepted(self) -> bool:
        """True when no error was found in the set."""
        return not any(problem.is_error for problem in self.problems)


def functional_ack(
    group: GroupHeader, sets: Sequence[SetCheck], group_problems: Sequence[Problem]
) -> FunctionalAck:
    """The 999 for ``group``; ``group_problems`` (envelope errors) reject every set."""
    rejected_group = any(p.is_error for p in group_problems)
    responses = tuple(_set_response(s, rejected_group) for s in sets)
    accepted = sum(1 for r in responses if r.accepted)
    verdict = "A" if accepted == len(sets) else ("R" if accepted == 0 else "P")
    errors = (_coded999(codes999.GROUP_ERRORS, "5"),) if rejected_group and not sets else ()
    result = GroupResult(
        _coded999(codes999.GROUP_ACKNOWLEDGMENTS, verdict), len(sets), len(sets), accepted, errors
    )
    response = GroupResponse(group.functional_id, group.control_number, group.version)
    return FunctionalAck("0001", "005010X231A1", response, responses, result)


def _coded999(table: Mapping[str, str], code: str) -> Coded999:
    return codes999.coded(table, code)


def _set_response(check: SetCheck, rejected_group: bool) -> SetResponse:
    problems = _one_per_place(check.problems)
    in_segments = [p for p in problems if p.segment_id != "SE"]
    errors = tuple(_segment_error(check, p) for p in in_segments)
    accepted = check.accepted and not rejected_group
    verdict = "A" if accepted else "R"
    reasons = [_trailer_reason(p) for p in problems if p.segment_id == "SE"]
    if in_segments or (not accepted and not reasons):
        reasons.append("5")
    coded = tuple(_coded999(codes999.SET_ERRORS, code) for code in reasons)
    result = SetResult(_coded999(codes999.SET_ACKNOWLEDGMENTS, verdict), coded)
    return SetResponse(check.code, check.control_number, check.implementation, errors, result)


def _trailer_reason(problem: Problem) -> str:
    """IK502 for an SE problem: 3 when ST02 and SE02 differ, else 4 (SE01 count wrong)."""
    return "3" if "control number" in problem.message.lower() else "4"


def _one_per_place(problems: Sequence[Problem]) -> list[Problem]:
    """The errors, once per segment and element: two checks may both report one,
    and a report without an element is dropped when another names one in that segment."""
    errors = [p for p in problems if p.is_error]
    named = {(p.segment_position, p.segment_id) for p in errors if p.element}
    seen: dict[tuple[int | None, str | None, str | None], Problem] = {}
    for problem in errors:
        place = (problem.segment_position, problem.segment_id)
        if problem.element or place not in named:
            seen.setdefault((*place, problem.element), problem)
    return list(seen.values())


def _segment_error(check: SetCheck, problem: Problem) -> SegmentError:
    position = max(1, (problem.segment_position or check.st_position) - check.st_position + 1)
    element = _element_position(problem.element)
    message = problem.message.lower()
    code = _code(message, _SEGMENT_CODES, "8" if element else "2")
    claim = _claim_for(check, problem.segment_position)
    contexts = (Context("CLM01", claim, "", None, "", None, ()),) if claim else ()
    element_errors: tuple[ElementError, ...] = ()
    if element is not None:
        error = _coded999(codes999.ELEMENT_ERRORS, _code(message, _ELEMENT_CODES, "7"))
        element_errors = (ElementError(element, "", error, "", ()),)
    return SegmentError(
        problem.segment_id or "ST", position, (problem.loop or "")[:4],
        _coded999(codes999.SEGMENT_ERRORS, code), contexts, element_errors,
    )  # fmt: skip


def _code(message: str, table: Sequence[tuple[str, str]], default: str) -> str:
    return next((code for words, code in table if words in message), default)


def _element_position(element: str | None) -> ElementPosition | None:
    """'CLM05-3' → element 5, component 3; None when no element is named."""
    found = _ELEMENT.match(element or "")
    if found is None:
        return None
    component = found.group("component")
    return ElementPosition(int(found.group("element")), int(component) if component else None, None)


def _claim_for(check: SetCheck, position: int | None) -> str:
    """CLM01 of the claim whose loop holds ``position``, or ''."""
    if position is None:
        return ""
    found = [number for at, number in check.claim_at if at <= position]
    return found[-1] if found else ""


# ---------------------------------------------------------------------------------- 277CA


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """One uploaded claim as Office Ally tracks it: its OA Claim ID and the edit it failed."""

    oa_claim_id: str
    claim: Claim
    edit: Edit | None

    @property
    def accepted(self) -> bool:
        """True when no edit rejected the claim."""
        return self.edit is None


def claim_ack(
    batch: ClaimBatch, records: Sequence[ClaimRecord], file_id: int, now: datetime
) -> ClaimAck:
    """The 277CA Office Ally sends for the claims of one upload."""
    today = now.date()
    header = TransactionHeader("0085", "08", str(file_id), today, now.strftime("%H%M"), "TH")
    source = Level(
        "1", "", _coded(codes277.LEVELS, "20"), "1",
        (_organization("AY", OFFICE_ALLY_NAME, "46", OFFICE_ALLY_ID),), (),
        (_tracking(Trace("1", str(file_id), "", ""), (), dates=(
            _on_day("050", today), _on_day("009", today))),),
    )  # fmt: skip
    submitter = batch.submitter
    receiver = Level(
        "2", "1", _coded(codes277.LEVELS, "21"), "1",
        (_organization("41", submitter.name.last, "46", submitter.id),), (),
        (_summary(Trace("2", batch.reference, "", ""), records, today, "90", "AA"),),
    )  # fmt: skip
    return ClaimAck(
        "0001", "005010X214", header, (source, receiver, *_providers(records, today)), ()
    )


def _providers(records: Sequence[ClaimRecord], today: date) -> Iterator[Level]:
    by_npi: dict[str, list[ClaimRecord]] = {}
    for record in records:
        by_npi.setdefault(record.claim.billing_provider.npi, []).append(record)
    number = 3
    for npi, group in by_npi.items():
        provider = group[0].claim.billing_provider
        yield Level(
            str(number), "2", _coded(codes277.LEVELS, "19"), "1",
            (_organization("85", provider.name.last, "XX", npi),), (),
            (_summary(Trace("1", npi, "", ""), group, None, "QA", "QC"),),
        )  # fmt: skip
        parent, number = str(number), number + 1
        for record in group:
            yield _patient_level(record, str(number), parent, today)
            number += 1


def _summary(
    trace: Trace,
    records: Sequence[ClaimRecord],
    today: date | None,
    accepted_qty: str,
    rejected_qty: str,
) -> Tracking:
    """A receiver (2200B) or provider (2200C) status loop; the guide dates only the first."""
    accepted = [r.claim.total_charge for r in records if r.accepted]
    rejected = [r.claim.total_charge for r in records if not r.accepted]
    total = sum(accepted + rejected, _ZERO)
    status = _status("A1", "19", "", "WQ", total, today)
    quantities = [(accepted_qty, accepted), (rejected_qty, rejected)]
    amounts = [("YU", accepted), ("YY", rejected)]
    return _tracking(
        trace, (status,),
        quantities=tuple(Quantity(_coded(codes277.QUANTITIES, q), Decimal(len(v)))
                         for q, v in quantities if v),
        amounts=tuple(Amount(_coded(codes277.AMOUNTS, a), sum(v, _ZERO)) for a, v in amounts if v),
    )  # fmt: skip


def _patient_level(record: ClaimRecord, number: str, parent: str, today: date) -> Level:
    claim, edit = record.claim, record.edit
    person = claim.patient.name if claim.patient else claim.subscriber.name
    name = Name(_coded(codes277.ENTITIES, "QC"), "1", person.last.upper(), person.first.upper(),
                "", "", "", "MI", claim.subscriber.member_id)  # fmt: skip
    if edit is None:
        status = _status("A2", "20", "", "WQ", claim.total_charge, today)
    else:
        status = _status(edit.category, edit.status, edit.entity, "U", claim.total_charge, today)
    tracking = _tracking(
        Trace("2", claim.patient_control_number, "", ""), (status,),
        references=(Reference(_coded(codes277.REFERENCES, "D9"), record.oa_claim_id, ""),),
        dates=(_service_dates(claim),),
    )  # fmt: skip
    return Level(number, parent, _coded(codes277.LEVELS, "PT"), "", (name,), (), (tracking,))


def _service_dates(claim: Claim) -> DatePeriod:
    start = min(line.service_date for line in claim.lines)
    end = max(line.service_date_end or line.service_date for line in claim.lines)
    qualifier = _coded(codes277.DATES, "472")
    if start == end:
        return DatePeriod(qualifier, "D8", f"{start:%Y%m%d}", start, end)
    return DatePeriod(qualifier, "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}", start, end)


def _status(
    category: str, status: str, entity: str, action: str, charge: Decimal, today: date | None
) -> Status:
    code = StatusCode(
        _coded(codes277.CATEGORIES, category),
        _coded(codes277.STATUSES, status),
        _coded(codes277.ENTITIES, entity) if entity else None,
        "",
    )
    act = _coded(codes277.ACTIONS, action)
    return Status(code, today, act, charge, None, None, "", None, "", None, None, "")


def _tracking(
    trace: Trace,
    statuses: tuple[Status, ...],
    *,
    references: tuple[Reference, ...] = (),
    quantities: tuple[Quantity, ...] = (),
    amounts: tuple[Amount, ...] = (),
    dates: tuple[DatePeriod, ...] = (),
) -> Tracking:
    return Tracking(trace, statuses, references, quantities, amounts, dates, ())


def _organization(entity: str, name: str, qualifier: str, identifier: str) -> Name:
    return Name(_coded(codes277.ENTITIES, entity), "2", name.upper(), "", "", "", "",
                qualifier, identifier)  # fmt: skip


def _on_day(qualifier: str, day: date) -> DatePeriod:
    return DatePeriod(_coded(codes277.DATES, qualifier), "D8", f"{day:%Y%m%d}", day, day)


def _coded(table: Mapping[str, str], code: str) -> Coded:
    return Coded(code, table.get(code))
