"""Format checks for the identifiers and codes a claim carries.

Each ``*_problem`` function returns ``None`` when the value is acceptable, else a short reason in
words, so a caller can collect every problem of a file before refusing it. The checks are by
format only: a well-formed ICD-10-CM or CPT code may still not exist in this year's code set.
"""

from __future__ import annotations

import re

# ICD-10-CM: a letter, a digit, a digit or letter (C4A, M1A, Z3A), then up to four characters
# after the dot (the 7th character extensions and the X placeholder).
_ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?")
# CPT: five digits, or four digits and F (Category II), T (Category III) or U (PLA codes).
# HCPCS Level II: a letter A–V and four digits.
_PROCEDURE = re.compile(r"[0-9]{4}[0-9FTU]|[A-V][0-9]{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
_TAXONOMY = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")
_PLACE_OF_SERVICE = re.compile(r"[0-9]{2}")
_STATE = re.compile(r"[A-Z]{2}")
_ZIP = re.compile(r"[0-9]{5}(?:[0-9]{4})?")
_PHONE = re.compile(r"[0-9]{10}")
_TAX_ID = re.compile(r"[0-9]{9}")

NPI_PREFIX = "80840"  # the card issuer prefix the NPI check digit is computed with


def npi_check_digit(first_nine: str) -> int:
    """The Luhn check digit of an NPI whose first nine digits are ``first_nine``."""
    total = 0
    for index, char in enumerate(reversed(NPI_PREFIX + first_nine)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10


def npi_problem(npi: str) -> str | None:
    """Why ``npi`` is not a valid NPI (10 digits, Luhn check digit over "80840" + 9 digits)."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return f"{npi!r} is not an NPI (10 digits)"
    if npi[0] not in "12":
        return f"{npi!r} is not an NPI (it starts with 1 or 2)"
    if npi_check_digit(npi[:9]) != int(npi[9]):
        return f"{npi!r} is not an NPI (wrong check digit)"
    return None


def normalize_icd10cm(code: str) -> str:
    """``code`` upper case, with the dot after the third character (J209 → J20.9)."""
    bare = code.strip().upper().replace(".", "")
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def icd10cm_problem(code: str) -> str | None:
    """Why ``code`` is not an ICD-10-CM code by format (J20.9, Z00.129, M1A.0110)."""
    if _ICD10CM.fullmatch(code.strip().upper()):
        return None
    return f"{code!r} is not an ICD-10-CM code"


def procedure_problem(code: str) -> str | None:
    """Why ``code`` is not a CPT or HCPCS Level II code by format (99213, 0001U, G0439)."""
    if _PROCEDURE.fullmatch(code):
        return None
    return f"{code!r} is not a CPT or HCPCS code"


def modifier_problem(modifier: str) -> str | None:
    """Why ``modifier`` is not a procedure modifier (two letters or digits: 25, GP, 59)."""
    return None if _MODIFIER.fullmatch(modifier) else f"{modifier!r} is not a modifier"


def taxonomy_problem(code: str) -> str | None:
    """Why ``code`` is not a NUCC provider taxonomy code (207Q00000X)."""
    return None if _TAXONOMY.fullmatch(code) else f"{code!r} is not a taxonomy code"


def place_of_service_problem(code: str) -> str | None:
    """Why ``code`` is not a two-digit CMS place of service code."""
    return None if _PLACE_OF_SERVICE.fullmatch(code) else f"{code!r} is not a place of service"


def state_problem(code: str) -> str | None:
    """Why ``code`` is not a two-letter state code."""
    return None if _STATE.fullmatch(code) else f"{code!r} is not a two-letter state code"


def zip_problem(code: str) -> str | None:
    """Why ``code`` is not a ZIP code of 5 or 9 digits (no dash)."""
    return None if _ZIP.fullmatch(code) else f"{code!r} is not a ZIP code (5 or 9 digits)"


def phone_problem(number: str) -> str | None:
    """Why ``number`` is not a 10-digit phone number."""
    return None if _PHONE.fullmatch(number) else f"{number!r} is not a phone number (10 digits)"


def tax_id_problem(tax_id: str) -> str | None:
    """Why ``tax_id`` is not a 9-digit tax ID (EIN or SSN, no dash)."""
    return None if _TAX_ID.fullmatch(tax_id) else f"{tax_id!r} is not a tax ID (9 digits)"
