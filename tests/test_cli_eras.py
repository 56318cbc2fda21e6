"""``claimbridge eras``: undo and redo a posting, post a held 835, match or dismiss by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.services.claim_chain import FOLLOWED_EVENT, WAITING_EVENT
from claimbridge.services.ingest import ingest_bytes
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from cycle_support import add_claim, data, posted_unbalanced, statuses
from ledger_fixtures import load_example

runner = CliRunner()


def _ledger(tmp_path: Path) -> str:
    """A SQLite ledger where EFT55501 paid CB2001 and left CB2002 unmatched; CB-9002, of the
    same charge and service date, is its likely claim."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    load_example(store)
    add_claim(store, "CB2001", (("99214:25", "150", "CB2001-1"), ("85025", "50", "CB2001-2")))
    add_claim(store, "CB-9002", (("99213", "90", None),), service_date=date(2025, 2, 26))
    add_claim(store, "CB3001", (("99213", "150", "CB3001-1"),))
    ingest_bytes(store, "era.835", data("835/paid-and-denied-with-plb.835").encode())
    off = data("835/reversal-and-correction.835").replace("BPR*C*10*", "BPR*C*11*")
    ingest_bytes(store, "off.835", off.encode())
    store.dispose()
    return url


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _statuses(url: str) -> dict[str, str]:
    store = Store(url)
    try:
        return statuses(store)
    finally:
        store.dispose()


def test_undo_and_post_again_by_check_number(tmp_path: Path) -> None:
    url = _ledger(tmp_path)
    output = _run("eras", "undo", "EFT55501", "--reason", "wrong practice", "--db", url)
    assert "posting undone on 1 claims (1 moved back)" in output
    assert _statuses(url)["CB2001"] == "submitted"
    assert "1 claims posted, 1 unmatched" in _run("eras", "post", "EFT55501", "--db", url)
    assert _statuses(url)["CB2001"] == "paid"
    _run("eras", "undo", "EFT55501", "--db", url, code=2)  # --reason is required


def test_match_dismiss_and_post_held(tmp_path: Path) -> None:
    url = _ledger(tmp_path)
    queue = _run("unmatched", "--db", url)
    assert "1 unmatched" in queue
    era_claim, heading, likely, *others = queue.splitlines()
    assert era_claim.startswith("1  CB2002 (payer claim ICN20002)  status 4  charge 90.00")
    assert "likely claims of ours" in heading
    assert " ".join(likely.split()) == (
        "CB-9002 submitted 90.00 2025-02-26 same charge, same service date 2025-02-26, "
        "similar number"
    )
    assert "match: claimbridge eras match 1 CB-9002" in [line.strip() for line in others]
    assert "1 claims posted, 0 unmatched" in _run("eras", "match", "1", "CB-9002", "--db", url)
    assert _statuses(url)["CB-9002"] == "denied"
    refused = _run("eras", "dismiss", "1", "--reason", "late", "--db", url, code=1)
    assert "already resolved" in refused
    assert "No unmatched ERA claims." in _run("unmatched", "--db", url)
    output = _run("eras", "post-held", "2", "--reason", "confirmed by phone", "--db", url)
    assert _statuses(url)["CB3001"] == "paid"
    assert "ERA CHK700001 (11.00): 2 claims posted, 0 unmatched" in output


def test_claims_posted_from_an_unbalanced_era_are_listed_until_reviewed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    load_example(store)
    posted_unbalanced(store)
    store.dispose()
    listed = json.loads(_run("claims", "list", "--unbalanced", "--json", "--db", url))
    assert [claim["patient_control_number"] for claim in listed] == ["CB2001"]
    _run("claims", "reviewed", "CB2001", "--found", " ", "--db", url, code=1)
    output = _run("claims", "reviewed", "CB2001", "--found", "matches the paper EOB", "--db", url)
    assert "CB2001: marked reviewed" in output
    assert json.loads(_run("claims", "list", "--unbalanced", "--json", "--db", url)) == []
    shown = _run("claims", "show", "CB2001", "--db", url)
    assert "balance_reviewed" in shown and "matches the paper EOB" in shown
    _run("claims", "reviewed", "CB2001", "--found", "again", "--db", url, code=1)


def test_held_payments_are_listed_posted_and_refunded(tmp_path: Path) -> None:
    url = _ledger(tmp_path)  # EFT55501 paid CB2001 in full
    store = Store(url)
    era = data("835/paid-and-denied-with-plb.835")
    for trace in ("EFT55502", "EFT55503"):  # two more checks for CB2001
        ingest_bytes(store, f"{trace}.835", era.replace("EFT55501", trace).encode())
    store.dispose()
    listed = _run("unmatched", "--db", url)
    held = listed[listed.index("Held for review (2)") :].splitlines()
    first, second = (int(line.split()[0]) for line in held if "  CB2001  paid 120.00" in line)
    assert "already paid in full (120.00 paid on a 200.00 charge)" in held[2]
    _run("eras", "refund", str(first), "--db", url, code=2)  # --reason is required
    posted = _run("eras", "post-payment", str(first), "--reason", "both confirmed", "--db", url)
    assert "ERA EFT55502 (87.50): 1 claims posted" in posted
    refunded = _run("eras", "refund", str(second), "--reason", "returned", "--db", url)
    assert f"held payment {second} marked refunded" in refunded
    assert _run("eras", "post-payment", str(second), "--reason", "x", "--db", url, code=1)
    assert "Held for review" not in _run("unmatched", "--db", url)
    shown = _run("claims", "show", "CB2001", "--db", url)
    assert "held_payment_posted" in shown and "payment_refunded" in shown


def test_claims_waiting_for_their_payer_are_listed_until_it_answers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    load_example(store)
    add_claim(store, "CB7001S", (("99213", "90", None),))
    with store.transaction() as session:
        ClaimRepository(session).note("CB7001S", WAITING_EVENT, "CB7001 changed", "ingest")
    listed = json.loads(_run("claims", "list", "--waiting", "--json", "--db", url))
    assert [claim["patient_control_number"] for claim in listed] == ["CB7001S"]
    with store.transaction() as session:
        ClaimRepository(session).note("CB7001S", FOLLOWED_EVENT, "its payer answered", "ingest")
    store.dispose()
    assert json.loads(_run("claims", "list", "--waiting", "--json", "--db", url)) == []
