"""Acknowledgments applied to the ledger: TA1, 999, 277CA and Office Ally's text reports.

- TA1 (TA101 = our ISA13): R rejects the whole interchange, so every claim of the batch goes
  back to be fixed (``clearinghouse_rejected``) with TA105 in words; A and E are recorded.
- 999 (AK102 = our GS06, AK202 = our ST02): each rejected transaction set rejects its claims,
  with where the error is (segment, position, loop, element) and what it is, in words.
- 277CA: each claim accepted or rejected by the clearinghouse (NM1*AY) or the payer (NM1*PR),
  with its status codes and their meanings; a rejection at the information source (HL 20),
  information receiver (HL 21) or billing-provider level (HL 19) applies to every claim under
  it — those listed beneath it, or, when none are, every claim of the batch the 277CA names
  (2200B TRN02 = our BHT03, ``B<batch id>``; at HL 19 those with that billing NPI).
  Receipt (A1), pend, request for information and error change no status; they are noted.
- File Summary: a FAILED file created no claims at Office Ally, so every claim of that upload
  goes back to be fixed; otherwise each ERROR row rejects its claim and accepted rows are
  accepted by the clearinghouse (office-ally.md §8). EDI Status: payer accepted or rejected.

Each function records one ``acknowledgments`` row per result and returns a one-line summary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from claimbridge.domain.oa_reports import EdiStatus, FileSummary
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.changes import Changes, ClaimIndex, ClaimRef, add_acknowledgments
from claimbridge.store import tables as t
from claimbridge.x12.ta1 import InterchangeAck
from claimbridge.x12.tx277ca_005010X214 import ClaimAck, ClaimResult, Level, Outcome, SourceKind
from claimbridge.x12.tx277ca_005010X214 import Status as Status277
from claimbridge.x12.tx999_005010X231A1 import FunctionalAck, SegmentError, SetResponse

_S = ClaimStatus
_BATCH_REFERENCE = re.compile(r"B(\d+)")


def _batch_claims(session: Session, batch_id: int, st02: str | None = None) -> list[int]:
    query = select(t.ClaimSubmissionRow.claim_id).where(t.ClaimSubmissionRow.batch_id == batch_id)
    if st02 is not None:
        query = query.where(t.ClaimSubmissionRow.st02 == st02)
    return list(session.scalars(query.order_by(t.ClaimSubmissionRow.id)))


def _batch_by(
    session: Session, column: InstrumentedAttribute[int], value: int
) -> t.BatchRow | None:
    query = select(t.BatchRow).where(column == value).order_by(t.BatchRow.id.desc())
    return session.scalars(query).first()


def _number(text: str) -> int | None:
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else None


def apply_ta1(session: Session, ack: InterchangeAck, changes: Changes) -> str:
    """A TA1: the batch with ISA13 = TA101 accepted, or rejected with every claim in it."""
    number = _number(ack.control_number)
    batch = _batch_by(session, t.BatchRow.isa13, number) if number is not None else None
    meaning = ack.note.meaning or ack.note.code or "no reason given"
    detail = f"TA1 {ack.acknowledgment.code}: {ack.acknowledgment.meaning}; {meaning}"
    row: dict[str, object] = {
        "kind": "TA1", "batch_id": batch.id if batch else None, "claim_id": None,
        "control_number": ack.control_number[:9], "code": ack.acknowledgment.code,
        "detail": detail,
    }  # fmt: skip
    add_acknowledgments(session, [row], changes.inbound_file_id)
    if batch is None:
        return f"TA1 for interchange {ack.control_number}: no batch of ours has that ISA13"
    batch.status = "accepted" if ack.accepted else "rejected"
    if not ack.accepted:
        why = f"Office Ally rejected the whole file {batch.file_name} ({detail})"
        _reject_all(ClaimIndex(session).of_ids(_batch_claims(session, batch.id)), why, changes)
    return f"TA1 for batch B{batch.id}: {batch.status}"


def _reject_all(claims: Sequence[ClaimRef], why: str, changes: Changes) -> None:
    for claim in claims:
        changes.propose(claim, _S.CLEARINGHOUSE_REJECTED, why)


def apply_999(session: Session, ack: FunctionalAck, changes: Changes) -> str:
    """A 999: per transaction set, its claims rejected (with the errors in words) or kept."""
    number = _number(ack.group.control_number)
    batch = _batch_by(session, t.BatchRow.gs06, number) if number is not None else None
    if batch is None:
        add_acknowledgments(session, [_ack999_row(None, None, response) for response in
                                      ack.transaction_sets], changes.inbound_file_id)  # fmt: skip
        return f"999 for group {ack.group.control_number}: no batch of ours has that GS06"
    index, rows, rejected, answered = ClaimIndex(session), [], 0, set()
    for response in ack.transaction_sets:
        claim_ids = _batch_claims(session, batch.id, response.control_number)
        answered.update(claim_ids)
        rows += [_ack999_row(batch.id, claim_id, response) for claim_id in _or_none(claim_ids)]
        if not response.accepted:
            rejected += 1
            why = (
                f"the 999 rejected transaction set {response.control_number}: {_in_words(response)}"
            )
            _reject_all(index.of_ids(claim_ids), why, changes)
    sets = len(ack.transaction_sets)
    counted = f"{sets} set{'' if sets == 1 else 's'}, {rejected} rejected"
    if ack.result.acknowledgment.code in GROUP_REJECTED:
        rows += _reject_group(session, batch, ack, answered, changes)
        add_acknowledgments(session, rows, changes.inbound_file_id)
        batch.status = "rejected"
        return f"999 for batch B{batch.id}: the functional group was rejected ({counted})"
    add_acknowledgments(session, rows, changes.inbound_file_id)
    batch.status = _batch_verdict(rejected, len(ack.transaction_sets))
    return f"999 for batch B{batch.id}: {counted}"


def _reject_group(
    session: Session,
    batch: t.BatchRow,
    ack: FunctionalAck,
    answered: set[int],
    changes: Changes,
) -> list[dict[str, object]]:
    """AK9 rejected the whole functional group: every claim of the batch is rejected, those
    whose set an AK2 answered too (a claim its AK2 rejected keeps that, closer reason). The
    acknowledgment rows of the claims no AK2 answered (a group error may name no set at all)."""
    claim_ids = _batch_claims(session, batch.id)
    why = f"the 999 rejected the whole functional group (GS06 {batch.gs06}): {_group_words(ack)}"
    _reject_all(ClaimIndex(session).of_ids(claim_ids), why, changes)
    result = ack.result.acknowledgment
    unanswered = [claim_id for claim_id in claim_ids if claim_id not in answered]
    return [
        {"kind": "999", "batch_id": batch.id, "claim_id": claim_id,
         "control_number": ack.group.control_number[:9], "code": result.code, "detail": why}
        for claim_id in (unanswered if unanswered or answered else [None])
    ]  # fmt: skip


def _group_words(ack: FunctionalAck) -> str:
    """AK901 and the group's errors (AK905–AK909) in words."""
    verdict = ack.result.acknowledgment
    reasons = [error.meaning or error.code for error in ack.result.errors]
    return f"{verdict.meaning or verdict.code}" + (f" ({'; '.join(reasons)})" if reasons else "")


# AK901 codes that reject the whole group: rejected, and rejected for message authentication,
# assurance or content decryption (005010X231A1).
GROUP_REJECTED = frozenset({"R", "M", "W", "X"})


def _or_none(claim_ids: list[int]) -> list[int | None]:
    return list(claim_ids) if claim_ids else [None]


def _batch_verdict(rejected: int, total: int) -> str:
    if rejected == 0:
        return "accepted"
    return "rejected" if rejected == total else "partly_accepted"


def _ack999_row(
    batch_id: int | None, claim_id: int | None, response: SetResponse
) -> dict[str, object]:
    result = response.result.acknowledgment
    detail = None if response.accepted else _in_words(response)
    return {"kind": "999", "batch_id": batch_id, "claim_id": claim_id,
            "control_number": response.control_number[:9], "code": result.code,
            "detail": detail}  # fmt: skip


def _in_words(response: SetResponse) -> str:
    """Where and what the errors of a rejected transaction set are."""
    parts = [_segment_words(error) for error in response.segment_errors]
    reasons = [e.meaning or e.code for e in response.result.errors]
    verdict = response.result.acknowledgment
    summary = f"{verdict.meaning or verdict.code}" + (f" ({'; '.join(reasons)})" if reasons else "")
    return "; ".join([summary, *parts])


def _segment_words(error: SegmentError) -> str:
    loop = f" in loop {error.loop_id}" if error.loop_id else ""
    words = f"segment {error.segment_id} at position {error.position}{loop}"
    if error.error.code:
        words += f": {error.error.meaning or error.error.code}"
    for element in error.element_errors:
        place = element.position
        where = f"{error.segment_id}{place.element:02d}" + (
            f"-{place.component}" if place.component else ""
        )
        bad = f" (value {element.bad_value!r})" if element.bad_value else ""
        words += f"; element {where}: {element.error.meaning or element.error.code}{bad}"
    claims = [c.reference for c in error.contexts if c.name == "CLM01"]
    return words + (f" [claim {', '.join(claims)}]" if claims else "")


def apply_277ca(session: Session, ack: ClaimAck, changes: Changes) -> str:
    """A 277CA: each claim accepted or rejected, by Office Ally or by the payer."""
    index = ClaimIndex(session)
    index.load(c.patient_control_number or "" for c in ack.claims)
    rows: list[dict[str, object]] = []
    counts = {"accepted": 0, "rejected": 0, "other": 0, "unknown": 0}
    numbers: list[dict[str, object]] = []
    for result in ack.claims:
        claim = index.get(result.patient_control_number or "")
        if claim is None:
            counts["unknown"] += 1
            continue
        above = _rejected_level_above(ack, result)
        counts[_apply_claim_result(claim, result, above, changes, rows)] += 1
        if result.payer_claim_number:
            numbers.append({"b_id": claim.id, "number": result.payer_claim_number[:50]})
    rejected, unresolved = _reject_unlisted(session, ack, index, changes, rows)
    counts["rejected"] += rejected
    set_payer_claim_numbers(session, numbers)
    add_acknowledgments(session, rows, changes.inbound_file_id)
    said = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "no claim of ours named"
    return "277CA: " + "; ".join([said, *unresolved])


def _status_words(status: Status277) -> str:
    words = []
    for code in status.codes:
        entity = f" [{code.entity.meaning or code.entity.code}]" if code.entity else ""
        meaning = code.status.meaning or "no meaning on file"
        words.append(f"{code.category.code}:{code.status.code} {meaning}{entity}")
    return "; ".join(words) + (f" — {status.message}" if status.message else "")


_LEVEL_NAMES = {"20": "information source", "21": "information receiver", "19": "billing provider"}


def _rejected_level_above(ack: ClaimAck, result: ClaimResult) -> Level | None:
    """The highest level above the claim (HL 20, 21 or 19) whose status rejects, if any."""
    rejected = [level for level in _ancestors(ack, ack.level(result.level_id)) if _rejects(level)]
    return rejected[-1] if rejected else None


def _ancestors(ack: ClaimAck, level: Level | None) -> list[Level]:
    """The levels above ``level``, nearest first (a loop in HL02 ends the walk)."""
    found: list[Level] = []
    seen: set[str] = set()
    while level is not None and level.parent_id and level.parent_id not in seen:
        seen.add(level.parent_id)
        level = ack.level(level.parent_id)
        if level is not None:
            found.append(level)
    return found


def _rejects(level: Level) -> bool:
    """True for an HL 20, 21 or 19 level with a rejecting status."""
    return level.code.code in _LEVEL_NAMES and any(
        s.outcome is Outcome.REJECTED for s in level.statuses
    )


def _level_words(level: Level, npi: str = "") -> str:
    words = "; ".join(_status_words(s) for s in level.statuses)
    named = f" {npi}" if npi else ""
    return f"{_LEVEL_NAMES[level.code.code]}{named} rejected: {words}"


def _who(source: SourceKind) -> str:
    return "the payer" if source is SourceKind.PAYER else "Office Ally"


def _apply_claim_result(
    claim: ClaimRef,
    result: ClaimResult,
    above: Level | None,
    changes: Changes,
    rows: list[dict[str, object]],
) -> str:
    words = "; ".join(_status_words(s) for s in result.statuses)
    outcome = Outcome.REJECTED if above is not None else result.outcome
    if above is not None:
        words = _level_words(above) + (f"; claim: {words}" if words else "")
    payer = result.source_kind is SourceKind.PAYER
    rows.append(_ack277_row(claim, result, outcome, words))
    why = f"277CA from {_who(result.source_kind)}: {words}"
    if outcome is Outcome.ACCEPTED:
        changes.propose(claim, _S.PAYER_ACCEPTED if payer else _S.CLEARINGHOUSE_ACCEPTED, why)
        return "accepted"
    if outcome is Outcome.REJECTED:
        changes.propose(claim, _S.PAYER_REJECTED if payer else _S.CLEARINGHOUSE_REJECTED, why)
        return "rejected"
    changes.note(claim, f"{why} ({outcome.value})")
    return "other"


def _ack277_row(
    claim: ClaimRef, result: ClaimResult, outcome: Outcome, words: str
) -> dict[str, object]:
    code = ",".join(f"{c.category.code}:{c.status.code}" for s in result.statuses for c in s.codes)
    trace = (result.clearinghouse_trace or "")[:20] or None  # REF*D9: Office Ally's claim ID
    return {"kind": "277CA", "batch_id": None, "claim_id": claim.id,
            "control_number": trace, "code": (code or outcome.value)[:20],
            "detail": f"{outcome.value} by {_who(result.source_kind)}: {words}"}  # fmt: skip


def _reject_unlisted(
    session: Session,
    ack: ClaimAck,
    index: ClaimIndex,
    changes: Changes,
    rows: list[dict[str, object]],
) -> tuple[int, list[str]]:
    """Claims of a rejected level (HL 20, 21 or 19) that the 277CA does not list one by one:
    every claim of the batch it names (at HL 19, those with that billing NPI). Returns how many
    were rejected, and in words each rejection that names no batch of ours."""
    listed = {lv.id for result in ack.claims for lv in _ancestors(ack, ack.level(result.level_id))}
    covering = [lv for lv in ack.levels if _rejects(lv) and lv.id not in listed]
    covered = {lv.id for lv in covering}
    if not covering:
        return 0, []
    batch_id = _batch_reference(ack)
    claims = index.of_ids(_batch_claims(session, batch_id)) if batch_id is not None else []
    rejected, unresolved = 0, []
    for level in covering:
        if any(above.id in covered for above in _ancestors(ack, level)):
            continue  # a level above it rejects the same claims
        npi = level.name.id if level.name and level.code.code == "19" else ""
        why = f"277CA: {_level_words(level, npi)}"
        if batch_id is None:
            unresolved.append(f"{why} (it names no batch of ours: nothing changed)")
            continue
        for claim in claims:
            if level.code.code == "19" and claim.billing_npi != npi:
                continue
            rejected += 1
            rows.append(_level_row(level, batch_id, claim.id, why))
            payer = ack.source_kind is SourceKind.PAYER
            changes.propose(claim, _S.PAYER_REJECTED if payer else _S.CLEARINGHOUSE_REJECTED, why)
    return rejected, unresolved


_LEVEL_CODES = {"20": "source", "21": "receiver", "19": "provider"}


def _level_row(level: Level, batch_id: int, claim_id: int, why: str) -> dict[str, object]:
    return {"kind": "277CA", "batch_id": batch_id, "claim_id": claim_id, "control_number": None,
            "code": _LEVEL_CODES[level.code.code], "detail": why}  # fmt: skip


def _batch_reference(ack: ClaimAck) -> int | None:
    """Our batch id from the information receiver's TRN02 (our BHT03, ``B<id>``)."""
    for level in ack.levels:
        for tracking in level.tracking if level.code.code == "21" else ():
            match = _BATCH_REFERENCE.fullmatch(tracking.trace.number if tracking.trace else "")
            if match:
                return int(match.group(1))
    return None


def apply_file_summary(session: Session, summary: FileSummary, changes: Changes) -> str:
    """A File Summary: a failed file sends all its claims back; else rejected rows one by one."""
    batch = session.scalars(
        select(t.BatchRow).where(t.BatchRow.file_name == summary.file_name)
    ).first()
    if summary.failed:
        return _failed_file(session, summary, batch, changes)
    index, rows = ClaimIndex(session), []
    index.load(c.patient_control_number for c in summary.claims)
    for row in summary.claims:
        claim = index.get(row.patient_control_number)
        if claim is None:
            continue
        why = f"Office Ally File Summary for {summary.file_name}: " + (
            f"rejected: {row.error}" if row.rejected else "accepted"
        )
        target = _S.CLEARINGHOUSE_REJECTED if row.rejected else _S.CLEARINGHOUSE_ACCEPTED
        changes.propose(claim, target, why)
        rows.append(_oa_row("OA_FILE_SUMMARY", batch, claim.id, row.oa_claim_id, row.rejected, why))
    add_acknowledgments(session, rows, changes.inbound_file_id)
    rejected = sum(1 for c in summary.claims if c.rejected)
    claims = f"{len(rows)} claim{'' if len(rows) == 1 else 's'}"
    return f"File Summary for {summary.file_name}: {claims}, {rejected} rejected"


def _failed_file(
    session: Session, summary: FileSummary, batch: t.BatchRow | None, changes: Changes
) -> str:
    errors = "; ".join(summary.errors) or "no reason given"
    why = f"Office Ally could not read the file {summary.file_name} (FAILED): {errors}"
    add_acknowledgments(
        session, [_oa_row("OA_FILE_SUMMARY", batch, None, "", True, why)], changes.inbound_file_id
    )
    if batch is None:
        return f"File Summary: {summary.file_name} FAILED, and no batch of ours has that name"
    batch.status = "failed"
    claims = ClaimIndex(session).of_ids(_batch_claims(session, batch.id))
    _reject_all(claims, why, changes)
    return f"File Summary: batch B{batch.id} FAILED; {len(claims)} claims to fix and send again"


def _oa_row(
    kind: str, batch: t.BatchRow | None, claim_id: int | None, oa_id: str, bad: bool, why: str
) -> dict[str, object]:
    return {"kind": kind, "batch_id": batch.id if batch else None, "claim_id": claim_id,
            "control_number": oa_id[:20] or None, "code": "REJECTED" if bad else "ACCEPTED",
            "detail": why}  # fmt: skip


def apply_edi_status(session: Session, report: EdiStatus, changes: Changes) -> str:
    """An EDI Status report: each claim accepted or rejected by its payer."""
    index, rows = ClaimIndex(session), []
    index.load(r.patient_control_number for r in report.responses)
    payer_numbers: list[dict[str, object]] = []
    for response in report.responses:
        claim = index.get(response.patient_control_number)
        if claim is None:
            continue
        verdict = "accepted" if response.accepted else "rejected"
        why = f"EDI Status: the payer {verdict} the claim: {response.response}".rstrip(": ")
        changes.propose(claim, _S.PAYER_ACCEPTED if response.accepted else _S.PAYER_REJECTED, why)
        rows.append(_oa_row("OA_EDI_STATUS", None, claim.id, response.oa_claim_id,
                            not response.accepted, why))  # fmt: skip
        if response.payer_claim_number:
            payer_numbers.append({"b_id": claim.id, "number": response.payer_claim_number})
    add_acknowledgments(session, rows, changes.inbound_file_id)
    set_payer_claim_numbers(session, payer_numbers)
    return f"EDI Status: {len(rows)} claims answered by payers"


def set_payer_claim_numbers(session: Session, values: Sequence[dict[str, object]]) -> None:
    """Keep each claim's payer claim number ({'b_id': claim id, 'number': text})."""
    if not values:
        return
    claims = t.Base.metadata.tables["claims"]
    statement = (
        update(claims)
        .where(claims.c.id == bindparam("b_id"))
        .values(payer_claim_control_number=bindparam("number"))
    )
    session.execute(statement, list(values))
