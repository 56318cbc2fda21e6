"""The operator's kit: service units, the container files, the changelog and the settings table."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "StateDirectory": "claimbridge",
    "StateDirectoryMode": "0700",
    "UMask": "0077",
    "CapabilityBoundingSet": "",
    "User": "claimbridge",
    "KillSignal": "SIGTERM",
}


def _directives(unit: Path) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in unit.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


def test_there_is_a_unit_for_serve_watch_and_the_worker() -> None:
    commands = {_directives(unit)["ExecStart"].split()[1] for unit in UNITS}
    assert commands == {"serve", "watch", "worker"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_each_unit_is_hardened(unit: Path) -> None:
    directives = _directives(unit)
    for key, value in HARDENING.items():
        assert directives.get(key) == value, f"{unit.name}: {key}"


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_systemd_accepts_each_unit(unit: Path, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # systemd checks that the program exists: point the unit at a stand-in.
    program = tmp_path / "claimbridge"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    copy = tmp_path / unit.name
    copy.write_text(
        unit.read_text(encoding="utf-8").replace("/opt/claimbridge/bin/claimbridge", str(program)),
        encoding="utf-8",
    )
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert unit.name not in result.stderr, result.stderr


def test_compose_runs_postgres_migrations_web_and_worker_with_the_key_apart() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", "web", "worker"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["migrate"]["command"] == ["init"]
    assert services["web"]["command"][0] == "serve"
    assert services["worker"]["command"][0] == "worker"  # the job queue, on PostgreSQL
    for name in ("web", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["environment"]["CLAIMBRIDGE_KEY_FILE"] == "/run/secrets/claimbridge_key"
        assert "claimbridge_key" in service["secrets"]
        assert all("claimbridge_key" not in volume for volume in service["volumes"])
        # Passwords come from the env file, never from compose.yaml itself.
        assert not re.search(r"://[^@/]*:[^@/]*@", service["environment"]["CLAIMBRIDGE_DB"])
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_the_image_is_installed_from_the_lock_and_runs_as_a_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count("FROM ") == 2
    assert "sh deploy/install-locked.sh /opt/claimbridge ." in dockerfile
    assert "compiled_loops()" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert users == ["claimbridge"]


def test_the_changelog_names_every_migration() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = ROOT / "src" / "claimbridge" / "store" / "migrations" / "versions"
    for migration in sorted(versions.glob("v*.py")):
        revision = re.search(r'^revision = "([^"]+)"$', migration.read_text(encoding="utf-8"), re.M)
        assert revision, migration.name
        assert f"`{revision[1]}` (`{migration.name}`)" in changelog, migration.name


def test_the_settings_table_names_every_variable_claimbridge_reads() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    table = operations.split("## Settings", 1)[1].split("\n## ", 1)[0]
    read = set()
    for source in (ROOT / "src" / "claimbridge").rglob("*.py"):
        read |= set(re.findall(r"CLAIMBRIDGE_[A-Z_]+", source.read_text(encoding="utf-8")))
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert not missing, f"docs/operations.md#settings lacks {missing}"
