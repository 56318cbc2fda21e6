"""The rules that refuse any batch that would make an invalid 005010X222A1 file.

The writer calls these checks as it meets each loop, before the loop's text is used, so a
batch is walked once; anything that repeats (a loop shared by claims, one SV1 of one fee, one
set of diagnosis codes) is checked once. Each rule names the claim and the field (model name
and X12 element), e.g. ``claim 'CB1001', lines[2].diagnosis_pointers (SV107): pointer 3 but
only 2 diagnoses``. Lengths are checked on the text as it will be written (after the
basic-charset reduction).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from claimbridge.errors import X12ValidationError
from claimbridge.x12.tx837p_005010X222A1.charset import BasicCharset
from claimbridge.x12.tx837p_005010X222A1.models import (
    Address,
    AdjustmentGroup,
    BillingProvider,
    Claim,
    ClaimBatch,
    Contact,
    EnvelopeParams,
    LineAdjudication,
    Name,
    OtherPayer,
    Patient,
    Payer,
    ServiceLine,
    Subscriber,
)

MAX_DIAGNOSES = 12
MAX_LINES = 50
MAX_POINTERS = 4
MAX_MODIFIERS = 4
MAX_OTHER_PAYERS = 10
MAX_LINE_ADJUDICATIONS = 15
MAX_CAS_GROUPS = 5
MAX_CAS_ADJUSTMENTS = 6
MAX_CONTROL_NUMBER = 999_999_999
MAX_CONTACT_NUMBERS = 3
MAX_AMOUNT_DIGITS = 18  # X12 R, data element 782
MAX_QUANTITY_DIGITS = 15  # X12 R, data element 380

FILING_INDICATORS = frozenset(
    {"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS"}
    | {"FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
)
RESPONSIBILITIES = frozenset(["A", "B", "C", "D", "E", "F", "G", "H", "P", "S", "T", "U"])
INSURANCE_TYPES = frozenset(["12", "13", "14", "15", "16", "41", "42", "43", "47"])
PATIENT_RELATIONSHIPS = frozenset(["01", "19", "20", "21", "39", "40", "53", "G8"])
OTHER_SUBSCRIBER_RELATIONSHIPS = PATIENT_RELATIONSHIPS | {"18"}
CAS_GROUPS = frozenset(["CO", "CR", "OA", "PI", "PR"])
PROCEDURE_QUALIFIERS = frozenset(["HC", "ER", "IV", "WK"])
RELATED_CAUSES = frozenset(["AA", "EM", "OA"])
SEXES = frozenset("FMU")


class Checker:
    """Holds what was checked already; ``claim`` (or ``where``) names what is being written."""

    def __init__(self, text: BasicCharset) -> None:
        self.text = text
        self.where = "batch"
        self.claim: Claim | None = None
        self.seen: set[object] = set()

    def fail(self, field: str, problem: str) -> X12ValidationError:
        claim = self.claim
        where = f"claim {claim.patient_control_number!r}" if claim else self.where
        return X12ValidationError(f"{where}, {field}: {problem}")

    def first_time(self, key: object) -> bool:
        """True the first time ``key`` is met, so what claims share is checked once.

        Keys are ``id()`` of shared loops, tuples of diagnosis codes, or tuples that start with
        a tag naming their kind.
        """
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def length(self, value: str, field: str, low: int, high: int) -> None:
        written = self.text[value]
        if not low <= len(written) <= high:
            shown = f"{len(written)} characters" if written else "empty"
            raise self.fail(field, f"must be {low}–{high} characters as written, is {shown}")

    def optional(self, value: str, field: str, high: int) -> None:
        if value:
            self.length(value, field, 1, high)

    def code(self, value: str, field: str, allowed: Iterable[str]) -> None:
        if value not in allowed:
            raise self.fail(field, f"{value!r} is not one of {', '.join(sorted(allowed))}")

    def digits(self, value: str, field: str, count: int) -> None:
        if not (value.isascii() and value.isdigit() and len(value) == count):
            raise self.fail(field, f"must be {count} digits, is {value!r}")

    def amount(self, value: Decimal, field: str, *, signed: bool = False) -> None:
        if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise self.fail(field, f"{value} is not an amount in cents")
        if _digits_written(value) > MAX_AMOUNT_DIGITS:
            raise self.fail(field, f"{value} has more than {MAX_AMOUNT_DIGITS} digits")
        if value < 0 and not signed:
            raise self.fail(field, f"{value} must not be negative")

    def quantity(self, value: Decimal, field: str, *, zero: bool = False) -> None:
        if not value.is_finite() or value.as_tuple().exponent < -3:  # type: ignore[operator]
            raise self.fail(field, f"{value} is not a quantity (at most 3 decimals)")
        if _digits_written(value) > MAX_QUANTITY_DIGITS:
            raise self.fail(field, f"{value} has more than {MAX_QUANTITY_DIGITS} digits")
        if value < 0 or (value == 0 and not zero):
            raise self.fail(field, f"{value} must be {'0 or more' if zero else 'more than 0'}")


def _digits_written(value: Decimal) -> int:
    """How many digits an X12 ``R`` value takes (sign and point do not count)."""
    text = format(abs(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return len(text.replace(".", ""))


def check_envelope(envelope: EnvelopeParams) -> None:
    """Raise ``X12ValidationError`` when the envelope values cannot be written."""
    check = Checker(BasicCharset(envelope.delimiters))
    check.where = "envelope"
    _delimiters(check, envelope)
    for number, field in (
        (envelope.interchange_control_number, "interchange_control_number (ISA13)"),
        (envelope.group_control_number, "group_control_number (GS06)"),
        (envelope.first_transaction_number, "first_transaction_number (ST02)"),
    ):
        if not 1 <= number <= MAX_CONTROL_NUMBER:
            raise check.fail(field, f"{number} is not in 1–{MAX_CONTROL_NUMBER}")
    check.length(envelope.sender_id, "sender_id (ISA06)", 1, 15)
    check.length(envelope.receiver_id, "receiver_id (ISA08)", 1, 15)
    check.length(envelope.group_sender, "application_sender (GS02)", 2, 15)
    check.length(envelope.application_receiver, "application_receiver (GS03)", 2, 15)
    check.code(envelope.sender_qualifier, "sender_qualifier (ISA05)", ("ZZ", "30", "01"))
    check.code(envelope.receiver_qualifier, "receiver_qualifier (ISA07)", ("ZZ", "30", "01"))
    check.code(envelope.usage, "usage (ISA15)", ("P", "T"))
    check.code(envelope.acknowledgment_requested, "acknowledgment_requested (ISA14)", "01")


def _delimiters(check: Checker, envelope: EnvelopeParams) -> None:
    used = envelope.delimiters
    for char in used:
        if len(char) != 1 or char.isalnum() or char in " .-":
            raise check.fail(
                "delimiters",
                f"{char!r} cannot be a delimiter (one character, not a letter, "
                "digit, space, '.' or '-')",
            )
    if len(set(used)) != len(used):
        raise check.fail("delimiters", f"the four delimiters must differ, are {used}")


def check_header(check: Checker, batch: ClaimBatch) -> None:
    """BHT, the submitter and the receiver."""
    check.where = "batch"
    if not batch.claims:
        raise check.fail("claims", "a batch needs at least one claim")
    check.length(batch.reference, "reference (BHT03)", 1, 50)
    check.code(batch.transaction_type, "transaction_type (BHT06)", ("CH", "RP"))
    submitter = batch.submitter
    _name(check, submitter.name, "submitter.name (1000A NM1)", suffix=False)
    check.length(submitter.id, "submitter.id (1000A NM109)", 2, 80)
    _contact(check, submitter.contact, "submitter.contact (1000A PER)")
    check.length(batch.receiver.name, "receiver.name (1000B NM103)", 1, 60)
    check.length(batch.receiver.id, "receiver.id (1000B NM109)", 2, 80)


def _name(check: Checker, name: Name, field: str, *, suffix: bool = True) -> None:
    text = check.text
    if (
        not name.organization
        and 0 < len(text[name.last]) <= 60
        and (not name.first or 0 < len(text[name.first]) <= 35)
        and (not name.middle or 0 < len(text[name.middle]) <= 25)
        and (not name.suffix or (suffix and 0 < len(text[name.suffix]) <= 10))
    ):
        return  # the usual case, decided at once; the checks below explain anything else
    check.length(name.last, f"{field} last/organisation name", 1, 60)
    if name.organization:
        if name.first or name.middle or name.suffix:
            raise check.fail(field, "an organisation has no first, middle name or suffix")
        return
    check.optional(name.first, f"{field} first name", 35)
    check.optional(name.middle, f"{field} middle name", 25)
    if name.suffix and not suffix:
        raise check.fail(field, "a suffix is not written in this loop")
    check.optional(name.suffix, f"{field} suffix", 10)


def _person(check: Checker, name: Name, field: str) -> None:
    if name.organization:
        raise check.fail(field, "must be a person")
    _name(check, name, field)


def _contact(check: Checker, contact: Contact, field: str) -> None:
    check.optional(contact.name, f"{field} name", 60)
    for number, label in ((contact.phone, "phone"), (contact.fax, "fax")):
        if number and not (number.isascii() and number.isdigit()):
            raise check.fail(f"{field} {label}", f"{number!r} must be digits only (AAABBBCCCC)")
    if contact.extension and not contact.phone:
        raise check.fail(f"{field} extension", "an extension needs a phone number")
    check.optional(contact.extension, f"{field} extension", 256)
    numbers = contact_numbers(contact, check.text)
    if not numbers:
        raise check.fail(
            field, "needs a phone or fax number (an e-mail with '@' is not basic X12 text)"
        )
    if len(numbers) > MAX_CONTACT_NUMBERS:
        raise check.fail(field, "PER holds at most three of phone, extension, e-mail and fax")


def contact_numbers(contact: Contact, text: BasicCharset) -> list[tuple[str, str]]:
    """PER03–PER08 as (qualifier, number) pairs: TE, EX, EM, FX, those the contact has.

    The e-mail is left out unless basic X12 text holds it unchanged (see ``charset``).
    """
    pairs = [("TE", contact.phone), ("EX", text[contact.extension] if contact.phone else "")]
    if contact.email and text[contact.email] == contact.email:
        pairs.append(("EM", contact.email))
    pairs.append(("FX", contact.fax))
    return [(qualifier, number) for qualifier, number in pairs if number]


def _address(check: Checker, address: Address, field: str) -> None:
    text = check.text
    if (
        0 < len(text[address.line1]) <= 55
        and (not address.line2 or 0 < len(text[address.line2]) <= 55)
        and 2 <= len(text[address.city]) <= 30
        and not address.country
        and len(text[address.state]) == 2
        and 3 <= len(text[address.postal_code]) <= 15
    ):
        return  # the usual US address, decided at once; the checks below explain the rest
    check.length(address.line1, f"{field}.line1 (N301)", 1, 55)
    check.optional(address.line2, f"{field}.line2 (N302)", 55)
    check.length(address.city, f"{field}.city (N401)", 2, 30)
    if address.country:
        check.length(address.country, f"{field}.country (N404)", 2, 3)
        check.optional(address.state, f"{field}.state (N402)", 2)
    else:
        check.length(address.state, f"{field}.state (N402)", 2, 2)
    check.length(address.postal_code, f"{field}.postal_code (N403)", 3, 15)


def _billing_provider(check: Checker, provider: BillingProvider) -> None:
    field = "billing_provider"
    _name(check, provider.name, f"{field}.name (2010AA NM1)")
    _npi(check, provider.npi, f"{field}.npi (2010AA NM109)")
    check.code(provider.tax_id_qualifier, f"{field}.tax_id_qualifier (REF01)", ("EI", "SY"))
    check.digits(provider.tax_id, f"{field}.tax_id (REF02)", 9)
    if provider.taxonomy:
        check.length(provider.taxonomy, f"{field}.taxonomy (PRV03)", 10, 10)
    _address(check, provider.address, f"{field}.address (2010AA)")
    if provider.address.is_po_box:
        raise check.fail(
            f"{field}.address (2010AA N301)",
            "must be a street address; put the PO box in pay_to_address (2010AB)",
        )
    _nine_digit_zip(check, provider.address, f"{field}.address.postal_code (2010AA N403)")
    if provider.pay_to_address is not None:
        _address(check, provider.pay_to_address, f"{field}.pay_to_address (2010AB)")
    if provider.contact is not None:
        _contact(check, provider.contact, f"{field}.contact (2010AA PER)")


def _nine_digit_zip(check: Checker, address: Address, field: str) -> None:
    if not address.country:
        check.digits(address.postal_code, field, 9)


def _npi(check: Checker, npi: str, field: str) -> None:
    check.digits(npi, field, 10)
    if not npi_check_digit_ok(npi):
        raise check.fail(field, f"{npi} fails the NPI check digit")


def npi_check_digit_ok(npi: str) -> bool:
    """True when the 10-digit ``npi`` passes the Luhn check (with the 80840 prefix)."""
    total = 0
    for index, char in enumerate(reversed("80840" + npi)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def _subscriber(check: Checker, subscriber: Subscriber, is_patient: bool) -> None:
    _name(check, subscriber.name, "subscriber.name (2010BA NM1)")
    check.length(subscriber.member_id, "subscriber.member_id (2010BA NM109)", 2, 80)
    check.optional(subscriber.group_number, "subscriber.group_number (SBR03)", 50)
    check.optional(subscriber.group_name, "subscriber.group_name (SBR04)", 60)
    if subscriber.sex:
        check.code(subscriber.sex, "subscriber.sex (DMG03)", SEXES)
    if (subscriber.birth_date is None) != (not subscriber.sex):
        raise check.fail("subscriber (2010BA DMG)", "give both birth_date and sex, or neither")
    if subscriber.address is not None:
        _address(check, subscriber.address, "subscriber.address (2010BA)")
    if is_patient and (subscriber.birth_date is None or subscriber.address is None):
        raise check.fail(
            "subscriber", "is the patient, so birth_date, sex and address are required"
        )


def _payer(check: Checker, payer: Payer) -> None:
    check.length(payer.name, "payer.name (2010BB NM103)", 1, 60)
    check.length(payer.payer_id, "payer.payer_id (2010BB NM109)", 2, 80)
    check.code(payer.filing_indicator, "payer.filing_indicator (SBR09)", FILING_INDICATORS)
    check.code(payer.responsibility, "payer.responsibility (SBR01)", RESPONSIBILITIES)
    if payer.insurance_type:
        check.code(payer.insurance_type, "payer.insurance_type (SBR05)", INSURANCE_TYPES)
    if payer.address is not None:
        _address(check, payer.address, "payer.address (2010BB)")


def _patient(check: Checker, patient: Patient) -> None:
    _person(check, patient.name, "patient.name (2010CA NM1)")
    check.code(patient.relationship, "patient.relationship (PAT01)", PATIENT_RELATIONSHIPS)
    check.code(patient.sex, "patient.sex (DMG03)", SEXES)
    if patient.birth_date is None or patient.address is None:
        raise check.fail("patient", "birth_date, sex and address are required (2010CA)")
    _address(check, patient.address, "patient.address (2010CA)")


def check_claim(check: Checker, claim: Claim) -> None:
    """The claim's own values and the loops above it; ``where`` names the claim from now on.

    Loops shared by claims and code combinations shared by claims are checked once.
    """
    check.claim = claim
    seen = check.seen
    if not 0 < len(check.text[claim.patient_control_number]) <= 38:
        check.length(claim.patient_control_number, "patient_control_number (CLM01)", 1, 38)
    _claim_loops(check, claim, seen)
    codes = _claim_codes_key(claim)
    if codes not in seen:
        _claim_codes(check, claim)
        _claim_references(check, claim)
        seen.add(codes)
    if claim.payer_claim_control_number or claim.prior_authorization or claim.referral_number:
        _claim_references(check, claim)
    if not 1 <= len(claim.lines) <= MAX_LINES:
        raise check.fail("lines (LX)", f"{len(claim.lines)} lines; 1–{MAX_LINES} allowed")


def check_total(check: Checker, claim: Claim, charges: Decimal) -> None:
    """CLM02 against the sum of the line ``charges``."""
    seen = check.seen
    if ("total", claim.total_charge) not in seen:
        check.amount(claim.total_charge, "total_charge (CLM02)")
        seen.add(("total", claim.total_charge))
    if claim.total_charge != charges:
        raise check.fail(
            "total_charge (CLM02)",
            f"{claim.total_charge} differs from the sum of the line charges {charges}",
        )


def _claim_loops(check: Checker, claim: Claim, seen: set[object]) -> None:
    provider, payer, patient = claim.billing_provider, claim.payer, claim.patient
    if id(provider) not in seen:
        _billing_provider(check, provider)
        seen.add(id(provider))
    if id(payer) not in seen:
        _payer(check, payer)
        seen.add(id(payer))
    subscriber_key = (id(claim.subscriber), patient is None)
    if subscriber_key not in seen:
        _subscriber(check, claim.subscriber, patient is None)
        seen.add(subscriber_key)
    if patient is not None and id(patient) not in seen:
        _patient(check, patient)
        seen.add(id(patient))


def _claim_codes_key(claim: Claim) -> tuple[object, ...]:
    """Everything ``_claim_codes`` looks at: claims that share it are checked once."""
    return (
        "claim",
        claim.place_of_service,
        claim.frequency,
        claim.provider_signature,
        claim.assignment,
        claim.benefits_assignment,
        claim.release_of_information,
        claim.related_causes,
        claim.accident_state,
        claim.accident_date is None,
        claim.payer_claim_control_number == "",
    )


def _claim_codes(check: Checker, claim: Claim) -> None:
    check.digits(claim.place_of_service, "place_of_service (CLM05-1)", 2)
    check.code(claim.frequency, "frequency (CLM05-3)", ("1", "7", "8"))
    check.code(claim.provider_signature, "provider_signature (CLM06)", ("Y", "N"))
    check.code(claim.assignment, "assignment (CLM07)", ("A", "B", "C"))
    check.code(claim.benefits_assignment, "benefits_assignment (CLM08)", ("Y", "N", "W"))
    check.code(claim.release_of_information, "release_of_information (CLM09)", ("I", "Y"))
    _related_causes(check, claim)


def _related_causes(check: Checker, claim: Claim) -> None:
    causes = claim.related_causes
    if len(causes) > 3 or len(set(causes)) != len(causes):
        raise check.fail("related_causes (CLM11)", "at most three different codes")
    for cause in causes:
        check.code(cause, "related_causes (CLM11)", RELATED_CAUSES)
    if "AA" in causes:
        check.length(claim.accident_state, "accident_state (CLM11-4)", 2, 2)
    elif claim.accident_state:
        raise check.fail("accident_state (CLM11-4)", "is sent only for an auto accident (AA)")
    accident = "AA" in causes or "OA" in causes
    if accident and claim.accident_date is None:
        raise check.fail("accident_date (DTP*439)", "is required for an AA or OA accident")
    if claim.accident_date is not None and not causes:
        raise check.fail("accident_date (DTP*439)", "needs related_causes (CLM11)")


def _claim_references(check: Checker, claim: Claim) -> None:
    replaces = claim.frequency in ("7", "8")
    if replaces and not claim.payer_claim_control_number:
        raise check.fail(
            "payer_claim_control_number (REF*F8)",
            f"frequency {claim.frequency} needs the payer's claim number of the claim it "
            "replaces or voids",
        )
    if not replaces and claim.payer_claim_control_number:
        raise check.fail("payer_claim_control_number (REF*F8)", "is sent only with frequency 7/8")
    check.optional(claim.payer_claim_control_number, "payer_claim_control_number (REF*F8)", 50)
    check.optional(claim.prior_authorization, "prior_authorization (REF*G1)", 50)
    check.optional(claim.referral_number, "referral_number (REF*9F)", 50)


def check_diagnoses(check: Checker, diagnoses: tuple[str, ...]) -> None:
    """HI: 1–12 ICD-10-CM codes without the dot."""
    if not 1 <= len(diagnoses) <= MAX_DIAGNOSES:
        raise check.fail("diagnoses (HI)", f"{len(diagnoses)} codes; 1–{MAX_DIAGNOSES} allowed")
    for index, code in enumerate(diagnoses, start=1):
        written = check.text[code]
        if not _looks_like_icd10(written):
            raise check.fail(
                f"diagnoses[{index}] (HI)", f"{code!r} is not an ICD-10-CM code without the dot"
            )


def _looks_like_icd10(code: str) -> bool:
    return 3 <= len(code) <= 7 and code.isalnum() and code[0].isalpha() and code[1].isdigit()


def check_line(check: Checker, line: ServiceLine, number: int, diagnoses: int) -> None:
    """SV1 of a line: the writer calls it once per distinct SV1 (fee, code, pointers…)."""
    field = f"lines[{number}]"
    _procedure(check, line.procedure_qualifier, line.procedure_code, line.modifiers, field)
    check.amount(line.charge, f"{field}.charge (SV102)")
    check.code(line.unit_basis, f"{field}.unit_basis (SV103)", ("UN", "MJ"))
    check.quantity(line.units, f"{field}.units (SV104)")
    if line.place_of_service:
        check.digits(line.place_of_service, f"{field}.place_of_service (SV105)", 2)
    _pointers(check, line.diagnosis_pointers, f"{field}.diagnosis_pointers (SV107)", diagnoses)


def check_line_extras(check: Checker, line: ServiceLine, number: int, claim: Claim) -> None:
    """The parts of a line that are its own: date range, control number, adjudications."""
    end = line.service_date_end
    if end is not None and end < line.service_date:
        raise check.fail(f"lines[{number}].service_date_end (DTP*472)", "is before service_date")
    check.optional(line.control_number, f"lines[{number}].control_number (REF*6R)", 50)
    if len(line.adjudications) > MAX_LINE_ADJUDICATIONS:
        raise check.fail(
            f"lines[{number}].adjudications (2430)", f"at most {MAX_LINE_ADJUDICATIONS}"
        )
    if line.adjudications and not claim.other_payers:
        raise check.fail(
            f"lines[{number}].adjudications (2430)", "the claim has no other_payers (2320)"
        )


def _procedure(
    check: Checker, qualifier: str, code: str, modifiers: tuple[str, ...], field: str
) -> None:
    check.code(qualifier, f"{field}.procedure_qualifier", PROCEDURE_QUALIFIERS)
    check.length(code, f"{field}.procedure_code", 1, 48)
    if len(modifiers) > MAX_MODIFIERS:
        raise check.fail(f"{field}.modifiers", f"{len(modifiers)}; at most {MAX_MODIFIERS}")
    for modifier in modifiers:
        check.length(modifier, f"{field}.modifiers", 2, 2)


def _pointers(check: Checker, pointers: tuple[int, ...], field: str, diagnoses: int) -> None:
    if not 1 <= len(pointers) <= MAX_POINTERS:
        raise check.fail(field, f"{len(pointers)} pointers; 1–{MAX_POINTERS} allowed")
    if len(set(pointers)) != len(pointers):
        raise check.fail(field, f"{pointers} repeats a pointer")
    for pointer in pointers:
        if not 1 <= pointer <= diagnoses:
            raise check.fail(field, f"pointer {pointer} but only {diagnoses} diagnoses")


def check_providers(check: Checker, claim: Claim) -> None:
    """2310B and 2310C, once per distinct pair."""
    rendering, facility = claim.rendering_provider, claim.service_facility
    if check.first_time(("providers", id(rendering), id(facility), claim.billing_provider.npi)):
        _providers(check, claim)


def _providers(check: Checker, claim: Claim) -> None:
    rendering = claim.rendering_provider
    if rendering is not None and rendering.npi != claim.billing_provider.npi:
        _name(check, rendering.name, "rendering_provider.name (2310B NM1)")
        _npi(check, rendering.npi, "rendering_provider.npi (2310B NM109)")
        if rendering.taxonomy:
            check.length(rendering.taxonomy, "rendering_provider.taxonomy (PRV03)", 10, 10)
    facility = claim.service_facility
    if facility is not None:
        check.length(facility.name, "service_facility.name (2310C NM103)", 1, 60)
        if facility.npi:
            _npi(check, facility.npi, "service_facility.npi (2310C NM109)")
        _address(check, facility.address, "service_facility.address (2310C)")
        _nine_digit_zip(check, facility.address, "service_facility.address.postal_code (N403)")


def check_other_payers(check: Checker, claim: Claim) -> None:
    """2320/2330A/2330B, every 2430 of the lines, and the TR3's COB balancing."""
    if len(claim.other_payers) > MAX_OTHER_PAYERS:
        raise check.fail("other_payers (2320)", f"at most {MAX_OTHER_PAYERS}")
    payer_ids = set()
    for index, other in enumerate(claim.other_payers, start=1):
        _other_payer(check, other, f"other_payers[{index}]")
        payer_ids.add(check.text[other.payer_id])
    for number, line in enumerate(claim.lines, start=1):
        for index, adjudication in enumerate(line.adjudications, start=1):
            field = f"lines[{number}].adjudications[{index}]"
            _line_adjudication(check, adjudication, field, payer_ids)
    _cob_balances(check, claim)


def _other_payer(check: Checker, other: OtherPayer, field: str) -> None:
    check.code(other.responsibility, f"{field}.responsibility (SBR01)", RESPONSIBILITIES)
    check.code(other.relationship, f"{field}.relationship (SBR02)", OTHER_SUBSCRIBER_RELATIONSHIPS)
    check.optional(other.group_number, f"{field}.group_number (SBR03)", 50)
    check.optional(other.group_name, f"{field}.group_name (SBR04)", 60)
    if other.insurance_type:
        check.code(other.insurance_type, f"{field}.insurance_type (SBR05)", INSURANCE_TYPES)
    check.code(other.filing_indicator, f"{field}.filing_indicator (SBR09)", FILING_INDICATORS)
    _adjustment_groups(check, other.adjustments, f"{field}.adjustments (CAS)")
    for amount, label in (
        (other.paid_amount, "paid_amount (AMT*D)"),
        (other.remaining_patient_liability, "remaining_patient_liability (AMT*EAF)"),
    ):
        if amount is not None:
            check.amount(amount, f"{field}.{label}", signed=True)
    check.code(other.benefits_assignment, f"{field}.benefits_assignment (OI03)", ("Y", "N", "W"))
    check.code(other.release_of_information, f"{field}.release_of_information (OI06)", "IY")
    _name(check, other.subscriber, f"{field}.subscriber (2330A NM1)")
    check.length(other.subscriber_id, f"{field}.subscriber_id (2330A NM109)", 2, 80)
    if other.subscriber_address is not None:
        _address(check, other.subscriber_address, f"{field}.subscriber_address (2330A)")
    check.length(other.payer_name, f"{field}.payer_name (2330B NM103)", 1, 60)
    check.length(other.payer_id, f"{field}.payer_id (2330B NM109)", 2, 80)
    check.optional(other.claim_control_number, f"{field}.claim_control_number (REF*F8)", 50)


def _adjustment_groups(check: Checker, groups: tuple[AdjustmentGroup, ...], field: str) -> None:
    if len(groups) > MAX_CAS_GROUPS:
        raise check.fail(field, f"{len(groups)} CAS segments; at most {MAX_CAS_GROUPS}")
    for group in groups:
        check.code(group.group, f"{field} group (CAS01)", CAS_GROUPS)
        if not 1 <= len(group.adjustments) <= MAX_CAS_ADJUSTMENTS:
            raise check.fail(field, f"1–{MAX_CAS_ADJUSTMENTS} adjustments per CAS segment")
        for adjustment in group.adjustments:
            check.length(adjustment.reason, f"{field} reason", 1, 5)
            check.amount(adjustment.amount, f"{field} amount", signed=True)
            if adjustment.quantity is not None:
                check.quantity(adjustment.quantity, f"{field} quantity", zero=True)


def _line_adjudication(
    check: Checker, adjudication: LineAdjudication, field: str, payer_ids: set[str]
) -> None:
    if check.text[adjudication.payer_id] not in payer_ids:
        raise check.fail(
            f"{field}.payer_id (SVD01)", "must be the payer_id of one of the claim's other_payers"
        )
    check.amount(adjudication.paid_amount, f"{field}.paid_amount (SVD02)", signed=True)
    _procedure(
        check,
        adjudication.procedure_qualifier,
        adjudication.procedure_code,
        adjudication.modifiers,
        f"{field} (SVD03)",
    )
    check.quantity(adjudication.paid_units, f"{field}.paid_units (SVD05)", zero=True)
    if adjudication.adjudication_date is None:
        raise check.fail(f"{field}.adjudication_date (DTP*573)", "is required")
    _adjustment_groups(check, adjudication.adjustments, f"{field}.adjustments (CAS)")
    if adjudication.remaining_patient_liability is not None:
        check.amount(
            adjudication.remaining_patient_liability,
            f"{field}.remaining_patient_liability (AMT*EAF)",
            signed=True,
        )


def _cob_balances(check: Checker, claim: Claim) -> None:
    """The TR3's COB balancing, per other payer: lines, then the claim."""
    for index, other in enumerate(claim.other_payers, start=1):
        line_adjustments = Decimal("0")
        for number, line in enumerate(claim.lines, start=1):
            mine = [a for a in line.adjudications if a.payer_id == other.payer_id]
            if not mine:
                continue
            adjusted = sum((_cas_total(a.adjustments) for a in mine), Decimal("0"))
            paid = sum((a.paid_amount for a in mine), Decimal("0"))
            if paid + adjusted != line.charge:
                raise check.fail(
                    f"lines[{number}].adjudications (2430)",
                    f"paid {paid} + adjustments {adjusted} must equal the line charge "
                    f"{line.charge} for payer {other.payer_id!r}",
                )
            line_adjustments += adjusted
        _claim_balances(check, claim, other, line_adjustments, f"other_payers[{index}]")


def _claim_balances(
    check: Checker, claim: Claim, other: OtherPayer, line_adjustments: Decimal, field: str
) -> None:
    if other.paid_amount is None:
        return
    claim_adjustments = _cas_total(other.adjustments)
    if other.paid_amount + claim_adjustments + line_adjustments != claim.total_charge:
        raise check.fail(
            f"{field}.paid_amount (AMT*D)",
            f"paid {other.paid_amount} + claim adjustments {claim_adjustments} + line "
            f"adjustments {line_adjustments} must equal the claim charge {claim.total_charge}",
        )


def _cas_total(groups: tuple[AdjustmentGroup, ...]) -> Decimal:
    return sum((group.total for group in groups), Decimal("0"))
