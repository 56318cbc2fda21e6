"""The ledger commands: init, load, set-password, payers import/list and fees."""

from __future__ import annotations

import json
import socket
import stat
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claim_fix import current_fix, fix_claim
from claimbridge.services.claims import create_claims
from claimbridge.store.crypto import Cipher, generate_key, read_key_file
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository, NewClaim, NewClaimLine
from claimbridge.store.tables import ClearinghouseAccountRow
from support import REPO, SHARED, need

EXAMPLE = SHARED / "examples" / "practice.json"
PAYER_CSV = REPO / "docs" / "examples" / "officeally-payers.csv"
LEDGER_COMMANDS = [["init"], ["load"], ["set-password"], ["fees"], ["payers", "import"]]
LEDGER_COMMANDS += [["payers", "list"], ["payers", "set"]]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder (the ``claimbridge_home`` fixture holds the ledger)."""
    for name in ("NON_PAR_FEE_RULE", "NON_PAR_FEE_AMOUNT"):
        monkeypatch.delenv(f"CLAIMBRIDGE_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ledger(home: Path) -> Store:
    """The ledger of the home, as the commands open it by default."""
    return Store(f"sqlite:///{home / 'claimbridge.db'}")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def example() -> Path:
    need(EXAMPLE.is_file(), f"the example practice file is not at {EXAMPLE}")
    return EXAMPLE


def ok(runner: CliRunner, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_init_creates_the_ledger_and_a_private_key_in_a_private_home(
    runner: CliRunner, workdir: Path, claimbridge_home: Path
) -> None:
    home = claimbridge_home
    out = ok(runner, "init")
    head = Store("sqlite://").head_revision()
    assert f"ledger sqlite:///{home / 'claimbridge.db'} is at revision {head}" in out
    assert f"secret key: {home / 'claimbridge.key'} (created, mode 0600)" in out
    assert mode(home) == 0o700
    assert mode(home / "claimbridge.key") == 0o600
    assert list(workdir.iterdir()) == []  # nothing in the working folder
    again = ok(runner, "init")
    assert f"is at revision {head}" in again and "created" not in again


def test_the_ledger_and_its_wal_files_are_private(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    store = ledger(claimbridge_home)
    with store.read():  # an open reader keeps the -wal and -shm files
        load_store = ledger(claimbridge_home)
        with load_store.transaction() as session:
            session.execute(text("CREATE TABLE scratch (x INTEGER)"))
        files = sorted(p.name for p in claimbridge_home.iterdir())
        assert {"claimbridge.db", "claimbridge.db-wal", "claimbridge.db-shm"} <= set(files)
        for name in files:
            assert mode(claimbridge_home / name) == 0o600, name
        load_store.dispose()
    store.dispose()


def test_init_with_an_environment_key_writes_no_key_file(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMBRIDGE_SECRET_KEY", generate_key().reveal())
    assert "secret key: CLAIMBRIDGE_SECRET_KEY" in ok(runner, "init")
    assert not (claimbridge_home / "claimbridge.key").exists()


def test_db_option_and_variable(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMBRIDGE_DB", "sqlite:///from-env.db")
    assert f"ledger sqlite:///{workdir / 'from-env.db'} is at" in ok(runner, "init")
    ok(runner, "init", "--db", f"sqlite:///{workdir / 'from-option.db'}")
    assert (workdir / "from-env.db").exists() and (workdir / "from-option.db").exists()
    assert not (claimbridge_home / "claimbridge.db").exists()
    assert (claimbridge_home / "claimbridge.key").exists()  # the key stays in the home


def test_commands_refuse_a_database_that_was_not_initialised(
    runner: CliRunner, workdir: Path, example: Path
) -> None:
    result = runner.invoke(app, ["load", str(example)])
    assert result.exit_code == 1
    assert "the ledger database is empty: run 'claimbridge init' first" in result.stderr


def test_loading_twice_changes_nothing(runner: CliRunner, workdir: Path, example: Path) -> None:
    ok(runner, "init")
    first = ok(runner, "load", str(example))
    assert "payers: 5 added, 0 changed, 0 unchanged" in first and "33 records written" in first
    second = ok(runner, "load", str(example))
    assert second.rstrip().endswith("nothing changed")
    listed = ok(runner, "payers", "list")
    assert (
        "01182     MEDICARE CALIFORNIA SOUTHERN  MB     par      approved, OA notified  approved"
        in listed
    )


def test_load_says_which_corrections_it_kept_over_the_file(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    store = ledger(claimbridge_home)
    with store.transaction() as session:
        create_claims(session, "test", date(2026, 11, 20))
        fix = replace(current_fix(session, "CB000001"), patient_dob=date(1984, 3, 21))
        fix_claim(session, "CB000001", fix, "dana", date(2026, 11, 20))
    store.dispose()
    out = ok(runner, "load", str(example))
    assert (
        "kept 1 correction made in claimbridge; the file has another value, correct it in "
        "the EHR:\n  patient pt-1001's birth date (corrected 20"
    ) in out
    assert " UTC by dana)\nnothing changed" in out and "1984" not in out


def test_load_releases_the_held_claims_its_changes_release(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    store = ledger(claimbridge_home)
    with store.transaction() as session:
        held = [
            c.patient_control_number
            for c in create_claims(session, "test", date(2026, 11, 20)).created
            if c.status is ClaimStatus.HELD
        ]
    store.dispose()
    assert len(held) == 1  # Priya Kapoor's, waiting for BS001's 837P enrollment
    approved = json.loads(example.read_text())
    (bs001,) = [p for p in approved["payers"] if p["payer_id"] == "BS001"]
    bs001["enrollment"]["837P"] = {"required": True, "status": "approved"}
    newer = workdir / "approved.json"
    newer.write_text(json.dumps(approved))
    out = ok(runner, "load", str(newer))
    assert f"1 held claim now ready to send: {held[0]}; next: claimbridge submit" in out
    assert "now ready" not in ok(runner, "load", str(newer))  # nothing more to release


def test_a_bad_file_is_refused_whole_with_json_paths(
    runner: CliRunner, workdir: Path, example: Path
) -> None:
    data = json.loads(example.read_text())
    data["patients"][2]["policies"][0]["payer_id"] = "X1"
    data["appointments"][1]["lines"][0]["charge"] = "210.001"
    bad = workdir / "bad.json"
    bad.write_text(json.dumps(data))
    ok(runner, "init")
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 1
    assert "refused, nothing written; 2 problems:" in result.stderr
    assert "patients[2].policies[0].payer_id: unknown payer 'X1'" in result.stderr
    assert "appointments[1].lines[0].charge: '210.001' has more than two decimals" in result.stderr
    assert ok(runner, "payers", "list").strip().count("\n") == 0  # the header only


def test_payers_import_merges_and_names_unreadable_rows(
    runner: CliRunner, workdir: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    out = ok(runner, "payers", "import", str(PAYER_CSV))
    assert "payers: 5 added, 2 changed, 3 unchanged" in out
    listed = ok(runner, "payers", "list")
    assert listed.count("\n") == 11
    assert "WC001     STATE COMPENSATION INSURANCE FUND  ?      non-par  not required" in listed
    broken = workdir / "broken.csv"
    broken.write_text("Payer ID,Payer Name,Type\nN1,NEW ONE,P\n,NO ID,P\nN2,NEW TWO,XX\n")
    result = runner.invoke(app, ["payers", "import", str(broken)])
    assert result.exit_code == 0
    assert "payers: 1 added" in result.stdout
    assert "skipped row 3: the payer ID is empty" in result.stderr
    assert "skipped row 4: payer 'N2': type 'xx' is neither P nor NP" in result.stderr


def add_submitted(store: Store, clm01: str, payer_id: str, npi: str, when: datetime) -> None:
    claim = NewClaim(
        clm01=clm01,
        payer_id=payer_id,
        billing_tax_id="847291635",
        billing_npi="1300000019",
        rendering_npi=npi,
        service_date=date(2026, 11, 3),
        lines=(NewClaimLine("99213", Decimal("140.00")),),
        status=ClaimStatus.SUBMITTED,
        submitted_at=when,
    )
    with store.transaction() as session:
        ClaimRepository(session).add(claim, actor="test")


def test_fees_show_the_exposure_under_either_rule(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    store = ledger(claimbridge_home)
    november = datetime(2026, 11, 12, tzinfo=UTC)
    add_submitted(store, "F1", "62308", "1234567893", november)
    add_submitted(store, "F2", "SX123", "1234567893", november)
    add_submitted(store, "F3", "62308", "1987654328", november)
    add_submitted(store, "F4", "62308", "1987654328", november)
    add_submitted(store, "F5", "SX123", "1987654328", november)
    add_submitted(store, "F6", "SX123", "1987654328", datetime(2026, 12, 1, tzinfo=UTC))
    store.dispose()
    out = ok(runner, "fees", "--month", "2026-11")
    assert out.splitlines() == [
        "MONTH    TAX ID     RENDERING NPI  CLAIMS  PAR  NON-PAR  NON-PAR %  FEE",
        "2026-11  847291635  1234567893     2       1    1        50.0       35.00",
        "2026-11  847291635  1987654328     3       2    1        33.3       -",
        "rule fifty_percent, 35.00 per month and combination; total 35.00",
    ]
    any_claim = ok(runner, "fees", "--month", "2026-11", "--rule", "any_claim", "--amount", "39.95")
    assert (
        any_claim.splitlines()[-1] == "rule any_claim, 39.95 per month and combination; total 79.90"
    )
    assert "2026-12" in ok(runner, "fees")
    assert ok(runner, "fees", "--month", "2027-01").strip() == "no submitted claims in that period"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fees", "--rule", "always"], "--rule: 'always' is not a fee rule"),
        (["fees", "--amount", "1.005"], "--amount: '1.005' has more than two decimals"),
        (["fees", "--month", "11/2026"], "'11/2026' is not a month (YYYY-MM)"),
    ],
)
def test_fee_options_are_checked(
    runner: CliRunner, workdir: Path, args: list[str], message: str
) -> None:
    ok(runner, "init")
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and message in result.stderr


def test_set_password_stores_it_encrypted_and_never_prints_it(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    result = runner.invoke(app, ["set-password"], input="synthetic-pw-7\nsynthetic-pw-7\n")
    assert result.exit_code == 0, result.output
    assert "synthetic-pw-7" not in result.output
    assert stored_password(claimbridge_home) == "synthetic-pw-7"
    assert b"synthetic-pw-7" not in (claimbridge_home / "claimbridge.db").read_bytes()


def test_set_password_reads_standard_input_when_asked(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    out = ok(runner, "set-password", "--password-stdin", stdin="synthetic-pw-8\n")
    assert "synthetic-pw-8" not in out and "stored" in out
    assert stored_password(claimbridge_home) == "synthetic-pw-8"
    empty = runner.invoke(app, ["set-password", "--password-stdin"], input="\n")
    assert empty.exit_code == 1 and "the password is empty" in empty.stderr


def stored_password(home: Path) -> str:
    """The SFTP password of the home's ledger, decrypted with the home's key."""
    store = ledger(home)
    with store.read() as session:
        token = session.scalars(select(ClearinghouseAccountRow.password_token)).one()
    store.dispose()
    assert token is not None
    return Cipher(read_key_file(home / "claimbridge.key")).decrypt(token).reveal()


def test_set_password_needs_the_key(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    (claimbridge_home / "claimbridge.key").unlink()
    result = runner.invoke(app, ["set-password"], input="x\nx\n")
    assert result.exit_code == 1 and "no key file" in result.stderr
    assert "For a new ledger, run 'claimbridge init'" in result.stderr


def test_init_never_makes_a_key_that_cannot_read_the_stored_password(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    ok(runner, "set-password", "--password-stdin", stdin="synthetic-pw-9\n")
    key = claimbridge_home / "claimbridge.key"
    saved = key.read_bytes()
    key.unlink()
    refused = runner.invoke(app, ["init"])
    assert refused.exit_code == 1
    assert "a new key could never read it, so none was made" in refused.stderr
    assert "claimbridge restore BACKUP --key-from KEYFILE" in refused.stderr
    assert not key.exists()
    key.write_bytes(generate_key().reveal().encode())
    key.chmod(0o600)
    wrong = runner.invoke(app, ["init"])
    assert wrong.exit_code == 0
    assert f"the key in {key} does not open the stored SFTP password" in wrong.stderr
    key.write_bytes(saved)
    right = runner.invoke(app, ["init"])
    assert right.exit_code == 0 and right.stderr == ""
    assert stored_password(claimbridge_home) == "synthetic-pw-9"


def test_a_lost_key_is_replaced_only_when_asked_and_the_password_goes_with_it(
    runner: CliRunner, workdir: Path, claimbridge_home: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    ok(runner, "set-password", "--password-stdin", stdin="synthetic-pw-9\n")
    (claimbridge_home / "claimbridge.key").unlink()
    result = runner.invoke(app, ["init", "--replace-lost-key"])
    assert result.exit_code == 0, result.output
    assert "(created, mode 0600)" in result.stdout
    assert "run 'claimbridge set-password' next" in result.stderr
    ok(runner, "set-password", "--password-stdin", stdin="synthetic-pw-10\n")
    assert stored_password(claimbridge_home) == "synthetic-pw-10"


@pytest.mark.parametrize("command", LEDGER_COMMANDS, ids=" ".join)
def test_every_ledger_command_ends_its_help_with_an_example(
    runner: CliRunner, command: list[str]
) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    lines = [line.strip(" │") for line in result.stdout.splitlines() if line.strip(" │")]
    example_at = max(i for i, line in enumerate(lines) if "Example" in line)
    assert lines[example_at + 1].startswith(f"claimbridge {' '.join(command)}")


def test_the_fees_help_states_both_rules_and_both_amounts(runner: CliRunner) -> None:
    help_text = runner.invoke(app, ["fees", "--help"], terminal_width=200).stdout
    for fact in ("fifty_percent", "any_claim", "35.00", "39.95"):
        assert fact in help_text


SECRET = "Synth-Db-Secret-7731"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"postgresql+psycopg://cb_user:{SECRET}@127.0.0.1:{{port}}/ledger", '"127.0.0.1", port'),
        (f"postgresql+psycopg://cb_user:{SECRET}@127.0.0.1:x/ledger", "cb_user:***@127.0.0.1:x"),
        (f"nosuchdriver://cb_user:{SECRET}@127.0.0.1/ledger", "nosuchdriver://cb_user:***@"),
        (f"not-a-url:{SECRET}@", "***@ is not a database URL"),
    ],
    ids=["unreachable", "bad-port", "unknown-driver", "unreadable"],
)
@pytest.mark.parametrize(
    "command",
    [["init"], ["claims", "list"], ["set-password", "--password-stdin"], ["backup", "{tmp}/b"]],
    ids=" ".join,
)
def test_no_message_shows_the_database_password(
    runner: CliRunner,
    workdir: Path,
    url: str,
    shown: str,
    command: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = url.format(port=free_port())
    args = [part.format(tmp=workdir) for part in command]
    result = runner.invoke(app, [*args, "--db", url], input="x\n")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and shown in result.stderr
    assert SECRET not in result.output + result.stderr + caplog.text


def test_payers_import_of_a_csv_the_reader_cannot_read_says_error(
    runner: CliRunner, workdir: Path, example: Path
) -> None:
    ok(runner, "init")
    ok(runner, "load", str(example))
    before = ok(runner, "payers", "list")
    broken = workdir / "broken.csv"
    broken.write_text("Payer ID,Payer Name\nN1,NEW ONE\nN2," + "x" * 200_000 + "\n")
    result = runner.invoke(app, ["payers", "import", str(broken)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: row 3: not a CSV file")
    assert ok(runner, "payers", "list") == before  # nothing written


@pytest.mark.parametrize(
    ("text", "said"),
    [("[" * 100_000 + "]" * 100_000, "nest too deeply"), ('{"a": ' + "9" * 5000 + "}", "5000")],
)
def test_load_of_deep_nesting_or_long_numbers_says_error_and_writes_nothing(
    runner: CliRunner, workdir: Path, text: str, said: str
) -> None:
    ok(runner, "init")
    bad = workdir / "bad.json"
    bad.write_text(text)
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: ") and said in result.stderr
    assert ok(runner, "payers", "list").strip().count("\n") == 0  # the header only
