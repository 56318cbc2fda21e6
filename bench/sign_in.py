"""What signing in costs, and what it costs everyone else.

1. argon2id hashing and checking, with the parameters claimbridge uses
   (``claimbridge.services.users.ARGON2_*``) and with argon2-cffi's defaults (the parameters
   of hashes made before): the median and slowest of ``--rounds`` checks, wall and CPU time.
2. ``POST /login`` in the web app (in process, no network): server time of a right password,
   a wrong one and an unknown name (which hashes too, so names cannot be probed).
3. The app served by uvicorn: another user's ``GET /api/v1/claims`` alone, then while 8 wrong
   sign-ins run at once, again and again (their attempt limits are lifted after each, as if
   they came from 8 places, so every one is hashed).

Run ``.venv/bin/python bench/sign_in.py`` (about a minute); the figures of the last run are in
docs/operations.md#sign-in-and-api-tokens.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from claimbridge.domain.models import Secret
from claimbridge.services import users
from claimbridge.settings import Settings
from claimbridge.store.crypto import generate_key
from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load
from claimbridge.web.app import WebConfig, create_app

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _timed(work: Callable[[], object], rounds: int) -> tuple[float, float, float]:
    """Median and slowest wall time, and the median CPU time, in ms."""
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return statistics.median(walls), max(walls), statistics.median(cpus)


def hashing(rounds: int) -> list[str]:
    """Rows of the argon2 table."""
    rows = []
    ours = PasswordHasher(
        time_cost=users.ARGON2_TIME_COST,
        memory_cost=users.ARGON2_MEMORY_KIB,
        parallelism=users.ARGON2_PARALLELISM,
    )
    for label, hasher in (("claimbridge", ours), ("argon2-cffi default", PasswordHasher())):
        stored = hasher.hash(PASSWORD)
        median, worst, cpu = _timed(lambda h=hasher, s=stored: h.verify(s, PASSWORD), rounds)
        params = f"t={hasher.time_cost}, m={hasher.memory_cost // 1024} MiB, p={hasher.parallelism}"
        rows.append(f"| check, {label} ({params}) | {median:.0f} | {worst:.0f} | {cpu:.0f} |")
    return rows


def _ledger(folder: Path) -> Store:
    store = Store(f"sqlite:///{folder / 'ledger.db'}")
    store.upgrade()
    with store_for_load(store, "bench").transaction() as session:
        for n in range(12):
            users.add_user(session, f"user{n}", users.Role.BILLER, Secret(PASSWORD))
    return store


def _app(store: Store, folder: Path) -> object:
    settings = Settings(db_url=store.url, secret_key=generate_key())
    config = WebConfig(session_secret="bench", secure_cookies=False, archive=folder / "archive")
    return create_app(settings, store, None, config)


def _sign_in(client: httpx.Client, username: str, password: str) -> int:
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    data = {"username": username, "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=data).status_code


def sign_in_server_time(folder: Path, rounds: int) -> list[str]:
    """Rows of ``POST /login`` in process (the ASGI app, no sockets)."""
    with warnings.catch_warnings():  # starlette asks for httpx2; httpx (locked) still works
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    store = _ledger(folder)
    app = _app(store, folder)
    rows = []
    cases = (
        ("right password", "user0", PASSWORD, 303),
        ("wrong password", "user1", "not the password", 401),
        ("unknown name", "nobody", "not the password", 401),
    )
    for label, username, password, expected in cases:
        walls, cpus = [], []
        for _ in range(rounds):
            client = TestClient(app, follow_redirects=False)  # type: ignore[arg-type]
            token = CSRF.search(client.get("/login").text)
            assert token is not None
            data = {"username": username, "password": password, "csrf_token": token.group(1)}
            wall, cpu = time.perf_counter(), time.process_time()
            assert client.post("/login", data=data).status_code == expected
            cpus.append((time.process_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
            app.state.sign_in_limits.succeeded(username, "testclient")  # type: ignore[attr-defined]
        median, worst, cpu_ms = statistics.median(walls), max(walls), statistics.median(cpus)
        rows.append(f"| `POST /login`, {label} | {median:.0f} | {worst:.0f} | {cpu_ms:.0f} |")
    store.dispose()
    return rows


def others_while_signing_in(folder: Path, rounds: int) -> list[str]:
    """Rows of another user's request alone and during 8 concurrent wrong sign-ins."""
    import uvicorn

    store = _ledger(folder)
    app = _app(store, folder)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with store.scoped(store_for_load(store, "bench").practice_id).transaction() as session:
        user = users.get_user(session, users.find_user_id(session, "user11"))
        assert user is not None
        token = users.create_token(session, user, "bench", users.TokenScope.READ).reveal()
    other = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})

    def one_request() -> None:
        assert other.get("/api/v1/claims").status_code == 200

    _timed(one_request, 5)  # warm up: the first requests compile queries and fill caches
    alone = _timed(one_request, rounds * 3)
    stop = threading.Event()
    answers: list[int] = []

    def attacker(n: int) -> None:
        with httpx.Client(base_url=base, follow_redirects=False) as client:
            while not stop.is_set():
                answers.append(_sign_in(client, f"user{n}", "not the password"))
                app.state.sign_in_limits.succeeded(f"user{n}", "127.0.0.1")  # type: ignore[attr-defined]

    with ThreadPoolExecutor(8) as pool:
        for n in range(8):
            pool.submit(attacker, n)
        time.sleep(1.0)
        during = _timed(one_request, rounds * 3)
        stop.set()
    server.should_exit = True
    thread.join(timeout=10)
    store.dispose()
    return [
        f"| another user's `GET /api/v1/claims`, alone | {alone[0]:.0f} | {alone[1]:.0f} | |",
        f"| the same, during 8 wrong sign-ins at once | {during[0]:.0f} | {during[1]:.0f} | |",
        f"| (the sign-ins answered: {_counts(answers)}) | | | |",
    ]


def _counts(answers: list[int]) -> str:
    return ", ".join(f"{answers.count(code)} × {code}" for code in sorted(set(answers)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    rows = ["| what | median ms | slowest ms | CPU ms |", "|---|---:|---:|---:|"]
    rows += hashing(rounds)
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "in-process", Path(folder) / "served"
        first.mkdir()
        second.mkdir()
        rows += sign_in_server_time(first, rounds)
        rows += others_while_signing_in(second, rounds)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
