"""``claimbridge claims create|list|show|resubmit`` and ``claimbridge submit`` from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.x12.validate import validate_text
from ledger_fixtures import EXAMPLE
from support import need

MONEY_FIELDS = ("charge", "paid", "adjusted", "patient_responsibility", "balance")


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose ledger holds the example practice."""
    need(EXAMPLE.is_file(), f"the example practice file is not at {EXAMPLE}")
    monkeypatch.setenv("CLAIMBRIDGE_DB", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("CLAIMBRIDGE_KEY_FILE", str(tmp_path / "ledger.key"))
    runner = CliRunner()
    for command in (["init"], ["load", str(EXAMPLE)]):
        assert runner.invoke(app, command).exit_code == 0
    return runner


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_create_then_list_as_json(ledger: CliRunner) -> None:
    output = _run(ledger, "claims", "create")
    assert "CB000004: held" in output and "not approved (not started)" in output
    assert "5 claims created; 4 ready to submit." in output
    claims = json.loads(_run(ledger, "claims", "list", "--json"))
    assert [c["status"] for c in claims] == ["ready", "ready", "ready", "held", "ready"]
    first = claims[0]
    assert first["patient_control_number"] == "CB000001"
    assert first["appointment_id"] == "appt-5001" and first["payer_id"] == "62308"
    assert {key: first[key] for key in MONEY_FIELDS} == {
        "charge": "233.00",
        "paid": "0.00",
        "adjusted": "0.00",
        "patient_responsibility": "0.00",
        "balance": "233.00",
    }
    assert {c["payer_sequence"] for c in claims} == {"primary"}
    assert all(c["follows"] is None and c["crossed_over_to"] is None for c in claims)
    held = json.loads(_run(ledger, "claims", "list", "--status", "held", "--json"))
    assert [c["patient_control_number"] for c in held] == ["CB000004"]


def test_claims_list_prints_every_claim_and_amount_whole_at_80_columns(ledger: CliRunner) -> None:
    _run(ledger, "claims", "create")
    claims = json.loads(_run(ledger, "claims", "list", "--json"))
    listed = ledger.invoke(app, ["claims", "list"], terminal_width=80)
    assert listed.exit_code == 0, listed.output
    rows = {line.split()[1]: line.split() for line in listed.output.splitlines()[3:]}
    assert {number: row[5:] for number, row in rows.items()} == {
        claim["patient_control_number"]: [claim[key] for key in MONEY_FIELDS] for claim in claims
    }


def test_show_has_lines_events_acknowledgments_and_payments(ledger: CliRunner) -> None:
    _run(ledger, "claims", "create")
    shown = json.loads(_run(ledger, "claims", "show", "CB000001", "--json"))
    assert [line["line_control_number"] for line in shown["lines"]] == [
        "CB000001-1",
        "CB000001-2",
    ]
    assert [e["to_status"] for e in shown["events"]] == ["draft", "ready"]
    assert shown["acknowledgments"] == [] and shown["payments"] == []
    assert (shown["payer_sequence"], shown["follows"], shown["crossed_over_to"]) == (
        "primary", None, None,
    )  # fmt: skip
    assert json.loads(_run(ledger, "claims", "show", str(shown["id"]), "--json")) == shown
    missing = ledger.invoke(app, ["claims", "show", "CB999999"])
    assert missing.exit_code == 1 and "no claim 'CB999999'" in missing.output


def test_submit_to_a_folder_after_a_dry_run(ledger: CliRunner, tmp_path: Path) -> None:
    _run(ledger, "claims", "create")
    outbox = tmp_path / "oa"
    outbox.mkdir()
    dry = _run(ledger, "submit", "--dry-run")
    assert "would send 4 claims in 1 files." in dry
    assert not (outbox / "inbound").exists()
    sent = _run(ledger, "submit", "--to", str(outbox))
    assert "sent 4 claims in 1 files." in sent
    [upload] = list((outbox / "inbound").iterdir())
    assert upload.name.startswith("OATEST_837P_847291635_B1_")
    assert validate_text(upload.read_text(), office_ally=True).errors == ()
    assert "sent 0 claims" in _run(ledger, "submit", "--to", str(outbox))
    refused = ledger.invoke(app, ["claims", "resubmit", "CB000001"])
    assert refused.exit_code == 1 and "only a rejected claim is resubmitted" in refused.output
