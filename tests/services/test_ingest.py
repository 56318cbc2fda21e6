"""One ingest path: archive, identify by content, apply once by SHA-256, one transaction a file."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from claimbridge.services.ingest import Outcome, ingest_bytes, ingest_paths, poll
from claimbridge.services.post import appointment_totals
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.x12.sniff import FileKind
from cycle_support import NOW, answered, ledger_snapshot, statuses, submitted


def test_poll_applies_every_answer_of_the_simulator(store: Store, tmp_path: Path) -> None:
    transport, _ = submitted(store, tmp_path / "oa")
    from claimbridge.sim import SimConfig, process_inbound_once

    process_inbound_once(tmp_path / "oa", SimConfig(root=tmp_path / "oa"), NOW.replace(tzinfo=None))
    reports = poll(store, transport, tmp_path / "archive", now=NOW, actor="test", source="oa")
    kinds = {report.kind for report in reports}
    assert kinds == {FileKind.OA_FILE_SUMMARY, FileKind.X999, FileKind.X277CA,
                     FileKind.OA_EDI_STATUS, FileKind.X835}  # fmt: skip
    assert {report.outcome for report in reports} == {Outcome.APPLIED}
    assert statuses(store) == {
        "CB000001": "paid", "CB000002": "denied", "CB000003": "paid",
        "CB000004": "held", "CB000005": "paid",
        "CB000003S": "ready",  # Medicare's ERA made Harold Nguyen's Medigap claim
    }  # fmt: skip
    archived = {p.name for p in (tmp_path / "archive" / "outbound").iterdir()}
    assert archived == {report.name for report in reports}
    assert poll(store, transport, tmp_path / "archive", now=NOW, actor="test", source="oa") == []


def test_each_appointment_shows_what_insurance_paid_and_the_patient_owes(
    store: Store, tmp_path: Path
) -> None:
    run = answered(store, tmp_path / "oa")
    ingest_paths(store, run.outbound)
    with store.read() as session:
        totals = {a.appointment_id: a for a in appointment_totals(session, [1, 2, 3, 4, 5])}
    first = totals[1]
    assert (first.charge, first.insurance_paid, first.patient_owes) == (
        Decimal("233.00"), Decimal("173.05"), Decimal("25.00"),
    )  # fmt: skip
    assert totals[4].insurance_paid == Decimal("0.00")  # the held Blue Shield claim


def test_the_same_bytes_under_another_name_change_nothing(store: Store, tmp_path: Path) -> None:
    run = answered(store, tmp_path / "oa")
    ingest_paths(store, run.outbound)
    before = ledger_snapshot(store)
    era = next(p for p in run.outbound if p.suffix == ".835")
    [report] = ingest_bytes(store, "renamed-copy.txt", era.read_bytes())
    assert report.outcome is Outcome.DUPLICATE
    assert "ingested before" in report.detail
    assert ledger_snapshot(store) == before


def test_a_broken_file_is_kept_with_its_reason_and_the_rest_goes_on(
    store: Store, tmp_path: Path
) -> None:
    run = answered(store, tmp_path / "oa")
    era = next(p for p in run.outbound if p.suffix == ".835")
    broken = tmp_path / "broken.835"
    broken.write_bytes(era.read_bytes().replace(b"CLP*", b"CLP*X*", 1).replace(b"~SE*", b"~XX*", 1))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    reports = ingest_paths(store, [broken, junk, *run.outbound])
    by_name = {report.name: report for report in reports}
    assert by_name["broken.835"].outcome is Outcome.FAILED
    assert "cannot be read" in by_name["broken.835"].detail
    assert by_name["junk.bin"].outcome is Outcome.UNKNOWN
    assert statuses(store)["CB000001"] == "paid"
    with store.read() as session:
        kept = session.scalars(
            select(t.InboundFileRow).where(t.InboundFileRow.name == "broken.835")
        ).one()
        assert (kept.outcome, kept.content) == ("failed", broken.read_bytes())
        payments = session.scalar(select(func.count()).select_from(t.PaymentRow))
        assert payments and payments > 0


def test_a_zip_is_unpacked_and_each_member_ingested(store: Store, tmp_path: Path) -> None:
    run = answered(store, tmp_path / "oa")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in run.outbound:
            archive.writestr(f"reports/{path.name}", path.read_bytes())
    reports = ingest_bytes(store, "OA_REPORTS.zip", buffer.getvalue())
    assert reports[0].outcome is Outcome.UNPACKED
    assert len(reports) == 1 + len(run.outbound)
    assert all(r.outcome is Outcome.APPLIED for r in reports[1:])
    assert statuses(store)["CB000002"] == "denied"
    again = ingest_paths(store, run.outbound)  # each member's bytes were ingested already
    assert {r.outcome for r in again} == {Outcome.DUPLICATE}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "said"),
    [
        # 40 MiB of one byte packs to about 40 KB: a bomb, stopped at 16 MiB unpacked
        ({"bomb.txt": b"0" * (40 * 1024 * 1024)}, "it unpacks to more than 16,777,216 bytes"),
        ({f"r{number}.txt": b"x" for number in range(1001)}, "1001 members, more than 1000"),
        ({"inner.zip": _zip({"a.txt": b"ISA"})}, "inner.zip is a zip inside the zip"),
    ],
)
def test_a_zip_over_the_limits_is_kept_and_refused_with_the_reason(
    store: Store, members: dict[str, bytes], said: str
) -> None:
    data = _zip(members)
    [report] = ingest_bytes(store, "OA_BIG.zip", data)
    assert report.outcome is Outcome.FAILED
    assert said in report.detail
    with store.read() as session:
        kept = session.get_one(t.InboundFileRow, report.inbound_file_id)
        assert kept.outcome == "failed" and kept.size == len(data)
        assert session.scalar(select(func.count()).select_from(t.InboundFileRow)) == 1


def _damaged_zip(how: str) -> bytes:
    """A one-member deflated zip, damaged: a broken deflate stream, a member without a name, a
    member marked encrypted, or a compression method zipfile does not know."""
    data = bytearray(_zip({"a.txt": b"ISA*00*" * 50}))
    central = data.rindex(b"PK\x01\x02")
    if how == "deflate":
        data[30 + len("a.txt")] = 0xFF  # the first block's type: 3, which deflate reserves
    elif how == "nameless":  # the central header's name becomes its comment: no name left
        data[central + 28 : central + 30] = (0).to_bytes(2, "little")
        data[central + 32 : central + 34] = len("a.txt").to_bytes(2, "little")
    elif how == "encrypted":
        data[6] |= 1  # general purpose flag bit 0, in the local and the central header
        data[central + 8] |= 1
    else:
        data[8:10] = data[central + 10 : central + 12] = (99).to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("deflate", "invalid block type"),
        ("nameless", "a member has no file name"),
        ("encrypted", "encrypted"),
        ("method", "compression method"),
    ],
)
def test_a_damaged_zip_is_kept_and_failed_with_the_reason(
    store: Store, how: str, said: str
) -> None:
    data = _damaged_zip(how)
    [report] = ingest_bytes(store, "OA_DAMAGED.zip", data)
    assert report.outcome is Outcome.FAILED
    assert report.detail.startswith("the zip ") and said in report.detail
    with store.read() as session:
        kept = session.get_one(t.InboundFileRow, report.inbound_file_id)
        assert kept.outcome == "failed" and kept.size == len(data)
