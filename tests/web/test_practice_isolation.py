"""Two practices in one ledger, seen through every route of the web app and of the API: a user
or token of practice A gets 404 for each object of practice B, and no list, count, report or
CSV of A shows a row of B.

Every route is enumerated (the page routers and the OpenAPI document), so a route added later
without a case here fails ``test_every_route_is_tried``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_support import PASSWORD, csrf_of, sign_in

from claimbridge.domain.models import Secret
from claimbridge.domain.patient_money import read_money
from claimbridge.services.claims import create_claims
from claimbridge.services.ingest import poll
from claimbridge.services.jobs import JobKind, queue_job
from claimbridge.services.patient_money import record_money
from claimbridge.services.reports import REPORT_KEYS
from claimbridge.services.statements import run_statements
from claimbridge.services.submit import submit
from claimbridge.services.users import Role, add_user, create_token
from claimbridge.settings import Settings
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.store import tables as t
from claimbridge.store.crypto import generate_key
from claimbridge.store.db import Store
from claimbridge.store.practices import store_for_load
from claimbridge.transport import LocalDirTransport
from claimbridge.web import views
from claimbridge.web.api import (
    account,
    claim_actions,
    follow_ups,
    history,
    money,
    posting,
    records,
    routes,
)
from claimbridge.web.app import WebConfig, create_app
from ledger_fixtures import example_text, load_example

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
API_ROUTERS = (account, claim_actions, follow_ups, history, money, posting, records, routes)
PER_PRACTICE_PARAMS = {"clm01", "remittance_id", "inbound_file_id", "unmatched_id", "held_id"}
PER_PRACTICE_PARAMS |= {"job_id", "entry_id", "run_id"}
OAK_NAME = "Oak Grove Clinic"


@dataclass(frozen=True)
class Ledger:
    """The two practices' stores, B's object ids by path parameter, and what marks B's rows."""

    store: Store
    a: Store
    b: Store
    b_ids: dict[str, str]
    b_markers: tuple[str, ...]


def _oak_file() -> str:
    data = json.loads(example_text())
    data["practice"]["name"] = OAK_NAME
    for n, patient in enumerate(data["patients"]):
        patient["last_name"] = "Oakleaf" + "abcdefghij"[n]
    return json.dumps(data)


def _cycle(store: Store, root: Path, text: str | None) -> None:
    load_example(store, text)
    with store.transaction() as session:
        create_claims(session, "test", NOW.date())
    root.mkdir(parents=True)
    transport = LocalDirTransport(root)
    submit(store, transport, "test", NOW)
    process_inbound_once(root, SimConfig(root=root), NOW.replace(tzinfo=None))
    poll(store, transport, root.parent / f"{root.name}-archive", now=NOW, actor="t", source="t")


def _patient_money_and_statements(store: Store, clm01: str) -> tuple[int, int]:
    """A patient payment on claim ``clm01`` and a statement run, in ``store``'s practice."""
    entry = {"kind": "payment", "amount": "12.00", "method": "cash", "claim": clm01}
    with store.transaction() as session:
        paid = record_money(session, read_money(entry, NOW.date()), "t")
        run = run_statements(session, NOW.date(), "t")
    return paid.id, run.id


def _queue(store: Store) -> tuple[int, int]:
    """An ERA claim waiting for a person and a payment held for review, in ``store``'s practice."""
    with store.transaction() as session:
        remittance = session.scalars(select(t.RemittanceRow).limit(1)).one()
        claim = session.scalars(select(t.ClaimRow).limit(1)).one()
        rows = [
            t.UnmatchedClaimRow(
                inbound_file_id=remittance.inbound_file_id,
                remittance_id=remittance.id,
                patient_control_number=pcn,
                status_code="1",
                charge=Decimal("10.00"),
                paid=Decimal("10.00"),
                segment_position=1,
                created_at=NOW,
                reason=reason,
                claim_id=claim.id if reason == "overpayment" else None,
            )
            for pcn, reason in (("ZZ-NOT-OURS", "no_claim"), (claim.clm01, "overpayment"))
        ]
        session.add_all(rows)
        session.flush()
        return rows[0].id, rows[1].id


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    folder = tmp_path_factory.mktemp("two-practices")
    store = Store(f"sqlite:///{folder / 'ledger.db'}")
    store.upgrade()
    a, b = store_for_load(store, "cedar-valley"), store_for_load(store, "oak-grove")
    _cycle(a, folder / "a", None)
    _cycle(b, folder / "b", _oak_file())
    _queue(a)
    unmatched_id, held_id = _queue(b)
    job = queue_job(b, b.practice_id, JobKind.POLL, "oakbob", NOW)  # B's, never run
    for practice, name in ((a, "alice"), (b, "oakbob")):
        with practice.transaction() as session:
            add_user(session, name, Role.ADMIN, Secret(PASSWORD))
    with b.read() as session:
        clm01s = list(session.scalars(select(t.ClaimRow.clm01)))
        remittance = session.scalars(select(t.RemittanceRow)).first()
        assert remittance is not None and remittance.inbound_file_id is not None
        names = list(session.scalars(select(t.PatientRow.last_name)))
    entry_id, run_id = _patient_money_and_statements(b, clm01s[0])
    ids = {
        "clm01": clm01s[0],
        "remittance_id": str(remittance.id),
        "inbound_file_id": str(remittance.inbound_file_id),
        "unmatched_id": str(unmatched_id),
        "held_id": str(held_id),
        "job_id": str(job.id),
        "entry_id": str(entry_id),
        "run_id": str(run_id),
    }
    yield Ledger(store, a, b, ids, (OAK_NAME, "oakbob", *clm01s, *names))
    store.dispose()


@pytest.fixture(scope="module")
def app(ledger: Ledger, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("app")
    settings = Settings(db_url=ledger.store.url, secret_key=generate_key())
    config = WebConfig(
        session_secret="test-secret",
        secure_cookies=False,
        known_hosts=folder / "known_hosts",
        archive=folder / "archive",
    )
    return create_app(settings, ledger.store, None, config)


@pytest.fixture(scope="module")
def alice(app: FastAPI) -> TestClient:
    return sign_in(TestClient(app, follow_redirects=False), "alice")


@pytest.fixture(scope="module")
def alice_api(app: FastAPI, ledger: Ledger) -> TestClient:
    with ledger.a.transaction() as session:
        user = add_user(session, "alice-api", Role.ADMIN, Secret(PASSWORD))
        token = create_token(session, user, "isolation").reveal()
    client = TestClient(app, follow_redirects=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _page_routes() -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for module in views.ROUTERS
        for route in module.router.routes
        for method in sorted(route.methods)
    ]


def _api_routes() -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for module in API_ROUTERS
        for route in module.router.routes
        for method in sorted(route.methods)
    ]


def _params(path: str) -> set[str]:
    return set(re.findall(r"{(\w+)", path))


def _fill(path: str, ids: dict[str, str]) -> str:
    filled = path
    for name, value in ids.items():
        filled = filled.replace("{" + name + "}", value)
    filled = filled.replace("{key}", REPORT_KEYS[0]).replace("{mode}", "production")
    return filled.replace("{step}", "sftp_email").replace("{payer_id}", "62308")


def _assert_none_of_b(ledger: Ledger, where: str, body: str, asked: str = "") -> None:
    """No marker of B in ``body``, but for what the request itself named (a 404 may say which
    claim number it did not find)."""
    shown = [marker for marker in ledger.b_markers if marker in body and marker not in asked]
    assert not shown, f"{where} shows practice B's {shown[:3]}"


def _snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    tables = (t.ClaimRow, t.RemittanceRow, t.PaymentRow, t.UnmatchedClaimRow, t.ClaimEventRow,
              t.ClaimNoteRow)  # fmt: skip
    with store.read() as session:
        return {
            model.__tablename__: [
                tuple(row) for row in session.execute(select(model.__table__).order_by("id"))
            ]
            for model in tables
        }


def test_every_route_is_tried(app: FastAPI) -> None:
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert set(_api_routes()) <= documented <= set(_api_routes()) | set(_page_routes())
    params = {name for _, path in _page_routes() + _api_routes() for name in _params(path)}
    named_by_caller = {"patient_id", "appointment_id"}  # a PUT makes the caller's own record
    assert params <= PER_PRACTICE_PARAMS | named_by_caller | {"key", "mode", "step", "payer_id"}


def test_a_put_of_bs_patient_key_makes_as_own_patient(
    ledger: Ledger, alice_api: TestClient
) -> None:
    with ledger.b.read() as session:
        b_patient = session.scalars(select(t.PatientRow).order_by(t.PatientRow.id)).first()
        assert b_patient is not None
        key, b_before = b_patient.key, (b_patient.first_name, b_patient.last_name)
    body = {
        "first_name": "Ada",
        "last_name": "Alpha",
        "dob": "1980-01-01",
        "sex": "F",
        "address": {"line1": "1 A St", "city": "Fresno", "state": "CA", "zip": "93720"},
    }
    answer = alice_api.put(f"/api/v1/patients/{key}", content=json.dumps(body))
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] in {"added", "changed"}
    with ledger.b.read() as session:
        b_after = session.scalars(select(t.PatientRow).where(t.PatientRow.key == key)).one()
        assert (b_after.first_name, b_after.last_name) == b_before
    with ledger.a.read() as session:
        a_row = session.scalars(select(t.PatientRow).where(t.PatientRow.key == key)).one()
        assert a_row.last_name == "Alpha"
        audited = session.scalars(select(t.AuditRow.entity_key)).all()
    assert key in audited  # the audit row is A's


def test_a_user_works_on_their_own_practices_claim(ledger: Ledger, alice: TestClient) -> None:
    with ledger.a.read() as session:
        clm01 = session.scalars(select(t.ClaimRow.clm01).order_by(t.ClaimRow.id)).first()
    assert clm01 is not None
    assert alice.get(f"/claims/{clm01}").status_code == 200  # viewing is audited in A
    with ledger.a.read() as session:
        assert clm01 in session.scalars(select(t.AuditRow.entity_key)).all()
    with ledger.b.read() as session:
        assert clm01 not in session.scalars(select(t.AuditRow.entity_key)).all()


# What the forms and bodies of the actions send, well formed, so that only the object is wrong.
FILLED = {"reason": "isolation test", "clm01": "CB000001", "received_on": "2026-11-21"}
FILLED |= {"status": "cancelled", "how": "resubmit", "text": "isolation test note"}


def _every_object_of_b_is_404(
    ledger: Ledger, client: TestClient, routes: list[tuple[str, str]], as_json: bool
) -> None:
    before = _snapshot(ledger.b)
    form = FILLED if as_json else FILLED | {"csrf_token": csrf_of(client, "/")}
    tried = 0
    for method, path in routes:
        if not _params(path) & PER_PRACTICE_PARAMS:
            continue
        url = _fill(path, ledger.b_ids)
        sent = {} if method == "GET" else {"json": form} if as_json else {"data": form}
        answer = client.request(method, url, **sent)
        assert answer.status_code == 404, f"{method} {url}: {answer.status_code} {answer.text}"
        _assert_none_of_b(ledger, f"{method} {url}", answer.text, asked=url)
        tried += 1
    assert tried >= 15
    assert _snapshot(ledger.b) == before


def test_pages_of_practice_a_answer_404_for_each_object_of_practice_b(
    ledger: Ledger, alice: TestClient
) -> None:
    _every_object_of_b_is_404(ledger, alice, _page_routes(), as_json=False)


def test_the_api_of_practice_a_answers_404_for_each_object_of_practice_b(
    ledger: Ledger, alice_api: TestClient
) -> None:
    _every_object_of_b_is_404(ledger, alice_api, _api_routes(), as_json=True)


def test_no_list_count_report_or_csv_of_practice_a_shows_practice_b(
    ledger: Ledger, alice: TestClient, alice_api: TestClient
) -> None:
    pages = [path for method, path in _page_routes() if method == "GET" and "{" not in path]
    pages += [f"/reports/{key}.csv" for key in REPORT_KEYS]
    pages += ["/payers/62308", "/claims?status=submitted", "/claims?q=Oakleaf"]
    for path in pages:
        answer = alice.get(path)
        assert answer.status_code == 200, path
        _assert_none_of_b(ledger, path, answer.text)
    lists = [path for method, path in _api_routes() if method == "GET" and "{" not in path]
    lists += [f"/api/v1/reports/{key}" for key in REPORT_KEYS]
    for path in lists:
        answer = alice_api.get(path)
        assert answer.status_code == 200, path
        _assert_none_of_b(ledger, path, answer.text)
    with ledger.a.read() as session:
        own = len(session.scalars(select(t.ClaimRow.id)).all())
    assert len(alice_api.get("/api/v1/claims").json()) == own


def test_a_user_with_roles_in_both_switches_and_sees_each_in_turn(
    app: FastAPI, ledger: Ledger
) -> None:
    for practice, role in ((ledger.a, Role.BILLER), (ledger.b, Role.VIEWER)):
        with practice.transaction() as session:
            add_user(session, "carol", role, Secret(PASSWORD) if role is Role.BILLER else None)
    carol = sign_in(TestClient(app, follow_redirects=False), "carol")
    first = carol.get("/claims").text
    _assert_none_of_b(ledger, "carol in cedar-valley", first, asked=OAK_NAME)  # in the switch
    assert 'id="practice-switch"' in first and "biller" in first
    switched = carol.post(
        "/practice", data={"practice": "oak-grove", "csrf_token": csrf_of(carol, "/")}
    )
    assert switched.status_code == 303
    claims = carol.get("/claims").text
    assert ledger.b_ids["clm01"] in claims and "viewer" in claims
    refused = carol.post(
        "/practice", data={"practice": "nowhere", "csrf_token": csrf_of(carol, "/")}
    )
    assert refused.status_code == 400
