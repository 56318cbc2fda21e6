"""The EHR's records, one at a time: ``PUT /api/v1/patients/{id}`` (with policies) and
``PUT /api/v1/appointments/{id}`` (with diagnoses and lines), in the practice file's form
(docs/practice-format.md), checked the same way, idempotent. An appointment that already has
a claim and would change answers 409 with the claim's number and how to correct it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from claimbridge.domain.practice_file import read_json
from claimbridge.services.records import RecordKind, outcome, put_record
from claimbridge.services.users import Role
from claimbridge.web.audit import audit
from claimbridge.web.auth import require
from claimbridge.web.views.common import store_of

router = APIRouter(prefix="/api/v1", tags=["api"])

PATIENT_EXAMPLE = {
    "first_name": "Aaron", "last_name": "Blake", "dob": "1984-03-12", "sex": "M",
    "address": {"line1": "77 Elm St", "city": "Fresno", "state": "CA", "zip": "93711"},
    "policies": [{"priority": "primary", "payer_id": "62308", "member_id": "U8823410201",
                  "group_number": "GRP44120", "relationship": "self"}],
}  # fmt: skip
APPOINTMENT_EXAMPLE = {
    "patient": "pt-1001", "provider": "prov-chen", "date": "2026-11-03",
    "place_of_service": "11", "diagnoses": ["J20.9", "R05.9"],
    "lines": [{"code": "99214", "modifiers": ["25"], "units": 1, "charge": "185.00",
               "diagnosis_pointers": [1, 2]}],
}  # fmt: skip


def _body(example: dict[str, Any], what: str) -> dict[str, Any]:
    """The OpenAPI description of a record's body (read as the practice file is, so amounts
    keep their cents: they are not taken through floats)."""
    schema = {"type": "object", "description": f"{what}, as in docs/practice-format.md"}
    content = {"application/json": {"schema": schema, "example": example}}
    return {"requestBody": {"required": True, "content": content}}


@router.put("/patients/{patient_id}", openapi_extra=_body(PATIENT_EXAMPLE, "A patient"))
async def put_patient(request: Request, patient_id: str) -> Any:
    """Add or update one patient and their policies, as a patient of the practice file
    (``id`` may be left out; when given it must be the address's). Every problem answers 400
    with its JSON path; a name, birth date or insured's ID corrected in claimbridge is kept
    and listed under ``kept``."""
    return await _put(request, RecordKind.PATIENT, patient_id)


@router.put(
    "/appointments/{appointment_id}", openapi_extra=_body(APPOINTMENT_EXAMPLE, "An appointment")
)
async def put_appointment(request: Request, appointment_id: str) -> Any:
    """Add or update one appointment with its diagnoses and lines, as an appointment of the
    practice file; its patient and provider must be in the ledger. 409 when it already has a
    claim and would change: the answer names the claim and how to correct it."""
    return await _put(request, RecordKind.APPOINTMENT, appointment_id)


async def _put(request: Request, kind: RecordKind, key: str) -> dict[str, Any]:
    require(request, Role.BILLER)
    data = read_json(await request.body())
    return await run_in_threadpool(_write, request, kind, key, data)


def _write(request: Request, kind: RecordKind, key: str, data: Any) -> dict[str, Any]:
    with store_of(request).transaction() as session:
        tally = put_record(session, kind, key, data)
    patient_key = key if kind is RecordKind.PATIENT else data.get("patient")
    audit(request, "change", kind.noun, key, patient_key, "api")
    return {
        "id": key,
        "outcome": outcome(tally, kind),
        "written": tally.writes,
        "kept": [str(correction) for correction in tally.kept],
    }
