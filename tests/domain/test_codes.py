"""NPI check digits and the formats of ICD-10-CM, CPT/HCPCS and the smaller codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimbridge.domain import codes


@pytest.mark.parametrize("npi", ["1300000019", "1234567893", "1987654328"])
def test_known_good_npis_pass(npi: str) -> None:
    assert codes.npi_problem(npi) is None


@pytest.mark.parametrize(
    ("npi", "reason"),
    [
        ("1234567890", "wrong check digit"),
        ("1300000018", "wrong check digit"),
        ("123456789", "10 digits"),
        ("12345678931", "10 digits"),
        ("12345678a3", "10 digits"),
        ("3234567893", "starts with 1 or 2"),
    ],
)
def test_bad_npis_name_the_reason(npi: str, reason: str) -> None:
    problem = codes.npi_problem(npi)
    assert problem is not None and reason in problem


@given(st.from_regex(r"[12][0-9]{8}", fullmatch=True))
def test_the_computed_check_digit_is_the_only_one_that_passes(first_nine: str) -> None:
    good = codes.npi_check_digit(first_nine)
    for digit in range(10):
        verdict = codes.npi_problem(f"{first_nine}{digit}")
        assert (verdict is None) == (digit == good)


@pytest.mark.parametrize(
    "code", ["J20.9", "Z00.129", "M54.50", "R05.9", "M1A.0110", "S52.521A", "J209"]
)
def test_icd10cm_codes_pass(code: str) -> None:
    assert codes.icd10cm_problem(code) is None


@pytest.mark.parametrize("code", ["123", "J2", "J20.12345", "99213", "J20-9", ""])
def test_non_icd10cm_codes_fail(code: str) -> None:
    assert codes.icd10cm_problem(code) is not None


@pytest.mark.parametrize(
    ("raw", "normal"), [("j209", "J20.9"), ("Z00129", "Z00.129"), ("R05", "R05")]
)
def test_icd10cm_codes_are_normalized_with_the_dot(raw: str, normal: str) -> None:
    assert codes.normalize_icd10cm(raw) == normal


@pytest.mark.parametrize("code", ["99214", "94640", "0001U", "0042T", "3078F", "G0439", "J3490"])
def test_cpt_and_hcpcs_codes_pass(code: str) -> None:
    assert codes.procedure_problem(code) is None


@pytest.mark.parametrize("code", ["9921", "992145", "W1234", "G043", "99214-25", "j3490"])
def test_other_procedure_codes_fail(code: str) -> None:
    assert codes.procedure_problem(code) is not None


def test_small_code_checks() -> None:
    assert codes.modifier_problem("GP") is None and codes.modifier_problem("G") is not None
    assert codes.taxonomy_problem("207Q00000X") is None
    assert codes.taxonomy_problem("207Q00000") is not None
    assert codes.place_of_service_problem("02") is None
    assert codes.place_of_service_problem("2") is not None
    assert codes.zip_problem("93710") is None and codes.zip_problem("937101234") is None
    assert codes.zip_problem("93710-1234") is not None
    assert codes.state_problem("CA") is None and codes.state_problem("ca") is not None
    assert codes.tax_id_problem("847291635") is None
    assert codes.tax_id_problem("84-7291635") is not None
    assert codes.phone_problem("5594201188") is None
    assert codes.phone_problem("559-420-1188") is not None
