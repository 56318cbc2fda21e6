"""Submitting ready claims: batches, our checks and pyx12, the ledger, never twice, resubmission."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import ConfigError, InvalidTransition, TransportError
from claimbridge.services.claims import Resubmission, create_claims, resubmit
from claimbridge.services.submit import BatchLimits, Resumed, submit
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from claimbridge.transport import MemoryTransport
from claimbridge.x12.reader import parse_text
from claimbridge.x12.validate import validate_text
from ledger_fixtures import load_example

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
READY = ["CB000001", "CB000002", "CB000003", "CB000005"]


@pytest.fixture
def ready_store(store: Store) -> Store:
    """The example practice with its five claims made: four ready, Blue Shield held."""
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", NOW.date())
    return store


def _uploaded(transport: MemoryTransport) -> list[str]:
    return [transport.download(f.path).decode() for f in transport.list("inbound")]


def _counts(store: Store) -> tuple[int, ...]:
    models = (t.BatchRow, t.ClaimSubmissionRow, t.ClaimEventRow)
    with store.read() as session:
        counts = [session.scalar(select(func.count()).select_from(m)) or 0 for m in models]
        numbers = session.scalars(
            select(t.ControlNumberRow.value).order_by(t.ControlNumberRow.name)
        )
        return (*counts, *numbers)


def _status(store: Store, clm01: str) -> str:
    with store.read() as session:
        return session.scalars(select(t.ClaimRow.status).where(t.ClaimRow.clm01 == clm01)).one()


def test_submit_uploads_one_checked_file_and_records_it(ready_store: Store) -> None:
    transport = MemoryTransport()
    result = submit(ready_store, transport, "test", NOW)
    [batch] = result.batches
    assert batch.file_name == "OATEST_837P_847291635_B1_20261120T143000.txt"
    [text] = _uploaded(transport)
    assert text == batch.text
    report = validate_text(text, office_ally=True)  # our checks and the guide tables
    assert report.guide_checked_by == "claimbridge" and report.errors == ()
    assert validate_text(text, guide="pyx12").errors == ()
    claims = [c for p in parse_text(text) for c in p.value.batch.claims]
    assert [c.patient_control_number for c in claims] == READY
    with ready_store.read() as session:
        sent = session.execute(
            select(t.ClaimRow.clm01, t.ClaimSubmissionRow.st02)
            .join(t.ClaimSubmissionRow, t.ClaimSubmissionRow.claim_id == t.ClaimRow.id)
            .order_by(t.ClaimRow.id)
        ).all()
    st02 = text.split("~ST*837*")[1].split("*")[0]
    assert [tuple(row) for row in sent] == [(clm01, st02) for clm01 in READY]
    assert all(_status(ready_store, clm01) == "submitted" for clm01 in READY)
    assert _status(ready_store, "CB000004") == "held"


def test_a_dry_run_writes_and_uploads_nothing(ready_store: Store) -> None:
    before = _counts(ready_store)
    transport = MemoryTransport()
    result = submit(ready_store, None, "test", NOW, dry_run=True)
    assert result.dry_run and result.claims_sent == 4
    assert _counts(ready_store) == before
    assert _uploaded(transport) == []
    assert all(_status(ready_store, clm01) == "ready" for clm01 in READY)
    real = submit(ready_store, transport, "test", NOW)
    assert real.batches[0].patient_control_numbers == result.batches[0].patient_control_numbers


def test_a_claim_is_never_uploaded_twice(ready_store: Store) -> None:
    transport = MemoryTransport()
    submit(ready_store, transport, "test", NOW)
    assert submit(ready_store, transport, "test", NOW).claims_sent == 0
    with ready_store.transaction() as session:  # a claim back to ready without a person asking
        session.execute(
            update(t.ClaimRow).where(t.ClaimRow.clm01 == "CB000001").values(status="ready")
        )
    again = submit(ready_store, transport, "test", NOW)
    assert again.claims_sent == 0
    assert again.refused == ("CB000001: already sent; resubmit it first if it must go again",)
    assert len(_uploaded(transport)) == 1


def test_a_rejected_claim_goes_again_as_an_original(ready_store: Store) -> None:
    transport = MemoryTransport()
    submit(ready_store, transport, "test", NOW)
    with ready_store.transaction() as session:
        ClaimRepository(session).transition(
            "CB000002", ClaimStatus.CLEARINGHOUSE_REJECTED, "999 rejected", "test"
        )
    with ready_store.transaction() as session:
        checked = resubmit(session, "CB000002", Resubmission.ORIGINAL, "dana", NOW.date())
    assert checked.status is ClaimStatus.READY
    later = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    result = submit(ready_store, transport, "test", later)
    assert result.batches[0].patient_control_numbers == ("CB000002",)
    assert "*11:B:1*" in result.batches[0].text


def test_an_accepted_claim_is_replaced_or_voided_never_sent_as_an_original(
    ready_store: Store,
) -> None:
    submit(ready_store, MemoryTransport(), "test", NOW)
    with ready_store.transaction() as session:
        ClaimRepository(session).transition(
            "CB000001", ClaimStatus.PAYER_ACCEPTED, "payer accepted", "test"
        )
        session.execute(
            update(t.ClaimRow)
            .where(t.ClaimRow.clm01 == "CB000001")
            .values(payer_claim_control_number="PCN7781")
        )
    with ready_store.transaction() as session, pytest.raises(InvalidTransition, match="--replace"):
        resubmit(session, "CB000001", Resubmission.ORIGINAL, "dana", NOW.date())
    with ready_store.transaction() as session:
        replacement = resubmit(session, "1", Resubmission.REPLACEMENT, "dana", NOW.date())
    assert replacement.patient_control_number == "CB000001R1"
    assert replacement.status is ClaimStatus.READY
    transport = MemoryTransport()
    [batch] = submit(ready_store, transport, "test", NOW).batches
    assert batch.patient_control_numbers == ("CB000001R1",)
    assert "*11:B:7*" in batch.text and "REF*F8*PCN7781~" in batch.text
    assert "REF*6R*CB000001R1-1~" in batch.text
    assert validate_text(batch.text, office_ally=True).errors == ()
    with ready_store.transaction() as session:
        void = resubmit(session, "CB000001", Resubmission.VOID, "dana", NOW.date())
    assert void.patient_control_number == "CB000001V1"


def test_a_rejected_claim_cannot_be_replaced(ready_store: Store) -> None:
    with ready_store.transaction() as session, pytest.raises(InvalidTransition, match="original"):
        resubmit(session, "CB000001", Resubmission.REPLACEMENT, "dana", NOW.date())


def test_batches_keep_to_the_limit(ready_store: Store) -> None:
    transport = MemoryTransport()
    result = submit(ready_store, transport, "test", NOW, limits=BatchLimits(claims_per_file=3))
    assert [b.patient_control_numbers for b in result.batches] == [
        ("CB000001", "CB000002", "CB000003"),
        ("CB000005",),
    ]
    assert len(_uploaded(transport)) == 2
    isa13 = [text.split("*")[13] for text in _uploaded(transport)]
    assert len(set(isa13)) == 2
    with pytest.raises(ConfigError):
        BatchLimits(claims_per_file=0)


def test_each_batch_keeps_the_exact_bytes_it_uploaded(ready_store: Store) -> None:
    transport = MemoryTransport()
    result = submit(ready_store, transport, "test", NOW, limits=BatchLimits(claims_per_file=3))
    uploaded = {f.name: transport.download(f.path) for f in transport.list("inbound")}
    with ready_store.read() as session:
        query = select(t.BatchRow.file_name, t.BatchRow.content)
        kept = {name: data for name, data in session.execute(query)}
    assert len(kept) == len(result.batches) == 2
    assert kept == uploaded


def _batches(store: Store) -> list[tuple[int, str, str, bytes | None]]:
    with store.read() as session:
        query = select(t.BatchRow.id, t.BatchRow.status, t.BatchRow.file_name, t.BatchRow.content)
        return [tuple(row) for row in session.execute(query.order_by(t.BatchRow.id))]  # type: ignore[misc]


def test_the_intent_is_recorded_before_the_upload_and_confirmed_after(ready_store: Store) -> None:
    seen: list[list[tuple[int, str, str, bytes | None]]] = []

    class Watching(MemoryTransport):
        def upload(self, name: str, data: bytes) -> str:
            seen.append(_batches(ready_store))  # what another connection sees mid-upload
            return super().upload(name, data)

    [batch] = submit(ready_store, Watching(), "test", NOW).batches

    [[(batch_id, status, name, content)]] = seen
    assert (batch_id, status, name) == (batch.batch_id, "uploading", batch.file_name)
    assert content == batch.text.encode()
    assert _status(ready_store, "CB000001") == "submitted"
    assert [row[1] for row in _batches(ready_store)] == ["sent"]


def test_a_failed_upload_keeps_its_batch_and_the_next_submit_sends_that_file(
    ready_store: Store,
) -> None:
    transport = MemoryTransport()
    transport.fail_next("upload", TransportError("the connection to the server was lost"))

    with pytest.raises(TransportError, match="the next submit uploads that same file"):
        submit(ready_store, transport, "test", NOW)
    [(batch_id, status, name, content)] = _batches(ready_store)
    assert status == "uploading" and transport.list("inbound") == []
    assert _status(ready_store, "CB000001") == "submitted"  # in that file, and no other

    result = submit(ready_store, transport, "test", NOW)

    assert result.batches == () and result.claims_sent == 0
    assert result.resumed == (Resumed(batch_id, name, 4, found=False),)
    assert {f.name: transport.download(f.path) for f in transport.list("inbound")} == {
        name: content
    }
    assert _batches(ready_store) == [(batch_id, "sent", name, content)]


def test_a_file_already_on_the_server_is_recorded_not_sent_again(ready_store: Store) -> None:
    class Dying(MemoryTransport):
        def upload(self, name: str, data: bytes) -> str:
            super().upload(name, data)  # the file got there, then the reply was lost
            raise TransportError("the connection to the server was lost")

    transport = Dying()
    with pytest.raises(TransportError):
        submit(ready_store, transport, "test", NOW)
    [(batch_id, _, name, content)] = _batches(ready_store)
    transport.calls.clear()

    result = submit(ready_store, transport, "test", NOW)

    assert result.resumed == (Resumed(batch_id, name, 4, found=True),)
    assert [call for call, _ in transport.calls] == ["uploaded"]  # read back, never uploaded
    assert _batches(ready_store) == [(batch_id, "sent", name, content)]


def test_a_different_file_under_the_batch_name_is_left_alone_and_reported(
    ready_store: Store,
) -> None:
    transport = MemoryTransport()
    transport.fail_next("upload", TransportError("the connection to the server was lost"))
    with pytest.raises(TransportError):
        submit(ready_store, transport, "test", NOW)
    [(_, _, name, _)] = _batches(ready_store)
    transport.put(f"inbound/{name}", b"someone else's bytes")

    with pytest.raises(TransportError, match="is not the file batch B1 recorded"):
        submit(ready_store, transport, "test", NOW)

    assert transport.download(f"inbound/{name}") == b"someone else's bytes"
    assert [row[1] for row in _batches(ready_store)] == ["uploading"]


def test_a_dry_run_names_an_unfinished_batch_and_sends_nothing(ready_store: Store) -> None:
    transport = MemoryTransport()
    transport.fail_next("upload", TransportError("the connection to the server was lost"))
    with pytest.raises(TransportError):
        submit(ready_store, transport, "test", NOW)

    result = submit(ready_store, None, "test", NOW, dry_run=True)

    [resumed] = result.resumed
    assert (resumed.batch_id, resumed.found, result.claims_sent) == (1, False, 0)
    assert [row[1] for row in _batches(ready_store)] == ["uploading"]


def test_submit_needs_a_transport_unless_dry(ready_store: Store) -> None:
    with pytest.raises(ConfigError, match="transport"):
        submit(ready_store, None, "test", NOW)
