"""What a person sees of the files and lists brought in: ``import`` exits non-zero for a file
that needs a person and names its id, ``files list``, ``eras dismiss-held``, a match that needs
an override, ``payers import`` of Office Ally's own lists and ``payers set``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.ingest import ingest_bytes
from claimbridge.store.db import Store
from claimbridge.store.payers import get_payer
from cycle_support import add_claim, data, statuses
from ledger_fixtures import load_example

runner = CliRunner()


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _ledger(tmp_path: Path) -> tuple[str, Store]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    load_example(store)
    return url, store


def test_import_names_each_file_and_exits_1_when_one_needs_a_person(tmp_path: Path) -> None:
    url, store = _ledger(tmp_path)
    add_claim(store, "CB4001", (("97110:GP", "60", "CB4001-1"),))
    store.dispose()
    held = tmp_path / "two-checks.835"
    held.write_text(data("835/multi-transaction.835").replace("BPR*C*45*", "BPR*C*545*"))
    output = _run("import", str(held), "--db", url, code=1)
    assert "two-checks.835 (file 1): 835 held — 1 of 2 ERAs held: ERA CHK800001" in output
    assert "1 files: 1 held." in output
    assert "'claimbridge eras post-held 1 --reason WHY' posts it anyway" in output
    junk = tmp_path / "note.txt"
    junk.write_text("Dear customer,\nyour invoice is attached.\n")
    assert "(file 2): UNKNOWN unknown" in _run("import", str(junk), "--db", url, code=1)
    ok = tmp_path / "ok.999"
    ok.write_text(data("999/accepted-two-sets.999"))
    assert "(file 3): 999 applied" in _run("import", str(ok), "--db", url)
    assert "1 duplicate" in _run("import", str(ok), "--db", url)  # nothing for a person
    listed = json.loads(_run("files", "list", "--held", "--unknown", "--json", "--db", url))
    assert [(f["id"], f["outcome"]) for f in listed] == [(2, "unknown"), (1, "held")]
    assert "two-checks.835" in _run("files", "list", "--db", url)
    _run("eras", "dismiss-held", "1", "--db", url, code=2)  # --reason is required
    done = _run("eras", "dismiss-held", "1", "--reason", "a corrected 835 follows", "--db", url)
    assert "held file 1 dismissed" in done
    assert "No such file" in _run("files", "list", "--held", "--db", url)
    assert _statuses(url)["CB4001"] == "submitted"


def _statuses(url: str) -> dict[str, str]:
    store = Store(url)
    try:
        return statuses(store)
    finally:
        store.dispose()


def test_a_match_onto_a_settled_claim_of_another_charge_needs_an_override(
    tmp_path: Path,
) -> None:
    url, store = _ledger(tmp_path)
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    paid = (("99213", "95", None),)
    add_claim(store, "CB-9003", paid, service_date=date(2025, 2, 26), status=ClaimStatus.PAID)
    ingest_bytes(store, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    store.dispose()
    queue = _run("unmatched", "--db", url)
    assert "CB-9003 disagrees with the ERA claim: CB-9003 is settled (paid)" in queue
    assert "the ERA claim's charge 90.00 is not CB-9003's 95.00" in queue
    assert "match anyway: claimbridge eras match 1 CB-9003 --override REASON" in queue
    assert "match: claimbridge eras match 1 CB-9003" not in queue
    refused = _run("eras", "match", "1", "CB-9003", "--db", url, code=1)
    assert "ERA claim 1 is not matched to CB-9003: CB-9003 is settled (paid)" in refused
    assert "1 unmatched" in _run("unmatched", "--db", url)  # nothing was posted
    why = "the payer's EOB names this visit"
    posted = _run("eras", "match", "1", "CB-9003", "--override", why, "--db", url)
    assert "1 claims posted" in posted
    history = _run("claims", "show", "CB-9003", "--db", url)
    assert "overriding (CB-9003 is settled (paid)" in history and why in history


def test_payers_import_refuses_an_unknown_column_and_reads_windows_1252(tmp_path: Path) -> None:
    url, store = _ledger(tmp_path)
    store.dispose()
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("Payer ID,Payer Name,837P Enrolment\nN1,NEW ONE,!\n")
    refused = _run("payers", "import", str(unknown), "--db", url, code=1)
    assert "column '837P Enrolment' is not one claimbridge reads" in refused
    office_ally = tmp_path / "oa.csv"
    text = "Payer ID,Payer Name,837P,ERA,Available,State,Notes\nN2,SEÑOR SALUD,!,,✓,CA,\n"
    office_ally.write_bytes(text.replace("✓", "X").encode("cp1252"))
    assert "payers: 1 added" in _run("payers", "import", str(office_ally), "--db", url)
    store = Store(url)
    with store.read() as session:
        payer = get_payer(session, "N2")
    store.dispose()
    assert payer.name == "SEÑOR SALUD"
    assert [(e.transaction.value, e.required) for e in payer.enrollments] == [
        ("837P", True),
        ("835", False),
    ]


def test_payers_set_gives_a_filing_indicator_and_approves_an_enrollment(tmp_path: Path) -> None:
    url, store = _ledger(tmp_path)
    store.dispose()
    _run("claims", "create", "--db", url)
    assert _statuses(url)["CB000004"] == "held"  # waiting for Blue Shield's 837P enrollment
    _run("payers", "set", "BS001", "--enrollment", "837P=maybe", "--db", url, code=1)
    _run("payers", "set", "BS001", "--filing-indicator", "09", "--db", url, code=1)
    output = _run(
        "payers", "set", "BS001", "--filing-indicator", "bl", "--enrollment", "837P=approved",
        "--db", url,
    )  # fmt: skip
    assert "BS001" in output and "approved" in output
    assert "1 held claim now ready to send: CB000004" in output
    store = Store(url)
    with store.read() as session:
        payer = get_payer(session, "BS001")
    store.dispose()
    assert payer.claim_filing_indicator == "BL"
    [claims] = [e for e in payer.enrollments if e.transaction.value == "837P"]
    assert claims.approved_on is not None and claims.required
