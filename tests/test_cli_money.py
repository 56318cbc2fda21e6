"""``claimbridge eras post-paper``, ``claimbridge patients …`` and ``claimbridge statements …``:
a paper EOB from a JSON file, a patient's payment, their balance, and a statement run written
to a folder; ``claims list --json`` shows both balances."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.store.db import Store
from money_support import SOFIA, billed, uhc_eob

runner = CliRunner()


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _ledger(tmp_path: Path) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    clm01 = billed(store)[SOFIA]
    store.dispose()
    return url, clm01


def test_a_paper_eob_a_payment_and_a_statement_run_from_the_command_line(tmp_path: Path) -> None:
    url, clm01 = _ledger(tmp_path)
    eob = tmp_path / "uhc-40017.json"
    wrong = uhc_eob(clm01)
    wrong["claims"][0]["lines"][1]["paid"] = "31.00"
    eob.write_text(json.dumps(wrong))
    refused = _run("eras", "post-paper", str(eob), "--db", url, code=1)
    assert "claims[0].lines[1]" in refused and "refused, nothing written" in refused
    eob.write_text(json.dumps(uhc_eob(clm01)))
    assert "1 claims posted, 0 unmatched" in _run("eras", "post-paper", str(eob), "--db", url)
    listed = {c["patient_control_number"]: c for c in json.loads(
        _run("claims", "list", "--json", "--db", url))}  # fmt: skip
    assert (listed[clm01]["insurance_balance"], listed[clm01]["patient_balance"]) == (
        "0.00",
        "20.00",
    )
    paid = _run("patients", "pay", "--claim", clm01, "--amount", "5.00", "--method", "cash",
                "--db", url)  # fmt: skip
    assert paid.startswith("payment 1: 5.00 on claim")
    assert "owes 15.00" in _run("patients", "balance", "pt-1002", "--db", url)
    out = tmp_path / "out"
    ran = _run("statements", "run", "--cycle-date", "2026-12-01", "--out", str(out), "--db", url)
    assert "1 patients billed, 15.00 due in all" in ran
    text = PdfReader(out / "statements-2026-12-01.pdf").pages[0].extract_text()
    assert "Amount due: 15.00" in text
    assert "12 Birch Ln" in (out / "statements-2026-12-01.csv").read_text()
    assert "2026-12-01" in _run("statements", "list", "--db", url)
    _run("patients", "undo", "1", "--reason", "typed twice", "--db", url)
    assert "owes 20.00" in _run("patients", "balance", "pt-1002", "--db", url)
