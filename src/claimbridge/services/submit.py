"""Send ready claims to Office Ally: batches → 837P → our checks → ledger → upload.

::

    result = submit(store, transport, actor="dana", now=datetime.now(UTC))

Ready claims are scrubbed once more (an enrollment may have changed), then grouped into files
of at most ``BatchLimits.claims_per_file`` claims (the writer puts at most 5000 claims in one
transaction set, and Office Ally takes at most 5000 transaction sets in one file). Each file
takes its ISA13, GS06 and ST02s from the ledger's counters, is written with ``build_837p``,
checked with ``x12.validate`` (structure and Office Ally's envelope rules), recorded (batch, one
submission per claim with its ST02, each claim ``submitted`` with an event, the file's exact
bytes in ``batches.content``) and uploaded under
``upload_name`` (``OATEST_`` when the account is in test mode) — all in one transaction per
file, the upload last, so a failed upload records nothing.

A claim is never uploaded twice unless a person asked (``services.claims.resubmit``): a ready
claim that was sent before without such a request is refused and reported. With
``dry_run=True`` the same work runs inside a transaction that is rolled back, and nothing is
uploaded: the result shows what would go.

Known gap: if the process dies after the upload succeeded but before the commit, the file is
on the server and the ledger does not know it; the claims stay ready. Office Ally's File
Summary for an unknown upload name shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from claimbridge.domain.claim_837p import batch_837p
from claimbridge.domain.scrub import ClaimFacts
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ConfigError, X12ValidationError
from claimbridge.services.claim_facts import read_facts
from claimbridge.services.claims import Checked, check_claims, ready_claim_ids, sendable
from claimbridge.store import tables as t
from claimbridge.store.bulk import insert_rows
from claimbridge.store.db import Store
from claimbridge.store.repositories import (
    ClaimRepository,
    Move,
    claim_statuses,
    get_account,
    next_control_numbers,
)
from claimbridge.transport.base import Transport
from claimbridge.transport.officeally import SubmissionMode, upload_name
from claimbridge.x12.envelope_build import st_control_number
from claimbridge.x12.tx837p_005010X222A1 import EnvelopeParams, build_837p
from claimbridge.x12.tx837p_005010X222A1.build import MAX_CLAIMS_PER_TRANSACTION
from claimbridge.x12.validate import validate_text

OFFICE_ALLY_MAX_TRANSACTIONS = 5000


@dataclass(frozen=True, slots=True)
class BatchLimits:
    """How many claims go in one file; Office Ally's limit is 5000 ST of 5000 claims each."""

    claims_per_file: int = 5000

    def __post_init__(self) -> None:
        most = OFFICE_ALLY_MAX_TRANSACTIONS * MAX_CLAIMS_PER_TRANSACTION
        if not 1 <= self.claims_per_file <= most:
            raise ConfigError(f"claims per file must be between 1 and {most}")


@dataclass(frozen=True, slots=True)
class Batch:
    """One 837P file: its ledger id (None in a dry run), name, claims and text."""

    batch_id: int | None
    file_name: str
    patient_control_numbers: tuple[str, ...]
    transaction_numbers: tuple[str, ...]
    text: str
    remote_path: str | None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """What a submission did (or, in a dry run, would do)."""

    batches: tuple[Batch, ...]
    held: tuple[Checked, ...]
    refused: tuple[str, ...]
    dry_run: bool

    @property
    def claims_sent(self) -> int:
        """How many claims went (or would go) out."""
        return sum(len(batch.patient_control_numbers) for batch in self.batches)


class _DryRun(Exception):
    """Rolls a dry run's transaction back, carrying what it found."""

    def __init__(self, result: SubmitResult) -> None:
        self.result = result


Progress = Callable[[int], None]


def submit(
    store: Store,
    transport: Transport | None,
    actor: str,
    now: datetime,
    *,
    dry_run: bool = False,
    limits: BatchLimits = BatchLimits(),
    progress: Progress | None = None,
) -> SubmitResult:
    """Send every ready claim that may go; ``transport`` may be None only in a dry run."""
    if not dry_run:
        if transport is None:
            raise ConfigError("a submission needs a transport (SFTP, or a folder with --to)")
        return _run(store, transport, actor, now, limits, progress)
    try:
        with store.transaction():  # every later transaction nests in this one
            raise _DryRun(_run(store, None, actor, now, limits, progress))
    except _DryRun as rolled_back:
        return rolled_back.result


def _run(
    store: Store,
    transport: Transport | None,
    actor: str,
    now: datetime,
    limits: BatchLimits,
    progress: Progress | None,
) -> SubmitResult:
    with store.transaction() as session:
        checked = check_claims(session, ready_claim_ids(session), actor, now.date())
        ready = [claim for claim in checked if claim.status is ClaimStatus.READY]
        may_go = sendable(session, [claim.claim_id for claim in ready])
        to_send = [claim.claim_id for claim in ready if claim.claim_id in may_go]
    held = tuple(claim for claim in checked if claim.status is ClaimStatus.HELD)
    refused = tuple(
        f"{claim.patient_control_number}: already sent; resubmit it first if it must go again"
        for claim in ready
        if claim.claim_id not in may_go
    )
    batches = []
    for chunk in _chunks(to_send, limits.claims_per_file):
        with store.transaction() as session:  # one per file: a failed upload undoes only it
            batches.append(_send(session, chunk, transport, actor, now))
        if progress is not None:
            progress(len(chunk))
    return SubmitResult(tuple(batches), held, refused, dry_run=transport is None)


def _send(
    session: Session,
    claim_ids: Sequence[int],
    transport: Transport | None,
    actor: str,
    now: datetime,
) -> Batch:
    account = get_account(session)
    if account is None:
        raise ConfigError("no Office Ally account in the ledger: load a practice file first")
    facts = read_facts(session, claim_ids, now.date())
    ordered = [facts[claim_id] for claim_id in claim_ids]
    row = _batch_row(session, len(ordered), account.test_mode, now)
    mode = SubmissionMode.TEST if account.test_mode else SubmissionMode.PRODUCTION
    row.file_name = upload_name(account.submitter_id, f"B{row.id}", now, mode=mode)
    text, numbers = _write(session, ordered, account.submitter_id, row, now)
    row.content = data = text.encode("ascii")  # the exact bytes uploaded, kept for the claim page
    _record(session, row, claim_ids, numbers, actor)
    remote = transport.upload(row.file_name, data) if transport else None
    return Batch(
        row.id,
        row.file_name,
        tuple(f.patient_control_number for f in ordered),
        tuple(sorted(set(numbers))),
        text,
        remote,
    )


def _batch_row(session: Session, count: int, test_mode: bool, now: datetime) -> t.BatchRow:
    row = t.BatchRow(
        isa13=next_control_numbers(session, "isa13")[0],
        gs06=next_control_numbers(session, "gs06")[0],
        test_mode=test_mode,
        status="sent",
        claim_count=count,
        created_at=now,
        sent_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _write(
    session: Session, claims: list[ClaimFacts], submitter_id: str, row: t.BatchRow, now: datetime
) -> tuple[str, list[str]]:
    """The file's text and each claim's ST02, checked by the writer and by ``x12.validate``."""
    sets = -(-len(claims) // MAX_CLAIMS_PER_TRANSACTION)
    first = next_control_numbers(session, "st02", sets).start
    envelope = EnvelopeParams(
        interchange_control_number=row.isa13,
        group_control_number=row.gs06,
        sender_id=submitter_id,
        created=now,
        first_transaction_number=first,
    )
    text = build_837p(batch_837p(claims, submitter_id, f"B{row.id}"), envelope)
    report = validate_text(text, office_ally=True, use_pyx12=False)
    if not report.is_clean:
        found = "; ".join(str(problem) for problem in report.errors[:5])
        raise X12ValidationError(f"batch B{row.id} fails our checks: {found}")
    numbers = [
        st_control_number(first + index // MAX_CLAIMS_PER_TRANSACTION)
        for index in range(len(claims))
    ]
    return text, numbers


def _record(
    session: Session,
    row: t.BatchRow,
    claim_ids: Sequence[int],
    numbers: list[str],
    actor: str,
) -> None:
    sent = [
        {"claim_id": claim_id, "batch_id": row.id, "st02": number}
        for claim_id, number in zip(claim_ids, numbers, strict=True)
    ]
    insert_rows(session, t.Base.metadata.tables["claim_submissions"], sent)
    why = f"sent in batch B{row.id} as {row.file_name}"
    statuses = claim_statuses(session, claim_ids)
    moves = [
        Move(claim_id, statuses[claim_id], ClaimStatus.SUBMITTED, why) for claim_id in claim_ids
    ]
    ClaimRepository(session).move_many(moves, actor)


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
