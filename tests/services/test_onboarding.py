"""The onboarding checklist and the e-mail that asks Office Ally for SFTP access, as the
ledger fills them in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from claimbridge.domain.models import Secret
from claimbridge.errors import InputError
from claimbridge.services.account import update_service_center_username
from claimbridge.services.jobs import JobKind, finish_job, queue_job
from claimbridge.services.onboarding import Step, checklist, sftp_email
from claimbridge.services.polls import Poll, folder_source, record_poll, sftp_source
from claimbridge.store.crypto import Cipher
from claimbridge.store.db import Store
from claimbridge.store.repositories import get_account, set_password
from cycle_support import NOW
from ledger_fixtures import example_text, load_example

SFTP_USERNAME = "cedarvalley"  # the example practice's SFTP login


def _email_lines(store: Store) -> tuple[str, list[str]]:
    with store.read() as session:
        email = sftp_email(session)
    return email.subject, email.body.splitlines()


def test_the_email_names_the_service_center_login_and_never_the_sftp_one(store: Store) -> None:
    load_example(store)
    subject, lines = _email_lines(store)
    assert "Office Ally Username: (your Office Ally Service Center username)" in lines
    assert f"Office Ally Username: {SFTP_USERNAME}" not in lines
    assert subject == "SFTP access for Cedar Valley Family Health (claimbridge, HCFA)"
    with store.transaction() as session:
        update_service_center_username(session, "cvfh-billing", "dana")
    assert "Office Ally Username: cvfh-billing" in _email_lines(store)[1]
    load_example(store)  # the EHR's file again, which does not name it: a person's value stays
    assert "Office Ally Username: cvfh-billing" in _email_lines(store)[1]


def test_the_practice_file_may_give_the_service_center_username(store: Store) -> None:
    practice = json.loads(example_text())
    practice["clearinghouse"]["service_center_username"] = "cvfh-web"
    load_example(store, json.dumps(practice))
    with store.read() as session:
        account = get_account(session)
    assert account is not None and account.service_center_username == "cvfh-web"
    assert "Office Ally Username: cvfh-web" in _email_lines(store)[1]


@pytest.mark.parametrize("username", ["dana whitfield", "x" * 81])
def test_a_username_office_ally_could_not_have_is_refused(store: Store, username: str) -> None:
    load_example(store)
    with store.transaction() as session, pytest.raises(InputError, match="no spaces"):
        update_service_center_username(session, username, "dana")


def _credentials(store: Store) -> Step:
    with store.read() as session:
        return next(step for step in checklist(session) if step.key == "credentials")


def _poll(source: str) -> Poll:
    return Poll(NOW, NOW, "dana", source, files=0, failed=0, ok=True, detail=None)


def test_the_credentials_step_is_done_once_a_login_with_them_has_worked(
    store: Store, tmp_path: Path
) -> None:
    load_example(store)
    assert not _credentials(store).done  # no password yet
    with store.transaction() as session:
        set_password(
            session, Secret("synthetic-pw"), Cipher(Secret(Fernet.generate_key().decode()))
        )
    stored = _credentials(store)
    assert not stored.done and "no connection has succeeded with it yet" in stored.what
    record_poll(store, _poll(folder_source(tmp_path)))  # a local folder proves no login
    failed = queue_job(store, store.practice_id, JobKind.TEST, "dana", NOW)
    finish_job(store, failed.id, False, "Office Ally refused the username or password", None, NOW)
    assert not _credentials(store).done
    tested = queue_job(store, store.practice_id, JobKind.TEST, "dana", NOW)
    finish_job(store, tested.id, True, "Connected", None, NOW)
    assert _credentials(store).done


def test_a_poll_of_the_account_over_sftp_shows_the_login_works_too(store: Store) -> None:
    load_example(store)
    with store.transaction() as session:
        set_password(
            session, Secret("synthetic-pw"), Cipher(Secret(Fernet.generate_key().decode()))
        )
    with store.read() as session:
        account = get_account(session)
    assert account is not None
    record_poll(store, _poll(sftp_source(account)))
    assert _credentials(store).done
