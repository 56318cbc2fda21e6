"""What a user installs: the sdist and the wheel, built as a release is, in venvs of their own.

The sdist and the wheel are built once per test session (``python -m build --no-isolation``,
with the locked setuptools of this environment, so nothing unlocked is fetched) from a copy of
the checkout without its build artefacts: first the sdist, then the wheel from that sdist, as a
user's pip would build it. The wheel goes into a fresh venv holding the locked runtime set and
nothing else (not even pip: this environment's pip installs into it), where the installed
``claimbridge`` script runs the demo. The sdist is installed by ``deploy/install-locked.sh``, the
script the Dockerfile runs, into another fresh venv, to show it builds the C loops itself.

Whichever xdist worker first needs a built thing makes it, under a lock, for both
(``_made_once``): pytest-xdist 3.8's ``--dist loadgroup`` does not group tests under pytest 9.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import venv
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from support import REPO, need

pytestmark = pytest.mark.slow  # about half a minute of building and installing

PACKAGE = REPO / "src" / "claimbridge"
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
# What the package must ship beside its Python modules, by kind: the sdist holds all of them,
# the wheel all but the C sources (it holds the compiled loops instead).
SHIPPED = {
    "C sources": ("**/*.c",),
    "type stubs and marker": ("py.typed", "**/*.pyi"),
    "templates": ("web/templates/**/*.html",),
    "static files": ("web/static/*",),
    "migrations": ("store/migrations/script.py.mako", "store/migrations/**/*.py"),
    "demo data": ("demo_data/*.json",),
    "implementation-guide tables": ("x12/guide/tables/*.json",),
    "modules": ("**/*.py",),
}
COMPILED_LOOPS = (
    "x12/_stream_c",
    "x12/tx835_005010X221A1/_claims_c",
    "x12/guide/_guide_c",
    "x12/tx837p_005010X222A1/_lines_c",
)
# Prints True when the installed package reads and checks X12 with its C loops.
USES_C_LOOPS = (
    "from claimbridge.x12.reader import compiled_loops; from claimbridge.x12.guide import check; "
    "from claimbridge.x12.tx837p_005010X222A1 import lines; "
    "print(compiled_loops() and check.compiled() and lines.compiled())"
)
DEV_TOOLS = ("pytest", "mypy", "ruff", "playwright", "hypothesis")
PIP_TIMEOUT_S = 600


def _run(
    command: Sequence[str | Path],
    cwd: Path,
    timeout: float = 120,
    variables: Mapping[str, str] | None = None,
) -> str:
    """Run ``command`` (with ``variables`` set); its output when it succeeds, else a failure
    showing what it printed."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=_environment(cwd) | dict(variables or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{shlex.join(map(str, command))}:\n{done.stdout}{done.stderr}"
    return done.stdout


def _environment(cwd: Path) -> dict[str, str]:
    """This environment without what makes Python find other packages; a home folder in ``cwd``."""
    hidden = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV")
    environment = {name: value for name, value in os.environ.items() if name not in hidden}
    environment["CLAIMBRIDGE_HOME"] = str(cwd / "claimbridge-home")
    environment["COLUMNS"] = "200"  # tables of claims printed whole, not cut to 80 columns
    return environment


def _fresh_venv(folder: Path, *requirements: str) -> Path:
    """A venv at ``folder`` holding only the locked ``requirements/`` sets named; its Python."""
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / "bin" / "python"
    for name in requirements:
        _pip_install(python, "--require-hashes", "-r", REPO / "requirements" / name)
    return python


def _pip_install(python: Path, *arguments: str | Path) -> None:
    """``pip install --no-deps`` into the venv of ``python``, with this environment's pip."""
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    pip += ["--python", python]
    _run([*pip, "install", "--quiet", "--no-deps", *arguments], python.parents[1], PIP_TIMEOUT_S)


def _compiler_available() -> bool:
    """True when setup.py can build the C loops here: a C compiler and Python's headers."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return shutil.which(compiler) is not None and headers.is_file()


def _need_compiler() -> None:
    need(_compiler_available(), "no C compiler or Python headers (gcc, python3-dev)")


def _source_files(*patterns: str) -> set[str]:
    """Paths relative to the package folder of the checkout's files matching ``patterns``."""
    found = {
        path.relative_to(PACKAGE).as_posix()
        for pattern in patterns
        for path in PACKAGE.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert found, f"the checkout has no {patterns}"
    return found


def _compiled(names: set[str], loop: str) -> bool:
    return any(name.startswith(f"{loop}.") and name.endswith(".so") for name in names)


def _made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``name``, filled by ``make`` once per test session, by the first who asks."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's folder, shared by its workers
    folder = base / name
    with (base / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


def _not_in_a_clean_checkout(directory: str, names: list[str]) -> set[str]:
    """Hidden folders (.git, .venv, caches), builds, compiled loops and the bench's output."""
    made = {"__pycache__", "build", "dist"}
    if Path(directory).name == "bench":
        made.add("out")
    return {
        name
        for name in names
        if name.startswith(".") or name in made or name.endswith((".egg-info", ".so", ".pyc"))
    }


def _build(folder: Path) -> None:
    source = folder / "source"
    shutil.copytree(REPO, source, ignore=_not_in_a_clean_checkout)
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", folder, source], folder, 600)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the sdist of this checkout and the wheel built from that sdist."""
    return _made_once(tmp_path_factory, "package-dist", _build)


@pytest.fixture(scope="module")
def sdist(dist: Path) -> Path:
    (path,) = dist.glob(f"claimbridge-{VERSION}.tar.gz")
    return path


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (path,) = dist.glob(f"claimbridge-{VERSION}-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """The ``bin`` folder of a fresh venv with the locked runtime set and the wheel, no more."""

    def install(folder: Path) -> None:
        _pip_install(_fresh_venv(folder, "runtime.txt"), wheel)

    return _made_once(tmp_path_factory, "package-wheel-venv", install) / "bin"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, installed: Path) -> tuple[Path, str]:
    """The installed script's ``claimbridge demo --keep DIR``: that folder and what it printed."""

    def run(folder: Path) -> None:
        output = _run([installed / "claimbridge", "demo", "--keep", folder / "kept"], folder, 300)
        (folder / "output.txt").write_text(output, encoding="utf-8")

    folder = _made_once(tmp_path_factory, "package-demo", run)
    return folder / "kept", (folder / "output.txt").read_text(encoding="utf-8")


def _package_names(names: list[str], prefix: str) -> set[str]:
    return {name.removeprefix(prefix) for name in names if name.startswith(prefix)}


def test_the_sdist_holds_every_source_the_package_needs(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        shipped = _package_names(archive.getnames(), f"claimbridge-{VERSION}/src/claimbridge/")
    for kind, patterns in SHIPPED.items():
        missing = _source_files(*patterns) - shipped
        assert not missing, f"the sdist lacks {kind}: {sorted(missing)}"


def test_the_image_install_script_builds_the_sdist_with_its_c_loops(
    sdist: Path, tmp_path: Path
) -> None:
    # deploy/install-locked.sh is what the Dockerfile runs: the locked runtime and build sets,
    # then claimbridge built from source by the locked setuptools.
    _need_compiler()
    folder = tmp_path / "sdist-venv"
    _run(["sh", REPO / "deploy" / "install-locked.sh", folder, sdist], tmp_path, PIP_TIMEOUT_S)
    assert _run([folder / "bin" / "claimbridge", "--version"], tmp_path) == (
        f"claimbridge {VERSION}\n"
    )
    assert _run([folder / "bin" / "python", "-c", USES_C_LOOPS], tmp_path) == "True\n"


def test_the_wheel_holds_the_package_and_its_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = _package_names(archive.namelist(), "claimbridge/")
    for kind, patterns in SHIPPED.items():
        if kind != "C sources":
            missing = _source_files(*patterns) - shipped
            assert not missing, f"the wheel lacks {kind}: {sorted(missing)}"


def test_the_wheel_holds_the_compiled_c_loops(wheel: Path) -> None:
    _need_compiler()
    with zipfile.ZipFile(wheel) as archive:
        shipped = _package_names(archive.namelist(), "claimbridge/")
    for loop in COMPILED_LOOPS:
        assert _compiled(shipped, loop), f"the wheel has no compiled {loop}"


def test_the_installed_script_prints_its_version_and_commands(installed: Path) -> None:
    cwd = installed.parents[1]
    assert _run([installed / "claimbridge", "--version"], cwd) == f"claimbridge {VERSION}\n"
    listed = _run([installed / "claimbridge", "--help"], cwd)
    for command in ("demo", "init", "claims", "serve", "x12", "sftp"):
        assert f"\n  {command} " in listed


def test_the_installed_wheel_reads_with_its_c_loops(installed: Path) -> None:
    _need_compiler()
    assert _run([installed / "python", "-c", USES_C_LOOPS], installed.parents[1]) == "True\n"


def test_the_runtime_venv_holds_no_development_tool(installed: Path) -> None:
    code = (
        "import importlib.util, sys\n"
        "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is not None))"
    )
    # The check itself must be able to fail: the runtime set's own modules are found.
    command: list[str | Path] = [installed / "python", "-c", code, "claimbridge", "sqlalchemy"]
    command += DEV_TOOLS
    found = _run(command, installed.parents[1])
    assert found.split() == ["claimbridge", "sqlalchemy"]


def test_the_installed_demo_runs_the_claim_cycle(demo_run: tuple[Path, str]) -> None:
    kept, output = demo_run
    assert "Claims by status" in output
    assert "owed by patients" in output
    assert "Done in" in output
    assert (kept / "claimbridge.db").is_file()


def test_the_installed_demos_next_steps_run_as_printed(
    installed: Path, demo_run: tuple[Path, str]
) -> None:
    kept, output = demo_run
    script = str(installed / "claimbridge")  # the venv is not on the PATH: named by its path
    lines = [shlex.split(line, comments=True) for line in output.splitlines()]
    exported = [words[1] for words in lines if words[:1] == ["export"]]
    assert exported == [f"CLAIMBRIDGE_HOME={kept}"], output
    home = dict([exported[0].split("=", 1)])
    steps = {" ".join(words[1:3]): words for words in lines if words[:1] == [script]}
    assert {"claims list", "init", "set-password", "serve"} <= set(steps), output
    _run(steps["init"], kept, variables=home)
    assert (kept / "claimbridge.key").is_file()
    assert "CB000004" in _run(steps["claims list"], kept, variables=home)
