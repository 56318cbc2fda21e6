"""``claimbridge users``: list, disable and enable, a new password, API tokens made with a role
and an expiry, listed and revoked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from claimbridge.cli import app
from claimbridge.domain.models import Secret
from claimbridge.services.users import (
    Role,
    TokenScope,
    add_user,
    check_password,
    list_tokens,
    user_for_token,
)
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load

runner = CliRunner()
PASSWORD = "correct horse battery"


def _ledger(tmp_path: Path) -> tuple[str, Store]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    store = Store(url)
    store.upgrade()
    practice = store_for_load(store, "cedar-valley")
    with practice.transaction() as session:
        add_user(session, "dana", Role.BILLER, Secret(PASSWORD))
        add_user(session, "vic", Role.VIEWER, Secret(PASSWORD))
    return url, practice


def _run(*args: str, code: int = 0, answer: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=answer)
    assert result.exit_code == code, result.output
    return result.output


def test_a_token_is_made_with_its_role_and_expiry_listed_and_revoked(tmp_path: Path) -> None:
    url, store = _ledger(tmp_path)
    token = _run("users", "token", "dana", "--role", "read", "--expires", "30", "--db", url)
    token = token.strip()
    with store.across_practices() as session:
        owner = user_for_token(session, token)
    assert owner is not None and owner.scope is TokenScope.READ and owner.user.username == "dana"
    with store.read() as session:
        [made] = list_tokens(session)
    assert made.expires_at - made.created_at == timedelta(days=30)
    listed = _run("users", "tokens", "--db", url)
    assert f"{made.id}\tapi\tdana\tread\tactive" in listed and "last used never" in listed
    assert "token 1 (api, dana) is revoked" in _run("users", "revoke-token", "1", "--db", url)
    with store.across_practices() as session:
        assert user_for_token(session, token) is None
    assert "\trevoked\t" in _run("users", "tokens", "--db", url)
    refused = _run("users", "token", "dana", "--expires", "400", "--db", url, code=1)
    assert "1 to 365 days" in refused
    refused = _run("users", "token", "vic", "--role", "write", "--db", url, code=1)
    assert "vic is a viewer: their tokens can only read" in refused
    assert "no API token 9" in _run("users", "revoke-token", "9", "--db", url, code=1)


def test_disable_enable_and_a_new_password(tmp_path: Path) -> None:
    url, store = _ledger(tmp_path)
    assert "dana is disabled" in _run("users", "disable", "dana", "--db", url)
    assert "dana\tbiller\tdisabled\tlast sign-in never" in _run("users", "list", "--db", url)
    with store.across_practices() as session:
        assert check_password(session, "dana", Secret(PASSWORD)) is None
        generation = session.scalars(
            select(t.UserRow.session_generation).where(t.UserRow.username == "dana")
        ).one()
    assert generation == 1
    assert "dana may sign in again" in _run("users", "enable", "dana", "--db", url)
    new = "another long passphrase"
    said = _run("users", "password", "dana", "--password-stdin", "--db", url, answer=new + "\n")
    assert "dana has a new password; their sessions ended" in said
    with store.across_practices() as session:
        assert check_password(session, "dana", Secret(PASSWORD)) is None
        assert check_password(session, "dana", Secret(new)) is not None
    assert "no user 'nobody'" in _run("users", "disable", "nobody", "--db", url, code=1)
