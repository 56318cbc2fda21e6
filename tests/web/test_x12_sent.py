"""The claim page and the API show the X12 segments each submission of a claim went as."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from web_support import TestClient, empty_ledger

from claimbridge.services.claim_x12 import NOT_KEPT
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import NOW, submitted


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The example practice submitted into a local folder, and one user per role."""
    ledger = empty_ledger(tmp_path / "ledger.db")
    submitted(ledger, tmp_path / "oa")
    yield ledger
    ledger.dispose()


def _batch(store: Store) -> tuple[str, str]:
    with store.read() as session:
        name, content = session.execute(select(t.BatchRow.file_name, t.BatchRow.content)).one()
    return name, content.decode()


def test_the_claim_page_shows_the_segments_one_per_line(viewer: TestClient, store: Store) -> None:
    name, text = _batch(store)
    page = viewer.get("/claims/CB000002").text
    section = page[page.index('id="x12-sent"') :]
    assert '<details class="x12">' in section and " open" not in section.split("</details>")[0]
    assert name in section and "ST02 0001" in section and "11/20/2026 14:30 UTC" in section
    shown = html.unescape(section.split("<pre", 1)[1].split(">", 1)[1].split("</pre>")[0])
    lines = shown.splitlines()
    assert lines[0].startswith("ISA*") and lines[-1].startswith("REF*6R*CB000002-")
    assert all(line in text for line in lines)
    assert [line for line in lines if line.startswith("CLM*")] == [
        next(s + "~" for s in text.split("~") if s.startswith("CLM*CB000002*"))
    ]


def test_a_claim_never_sent_and_a_batch_without_bytes_say_so(
    biller: TestClient, store: Store
) -> None:
    assert "Not sent yet." in biller.get("/claims/CB000004").text  # held, never sent
    with store.transaction() as session:
        session.execute(update(t.BatchRow).values(content=None))
    page = biller.get("/claims/CB000001").text
    assert NOT_KEPT in page and "<pre" not in page


def test_the_api_returns_each_submission_and_audits_the_view(api: TestClient, store: Store) -> None:
    name, text = _batch(store)
    [sent] = api.get("/api/v1/claims/CB000005/x12").json()
    assert (sent["file_name"], sent["st02"], sent["missing"]) == (name, "0001", None)
    assert sent["sent_at"] == NOW.isoformat()
    assert sent["segments"][0].startswith("ISA*")
    assert "CLM*CB000005*90***11:B:1*Y*A*Y*Y~" in sent["segments"]
    assert not [s for s in sent["segments"] if s.startswith("CLM*CB000001")]
    assert all(segment in text for segment in sent["segments"])
    with store.read() as session:
        audited = session.scalars(
            select(t.AuditRow.entity).where(t.AuditRow.entity_key == "CB000005")
        ).all()
    assert audited == ["x12"]


def test_the_api_answers_an_unknown_claim_with_the_one_error_shape(api: TestClient) -> None:
    response = api.get("/api/v1/claims/NOPE/x12")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "details"}
