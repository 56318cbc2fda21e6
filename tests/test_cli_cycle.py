"""The collecting commands: poll --from, import, watch --once, eob, unmatched."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.cli.cycle import console, parse_interval
from claimbridge.errors import InputError
from claimbridge.services.polls import recent_polls
from claimbridge.store.db import MIGRATIONS, Store
from cycle_support import NOW, statuses, submitted

runner = CliRunner()


@pytest.fixture
def oa_root(tmp_path: Path) -> tuple[str, Path]:
    """A SQLite ledger with a batch submitted into ``oa/inbound``, answered by the simulator."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    submitted(store, tmp_path / "oa")
    store.dispose()
    from claimbridge.sim import SimConfig, process_inbound_once

    process_inbound_once(tmp_path / "oa", SimConfig(root=tmp_path / "oa"), NOW.replace(tzinfo=None))
    return url, tmp_path / "oa"


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_poll_from_a_folder_then_eob_and_unmatched(
    oa_root: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = oa_root
    archive = str(tmp_path / "archive")
    output = _run("poll", "--from", str(root), "--archive", archive, "--db", url)
    assert "6 files: 6 applied." in output
    assert "Next:" in output
    archived = tmp_path / "archive"
    kept = {path.relative_to(archived).parts[0] for path in archived.rglob("*") if path.is_file()}
    assert kept == {"practice-1"}  # the practice's own folder, as the jobs keep it
    assert "nothing new" in _run("watch", "--once", "--from", str(root), "--archive", archive,
                                 "--db", url)  # fmt: skip
    store = Store(url)
    assert statuses(store)["CB000002"] == "denied"
    store.dispose()
    eob_html = tmp_path / "eob.html"
    text = _run("eob", "70000001", "--html", str(eob_html), "--db", url)
    assert "EXPLANATION OF BENEFITS" in text and "Account: CB000001" in text
    assert "CO-45" in text and "<html>" not in text
    assert "Explanation of benefits" in eob_html.read_text()
    assert "1 unmatched" in _run("unmatched", "--db", url)


def test_every_poll_and_watch_cycle_is_listed_by_polls(
    oa_root: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, root = oa_root
    archive = str(tmp_path / "archive")
    assert "No poll yet" in _run("polls", "--db", url)
    _run("poll", "--from", str(root), "--archive", archive, "--db", url)
    _run("watch", "--once", "--from", str(root), "--archive", archive, "--db", url)
    store = Store(url)
    with store.read() as session:
        newest, oldest = recent_polls(session, 5)
    store.dispose()
    assert (oldest.actor, oldest.files, oldest.ok) == ("cli", 6, True)
    assert (newest.actor, newest.files, newest.detail) == ("watch", 0, "nothing new")
    assert oldest.source == newest.source == f"folder {root.resolve()}"
    monkeypatch.setattr(console, "_width", 400)  # one line a poll, whatever the terminal
    listed = runner.invoke(app, ["polls", "--limit", "1", "--db", url])
    assert listed.exit_code == 0, listed.output
    assert "watch" in listed.output and "ok: nothing new" in listed.output
    assert "6 applied" not in listed.output  # only the newest, as asked


def test_import_reports_a_duplicate(oa_root: tuple[str, Path], tmp_path: Path) -> None:
    url, root = oa_root
    files = sorted(str(p) for p in (root / "outbound").glob("*.835"))
    assert "applied" in _run("import", *files, "--db", url)
    copy = tmp_path / "copy.835"
    copy.write_bytes(Path(files[0]).read_bytes())
    assert "1 files: 1 duplicate." in _run("import", str(copy), "--db", url)


def test_eob_of_an_unknown_remittance_is_an_error(oa_root: tuple[str, Path]) -> None:
    url, _ = oa_root
    result = runner.invoke(app, ["eob", "NOPE", "--db", url])
    assert result.exit_code == 1
    assert "no remittance 'NOPE'" in result.output


@pytest.mark.parametrize(("text", "seconds"), [("15m", 900), ("90s", 90), ("1h", 3600), ("30", 30)])
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


def test_a_bad_interval_is_refused() -> None:
    with pytest.raises(InputError):
        parse_interval("soon")


def test_the_migrations_have_exactly_one_head() -> None:
    assert len(ScriptDirectory(str(MIGRATIONS)).get_heads()) == 1


def test_appointments_show_what_insurance_paid_and_the_patient_owes(
    oa_root: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = oa_root
    _run("poll", "--from", str(root), "--archive", str(tmp_path / "archive"), "--db", url)
    claims = json.loads(_run("claims", "list", "--json", "--db", url))
    output = _run("appointments", "--db", url)
    paid_claims = [c for c in claims if Decimal(c["paid"]) > 0]
    assert paid_claims, "the scenario pays at least one claim"
    for claim in paid_claims:
        row = next(line for line in output.splitlines() if str(claim["appointment_id"]) in line)
        visit = [c for c in claims if c["appointment_id"] == claim["appointment_id"]]
        owed = sum(Decimal(c["patient_balance"]) for c in visit)  # not a PR a next payer took
        assert row.split()[2:] == [claim["charge"], claim["paid"], str(owed)]
