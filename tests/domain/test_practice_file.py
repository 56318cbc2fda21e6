"""The claimbridge-practice/1 reader: the example reads as is; bad files list every problem."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from claimbridge.domain.models import EnrollmentStatus, EraSplit, Relationship, Transaction
from claimbridge.domain.practice_file import Known, parse_practice, parse_practice_text
from claimbridge.errors import InputError
from support import SHARED, need

EXAMPLE = SHARED / "examples" / "practice.json"


@pytest.fixture
def example() -> dict[str, Any]:
    need(EXAMPLE.is_file(), f"the example practice file is not at {EXAMPLE}")
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


def problems_of(data: Any, known: Known | None = None) -> tuple[str, ...]:
    with pytest.raises(InputError) as caught:
        parse_practice(data, known or Known())
    assert caught.value.problems, "an InputError from the reader lists its problems"
    return caught.value.problems


def test_the_shared_example_reads_as_it_is() -> None:
    need(EXAMPLE.is_file(), f"the example practice file is not at {EXAMPLE}")
    practice_file = parse_practice_text(EXAMPLE.read_bytes())
    assert practice_file.practice.npi == "1300000019"
    assert practice_file.practice.address.line2 == "Suite 2"
    assert practice_file.practice.pay_to_address is not None
    account = practice_file.clearinghouse
    assert account is not None and account.era_split is EraSplit.BY_CHECK
    assert account.go_live == date(2026, 11, 1) and account.test_mode
    assert [p.key for p in practice_file.providers] == ["prov-chen", "prov-ortega"]
    assert len(practice_file.payers) == 5
    assert len(practice_file.patients) == 4
    assert sum(len(a.lines) for a in practice_file.appointments) == 9


def test_payer_enrollments_are_read(example: dict[str, Any]) -> None:
    medicare = parse_practice(example, Known()).payers[2]
    claims = medicare.enrollment(Transaction.CLAIMS)
    assert claims.required and claims.status is EnrollmentStatus.APPROVED
    assert claims.approved_on == date(2026, 10, 15) and claims.office_ally_notified
    unknown = parse_practice(example, Known()).payers[0].enrollment(Transaction.CLAIMS)
    assert not unknown.required and unknown.status is EnrollmentStatus.NOT_STARTED


def test_subscribers_policies_and_lines_are_read(example: dict[str, Any]) -> None:
    practice_file = parse_practice(example, Known())
    child_policy = practice_file.patients[1].policies[0]
    assert child_policy.relationship is Relationship.CHILD
    assert child_policy.subscriber is not None and child_policy.subscriber.dob == date(1988, 1, 5)
    line = practice_file.appointments[2].lines[1]
    assert line.modifiers == ("GP", "59") and line.units == 2
    assert line.charge == Decimal("90.00") and isinstance(line.charge, Decimal)
    assert practice_file.appointments[2].lines[0].diagnosis_pointers == (2, 1)


def test_the_issue_example_message(example: dict[str, Any]) -> None:
    example["patients"][2]["policies"][0]["payer_id"] = "X1"
    assert problems_of(example) == ("patients[2].policies[0].payer_id: unknown payer 'X1'",)


def test_every_problem_is_listed_with_its_path(example: dict[str, Any]) -> None:
    example["providers"][0]["npi"] = "1234567890"
    example["patients"][0]["dobb"] = "1984-03-12"
    del example["patients"][1]["policies"][0]["subscriber"]
    example["appointments"][0]["date"] = "2026-02-30"
    example["appointments"][0]["diagnoses"][1] = "R05-9"
    example["appointments"][0]["lines"][0]["charge"] = "1.005"
    example["appointments"][0]["lines"][1]["code"] = "9464"
    example["appointments"][1]["patient"] = "pt-9999"
    assert problems_of(example) == (
        "providers[0].npi: '1234567890' is not an NPI (wrong check digit)",
        "patients[0].dobb: unknown field",
        "patients[1].policies[0].subscriber: is required",
        "appointments[0].date: '2026-02-30' is not a real date",
        "appointments[0].diagnoses[1]: 'R05-9' is not an ICD-10-CM code",
        "appointments[0].lines[0].charge: '1.005' has more than two decimals",
        "appointments[0].lines[1].code: '9464' is not a CPT or HCPCS code",
        "appointments[1].patient: unknown patient 'pt-9999'",
    )


def test_the_message_lists_every_problem_and_says_nothing_was_written(
    example: dict[str, Any],
) -> None:
    example["practice"]["tax_id"] = "84-7291635"
    example["payers"][0]["claim_filing_indicator"] = "09"
    with pytest.raises(InputError) as caught:
        parse_practice(example, Known())
    message = str(caught.value)
    assert message.startswith("refused, nothing written; 2 problems:")
    assert "practice.tax_id: '84-7291635' is not a tax ID (9 digits)" in message
    assert "payers[0].claim_filing_indicator: '09' was a 4010 claim filing indicator" in message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.update(format="claimbridge-practice/2"), "format: unsupported format"),
        (lambda d: d["practice"].pop("npi"), "practice.npi: is required"),
        (lambda d: d["practice"].update(npi="  "), "practice.npi: is required"),
        (lambda d: d["practice"]["address"].update(zip="9371"), "practice.address.zip:"),
        (lambda d: d["clearinghouse"].update(sftp_port=70000), "clearinghouse.sftp_port:"),
        (lambda d: d["clearinghouse"].update(era_split="weekly"), "clearinghouse.era_split:"),
        (lambda d: d["clearinghouse"].update(test_mode="yes"), "must be true or false"),
        (lambda d: d["payers"][1].update(payer_id="62308"), "duplicate payer '62308'"),
        (lambda d: d["providers"][1].update(npi="1234567893"), "duplicate provider NPI"),
        (lambda d: d["payers"][0]["enrollment"]["837P"].update(status="done"), "status:"),
        (lambda d: d["payers"][0]["enrollment"].update(ERA={}), "enrollment.ERA: unknown"),
        (lambda d: d["patients"][0].update(sex="X"), "patients[0].sex:"),
        (lambda d: d["patients"][0].update(dob="03/12/1984"), "is not a date (YYYY-MM-DD)"),
        (lambda d: d["patients"][2]["policies"][1].update(priority="primary"), "a second primary"),
        (
            lambda d: d["patients"][0]["policies"][0].update(subscriber={}),
            "patients[0].policies[0].subscriber: must be absent when relationship is 'self'",
        ),
        (lambda d: d["appointments"][0].update(diagnoses=[]), "must hold from 1 to 12"),
        (lambda d: d["appointments"][0].update(diagnoses=["J20.9", "J209"]), "listed twice"),
        (
            lambda d: d["appointments"][0]["lines"][0].update(diagnosis_pointers=[3]),
            "lines[0].diagnosis_pointers[0]: 3 points past the 2 diagnoses",
        ),
        (lambda d: d["appointments"][0]["lines"][0].update(modifiers=["25", "2"]), "modifiers[1]"),
        (lambda d: d["appointments"][0]["lines"][0].update(units=0), "units: 0 units"),
        (lambda d: d["appointments"][0]["lines"][0].update(charge=185.5), "lines[0].charge"),
        (lambda d: d["appointments"][0].update(provider="prov-x"), "unknown provider 'prov-x'"),
        (lambda d: d.update(patients={}), "patients: must be a list"),
        (lambda d: d.update(extra=1), "extra: unknown field"),
    ],
)
def test_each_kind_of_problem(example: dict[str, Any], change: Any, problem: str) -> None:
    change(example)
    found = problems_of(example)
    assert any(problem in line for line in found), found


def test_amounts_may_be_json_numbers_read_exactly(example: dict[str, Any]) -> None:
    text = json.dumps(example).replace('"charge": "185.00"', '"charge": 185.10')
    line = parse_practice_text(text).appointments[0].lines[0]
    assert line.charge == Decimal("185.10")


def test_references_may_point_into_the_ledger(example: dict[str, Any]) -> None:
    example["patients"][2]["policies"][0]["payer_id"] = "LEDGER1"
    example["appointments"][0]["patient"] = "pt-old"
    problems_of(copy.deepcopy(example))
    known = Known(payer_ids=frozenset({"LEDGER1"}), patient_keys=frozenset({"pt-old"}))
    assert parse_practice(example, known).appointments[0].patient_key == "pt-old"


def test_a_minimal_file_needs_only_the_practice(example: dict[str, Any]) -> None:
    practice_file = parse_practice(
        {"format": example["format"], "practice": example["practice"]}, Known()
    )
    assert practice_file.providers == () and practice_file.clearinghouse is None


@pytest.mark.parametrize(
    ("text", "where"),
    [(b"{", "line 1 column 2"), (b"[1]", "$"), (b"\xff\xfe", "")],
)
def test_text_that_is_not_a_practice_object(text: bytes, where: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_practice_text(text)
    assert str(caught.value).startswith(where)


def test_a_password_in_the_file_stays_secret(example: dict[str, Any]) -> None:
    example["clearinghouse"]["password"] = "hunter2-synthetic"
    account = parse_practice(example, Known()).clearinghouse
    assert account is not None and account.password is not None
    assert account.password.reveal() == "hunter2-synthetic"
    assert "hunter2" not in repr(account)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"format": "claimbridge-practice/1", "format": "x"}', "'format' appears twice"),
        ("[" * 100_000 + "]" * 100_000, "nest too deeply"),
        ('{"format": ' + "9" * 5000 + "}", "5000 digits"),
        ('{"format": NaN}', "NaN is not a value"),
        ('{"format": -Infinity}', "-Infinity is not a value"),
    ],
)
def test_json_no_practice_file_holds_is_refused_in_words(text: str, said: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_practice_text(text)
    assert said in str(caught.value)


def test_what_a_claim_needs_of_the_practice_is_refused_at_load_with_its_path(
    example: dict[str, Any],
) -> None:
    # written from the format page alone: a 5-digit ZIP, a contact without a phone
    data = copy.deepcopy(example)
    data["practice"]["address"]["zip"] = "93710"
    data["practice"]["contact"] = {"name": "Dana Whitfield", "email": "billing@example.org"}
    assert problems_of(data) == (
        "practice.address.zip: the billing provider's ZIP needs all 9 digits (ZIP+4, 2010AA N403)",
        "practice.contact.phone: is required",
    )
    del data["practice"]["contact"]
    assert "practice.contact: is required" in problems_of(data)


def test_the_contact_name_defaults_to_the_practice(example: dict[str, Any]) -> None:
    data = copy.deepcopy(example)
    data["practice"]["contact"] = {"phone": "5594201188"}
    practice = parse_practice(data, Known()).practice
    assert practice.contact is not None
    assert (practice.contact.name, practice.contact.phone) == (practice.name, "5594201188")
