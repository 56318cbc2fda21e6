"""Finding a claim by what a biller has in hand: a patient's name or birth date, a member ID,
our claim number, the payer's claim control number or Office Ally's claim ID.

::

    ids = claim_ids_matching(Search("smith, jo"))            # any key that fits the text
    ids = claim_ids_matching(Search("U8823410201", SearchKey.MEMBER_ID))

The answer is a SELECT of claim ids to put under ``claims.id IN (…)``; every key is an indexed
lookup (migration 0017_worklist_search), so a search costs the same at a million claims as at
a hundred:

- ``claim``: the claim number (CLM01) as typed, or any that begins with it;
- ``patient``: ``Last``, ``Last, First`` or ``First Last``; each name is matched from its
  start, as typed, in capitals, in lower case and capitalised (the index is case-sensitive);
- ``dob``: a birth date, ``YYYY-MM-DD`` or ``MM/DD/YYYY``;
- ``member``: the member ID of the claim's policy, as typed or in capitals;
- ``payer_number``: the payer's claim control number (277CA/EDI Status, or an ERA's CLP07);
- ``oa_claim_id``: Office Ally's claim ID from a File Summary or EDI Status report, or a
  277CA's REF*D9.

With no key, every key the text can be is tried and their claims put together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, union
from sqlalchemy.orm import InstrumentedAttribute

from claimbridge.errors import InputError
from claimbridge.store import tables as t

Ids = Select[Any]  # a SELECT of claim (or patient, policy) ids
OA_KINDS = ("OA_FILE_SUMMARY", "OA_EDI_STATUS", "277CA")  # 277CA: its REF*D9
OLD_OA_ID_LENGTH = 9  # before 0017_worklist_search an OA claim ID was kept to 9 characters
MOST_TEXT = 80


class SearchKey(StrEnum):
    """What the search text is."""

    CLAIM = "claim"
    PATIENT = "patient"
    DOB = "dob"
    MEMBER_ID = "member"
    PAYER_NUMBER = "payer_number"
    OA_CLAIM_ID = "oa_claim_id"


SEARCH_KEYS = {
    SearchKey.CLAIM: "Claim #",
    SearchKey.PATIENT: "Patient name",
    SearchKey.DOB: "Date of birth",
    SearchKey.MEMBER_ID: "Member ID",
    SearchKey.PAYER_NUMBER: "Payer claim #",
    SearchKey.OA_CLAIM_ID: "Office Ally claim ID",
}


@dataclass(frozen=True, slots=True)
class Search:
    """Search ``text`` as ``key``; None: as every key it can be."""

    text: str
    key: SearchKey | None = None

    def __post_init__(self) -> None:
        if len(self.text) > MOST_TEXT:
            raise InputError(f"search: at most {MOST_TEXT} characters")
        if self.key is SearchKey.DOB and birth_date(self.text) is None:
            raise InputError(f"date of birth: {self.text.strip()!r} is not a date (MM/DD/YYYY)")


def claim_ids_matching(search: Search) -> Ids:
    """The ids of the claims ``search`` finds (see the module)."""
    text = " ".join(search.text.split())
    keys = [search.key] if search.key else list(SearchKey)
    found = [query for key in keys if (query := _BY_KEY[key](text)) is not None]
    if not found:
        return select(t.ClaimRow.id).where(false())
    if len(found) == 1:
        return found[0]
    return select(union(*found).subquery().c[0])


def birth_date(text: str) -> date | None:
    """``text`` as a date (``YYYY-MM-DD`` or ``MM/DD/YYYY``), or None."""
    text = text.strip()
    for form in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _by_claim_number(text: str) -> Ids | None:
    if not text or " " in text:
        return None
    claim = t.ClaimRow
    return select(claim.id).where(_begins(claim.clm01, {text, text.upper()}))


def _by_patient(text: str) -> Ids | None:
    if not text or not any(ch.isalpha() for ch in text) or birth_date(text):
        return None
    patient = t.PatientRow
    return _claims_of_patients(select(patient.id).where(or_(*_name_matches(text))))


def _name_matches(text: str) -> list[ColumnElement[bool]]:
    """``Last``, ``Last, First``, ``First Last`` (and a two-word last name)."""
    patient = t.PatientRow
    if "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
        return [_full_name(last, first)]
    words = text.split(" ")
    matches = [_begins(patient.last_name, _cases(text))]
    if len(words) >= 2:
        first, last = words[0], " ".join(words[1:])
        matches.append(_full_name(last, first))
    return matches


def _full_name(last: str, first: str) -> ColumnElement[bool]:
    patient = t.PatientRow
    exact_last = patient.last_name.in_(_cases(last))
    if not first:
        return _begins(patient.last_name, _cases(last))
    return and_(exact_last, _begins(patient.first_name, _cases(first)))


def _by_birth_date(text: str) -> Ids | None:
    born = birth_date(text)
    if born is None:
        return None
    return _claims_of_patients(select(t.PatientRow.id).where(t.PatientRow.dob == born))


def _claims_of_patients(patients: Ids) -> Ids:
    appointment = t.AppointmentRow
    visits = select(appointment.id).where(appointment.patient_id.in_(patients))
    return select(t.ClaimRow.id).where(t.ClaimRow.appointment_id.in_(visits))


def _by_member_id(text: str) -> Ids | None:
    if not text or " " in text:
        return None
    policies = select(t.PolicyRow.id).where(t.PolicyRow.member_id.in_({text, text.upper()}))
    return select(t.ClaimRow.id).where(t.ClaimRow.policy_id.in_(policies))


def _by_payer_number(text: str) -> Ids | None:
    if not text or " " in text:
        return None
    claim, payment = t.ClaimRow, t.PaymentRow
    told = select(claim.id).where(claim.payer_claim_control_number == text)
    paid = select(payment.claim_id).where(payment.payer_claim_control_number == text)
    return select(union(told, paid).subquery().c[0])


def _by_oa_claim_id(text: str) -> Ids | None:
    if not text.isdigit():
        return None
    ack = t.AcknowledgmentRow
    numbers = {text, text[:OLD_OA_ID_LENGTH]}
    return select(ack.claim_id).where(
        ack.control_number.in_(numbers), ack.kind.in_(OA_KINDS), ack.claim_id.is_not(None)
    )


def _cases(text: str) -> set[str]:
    """``text`` as typed, in capitals, in lower case and capitalised (McDonald stays as typed)."""
    return {text, text.upper(), text.lower(), text.title()}


def _begins(column: InstrumentedAttribute[Any], prefixes: set[str]) -> ColumnElement[bool]:
    """``column`` begins with one of ``prefixes``, as a range an index answers (not LIKE)."""
    return or_(*(and_(column >= p, column < _after(p)) for p in sorted(prefixes) if p))


def _after(prefix: str) -> str:
    """The least string greater than every string that begins with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


_BY_KEY = {
    SearchKey.CLAIM: _by_claim_number,
    SearchKey.PATIENT: _by_patient,
    SearchKey.DOB: _by_birth_date,
    SearchKey.MEMBER_ID: _by_member_id,
    SearchKey.PAYER_NUMBER: _by_payer_number,
    SearchKey.OA_CLAIM_ID: _by_oa_claim_id,
}
