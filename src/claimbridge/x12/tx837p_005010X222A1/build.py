"""``build_837p``: a claim batch → one 005010X222A1 file in Office Ally's envelope.

One ISA and one GS per file; at most 5000 claims per transaction set (ST) and 5000 sets per
file. Consecutive claims that share a billing provider share one 2000A HL, consecutive claims
with the same subscriber and payer one 2000B, consecutive claims of the same dependent patient
one 2000C; sort claims that way for the smallest file. The writer appends segment strings to
one list and joins it once; every data value passes through ``charset.BasicCharset``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

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
    Provider,
    ServiceLine,
    Subscriber,
)
from claimbridge.x12.tx837p_005010X222A1.validate import (
    MAX_CONTROL_NUMBER,
    MAX_LINES,
    Checker,
    check_claim,
    check_diagnoses,
    check_envelope,
    check_header,
    check_line,
    check_line_extras,
    check_other_payers,
    check_providers,
    check_total,
    contact_numbers,
)

IMPLEMENTATION = "005010X222A1"
MAX_CLAIMS_PER_TRANSACTION = 5000
MAX_TRANSACTIONS_PER_FILE = 5000

_T = TypeVar("_T")


def build_837p(batch: ClaimBatch, envelope: EnvelopeParams) -> str:
    """The 837P file for ``batch``; raises ``X12ValidationError`` for input it cannot write."""
    check_envelope(envelope)
    check = Checker(BasicCharset(envelope.delimiters))
    check_header(check, batch)
    chunks = list(_chunks(batch.claims, MAX_CLAIMS_PER_TRANSACTION))
    if len(chunks) > MAX_TRANSACTIONS_PER_FILE:
        raise X12ValidationError(
            f"{len(batch.claims)} claims need {len(chunks)} transaction sets; Office Ally takes "
            f"at most {MAX_TRANSACTIONS_PER_FILE} per file "
            f"({MAX_TRANSACTIONS_PER_FILE * MAX_CLAIMS_PER_TRANSACTION} claims): split the batch"
        )
    last = envelope.first_transaction_number + len(chunks) - 1
    if last > MAX_CONTROL_NUMBER:
        raise X12ValidationError(
            f"envelope, first_transaction_number (ST02): the last set would be {last}, more "
            f"than {MAX_CONTROL_NUMBER}"
        )
    return _Writer(batch, envelope, check).file(chunks)


def validate_batch(batch: ClaimBatch, envelope: EnvelopeParams) -> None:
    """Raise ``X12ValidationError`` for the first value that would make the file invalid.

    The checks run as the writer meets each loop, so this writes the file and drops it.
    """
    build_837p(batch, envelope)


def _chunks(claims: Sequence[Claim], size: int) -> Iterator[Sequence[Claim]]:
    for start in range(0, len(claims), size):
        yield claims[start : start + size]


class _Writer:
    """Appends segments (without terminators) to ``out``; ``t`` reduces data to basic text.

    The hot paths (claims and lines) write segments as f-strings and keep the text of what
    repeats (SV1 of one fee, DTP of one day, HI of one set of codes, the loops of a payer) in
    ``memo``, keyed by the values that make it.
    """

    def __init__(self, batch: ClaimBatch, envelope: EnvelopeParams, check: Checker) -> None:
        self.batch = batch
        self.envelope = envelope
        self.e = envelope.element_separator
        self.c = envelope.component_separator
        self.check = check
        self.t = check.text
        self.out: list[str] = []
        self.hl = 0
        self.memo: dict[object, str] = {}
        self._payers: dict[int, tuple[str, ...]] = {}
        self._providers: dict[int, tuple[str, ...]] = {}
        self.lx = [f"LX{self.e}{number}" for number in range(MAX_LINES + 1)]
        self._dates: dict[date, str] = {}
        self._amounts: dict[Decimal, str] = {}

    def seg(self, *elements: str) -> None:
        """Append one segment, dropping empty trailing elements."""
        end = len(elements)
        while not elements[end - 1]:
            end -= 1
        self.out.append(self.e.join(elements[:end]))

    def file(self, chunks: Sequence[Sequence[Claim]]) -> str:
        self._interchange_header()
        first = self.envelope.first_transaction_number
        for index, claims in enumerate(chunks):
            self._transaction(f"{first + index:04d}", claims)
        self.seg("GE", str(len(chunks)), str(self.envelope.group_control_number))
        self.seg("IEA", "1", f"{self.envelope.interchange_control_number:09d}")
        self.out.append("")  # so the join ends with a terminator too
        return self.envelope.segment_terminator.join(self.out)

    def _interchange_header(self) -> None:
        env, t = self.envelope, self.t
        created = env.created
        isa = (
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            env.sender_qualifier,
            t[env.sender_id].ljust(15),
            env.receiver_qualifier,
            t[env.receiver_id].ljust(15),
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            env.repetition_separator,
            "00501",
            f"{env.interchange_control_number:09d}",
            env.acknowledgment_requested,
            env.usage,
            env.component_separator,
        )
        self.out.append(self.e.join(isa))
        self.seg(
            "GS",
            "HC",
            t[env.group_sender],
            t[env.application_receiver],
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            str(env.group_control_number),
            "X",
            IMPLEMENTATION,
        )

    def _transaction(self, control_number: str, claims: Sequence[Claim]) -> None:
        start = len(self.out)
        created = self.envelope.created
        self.seg("ST", "837", control_number, IMPLEMENTATION)
        self.seg(
            "BHT",
            "0019",
            "00",
            self.t[self.batch.reference],
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            self.batch.transaction_type,
        )
        self._submitter_and_receiver()
        self.hl = 0
        self._hierarchy(claims)
        self.seg("SE", str(len(self.out) - start + 1), control_number)

    def _submitter_and_receiver(self) -> None:
        submitter, receiver, t = self.batch.submitter, self.batch.receiver, self.t
        self.seg("NM1", "41", *self._name(submitter.name), "46", t[submitter.id])
        self._contact(submitter.contact)
        self.seg("NM1", "40", "2", t[receiver.name], "", "", "", "", "46", t[receiver.id])

    # -- HL hierarchy ------------------------------------------------------------------

    def _hierarchy(self, claims: Sequence[Claim]) -> None:
        """2000A per run of one billing provider, 2000B/2000C below it, claims at the leaves."""
        for provider_claims in _runs(claims, _same_provider):
            check_claim(self.check, provider_claims[0])
            provider_hl = self._next_hl()
            self.seg("HL", provider_hl, "", "20", "1")
            self._billing_provider(provider_claims[0].billing_provider)
            for subscriber_claims in _runs(provider_claims, _same_subscriber):
                self._subscriber_level(provider_hl, subscriber_claims)

    def _next_hl(self) -> str:
        self.hl += 1
        return str(self.hl)

    def _subscriber_level(self, parent: str, claims: Sequence[Claim]) -> None:
        for claim in claims:
            check_claim(self.check, claim)
        first, e = claims[0], self.e
        subscriber_hl = self._next_hl()
        has_patients = first.patient is not None
        self.out.append(f"HL{e}{subscriber_hl}{e}{parent}{e}22{e}{'1' if has_patients else '0'}")
        self._subscriber(first.subscriber, first.payer, is_patient=not has_patients)
        if not has_patients:
            for claim in claims:
                self._claim(claim)
            return
        for patient_claims in _runs(claims, _same_patient):
            self.out.append(f"HL{e}{self._next_hl()}{e}{subscriber_hl}{e}23{e}0")
            self._patient(patient_claims[0].patient)
            for claim in patient_claims:
                self._claim(claim)

    # -- loops 2000A to 2010CA -----------------------------------------------------------

    def _billing_provider(self, provider: BillingProvider) -> None:
        t = self.t
        if provider.taxonomy:
            self.seg("PRV", "BI", "PXC", t[provider.taxonomy])
        self.seg("NM1", "85", *self._name(provider.name), "XX", t[provider.npi])
        self._address(provider.address)
        self.seg("REF", provider.tax_id_qualifier, t[provider.tax_id])
        if provider.contact is not None:
            self._contact(provider.contact)
        pay_to = provider.pay_to_address
        if pay_to is not None and pay_to != provider.address:
            self.seg("NM1", "87", "2")
            self._address(pay_to)

    def _subscriber(self, subscriber: Subscriber, payer: Payer, *, is_patient: bool) -> None:
        t, e = self.t, self.e
        self.out.append(
            f"SBR{e}{payer.responsibility}{e}{'18' if is_patient else ''}"
            f"{e}{t[subscriber.group_number]}{e}{t[subscriber.group_name]}"
            f"{e}{payer.insurance_type}{e * 4}{payer.filing_indicator}"
        )
        name = self._name(subscriber.name)
        self.out.append(f"NM1{e}IL{e}{e.join(name)}{e}MI{e}{t[subscriber.member_id]}")
        if subscriber.address is not None:
            self._address(subscriber.address)
        if subscriber.birth_date is not None:
            self.out.append(f"DMG{e}D8{e}{self._date(subscriber.birth_date)}{e}{subscriber.sex}")
        loop = self._payers.get(id(payer))
        if loop is None:
            loop = self._payers[id(payer)] = self._payer_segments(payer)
        self.out += loop

    def _payer_segments(self, payer: Payer) -> tuple[str, ...]:
        """Loop 2010BB (one or three segments), written alike for every claim."""
        t, e = self.t, self.e
        nm1 = f"NM1{e}PR{e}2{e}{t[payer.name]}{e * 5}PI{e}{t[payer.payer_id]}"
        if payer.address is None:
            return (nm1,)
        return (nm1, *self._address_text(payer.address))

    def _patient(self, patient: Patient | None) -> None:
        assert patient is not None and patient.address and patient.birth_date  # validated
        e = self.e
        self.out.append(f"PAT{e}{patient.relationship}")
        self.seg("NM1", "QC", *self._name(patient.name))
        self._address(patient.address)
        self.out.append(f"DMG{e}D8{e}{self._date(patient.birth_date)}{e}{patient.sex}")

    # -- loop 2300 -----------------------------------------------------------------------

    def _claim(self, claim: Claim) -> None:
        out, e, c = self.out, self.e, self.c
        clm = (
            f"CLM{e}{self.t[claim.patient_control_number]}{e}{self._amount(claim.total_charge)}"
            f"{e}{e}{e}{claim.place_of_service}{c}B{c}{claim.frequency}"
            f"{e}{claim.provider_signature}{e}{claim.assignment}"
            f"{e}{claim.benefits_assignment}{e}{claim.release_of_information}"
        )
        out.append(f"{clm}{e}{e}{self._related_causes(claim)}" if claim.related_causes else clm)
        if _has_dates_or_references(claim):
            self._claim_dates_and_references(claim)
        out.append(self._memo(("HI", claim.diagnoses), self._diagnoses, claim.diagnoses))
        if claim.rendering_provider is not None or claim.service_facility is not None:
            check_providers(self.check, claim)
            self._claim_providers(claim)
        if claim.other_payers:
            check_other_payers(self.check, claim)
            for other in claim.other_payers:
                self._other_payer(other, claim)
        charges = Decimal(0)
        diagnoses = len(claim.diagnoses)
        for number, line in enumerate(claim.lines, start=1):
            self._line(number, line, claim, diagnoses)
            charges += line.charge
        check_total(self.check, claim, charges)

    def _related_causes(self, claim: Claim) -> str:
        causes = [*claim.related_causes, "", "", ""][:3]
        return self.c.join((*causes, claim.accident_state)).rstrip(self.c)

    def _claim_dates_and_references(self, claim: Claim) -> None:
        t = self.t
        if claim.onset_date is not None:
            self.seg("DTP", "431", "D8", self._date(claim.onset_date))
        if claim.accident_date is not None:
            self.seg("DTP", "439", "D8", self._date(claim.accident_date))
        if claim.referral_number:
            self.seg("REF", "9F", t[claim.referral_number])
        if claim.prior_authorization:
            self.seg("REF", "G1", t[claim.prior_authorization])
        if claim.payer_claim_control_number:
            self.seg("REF", "F8", t[claim.payer_claim_control_number])

    def _diagnoses(self, codes: tuple[str, ...]) -> str:
        check_diagnoses(self.check, codes)
        t, c = self.t, self.c
        composites = (f"{'ABK' if i == 0 else 'ABF'}{c}{t[code]}" for i, code in enumerate(codes))
        return self.e.join(("HI", *composites))

    def _claim_providers(self, claim: Claim) -> None:
        t = self.t
        rendering = claim.rendering_provider
        if rendering is not None and rendering.npi != claim.billing_provider.npi:
            loop = self._providers.get(id(rendering))
            if loop is None:
                loop = self._providers[id(rendering)] = self._rendering_segments(rendering)
            self.out += loop
        facility = claim.service_facility
        if facility is not None:
            npi = ("XX", t[facility.npi]) if facility.npi else ("", "")
            self.seg("NM1", "77", "2", t[facility.name], "", "", "", "", *npi)
            self._address(facility.address)

    def _rendering_segments(self, rendering: Provider) -> tuple[str, ...]:
        """Loop 2310B, written alike for every claim of this rendering provider."""
        t, e = self.t, self.e
        name = e.join(self._name(rendering.name))
        nm1 = f"NM1{e}82{e}{name}{e}XX{e}{t[rendering.npi]}"
        if not rendering.taxonomy:
            return (nm1,)
        return (nm1, f"PRV{e}PE{e}PXC{e}{t[rendering.taxonomy]}")

    # -- loops 2320, 2330A, 2330B --------------------------------------------------------

    def _other_payer(self, other: OtherPayer, claim: Claim) -> None:
        t = self.t
        self.seg(
            "SBR",
            other.responsibility,
            other.relationship,
            t[other.group_number],
            t[other.group_name],
            other.insurance_type,
            "",
            "",
            "",
            other.filing_indicator,
        )
        self._adjustments(other.adjustments)
        if other.paid_amount is not None:
            self.seg("AMT", "D", self._amount(other.paid_amount))
        if other.remaining_patient_liability is not None:
            self.seg("AMT", "EAF", self._amount(other.remaining_patient_liability))
        self.seg("OI", "", "", other.benefits_assignment, "", "", other.release_of_information)
        self.seg("NM1", "IL", *self._name(other.subscriber), "MI", t[other.subscriber_id])
        if other.subscriber_address is not None:
            self._address(other.subscriber_address)
        self.seg("NM1", "PR", "2", t[other.payer_name], "", "", "", "", "PI", t[other.payer_id])
        if other.adjudication_date is not None and not _adjudicates_lines(other, claim):
            self.seg("DTP", "573", "D8", self._date(other.adjudication_date))
        if other.claim_control_number:
            self.seg("REF", "F8", t[other.claim_control_number])

    def _adjustments(self, groups: tuple[AdjustmentGroup, ...]) -> None:
        for group in groups:
            elements = ["CAS", group.group]
            for adjustment in group.adjustments:
                quantity = adjustment.quantity
                elements += (
                    self.t[adjustment.reason],
                    self._amount(adjustment.amount),
                    "" if quantity is None else self._amount(quantity),
                )
            self.seg(*elements)

    # -- loops 2400 and 2430 ---------------------------------------------------------------

    def _line(self, number: int, line: ServiceLine, claim: Claim, diagnoses: int) -> None:
        out, e, claim_place = self.out, self.e, claim.place_of_service
        out.append(self.lx[number])
        key = (
            line.procedure_qualifier,
            line.procedure_code,
            line.modifiers,
            line.charge,
            line.unit_basis,
            line.units,
            line.place_of_service,
            line.diagnosis_pointers,
            claim_place,
            diagnoses,
        )
        memo = self.memo
        try:
            out.append(memo[key])
        except KeyError:
            check_line(self.check, line, number, diagnoses)
            out.append(memo.setdefault(key, self._sv1(line, claim_place)))
        control = self.t[line.control_number]
        if line.service_date_end is None:
            try:
                out.append(memo[line.service_date])
            except KeyError:
                out.append(memo.setdefault(line.service_date, self._service_date(line)))
            if control and len(control) <= 50 and not line.adjudications:
                out.append(f"REF{e}6R{e}{control}")
                return
        check_line_extras(self.check, line, number, claim)
        if line.service_date_end is not None:
            out.append(self._service_date(line))
        if control:
            out.append(f"REF{e}6R{e}{control}")
        for adjudication in line.adjudications:
            self._line_adjudication(adjudication)

    def _sv1(self, line: ServiceLine, claim_place: str) -> str:
        place = line.place_of_service
        elements = (
            "SV1",
            self._procedure(line.procedure_qualifier, line.procedure_code, line.modifiers),
            self._amount(line.charge),
            line.unit_basis,
            self._amount(line.units),
            place if place != claim_place else "",
            "",
            self.c.join(map(str, line.diagnosis_pointers)),
        )
        return self.e.join(elements)

    def _procedure(self, qualifier: str, code: str, modifiers: tuple[str, ...]) -> str:
        t = self.t
        return self.c.join((qualifier, t[code], *(t[m] for m in modifiers)))

    def _service_date(self, line: ServiceLine) -> str:
        e, start = self.e, self._date(line.service_date)
        if line.service_date_end is None:
            return f"DTP{e}472{e}D8{e}{start}"
        return f"DTP{e}472{e}RD8{e}{start}-{self._date(line.service_date_end)}"

    def _line_adjudication(self, adjudication: LineAdjudication) -> None:
        procedure = self._procedure(
            adjudication.procedure_qualifier, adjudication.procedure_code, adjudication.modifiers
        )
        self.seg(
            "SVD",
            self.t[adjudication.payer_id],
            self._amount(adjudication.paid_amount),
            procedure,
            "",
            self._amount(adjudication.paid_units),
        )
        self._adjustments(adjudication.adjustments)
        assert adjudication.adjudication_date is not None  # validated
        self.seg("DTP", "573", "D8", self._date(adjudication.adjudication_date))
        liability = adjudication.remaining_patient_liability
        if liability is not None:
            self.seg("AMT", "EAF", self._amount(liability))

    # -- shared pieces -------------------------------------------------------------------

    def _memo(self, key: object, make: Callable[[_T], str], value: _T) -> str:
        """``make(value)``, made once per ``key``."""
        try:
            return self.memo[key]
        except KeyError:
            return self.memo.setdefault(key, make(value))

    def _name(self, name: Name) -> tuple[str, str, str, str, str, str]:
        """NM102–NM107: entity type, last or organisation name, first, middle, '', suffix."""
        t = self.t
        if name.organization:
            return ("2", t[name.last], "", "", "", "")
        return ("1", t[name.last], t[name.first], t[name.middle], "", t[name.suffix])

    def _address(self, address: Address) -> None:
        self.out += self._address_text(address)

    def _address_text(self, address: Address) -> tuple[str, str]:
        t, e = self.t, self.e
        n3 = f"N3{e}{t[address.line1]}"
        if address.line2:
            n3 = f"{n3}{e}{t[address.line2]}"
        n4 = f"N4{e}{t[address.city]}{e}{t[address.state]}{e}{t[address.postal_code]}"
        if address.country:
            n4 = f"{n4}{e}{t[address.country]}"
        return n3, n4

    def _contact(self, contact: Contact) -> None:
        numbers = [part for pair in contact_numbers(contact, self.t) for part in pair]
        self.seg("PER", "IC", self.t[contact.name], *numbers)

    def _date(self, value: date) -> str:
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = f"{value.year:04d}{value.month:02d}{value.day:02d}"
        return text

    def _amount(self, value: Decimal) -> str:
        text = self._amounts.get(value)
        if text is None:
            text = self._amounts[value] = format_decimal(value)
        return text


def format_decimal(value: Decimal) -> str:
    """An X12 ``R`` value: no exponent, no trailing zeros after the point, no '-0'."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _runs(
    claims: Sequence[Claim], same: Callable[[Claim, Claim], bool]
) -> Iterator[Sequence[Claim]]:
    """Maximal runs of consecutive claims that ``same`` puts together."""
    start = 0
    for index in range(1, len(claims)):
        if not same(claims[index - 1], claims[index]):
            yield claims[start:index]
            start = index
    yield claims[start:]


def _same_provider(a: Claim, b: Claim) -> bool:
    return a.billing_provider is b.billing_provider or a.billing_provider == b.billing_provider


def _same_subscriber(a: Claim, b: Claim) -> bool:
    first, second = a.subscriber, b.subscriber
    return (
        (a.patient is None) == (b.patient is None)
        and (first is second or (first.member_id == second.member_id and first == second))
        and (a.payer is b.payer or a.payer == b.payer)
    )


def _same_patient(a: Claim, b: Claim) -> bool:
    return a.patient is b.patient or a.patient == b.patient


def _has_dates_or_references(claim: Claim) -> bool:
    return bool(
        claim.onset_date
        or claim.accident_date
        or claim.payer_claim_control_number
        or claim.referral_number
        or claim.prior_authorization
    )


def _adjudicates_lines(other: OtherPayer, claim: Claim) -> bool:
    """True when some line of ``claim`` carries a 2430 by ``other``."""
    return any(a.payer_id == other.payer_id for line in claim.lines for a in line.adjudications)
