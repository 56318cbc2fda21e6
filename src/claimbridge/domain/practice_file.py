"""The ``claimbridge-practice/1`` file: JSON in, a checked ``PracticeFile`` out, or every problem.

The format is described in docs/practice-format.md. ``parse_practice`` collects every problem,
each with its JSON path (``patients[2].policies[0].payer_id: unknown payer 'X1'``), and raises
one ``InputError`` carrying them all, so a bad file is refused whole. References may point at
records already in the ledger: pass their keys as ``Known``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from claimbridge.domain import codes
from claimbridge.domain.fields import Node, Problems, join, refusal
from claimbridge.domain.models import (
    Address,
    Appointment,
    ClearinghouseAccount,
    Contact,
    Enrollment,
    EnrollmentStatus,
    EraSplit,
    Patient,
    Payer,
    Person,
    Policy,
    Practice,
    PracticeFile,
    Priority,
    Provider,
    Relationship,
    Secret,
    ServiceLine,
    Transaction,
)
from claimbridge.domain.payers import filing_indicator_problem
from claimbridge.errors import InputError

FORMAT = "claimbridge-practice/1"
SEXES = ("M", "F", "U")
MAX_DIAGNOSES = 12  # one HI segment
MAX_LINES = 50  # service lines per 837P claim
MAX_POINTERS = 4  # SV107
MAX_MODIFIERS = 4  # SV101-3 … SV101-6
_TOP_LEVEL: tuple[str, ...] = (
    "format",
    "practice",
    "clearinghouse",
    "providers",
    "payers",
    "patients",
    "appointments",
)


@dataclass(frozen=True)
class Known:
    """Keys already in the ledger that a file may refer to without repeating them."""

    payer_ids: frozenset[str] = frozenset()
    provider_keys: frozenset[str] = frozenset()
    patient_keys: frozenset[str] = frozenset()


@dataclass
class _Seen:
    """Keys defined so far in the file, with the path where each was defined."""

    where: dict[str, dict[str, str]] = field(default_factory=dict)

    def define(self, kind: str, key: str, path: str, problems: Problems) -> None:
        first = self.where.setdefault(kind, {}).setdefault(key, path)
        if first != path:
            problems.add(path, f"duplicate {kind} {key!r} (first at {first})")

    def keys(self, kind: str) -> frozenset[str]:
        return frozenset(self.where.get(kind, {}))


def parse_practice_text(text: str | bytes, known: Known | None = None) -> PracticeFile:
    """Read a ``claimbridge-practice/1`` document; ``InputError`` lists every problem."""
    return parse_practice(read_json(text), known or Known())


def read_json(text: str | bytes) -> Any:
    """JSON as a practice file (or one of its records) is read: amounts as ``Decimal``, no
    repeated key, no NaN, no number longer than any the file holds; ``InputError`` else."""
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=_whole_number,
            parse_constant=_no_constant,
            object_pairs_hook=_object_without_repeats,
        )
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise InputError(f"not JSON: {error.msg}", path=where) from None
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text") from None
    except RecursionError:
        raise InputError("not a practice file: its objects and lists nest too deeply") from None
    except _Refused as refused:
        raise InputError(str(refused)) from None


class _Refused(ValueError):
    """JSON that parses but that no practice file holds; the message says what."""


_LONGEST_WHOLE_NUMBER = 30  # digits: more than any id, count or amount of a practice file


def _whole_number(text: str) -> int:
    if len(text.lstrip("-")) > _LONGEST_WHOLE_NUMBER:
        raise _Refused(f"a number of {len(text)} digits is longer than any a practice file holds")
    return int(text)


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a value a practice file holds")


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Refused(f"the key {key!r} appears twice in one object: which one is meant?")
        found[key] = value
    return found


def parse_practice(data: Any, known: Known) -> PracticeFile:
    """Check the decoded JSON ``data``; ``InputError`` lists every problem found."""
    problems = Problems()
    if not isinstance(data, dict):
        raise InputError("the file must hold one JSON object", path="$")
    root = Node(data, "", problems)
    root.allow_only(*_TOP_LEVEL)
    result = _read_root(root, known)
    if problems:
        raise refusal(problems.items)
    return result


def parse_patient(data: Any, key: str, known: Known) -> Patient:
    """One patient (with their policies) as an EHR sends it, in the practice file's form; its
    ``id``, when given, must be ``key``. ``InputError`` lists every problem, paths from ``$``."""
    node = _record(data, key)
    patient = _patient(node, _Seen(), known.payer_ids)
    if node.problems:
        raise refusal(node.problems.items)
    return patient


def parse_appointment(data: Any, key: str, known: Known) -> Appointment:
    """One appointment (with its diagnoses and lines) as an EHR sends it; as ``parse_patient``,
    its patient and provider must be in ``known``."""
    node = _record(data, key)
    appointment = _appointment(node, _Seen(), known)
    if node.problems:
        raise refusal(node.problems.items)
    return appointment


def _record(data: Any, key: str) -> Node:
    if not isinstance(data, dict):
        raise InputError("the body must be one JSON object", path="$")
    given = data.get("id")
    if given is not None and given != key:
        raise InputError(f"the body's id {given!r} is not the {key!r} of the address", path="$.id")
    return Node({**data, "id": key}, "$", Problems())


def _read_root(root: Node, known: Known) -> PracticeFile:
    fmt = root.text("format")
    if fmt and fmt != FORMAT:
        root.problems.add("format", f"unsupported format {fmt!r} (expected {FORMAT!r})")
    seen = _Seen()
    practice_node = root.child("practice")
    account_node = root.child("clearinghouse", required=False)
    providers = tuple(_provider(n, seen) for n in root.children("providers", required=False))
    payers = tuple(_payer(n, seen) for n in root.children("payers", required=False))
    payer_ids = seen.keys("payer") | known.payer_ids
    patients = tuple(_patient(n, seen, payer_ids) for n in root.children("patients", False))
    providers_known = seen.keys("provider") | known.provider_keys
    refs = Known(payer_ids, providers_known, seen.keys("patient") | known.patient_keys)
    appointments = tuple(_appointment(n, seen, refs) for n in root.children("appointments", False))
    return PracticeFile(
        practice=_practice(practice_node) if practice_node else _NO_PRACTICE,
        clearinghouse=_clearinghouse(account_node) if account_node else None,
        providers=providers,
        payers=payers,
        patients=patients,
        appointments=appointments,
    )


def _address(node: Node | None) -> Address:
    if node is None:
        return _NO_ADDRESS
    node.allow_only("line1", "line2", "city", "state", "zip")
    return Address(
        line1=node.text("line1"),
        line2=node.optional_text("line2"),
        city=node.text("city"),
        state=node.text("state", codes.state_problem),
        zip=node.text("zip", codes.zip_problem),
    )


def _practice(node: Node) -> Practice:
    """The billing provider, refused here when an 837P could not carry it: the guide wants a
    9-digit ZIP in 2010AA N403 and a phone in the submitter's 1000A PER (an e-mail cannot be
    sent: '@' is not basic X12 text)."""
    node.allow_only(*_PRACTICE_FIELDS)
    pay_to = node.child("pay_to_address", required=False)
    contact = node.child("contact")
    name = node.text("name")
    address = _address(node.child("address"))
    if address.zip and len(address.zip) != ZIP_PLUS_4:
        node.problems.add(
            join(node.at("address"), "zip"),
            "the billing provider's ZIP needs all 9 digits (ZIP+4, 2010AA N403)",
        )
    return Practice(
        name=name,
        tax_id=node.text("tax_id", codes.tax_id_problem),
        npi=node.text("npi", codes.npi_problem),
        taxonomy=node.text("taxonomy", codes.taxonomy_problem),
        address=address,
        pay_to_address=_address(pay_to) if pay_to else None,
        contact=_contact(contact, name) if contact else None,
    )


_PRACTICE_FIELDS = ("name", "tax_id", "npi", "taxonomy", "address", "pay_to_address", "contact")
ZIP_PLUS_4 = 9


def _contact(node: Node, practice_name: str) -> Contact:
    """The billing contact; its name defaults to the practice's, its phone is required."""
    node.allow_only("name", "phone", "email")
    return Contact(
        name=node.optional_text("name") or practice_name,
        phone=node.text("phone", codes.phone_problem),
        email=node.optional_text("email", _email_problem),
    )


def _email_problem(text: str) -> str | None:
    local, _, domain = text.partition("@")
    return None if local and "." in domain else f"{text!r} is not an e-mail address"


def _clearinghouse(node: Node) -> ClearinghouseAccount:
    node.allow_only(*_ACCOUNT_FIELDS)
    node.choice("name", ("office_ally",))
    password = node.optional_text("password")
    return ClearinghouseAccount(
        submitter_id=node.text("submitter_id"),
        username=node.text("username"),
        sftp_host=node.text("sftp_host"),
        sftp_port=node.integer("sftp_port", 1, 65535, default=22),
        era_split=EraSplit(node.choice("era_split", tuple(EraSplit), default="none")),
        go_live=node.optional_date("go_live"),
        test_mode=node.flag("test_mode", default=True),
        password=Secret(password) if password else None,
        service_center_username=node.optional_text("service_center_username"),
    )


_ACCOUNT_FIELDS: tuple[str, ...] = (
    "name",
    "submitter_id",
    "username",
    "service_center_username",
    "sftp_host",
    "sftp_port",
    "era_split",
    "go_live",
    "test_mode",
    "password",
)


def _provider(node: Node, seen: _Seen) -> Provider:
    node.allow_only("id", "first_name", "last_name", "credential", "npi", "taxonomy")
    provider = Provider(
        key=node.text("id"),
        first_name=node.text("first_name"),
        last_name=node.text("last_name"),
        credential=node.optional_text("credential"),
        npi=node.text("npi", codes.npi_problem),
        taxonomy=node.text("taxonomy", codes.taxonomy_problem),
    )
    seen.define("provider", provider.key, node.at("id"), node.problems)
    if provider.npi:
        seen.define("provider NPI", provider.npi, node.at("npi"), node.problems)
    return provider


def _payer(node: Node, seen: _Seen) -> Payer:
    node.allow_only("payer_id", "name", "claim_filing_indicator", "par", "enrollment", "notes")
    payer = Payer(
        payer_id=node.text("payer_id"),
        name=node.text("name"),
        claim_filing_indicator=node.text("claim_filing_indicator", filing_indicator_problem),
        par=node.flag("par", default=True),
        enrollments=_enrollments(node.child("enrollment", required=False)),
        notes=node.optional_text("notes"),
    )
    seen.define("payer", payer.payer_id, node.at("payer_id"), node.problems)
    return payer


def _enrollments(node: Node | None) -> tuple[Enrollment, ...]:
    if node is None:
        return ()
    node.allow_only(*(t.value for t in Transaction))
    found = ((t, node.child(t.value, required=False)) for t in Transaction)
    return tuple(_enrollment(t, child) for t, child in found if child)


def _enrollment(transaction: Transaction, node: Node) -> Enrollment:
    node.allow_only(*_ENROLLMENT_FIELDS)
    status = node.choice("status", tuple(EnrollmentStatus), default="not_started")
    return Enrollment(
        transaction=transaction,
        required=node.flag("required"),
        status=EnrollmentStatus(status),
        submitted_on=node.optional_date("submitted_on"),
        approved_on=node.optional_date("approved_on"),
        rejected_on=node.optional_date("rejected_on"),
        office_ally_notified=node.flag("office_ally_notified", default=False),
        office_ally_notified_on=node.optional_date("office_ally_notified_on"),
    )


_ENROLLMENT_FIELDS: tuple[str, ...] = (
    "required",
    "status",
    "submitted_on",
    "approved_on",
    "rejected_on",
    "office_ally_notified",
    "office_ally_notified_on",
)


def _patient(node: Node, seen: _Seen, payer_ids: frozenset[str]) -> Patient:
    node.allow_only(*_PERSON_FIELDS, "id", "policies")
    patient = Patient(
        key=node.text("id"),
        first_name=node.text("first_name"),
        last_name=node.text("last_name"),
        dob=node.required_date("dob"),
        sex=node.choice("sex", SEXES),
        address=_address(node.child("address")),
        policies=tuple(_policy(n, payer_ids) for n in node.children("policies", required=False)),
    )
    seen.define("patient", patient.key, node.at("id"), node.problems)
    _check_priorities(node, patient.policies)
    return patient


_PERSON_FIELDS = ("first_name", "last_name", "dob", "sex", "address")


def _check_priorities(node: Node, policies: tuple[Policy, ...]) -> None:
    priorities = [policy.priority for policy in policies]
    for index, priority in enumerate(priorities):
        if priority in priorities[:index]:
            node.problems.add(
                f"{node.at('policies')}[{index}].priority", f"a second {priority.value} policy"
            )


def _policy(node: Node, payer_ids: frozenset[str]) -> Policy:
    node.allow_only(*_POLICY_FIELDS)
    payer_id = node.text("payer_id")
    if payer_id and payer_id not in payer_ids:
        node.problems.add(node.at("payer_id"), f"unknown payer {payer_id!r}")
    relationship = Relationship(node.choice("relationship", tuple(Relationship)))
    return Policy(
        priority=Priority(node.choice("priority", tuple(Priority))),
        payer_id=payer_id,
        member_id=node.text("member_id"),
        group_number=node.optional_text("group_number"),
        relationship=relationship,
        subscriber=_subscriber(node, relationship),
    )


_POLICY_FIELDS: tuple[str, ...] = (
    "priority",
    "payer_id",
    "member_id",
    "group_number",
    "relationship",
    "subscriber",
)


def _subscriber(node: Node, relationship: Relationship) -> Person | None:
    child = node.child("subscriber", required=relationship is not Relationship.SELF)
    if child is None:
        return None
    if relationship is Relationship.SELF:
        node.problems.add(node.at("subscriber"), "must be absent when relationship is 'self'")
    child.allow_only(*_PERSON_FIELDS)
    address = child.child("address", required=False)
    return Person(
        first_name=child.text("first_name"),
        last_name=child.text("last_name"),
        dob=child.required_date("dob"),
        sex=child.choice("sex", SEXES),
        address=_address(address) if address else None,
    )


def _appointment(node: Node, seen: _Seen, refs: Known) -> Appointment:
    node.allow_only(*_APPOINTMENT_FIELDS)
    key = node.text("id")
    patient_key = _reference(node, "patient", refs.patient_keys)
    provider_key = _reference(node, "provider", refs.provider_keys)
    service_date = node.required_date("date")
    place_of_service = node.text("place_of_service", codes.place_of_service_problem)
    diagnoses = _diagnoses(node)
    appointment = Appointment(
        key,
        patient_key,
        provider_key,
        service_date,
        place_of_service,
        diagnoses,
        lines=_lines(node, len(diagnoses)),
    )
    seen.define("appointment", appointment.key, node.at("id"), node.problems)
    return appointment


_APPOINTMENT_FIELDS: tuple[str, ...] = (
    "id",
    "patient",
    "provider",
    "date",
    "place_of_service",
    "diagnoses",
    "lines",
)


def _reference(node: Node, key: str, known: frozenset[str]) -> str:
    value = node.text(key)
    if value and value not in known:
        node.problems.add(node.at(key), f"unknown {key} {value!r}")
    return value


def _diagnoses(node: Node) -> tuple[str, ...]:
    found: list[str] = []
    for path, value in node.elements("diagnoses"):
        problem = codes.icd10cm_problem(value) if isinstance(value, str) else "must be text"
        code = codes.normalize_icd10cm(value) if problem is None else ""
        if code and code in found:
            problem = f"{code!r} is listed twice"
        if problem:
            node.problems.add(path, problem)
        found.append(code)
    _check_count(node, "diagnoses", len(found), MAX_DIAGNOSES)
    return tuple(found)


def _check_count(node: Node, key: str, count: int, most: int) -> None:
    if node.data.get(key) is not None and not 1 <= count <= most:
        node.problems.add(node.at(key), f"must hold from 1 to {most} entries, not {count}")


def _lines(node: Node, diagnosis_count: int) -> tuple[ServiceLine, ...]:
    lines = tuple(_line(child, diagnosis_count) for child in node.children("lines"))
    _check_count(node, "lines", len(lines), MAX_LINES)
    return lines


def _line(node: Node, diagnosis_count: int) -> ServiceLine:
    node.allow_only("code", "modifiers", "units", "charge", "diagnosis_pointers")
    return ServiceLine(
        code=node.text("code", codes.procedure_problem),
        modifiers=_modifiers(node),
        units=node.units("units"),
        charge=node.money("charge"),
        diagnosis_pointers=_pointers(node, diagnosis_count),
    )


def _modifiers(node: Node) -> tuple[str, ...]:
    found: list[str] = []
    for path, value in node.elements("modifiers", required=False):
        problem = codes.modifier_problem(value) if isinstance(value, str) else "must be text"
        if problem:
            node.problems.add(path, problem)
        found.append(value if problem is None else "")
    if len(found) > MAX_MODIFIERS:
        node.problems.add(node.at("modifiers"), f"at most {MAX_MODIFIERS} modifiers")
    return tuple(found)


def _pointers(node: Node, diagnosis_count: int) -> tuple[int, ...]:
    found: list[int] = []
    for path, value in node.elements("diagnosis_pointers"):
        if isinstance(value, bool) or not isinstance(value, int):
            node.problems.add(path, "must be a whole number")
        elif not 1 <= value <= diagnosis_count:
            node.problems.add(path, f"{value} points past the {diagnosis_count} diagnoses")
        elif value in found:
            node.problems.add(path, f"{value} is listed twice")
        found.append(value if isinstance(value, int) else 0)
    _check_count(node, "diagnosis_pointers", len(found), MAX_POINTERS)
    return tuple(found)


_NO_ADDRESS = Address(line1="", city="", state="", zip="")
_NO_PRACTICE = Practice(name="", tax_id="", npi="", taxonomy="", address=_NO_ADDRESS)
