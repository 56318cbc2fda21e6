"""'Poll Office Ally now' on the dashboard runs the one ingest path and says what came back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from web_support import JOB_PANEL, TestClient, csrf_of, empty_ledger, job_result

from claimbridge.domain.models import ClearinghouseAccount
from claimbridge.store.db import Store
from claimbridge.transport.local import LocalDirTransport
from cycle_support import answered, statuses


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty ledger with one user per role; ``answered`` loads the practice and submits."""
    ledger = empty_ledger(tmp_path / "ledger.db")
    yield ledger
    ledger.dispose()


@pytest.fixture
def transport(tmp_path: Path) -> Callable[[ClearinghouseAccount], LocalDirTransport]:
    """Office Ally as a local folder the simulator answers into."""
    return lambda account, store: LocalDirTransport(tmp_path / "oa")


def test_a_biller_polls_and_the_answers_are_applied(
    biller: TestClient, store: Store, tmp_path: Path
) -> None:
    answered(store, tmp_path / "oa")
    assert set(statuses(store).values()) <= {"submitted", "held"}
    assert "Poll Office Ally now" in biller.get("/").text
    response = job_result(biller, biller.post("/poll", data={"csrf_token": csrf_of(biller, "/")}))
    assert "new files from Office Ally" in response and "applied" in response
    assert statuses(store)["CB000002"] == "denied"
    assert any((tmp_path / "archive").rglob("*.835"))
    again = job_result(biller, biller.post("/poll", data={"csrf_token": csrf_of(biller, "/")}))
    assert "Nothing new" in again


def test_a_poll_that_applied_files_loads_the_dashboards_board_again_in_place(
    biller: TestClient, store: Store, tmp_path: Path
) -> None:
    """The job's result tells the page (``HX-Trigger``) to load the counts and alerts again:
    the rejections it brought show without reloading the dashboard."""
    answered(store, tmp_path / "oa")
    board = biller.get("/").text
    assert 'id="board" hx-get="/" hx-trigger="board-changed from:body"' in board
    for files in (True, False):
        started = biller.post("/poll", data={"csrf_token": csrf_of(biller, "/")})
        [url] = JOB_PANEL.findall(started.text)
        result = job_result(biller, started)
        ended = biller.get(url, headers={"HX-Request": "true"})
        assert ended.text == result
        assert ("new files" in result) is files and ("Nothing new" in result) is not files
        assert ended.headers.get("HX-Trigger") == ("board-changed" if files else None)
    assert "Reload" not in result


def test_viewers_cannot_poll(viewer: TestClient, store: Store, tmp_path: Path) -> None:
    answered(store, tmp_path / "oa")
    assert "Poll Office Ally now" not in viewer.get("/").text
    refused = viewer.post("/poll", data={"csrf_token": csrf_of(viewer, "/")})
    assert refused.status_code == 403
    assert not (tmp_path / "archive").exists()
