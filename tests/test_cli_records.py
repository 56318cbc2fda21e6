"""One patient or appointment at a time, as an EHR sends them: through the API
(``PUT /api/v1/patients/{id}``, ``PUT /api/v1/appointments/{id}``) and ``claimbridge put``."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from claimbridge.cli import app as cli
from claimbridge.services.claims import create_claims
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from ledger_fixtures import load_example

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from web_support import TestClient, example_ledger, token_for

from claimbridge.settings import Settings
from claimbridge.web.app import WebConfig, create_app

NEW_PATIENT = {
    "first_name": "Mina", "last_name": "Okafor", "dob": "1990-02-14", "sex": "F",
    "address": {"line1": "9 Oak Ct", "city": "Fresno", "state": "CA", "zip": "93720"},
    "policies": [{"priority": "primary", "payer_id": "62308", "member_id": "U7700001",
                  "relationship": "self"}],
}  # fmt: skip
VISIT = {
    "patient": "pt-2001", "provider": "prov-chen", "date": "2026-11-20",
    "place_of_service": "11", "diagnoses": ["J20.9"],
    "lines": [{"code": "99213", "units": 1, "charge": "95.00", "diagnosis_pointers": [1]}],
}  # fmt: skip


@pytest.fixture
def ehr(tmp_path: Path) -> tuple[TestClient, Store]:
    """An EHR's client: a biller's API token on the example practice."""
    store = example_ledger(tmp_path / "ledger.db")
    settings = Settings(db_url=store.url, home=tmp_path / "home")
    config = WebConfig(session_secret="s", secure_cookies=False, known_hosts=tmp_path / "kh")
    client = TestClient(create_app(settings, store, None, config), follow_redirects=False)
    client.headers["Authorization"] = f"Bearer {token_for(store, 'biller')}"
    return client, store


def test_an_ehr_puts_a_patient_and_a_visit_then_the_visit_is_billed(
    ehr: tuple[TestClient, Store],
) -> None:
    client, store = ehr
    put = client.put("/api/v1/patients/pt-2001", content=json.dumps(NEW_PATIENT))
    assert put.status_code == 200 and put.json()["outcome"] == "added", put.text
    again = client.put("/api/v1/patients/pt-2001", content=json.dumps(NEW_PATIENT))
    assert again.json() == {"id": "pt-2001", "outcome": "unchanged", "written": 0, "kept": []}
    visit = client.put("/api/v1/appointments/appt-9001", content=json.dumps(VISIT))
    assert visit.status_code == 200 and visit.json()["outcome"] == "added", visit.text
    with store.transaction() as session:
        create_claims(session, "test", date(2026, 11, 21))
        clm01 = session.scalars(
            select(t.ClaimRow.clm01)
            .join(t.AppointmentRow, t.AppointmentRow.id == t.ClaimRow.appointment_id)
            .where(t.AppointmentRow.key == "appt-9001")
        ).one()

    changed = dict(VISIT, lines=[dict(VISIT["lines"][0], charge="105.00")])  # type: ignore[call-overload]
    refused = client.put("/api/v1/appointments/appt-9001", content=json.dumps(changed))
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    assert f"already has claim {clm01}" in message and f"PATCH /api/v1/claims/{clm01}" in message
    same = client.put("/api/v1/appointments/appt-9001", content=json.dumps(VISIT))
    assert same.status_code == 200 and same.json()["outcome"] == "unchanged"


def test_a_bad_record_answers_every_problem_with_its_path(ehr: tuple[TestClient, Store]) -> None:
    client, _ = ehr
    bad = dict(NEW_PATIENT, dob="1990-02-30", policies=[dict(NEW_PATIENT["policies"][0],  # type: ignore[call-overload]
                                                              payer_id="NOPE")])  # fmt: skip
    answer = client.put("/api/v1/patients/pt-2002", content=json.dumps(bad))
    assert answer.status_code == 400
    text = json.dumps(answer.json())
    assert "$.dob" in text and "$.policies[0].payer_id" in text
    other = client.put("/api/v1/patients/pt-2002", content=json.dumps(dict(NEW_PATIENT, id="x")))
    assert other.status_code == 400 and "$.id" in other.text
    orphan = client.put("/api/v1/appointments/appt-9002",
                        content=json.dumps(dict(VISIT, patient="pt-nobody")))  # fmt: skip
    assert orphan.status_code == 400 and "$.patient" in orphan.text
    assert client.put("/api/v1/patients/pt-2003", content=b"{").status_code == 400
    spec = client.get("/api/v1/openapi.json").json()["paths"]
    assert "requestBody" in spec["/api/v1/patients/{patient_id}"]["put"]


def test_the_cli_puts_one_record(tmp_path: Path, claimbridge_home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    store = Store(f"sqlite:///{claimbridge_home / 'claimbridge.db'}")
    load_example(store)
    store.dispose()
    record = tmp_path / "patient.json"
    record.write_text(json.dumps(NEW_PATIENT))
    first = runner.invoke(cli, ["put", "patient", "pt-2001", str(record)])
    assert first.exit_code == 0, first.output
    assert "patient pt-2001: added" in first.stdout
    assert (
        "patient pt-2001: unchanged"
        in runner.invoke(cli, ["put", "patient", "pt-2001", str(record)]).stdout
    )
    record.write_text(json.dumps(dict(NEW_PATIENT, sex="Q")))
    refused = runner.invoke(cli, ["put", "patient", "pt-2001", str(record)])
    assert refused.exit_code != 0 and "$.sex" in refused.output
