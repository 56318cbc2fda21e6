"""One uploaded 837P in, Office Ally's answers out (as text, not yet written anywhere).

``inspect_837p`` checks the upload with our structural checks, Office Ally's envelope rules and
the implementation-guide tables (``claimbridge.x12.validate``) and reads each transaction set
with the 837P reader. A transaction set with an error is rejected in the 999 and its claims are
not created; when none is left the file has **failed** (File Summary ``FAILED``, a rejecting
999, nothing else). Text that is not X12 at all gets only the failed File Summary: without a GS
there is nothing for a 999 to answer.

``answer_upload`` then gives, for the accepted claims: the File Summary, the 999, the 277CA,
the EDI Status report and the 835 files, in that order, each an ``OutputFile``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePosixPath

from claimbridge.errors import X12Error, X12SyntaxError
from claimbridge.sim import reports
from claimbridge.sim.acks import ClaimRecord, SetCheck, claim_ack, functional_ack
from claimbridge.sim.adjudicate import Payment, adjudicate, crossover_claim
from claimbridge.sim.config import OFFICE_ALLY_ID, SimConfig
from claimbridge.sim.era import era_files
from claimbridge.sim.reports import Upload
from claimbridge.sim.scenarios import EditSource
from claimbridge.sim.state import Counters, OutputFile
from claimbridge.x12.envelope import GroupHeader, InterchangeHeader, TransactionSet, iter_envelopes
from claimbridge.x12.envelope_build import InterchangeParams
from claimbridge.x12.problems import Problem
from claimbridge.x12.tokenizer import parse_segments
from claimbridge.x12.tx277ca_005010X214.build import build_277ca
from claimbridge.x12.tx837p_005010X222A1 import parse as parse_837p
from claimbridge.x12.tx837p_005010X222A1.models import Claim, ClaimBatch
from claimbridge.x12.tx999_005010X231A1.build import build_999
from claimbridge.x12.validate import validate_text

CLAIM_IMPLEMENTATION = "005010X222A1"


@dataclass(frozen=True, slots=True)
class Inspection:
    """What checking an upload found: its envelope, each transaction set, and file errors.

    ``batches[i]`` is the claim batch of ``sets[i]``, None when that set was rejected.
    """

    interchange: InterchangeHeader | None
    group: GroupHeader | None
    sets: tuple[SetCheck, ...]
    batches: tuple[ClaimBatch | None, ...]
    file_problems: tuple[Problem, ...]

    @property
    def accepted_batches(self) -> list[ClaimBatch]:
        """The batches of the sets the 999 accepts."""
        if any(p.is_error for p in self.file_problems):
            return []
        return [b for b, s in zip(self.batches, self.sets, strict=True) if b and s.accepted]

    def error_texts(self) -> list[tuple[str, str]]:
        """(code, text) of every error, for a failed File Summary."""
        problems = [*self.file_problems, *(p for s in self.sets for p in s.problems)]
        return [("X12", str(p).upper()) for p in problems if p.is_error]


def _problem(error: X12SyntaxError | X12Error) -> Problem:
    position = getattr(error, "segment_position", None)
    segment = getattr(error, "segment_id", None)
    return Problem(position, segment, None, None, "error", "office-ally", str(error))


def inspect_837p(text: str) -> Inspection:
    """Check ``text`` as Office Ally would before creating claims."""
    try:
        envelopes = list(iter_envelopes(parse_segments(text)))
        report = validate_text(text, office_ally=True)
    except X12SyntaxError as error:
        return Inspection(None, None, (), (), (_problem(error),))
    transactions = [e for e in envelopes if isinstance(e, TransactionSet)]
    if not transactions:
        unusable = Problem(None, None, None, None, "error", "office-ally", "no transaction set")
        return Inspection(None, None, (), (), (unusable,))
    checked = [_check_set(t, report.problems) for t in transactions]
    inside = {id(p) for s, _ in checked for p in s.problems}
    first = transactions[0]
    return Inspection(
        interchange=first.interchange,
        group=first.group,
        sets=tuple(s for s, _ in checked),
        batches=tuple(b for _, b in checked),
        file_problems=tuple(p for p in report.problems if p.is_error and id(p) not in inside),
    )


def _check_set(
    transaction: TransactionSet, problems: Sequence[Problem]
) -> tuple[SetCheck, ClaimBatch | None]:
    start, end = transaction.segments[0].position, transaction.segments[-1].position
    found = [p for p in problems if p.segment_position and start <= p.segment_position <= end]
    batch = None
    if transaction.code != "837" or not transaction.implementation.startswith("005010X222"):
        found.append(_problem(X12Error(f"transaction set {transaction.code} is not an 837P")))
    else:
        try:
            batch = parse_837p(transaction).batch
        except X12Error as error:
            found.append(_problem(error))
    claim_at = tuple((s.position, s.element(1)) for s in transaction.segments if s.id == "CLM")
    check = SetCheck(
        transaction.code, transaction.control_number, transaction.implementation, start,
        tuple(found), claim_at,
    )  # fmt: skip
    return check, batch if check.accepted else None


@dataclass(frozen=True, slots=True)
class Answer:
    """Office Ally's answers to one upload in delivery order, and whether the file failed."""

    outputs: tuple[OutputFile, ...]
    failed: bool


def answer_upload(
    upload: Upload, text: str, config: SimConfig, counters: Counters, now: datetime
) -> Answer:
    """Office Ally's answers to one upload."""
    inspection = inspect_837p(text)
    summary_name = reports.file_summary_name(upload)
    if inspection.group is None or inspection.interchange is None:
        failed = reports.failed_file_summary(upload, inspection.error_texts())
        return Answer((OutputFile(summary_name, failed),), failed=True)
    receiver = inspection.interchange.sender_id
    ack = functional_ack(inspection.group, inspection.sets, inspection.file_problems)
    ack_file = OutputFile(_ack_name(upload), build_999(ack, _params(receiver, counters, now)))
    batches = inspection.accepted_batches
    if not batches:
        failed = reports.failed_file_summary(upload, inspection.error_texts())
        return Answer((OutputFile(summary_name, failed), ack_file), failed=True)
    rejected_sets = [s.control_number for s in inspection.sets if not s.accepted]
    summary, *rest = _claim_answers(upload, batches, rejected_sets, receiver, config, counters, now)
    return Answer((summary, ack_file, *rest), failed=False)


def _claim_answers(
    upload: Upload,
    batches: Sequence[ClaimBatch],
    rejected_sets: Sequence[str],
    receiver: str,
    config: SimConfig,
    counters: Counters,
    now: datetime,
) -> list[OutputFile]:
    scenario = config.scenario
    records = [
        ClaimRecord(counters.take_claim_id(), claim, scenario.edit_for(claim))
        for batch in batches
        for claim in batch.claims
    ]
    summary = reports.file_summary(upload, records, rejected_sets)
    ack = claim_ack(batches[0], records, upload.file_id, now)
    outputs = [
        OutputFile(reports.file_summary_name(upload), summary),
        OutputFile(f"{config.user}_{upload.file_id}_HCFA_277ca_{now:%Y%m%d}.txt",
                   build_277ca(ack, _params(receiver, counters, now))),
    ]  # fmt: skip
    if upload.is_test and not config.forward_test_claims:
        return outputs
    forwarded = [r for r in records if r.edit is None or r.edit.by is EditSource.PAYER]
    payments = _payments(upload, [r for r in forwarded if r.accepted], now, config)
    numbers = _payer_numbers(payments)
    status = reports.edi_status_report(upload, forwarded, numbers, now)
    outputs.append(OutputFile(reports.edi_status_name(upload, now), status))
    eras = era_files(
        payments, split=config.era_split, now=now, receiver_id=receiver, counters=counters
    )
    return outputs + eras


def _payments(
    upload: Upload, records: Sequence[ClaimRecord], now: datetime, config: SimConfig
) -> list[Payment]:
    payments: list[Payment] = []
    for index, record in enumerate(records, 1):
        claim: Claim = record.claim
        icn = f"{upload.file_id}{index:04d}"
        paid = adjudicate(claim, config.scenario.rule_for(claim), icn, now.date())
        crossed = crossover_claim(claim, paid, now.date())
        if crossed is not None:  # the next payer's 835, one ERA run later
            later = adjudicate(crossed, config.scenario.rule_for(crossed), f"{icn}X", now.date())
            paid += [replace(payment, run=payment.run + 1) for payment in later]
        payments += paid
    return payments


def _payer_numbers(payments: Sequence[Payment]) -> dict[str, str]:
    """CLM01 → the payer's claim number (CLP07) of the first payment for it."""
    numbers: dict[str, str] = {}
    for payment in payments:
        for claim in payment.claims:
            clp = claim.clp
            numbers.setdefault(clp.patient_control_number, clp.payer_claim_control_number)
    return numbers


def _ack_name(upload: Upload) -> str:
    """The uploaded name with a ``_999`` suffix and the extension ``.999``."""
    return f"{PurePosixPath(upload.name).stem}_999.999"


def _params(receiver: str, counters: Counters, now: datetime) -> InterchangeParams:
    control = counters.take_control()
    return InterchangeParams(
        sender_id=OFFICE_ALLY_ID, receiver_id=receiver, interchange_control_number=control,
        group_control_number=control, created=now, functional_id="", version="",
    )  # fmt: skip
