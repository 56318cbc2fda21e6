"""Builders the claim-cycle tests share: a submitted batch answered by the simulator, claims with
lines inserted directly, the ledger read back as plain rows, and test files made to name ours."""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimbridge.domain.models import Secret
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claims import create_claims
from claimbridge.services.ingest import Outcome, ingest_bytes
from claimbridge.services.submit import Batch, submit
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.sim.server import RunningSimulator
from claimbridge.store import tables as t
from claimbridge.store.crypto import Cipher
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository, NewClaim, NewClaimLine, set_password
from claimbridge.transport import LocalDirTransport
from ledger_fixtures import TAX_ID, load_example

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
TEST_DATA = Path(__file__).resolve().parent / "data"
BENCH = Path(__file__).resolve().parents[1] / "bench"
PAID_AND_DENIED = "835/paid-and-denied-with-plb.835"
ERA_PAYER = "EHP01"  # the payer of the 835s in tests/data/835: EXAMPLE HEALTH PLAN, REF*2U*EHP01


@dataclass(frozen=True, slots=True)
class Answered:
    """The example practice submitted to the simulator's folder and answered there."""

    store: Store
    root: Path
    batch: Batch

    @property
    def outbound(self) -> list[Path]:
        return sorted(p for p in (self.root / "outbound").iterdir() if not p.name.startswith("."))


def submitted(store: Store, root: Path) -> tuple[LocalDirTransport, Batch]:
    """Load the example, create its claims and submit the ready ones into ``root/inbound``."""
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", NOW.date())
    root.mkdir(parents=True, exist_ok=True)
    transport = LocalDirTransport(root)
    [batch] = submit(store, transport, "test", NOW).batches
    return transport, batch


def answered(store: Store, root: Path, **settings: Any) -> Answered:
    """``submitted``, then one simulator round at ``NOW`` writes every answer to outbound."""
    _, batch = submitted(store, root)
    process_inbound_once(root, SimConfig(root=root, **settings), NOW.replace(tzinfo=None))
    return Answered(store, root, batch)


def era_backlog(folder: Path, claims: int, era_files: int) -> tuple[Path, list[Path]]:
    """A backlog to ingest: a SQLite ledger (``folder/template.db``) with the example submitted
    and ``claims`` × ``era_files`` more claims sent, and its files: the simulator's answers, then
    ``era_files`` ERAs paying ``claims`` of those claims each, the last ERA listed twice (a
    duplicate)."""
    sys.path.insert(0, str(BENCH))
    bench = importlib.import_module("post_835")  # the bench's 835 builder
    template = folder / "template.db"
    store = Store(f"sqlite:///{template}")
    store.upgrade()
    run = answered(store, folder / "oa")
    bench.insert_claims(store, claims * era_files, "62308")
    store.dispose()
    files = list(run.outbound)
    for number in range(era_files):
        paid = [bench.paid_claim(bench.claim_number(n), f"{bench.claim_number(n)}-1")
                for n in range(number * claims, (number + 1) * claims)]  # fmt: skip
        check = bench.remittance(f"CRASH{number:04d}", paid, date(2026, 11, 21))
        path = folder / "files" / f"era{number:02d}.835"
        path.parent.mkdir(exist_ok=True)
        path.write_text(bench.era_text([check], 900 + number, datetime(2026, 11, 21, 9)))
        files.append(path)
    files.append(files[-1])  # the same file twice: a duplicate, never posted twice
    return template, files


def add_claim(
    store: Store,
    clm01: str,
    lines: tuple[tuple[str, str, str | None], ...],
    service_date: date = date(2025, 3, 1),
    status: ClaimStatus = ClaimStatus.SUBMITTED,
    payer_id: str = ERA_PAYER,
    sent: bool = True,
) -> int:
    """A claim with lines (code[:modifier…], charge, line control number) in ``status``, to
    ``payer_id`` (by default the test 835s' payer, added when missing), recorded as sent in a
    batch of its own unless ``sent`` is False."""
    new_lines = tuple(
        NewClaimLine(
            code.split(":")[0], Decimal(charge), modifiers=tuple(code.split(":")[1:]),
            line_control_number=control,
        )
        for code, charge, control in lines
    )  # fmt: skip
    claim = NewClaim(
        clm01=clm01,
        payer_id=payer_id,
        billing_tax_id=TAX_ID,
        billing_npi="1300000019",
        rendering_npi="1234567893",
        service_date=service_date,
        lines=new_lines,
        status=status,
    )
    with store.transaction() as session:
        if payer_id == ERA_PAYER:
            add_era_payer(session)
        claim_id = ClaimRepository(session).add(claim, actor="test")
        if sent:
            record_sent(session, claim_id)
        return claim_id


def add_era_payer(session: Session) -> None:
    """The payer of the test 835s (EXAMPLE HEALTH PLAN, EHP01), once."""
    if session.scalars(select(t.PayerRow.id).where(t.PayerRow.payer_id == ERA_PAYER)).first():
        return
    session.add(t.PayerRow(payer_id=ERA_PAYER, name="Example Health Plan", par=True))
    session.flush()


def record_sent(session: Session, claim_id: int) -> None:
    """Record claim ``claim_id`` as sent, in a batch of its own."""
    batch = t.BatchRow(isa13=claim_id, gs06=claim_id, test_mode=True, status="sent",
                       claim_count=1, created_at=NOW, sent_at=NOW)  # fmt: skip
    session.add(batch)
    session.flush()
    session.add(t.ClaimSubmissionRow(claim_id=claim_id, batch_id=batch.id, st02="0001"))
    session.flush()


def status_of(store: Store, clm01: str) -> ClaimStatus:
    with store.read() as session:
        query = select(t.ClaimRow.status).where(t.ClaimRow.clm01 == clm01)
        return ClaimStatus(session.scalars(query).one())


def statuses(store: Store) -> dict[str, str]:
    with store.read() as session:
        return {
            clm01: status
            for clm01, status in session.execute(select(t.ClaimRow.clm01, t.ClaimRow.status))
        }


def reasons(store: Store, clm01: str) -> list[str]:
    """The ``why`` of every event of the claim, oldest first."""
    with store.read() as session:
        return [event.why or "" for event in ClaimRepository(session).events(clm01)]


def data(name: str) -> str:
    return (TEST_DATA / name).read_text()


def renumber(text: str, old: str, new: str) -> str:
    """``text`` with the element value ``old`` replaced by ``new`` wherever it is whole."""
    return re.sub(rf"(?<=[*:]){re.escape(old)}(?=[*~:\n\r])", new, text)


_TABLES = {
    "claims": (t.ClaimRow.clm01, t.ClaimRow.status, t.ClaimRow.status_reason,
               t.ClaimRow.payer_claim_control_number),
    "payments": (t.PaymentRow.claim_id, t.PaymentRow.claim_line_id, t.PaymentRow.status_code,
                 t.PaymentRow.charge, t.PaymentRow.paid, t.PaymentRow.patient_responsibility,
                 t.PaymentRow.remittance_id),
    "adjustments": (t.AdjustmentRow.payment_id, t.AdjustmentRow.group_code,
                    t.AdjustmentRow.reason_code, t.AdjustmentRow.amount),
    "events": (t.ClaimEventRow.claim_id, t.ClaimEventRow.what, t.ClaimEventRow.why,
               t.ClaimEventRow.from_status, t.ClaimEventRow.to_status,
               t.ClaimEventRow.inbound_file_id),
    "inbound": (t.InboundFileRow.name, t.InboundFileRow.sha256, t.InboundFileRow.outcome,
                t.InboundFileRow.outcome_detail),
    "remittances": (t.RemittanceRow.payer_identifier, t.RemittanceRow.trace_number,
                    t.RemittanceRow.amount, t.RemittanceRow.inbound_file_id),
    "acknowledgments": (t.AcknowledgmentRow.kind, t.AcknowledgmentRow.claim_id,
                        t.AcknowledgmentRow.code, t.AcknowledgmentRow.detail),
    "unmatched": (t.UnmatchedClaimRow.patient_control_number, t.UnmatchedClaimRow.paid),
    "plb": (t.ProviderAdjustmentRow.remittance_id, t.ProviderAdjustmentRow.reason_code,
            t.ProviderAdjustmentRow.amount),
}  # fmt: skip


def ledger_snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every claim-cycle table as sorted tuples, times and ids of rows left out."""
    with store.read() as session:
        return {
            name: sorted((tuple(row) for row in session.execute(select(*columns))), key=repr)
            for name, columns in _TABLES.items()
        }


def posted_paid_and_denied(store: Store) -> int:
    """CB2001 paid by an ERA whose other claim (CB2002) is none of ours; the remittance id."""
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    [report] = ingest_bytes(store, "era.835", data(PAID_AND_DENIED).encode())
    assert report.outcome is Outcome.APPLIED
    with store.read() as session:
        return session.scalars(select(t.RemittanceRow.id)).one()


def posted_unbalanced(store: Store) -> int:
    """``posted_paid_and_denied``, but line 1's contractual adjustment is 5.00 short, so
    CB2001's line and claim do not add up while the check does; the remittance id."""
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    text = data(PAID_AND_DENIED).replace("CAS*CO*45*40~", "CAS*CO*45*35~")
    [report] = ingest_bytes(store, "era.835", text.encode())
    assert report.outcome is Outcome.APPLIED and "1 do not balance" in (report.detail or "")
    with store.read() as session:
        return session.scalars(select(t.RemittanceRow.id)).one()


def acknowledge(store: Store, batch: Batch, accepted: bool = True) -> str:
    """Apply a 999 for ``batch`` (by its GS06) that accepts it, or rejects its claims."""
    with store.read() as session:
        gs06 = str(session.get_one(t.BatchRow, batch.batch_id).gs06)
    if accepted:
        text = renumber(data("999/accepted-two-sets.999"), "102", gs06)
    else:
        text = renumber(data("999/rejected-dmg.999"), "101", gs06)
        text = renumber(text, "0001", batch.transaction_numbers[0])
    [report] = ingest_bytes(store, f"B{batch.batch_id}.999", text.encode())
    assert report.outcome is Outcome.APPLIED, report.detail
    with store.read() as session:
        return session.get_one(t.BatchRow, batch.batch_id).status


def point_at_simulator(store: Store, simulator: RunningSimulator, key: str) -> None:
    """Point the practice's Office Ally account at the running ``simulator`` and store its
    password, encrypted with ``key``."""
    config = simulator.config
    with store.transaction() as session:
        session.execute(
            update(t.ClearinghouseAccountRow).values(
                sftp_host=config.host, sftp_port=simulator.port, username=config.user
            )
        )
        set_password(session, Secret(config.password), Cipher(Secret(key)))
