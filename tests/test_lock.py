"""The environment is the lock: uv.lock, its exports in requirements/, and what is installed."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name

import claimbridge

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {
        canonicalize_name(package["name"]): package["version"]
        for package in lock["package"]
        if "version" in package and package["name"] != "claimbridge"
    }


def _pins(name: str) -> list[tuple[str, str, str | None]]:
    """(package, version, marker) for each pin of requirements/``name``."""
    pins = []
    for line in (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins.append((canonicalize_name(match[1]), match[2], match[3]))
    return pins


@pytest.mark.parametrize("name", ["runtime.txt", "dev.txt", "build.txt"])
def test_every_pin_of_the_exports_is_the_locked_version_with_hashes(name: str) -> None:
    locked = _locked_versions()
    pins = _pins(name)
    assert pins, f"requirements/{name} pins nothing"
    for package, pinned, _ in pins:
        assert locked.get(package) == pinned, f"requirements/{name}: {package}=={pinned}"
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    assert text.count("--hash=sha256:") >= len(pins)


def test_the_runtime_set_holds_no_development_tool() -> None:
    runtime = {package for package, _, _ in _pins("runtime.txt")}
    assert {"sqlalchemy", "asyncssh", "fastapi", "psycopg", "argon2-cffi"} <= runtime
    assert not {"pytest", "mypy", "ruff", "playwright", "hypothesis", "uv"} & runtime


def test_what_is_installed_is_what_the_lock_says() -> None:
    wrong = []
    for package, pinned, marker in _pins("dev.txt") + _pins("build.txt"):
        if marker and not Marker(marker).evaluate():
            continue
        try:
            installed = version(package)
        except PackageNotFoundError:
            installed = "missing"
        if installed != pinned:
            wrong.append(f"{package}: installed {installed}, locked {pinned}")
    assert not wrong, "the environment is not the lock (run make test to reinstall):\n" + "\n".join(
        wrong
    )


def test_the_version_comes_from_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert claimbridge.__version__ == project["version"]
