"""The API tried from its own OpenAPI document (schemathesis): no answer is a 500, and every
error is ``{"error": {"code", "message", "details"}}``.

Each operation of ``/api/v1/openapi.json`` gets generated requests, valid and invalid, with a
biller's token, against the app in process over the web tests' ledger. The number of examples
per operation is bounded so the module runs in about a minute; ``API_SCHEMA_EXAMPLES`` raises it
for a longer run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from web_support import TestClient, token_for

from claimbridge.store.db import Store

EXAMPLES = int(os.environ.get("API_SCHEMA_EXAMPLES", "4"))
ERROR_KEYS = {"code", "message", "details"}


def errors_in_the_documented_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """An answer of 400 or more is JSON ``{"error": {"code", "message", "details"}}``."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict) and set(error) == ERROR_KEYS, body
    assert isinstance(error["code"], str) and error["code"], body
    assert isinstance(error["message"], str) and error["message"], body
    return True


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_answers_500_and_every_error_has_the_documented_shape(
    app: FastAPI, store: Store, mode: GenerationMode
) -> None:
    headers = {"Authorization": f"Bearer {token_for(store, 'biller')}"}
    # the document is behind the same sign-in as the API
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10  # the document lists the API, not nothing
    assert all(operation.path.startswith("/api/v1/") for operation in operations)  # no page
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def answer_well(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(
                response,
                checks=[not_a_server_error, errors_in_the_documented_shape],
                headers=headers,
            )

        try:
            answer_well()
        except Unsatisfiable:  # nothing to get wrong: no parameter, or none a type can break
            continue
        except Exception as failure:  # every operation is tried, then every failure told
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/held-payments/{id}/post",
        "/api/v1/unmatched/{id}/match",
        "/api/v1/held-files/{id}/post",
        "/api/v1/eras/{id}/undo",
    ],
)
def test_an_id_beyond_the_ledger_is_a_400_not_a_500(api: TestClient, path: str) -> None:
    # found by the test above: SQLite cannot take an integer over 64 bits (OverflowError)
    answer = api.post(path.format(id=2**64), json={"reason": "x", "clm01": "CB-1001"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"]


def test_a_page_with_an_id_beyond_the_ledger_is_a_400(biller: TestClient) -> None:
    assert biller.get(f"/jobs/{2**64}").status_code == 400


def test_the_api_document_lists_no_page(api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/claims" in paths and "/login" not in paths and "/claims" not in paths
