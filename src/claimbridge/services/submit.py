"""Send ready claims to Office Ally: batches → 837P → our checks → ledger → upload, exactly once.

::

    result = submit(store, transport, actor="dana", now=datetime.now(UTC))

Ready claims are scrubbed once more (an enrollment may have changed), then grouped into files
of at most ``BatchLimits.claims_per_file`` claims (the writer puts at most 5000 claims in one
transaction set, and Office Ally takes at most 5000 transaction sets in one file). Each file
takes its ISA13, GS06 and ST02s from the ledger's counters, is written with ``build_837p`` and
checked with ``x12.validate`` (structure and Office Ally's envelope rules), then goes through
three steps (docs/design.md, "Submitting exactly once"):

1. **Intent**, one transaction: the batch (status ``uploading``, its name from ``upload_name``,
   its control numbers and its exact bytes in ``batches.content``), one submission per claim
   with its ST02, each claim ``submitted`` with an event. Committed before anything is sent.
2. **Upload** of those bytes under that name (temporary name, size checked, rename).
3. **Confirm**, one transaction: the batch becomes ``sent``, with ``sent_at``.

Every submit first finishes the batches an earlier one left ``uploading`` (it died or its upload
failed between 1 and 3): a file already under its name with the same bytes is recorded without
being sent again; a missing one is uploaded, the same bytes under the same name. So a claim is
in one file only, and a file is never built twice for the same claims. A failed upload raises
and leaves its batch for the next submit.

A claim is never uploaded twice unless a person asked (``services.claims.resubmit``): a ready
claim that was sent before without such a request is refused and reported. With
``dry_run=True`` the same work runs inside a transaction that is rolled back, and nothing is
uploaded: the result shows what would go.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimbridge.domain.claim_837p import batch_837p
from claimbridge.domain.scrub import ClaimFacts
from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ConfigError, TransportError, X12ValidationError
from claimbridge.services.claim_facts import read_facts
from claimbridge.services.claims import Checked, check_claims, ready_claim_ids, sendable
from claimbridge.store import tables as t
from claimbridge.store.bulk import among, chunks, insert_rows
from claimbridge.store.db import Store
from claimbridge.store.repositories import (
    ClaimRepository,
    Move,
    claim_statuses,
    get_account,
    next_control_numbers,
)
from claimbridge.transport.base import Transport, sha256_hex
from claimbridge.transport.officeally import SubmissionMode, upload_name
from claimbridge.x12.envelope_build import st_control_number
from claimbridge.x12.tx837p_005010X222A1 import EnvelopeParams, build_837p
from claimbridge.x12.tx837p_005010X222A1.build import MAX_CLAIMS_PER_TRANSACTION
from claimbridge.x12.validate import validate_text

OFFICE_ALLY_MAX_TRANSACTIONS = 5000
UPLOADING = "uploading"  # a batch's status from its intent until its upload is confirmed
SENT = "sent"


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
    """One 837P file: its ledger id (rolled back in a dry run), name, claims and text."""

    batch_id: int
    file_name: str
    patient_control_numbers: tuple[str, ...]
    transaction_numbers: tuple[str, ...]
    text: str
    remote_path: str | None


@dataclass(frozen=True, slots=True)
class Resumed:
    """A batch an earlier submit recorded but did not see uploaded, and how this one ended it:
    ``found`` on the server (recorded, not sent again) or sent now (in a dry run: would be)."""

    batch_id: int
    file_name: str
    claim_count: int
    found: bool


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """What a submission did (or, in a dry run, would do)."""

    batches: tuple[Batch, ...]
    held: tuple[Checked, ...]
    refused: tuple[str, ...]
    dry_run: bool
    resumed: tuple[Resumed, ...] = ()

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
    only: Collection[str] | None = None,
) -> SubmitResult:
    """Send every ready claim that may go (of the CLM01s ``only``, when given: a biller's
    selection); ``transport`` may be None only in a dry run."""
    if not dry_run:
        if transport is None:
            raise ConfigError("a submission needs a transport (SFTP, or a folder with --to)")
        return _run(store, transport, actor, now, limits, progress, only)
    try:
        with store.transaction():  # every later transaction nests in this one
            raise _DryRun(_run(store, None, actor, now, limits, progress, only))
    except _DryRun as rolled_back:
        return rolled_back.result


def _run(
    store: Store,
    transport: Transport | None,
    actor: str,
    now: datetime,
    limits: BatchLimits,
    progress: Progress | None,
    only: Collection[str] | None,
) -> SubmitResult:
    resumed = _resume(store, transport, now)
    with store.transaction() as session:
        checked = check_claims(session, ready_ids(session, only), actor, now.date())
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
        with store.transaction() as session:  # the intent, committed before the upload
            batch = _record_intent(session, chunk, actor, now)
        if transport is not None:
            data = batch.text.encode("ascii")
            remote = _upload(store, transport, batch.batch_id, batch.file_name, data, now)
            batch = replace(batch, remote_path=remote)
        batches.append(batch)
        if progress is not None:
            progress(len(chunk))
    return SubmitResult(tuple(batches), held, refused, transport is None, resumed)


def ready_ids(session: Session, only: Collection[str] | None = None) -> list[int]:
    """The ready claims' ids, of the CLM01s ``only`` when given."""
    ready = ready_claim_ids(session)
    if only is None:
        return ready
    picked: set[int] = set()
    for chunk in chunks(list(only)):
        query = select(t.ClaimRow.id).where(among(t.ClaimRow.clm01, chunk))
        picked |= set(session.scalars(query))
    return [claim_id for claim_id in ready if claim_id in picked]


def unconfirmed_batches(session: Session) -> int:
    """How many batches an earlier submit recorded but did not see uploaded (``uploading``)."""
    query = select(func.count()).select_from(t.BatchRow).where(t.BatchRow.status == UPLOADING)
    return session.scalar(query) or 0


def _resume(store: Store, transport: Transport | None, now: datetime) -> tuple[Resumed, ...]:
    """Finish every batch left ``uploading``, oldest first (in a dry run, only name them)."""
    with store.transaction() as session:
        query = select(t.BatchRow.id, t.BatchRow.file_name, t.BatchRow.claim_count)
        pending = session.execute(query.where(t.BatchRow.status == UPLOADING).order_by("id"))
        rows = [(batch_id, name or "", count) for batch_id, name, count in pending]
    resumed = []
    for batch_id, name, count in rows:
        found = transport is not None and _finish(store, transport, batch_id, name, now)
        resumed.append(Resumed(batch_id, name, count, found))
    return tuple(resumed)


def _finish(store: Store, transport: Transport, batch_id: int, name: str, now: datetime) -> bool:
    """Record a pending batch as sent: True when its file was found on the server, False when
    it had to be uploaded now."""
    with store.transaction() as session:
        data = session.get_one(t.BatchRow, batch_id).content or b""
    there = transport.uploaded(name)
    if there is None:
        _upload(store, transport, batch_id, name, data, now)
        return False
    if sha256_hex(there) != sha256_hex(data):
        raise TransportError(
            f"{name} in Office Ally's inbound is not the file batch B{batch_id} recorded "
            f"({len(there)} bytes against {len(data)}); it was left as it is. Ask Office Ally "
            "support which file they received under that name before sending its claims again",
            remote_path=name,
        )
    _confirm(store, batch_id, now)
    return True


def _upload(
    store: Store, transport: Transport, batch_id: int, name: str, data: bytes, now: datetime
) -> str:
    """Upload a recorded batch, then confirm it; a failure leaves it for the next submit."""
    try:
        remote = transport.upload(name, data)
    except TransportError as error:
        kept = (
            f"{error}. Batch B{batch_id} ({name}) stays recorded with its claims; the next "
            "submit uploads that same file, or records it if it did reach Office Ally"
        )
        raise type(error)(kept, remote_path=error.remote_path) from error
    _confirm(store, batch_id, now)
    return remote


def _confirm(store: Store, batch_id: int, now: datetime) -> None:
    """The upload of the batch is done: ``sent``, unless an answer came first (a 999 or TA1
    for a batch whose confirmation was lost already moved it on)."""
    with store.transaction() as session:
        row = session.get_one(t.BatchRow, batch_id)
        if row.status == UPLOADING:
            row.status, row.sent_at = SENT, now


def _record_intent(session: Session, claim_ids: Sequence[int], actor: str, now: datetime) -> Batch:
    """Build, check and record one file before its upload; ``uploading`` until confirmed."""
    account = get_account(session)
    if account is None:
        raise ConfigError("no Office Ally account in the ledger: load a practice file first")
    facts = read_facts(session, claim_ids, now.date())
    ordered = [facts[claim_id] for claim_id in claim_ids]
    row = _batch_row(session, len(ordered), account.test_mode, now)
    mode = SubmissionMode.TEST if account.test_mode else SubmissionMode.PRODUCTION
    row.file_name = upload_name(account.submitter_id, f"B{row.id}", now, mode=mode)
    text, numbers = _write(session, ordered, account.submitter_id, row, now)
    row.content = text.encode("ascii")  # the exact bytes uploaded, kept for the claim page
    _record(session, row, claim_ids, numbers, actor)
    return Batch(
        row.id,
        row.file_name,
        tuple(f.patient_control_number for f in ordered),
        tuple(sorted(set(numbers))),
        text,
        None,
    )


def _batch_row(session: Session, count: int, test_mode: bool, now: datetime) -> t.BatchRow:
    row = t.BatchRow(
        isa13=next_control_numbers(session, "isa13")[0],
        gs06=next_control_numbers(session, "gs06")[0],
        test_mode=test_mode,
        status=UPLOADING,
        claim_count=count,
        created_at=now,
        sent_at=None,
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
    report = validate_text(text, office_ally=True, guide="none", read_back=False)
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
