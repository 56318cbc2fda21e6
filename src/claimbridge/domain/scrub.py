"""The claim scrubber: may this claim go out? Every failed edit, in words a biller understands.

``scrub(facts)`` looks at everything an 837P claim is made of (the practice as billing
provider, the rendering provider, the patient, the policy and its subscriber, the payer, the
appointment's diagnoses and lines) and returns a ``ScrubResult``: ``ready`` when nothing is
wrong, else ``held`` with one sentence per problem, e.g. ``"line 2: diagnosis pointer 3 points
past the 2 diagnoses of the visit"``. The enrollment and go-live gate (``enrollment.decide``)
is one of the edits. Pure: the date to compare with ("today") is passed in.

The checks of one field (``birth_date_problem``, ``diagnosis_problems``, ``line_problems``, the
format checks of ``codes`` and the amounts of ``money``) are the same ones a correction of the
claim runs on each field it changes (``services.claim_fix``), so a value a correction accepts is
one the scrubber accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from claimbridge.domain import codes, enrollment
from claimbridge.domain.frequency import ClaimFrequency
from claimbridge.domain.models import (
    Address,
    Appointment,
    Patient,
    Payer,
    Person,
    Policy,
    Practice,
    Provider,
    Relationship,
    ServiceLine,
)
from claimbridge.domain.money import money_problem, units_problem
from claimbridge.domain.payers import filing_indicator_problem
from claimbridge.domain.status import ClaimStatus
from claimbridge.x12.tx837p_005010X222A1.cob import OtherPayerAdjudication
from claimbridge.x12.tx837p_005010X222A1.models import Address as X12Address

MAX_DIAGNOSES = 12
MAX_LINES = 50
MAX_POINTERS = 4
MAX_MODIFIERS = 4
MAX_PATIENT_CONTROL_NUMBER = 14  # Office Ally's File Summary shows 14 characters of CLM01
SEXES = ("F", "M", "U")


@dataclass(frozen=True, slots=True)
class Coverage:
    """Another policy of the patient and its payer: a payer of the claim besides the one billed,
    written in loops 2320/2330A/2330B (so a payer can cross the claim over, or the next one
    knows who paid before it)."""

    policy: Policy
    payer: Payer


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """One claim and everything it is made of, as the ledger holds it.

    ``lines`` are the claim's own lines (a copy of the appointment's, or of the claim a
    replacement replaces) with their REF*6R ``line_control_numbers`` and the ``line_numbers``
    a person sees (1, 2, … unless given: a correction that removed a line leaves a gap);
    ``provider``, ``payer`` and ``policy`` are None when unknown.

    A secondary or tertiary claim carries ``prior_adjudications``: what each payer before it
    did with the claim (from the 835s posted on the claim it follows), in payer order;
    ``other_coverage`` lists the patient's other policies (each written in 2320 without
    adjudication unless a prior adjudication is the same payer's). ``cob_problem`` says why
    the adjudication of the claim it follows cannot be passed on (a reversal left none, the
    835 does not balance against the claim), which holds the claim.
    """

    patient_control_number: str
    practice: Practice
    submitter_id: str
    provider: Provider | None
    payer: Payer | None
    patient: Patient
    policy: Policy | None
    appointment: Appointment
    lines: tuple[ServiceLine, ...]
    line_control_numbers: tuple[str, ...]
    go_live: date | None
    today: date
    frequency: str = "1"
    payer_claim_control_number: str | None = None
    line_numbers: tuple[int, ...] = ()
    other_coverage: tuple[Coverage, ...] = ()
    prior_adjudications: tuple[OtherPayerAdjudication, ...] = ()
    cob_problem: str | None = None


@dataclass(frozen=True, slots=True)
class ScrubResult:
    """The scrubber's answer: every failed edit (none means ready), and the ERA note."""

    edits: tuple[str, ...]
    era_expected: bool = True
    era_note: str | None = None

    @property
    def status(self) -> ClaimStatus:
        """``held`` when any edit failed, else ``ready``."""
        return ClaimStatus.HELD if self.edits else ClaimStatus.READY

    @property
    def reason(self) -> str:
        """The edits as one text (stored on the claim), or why it is ready."""
        if self.edits:
            return "; ".join(self.edits)
        return "passed every check" + (f" ({self.era_note})" if self.era_note else "")


Edits = Iterator[str]


def scrub(facts: ClaimFacts) -> ScrubResult:
    """Every failed edit of the claim in ``facts``; none means it may go out."""
    checks: tuple[Callable[[ClaimFacts], Edits], ...] = (
        _claim_edits,
        _practice_edits,
        _provider_edits,
        _patient_edits,
        _policy_edits,
        _payer_edits,
        _visit_edits,
        _line_edits,
        _other_payer_edits,
    )
    edits = [edit for check in checks for edit in check(facts)]
    if facts.payer is None:
        return ScrubResult(tuple(edits))
    gate = enrollment.decide(facts.payer, facts.appointment.service_date, facts.go_live)
    edits.extend(reason for reason in gate.hold_reasons if reason not in edits)
    return ScrubResult(tuple(edits), gate.era_expected, gate.era_note)


def _claim_edits(facts: ClaimFacts) -> Edits:
    number = facts.patient_control_number
    if not number or len(number) > MAX_PATIENT_CONTROL_NUMBER:
        yield (
            f"the patient control number {number!r} must have 1 to "
            f"{MAX_PATIENT_CONTROL_NUMBER} characters (Office Ally shows no more)"
        )
    corrects = (ClaimFrequency.REPLACEMENT, ClaimFrequency.VOID)
    if facts.frequency in corrects and not facts.payer_claim_control_number:
        kind = "replacement" if facts.frequency == ClaimFrequency.REPLACEMENT else "void"
        yield f"a {kind} claim needs the payer's claim number of the claim it corrects"


def _practice_edits(facts: ClaimFacts) -> Edits:
    practice = facts.practice
    yield from _problems(
        "the practice's",
        (
            ("NPI", codes.npi_problem(practice.npi)),
            ("tax ID", codes.tax_id_problem(practice.tax_id)),
            ("taxonomy code", codes.taxonomy_problem(practice.taxonomy)),
        ),
    )
    if not practice.name.strip():
        yield "the practice has no name"
    yield from _address_edits("the practice's address", practice.address)
    if _is_po_box(practice.address):
        yield (
            "the practice's address is a PO box; payers need the street address "
            "(put the box in the pay-to address)"
        )
    if len(practice.address.zip) != 9:
        yield "the practice's ZIP code needs all 9 digits (ZIP+4) for the billing provider"
    if not facts.submitter_id:
        yield "the Office Ally account has no submitter ID"
    contact = practice.contact
    if contact is None or not contact.phone:
        # 1000A PER needs a number; an e-mail cannot go ('@' is not basic X12 text)
        yield "the practice has no billing contact with a phone number"


def _provider_edits(facts: ClaimFacts) -> Edits:
    provider = facts.provider
    if provider is None:
        yield "the visit has no rendering provider"
        return
    yield from _problems(
        f"provider {provider.key}'s",
        (
            ("NPI", codes.npi_problem(provider.npi)),
            ("taxonomy code", codes.taxonomy_problem(provider.taxonomy)),
        ),
    )
    if not (provider.first_name.strip() and provider.last_name.strip()):
        yield f"provider {provider.key} needs a first and last name"


def _patient_edits(facts: ClaimFacts) -> Edits:
    patient = facts.patient
    who = f"patient {patient.key}"
    yield from _person_edits(who, patient.first_name, patient.last_name, patient.sex)
    problem = birth_date_problem(patient.dob, facts.appointment.service_date, facts.today)
    if problem:
        yield f"{who}'s date of birth: {problem}"
    yield from _address_edits(f"{who}'s address", patient.address)


def _person_edits(who: str, first: str, last: str, sex: str) -> Edits:
    if not (first.strip() and last.strip()):
        yield f"{who} needs a first and last name"
    if sex not in SEXES:
        yield f"{who}'s sex must be F, M or U, not {sex!r}"


def _policy_edits(facts: ClaimFacts) -> Edits:
    policy = facts.policy
    who = f"patient {facts.patient.key}"
    if policy is None:
        yield f"{who} has no insurance policy to bill"
        return
    if not policy.member_id.strip():
        yield f"{who}'s policy has no member ID"
    if policy.relationship is not Relationship.SELF:
        yield from _subscriber_edits(who, policy.subscriber)


def _subscriber_edits(who: str, subscriber: Person | None) -> Edits:
    """The policy holder of a dependent: a name and sex; an address only checked when given
    (2010BA N3/N4 is required only when the patient is the subscriber)."""
    if subscriber is None:
        yield f"{who} is not the policy holder, but the policy holder is not recorded"
        return
    holder = f"{who}'s policy holder"
    yield from _person_edits(holder, subscriber.first_name, subscriber.last_name, subscriber.sex)
    if subscriber.address is not None:
        yield from _address_edits(f"{holder}'s address", subscriber.address)


def _payer_edits(facts: ClaimFacts) -> Edits:
    payer = facts.payer
    if payer is None:
        policy = facts.policy
        if policy is not None:
            yield f"payer {policy.payer_id} is not in the payer list"
        return
    indicator = payer.claim_filing_indicator
    problem = filing_indicator_problem(indicator) if indicator else None
    if problem:
        yield f"{payer.name} ({payer.payer_id}): claim filing indicator {problem}"


def _visit_edits(facts: ClaimFacts) -> Edits:
    visit = facts.appointment
    if visit.service_date > facts.today:
        yield f"the date of service {visit.service_date.isoformat()} is in the future"
    if codes.place_of_service_problem(visit.place_of_service):
        yield f"the place of service {visit.place_of_service!r} is not a two-digit code"
    for number, problem in diagnosis_problems(visit.diagnoses):
        yield f"diagnosis {number}: {problem}" if number else problem


def _line_edits(facts: ClaimFacts) -> Edits:
    if not facts.lines:
        yield "the claim has no service lines"
    if len(facts.lines) > MAX_LINES:
        yield f"the claim has {len(facts.lines)} lines; an 837P claim takes {MAX_LINES}"
    diagnoses = len(facts.appointment.diagnoses)
    numbers = facts.line_numbers or range(1, len(facts.lines) + 1)
    for number, line in zip(numbers, facts.lines, strict=True):
        yield from (f"line {number}: {edit}" for _, edit in line_problems(line, diagnoses))


def _other_payer_edits(facts: ClaimFacts) -> Edits:
    if facts.cob_problem:
        yield facts.cob_problem


def text_problem(text: str, most: int) -> str | None:
    """Why ``text`` cannot be a name or an ID of at most ``most`` characters (empty, too long)."""
    if not text.strip():
        return "may not be empty"
    if len(text.strip()) > most:
        return f"has {len(text.strip())} characters; at most {most} fit"
    return None


def birth_date_problem(dob: date, service_date: date, today: date) -> str | None:
    """Why ``dob`` cannot be the birth date of a patient seen on ``service_date``."""
    if dob > today:
        return f"{dob.isoformat()} is in the future"
    if dob > service_date:
        return f"{dob.isoformat()} is after the date of service {service_date.isoformat()}"
    return None


def diagnosis_problems(diagnoses: Sequence[str]) -> Iterator[tuple[int, str]]:
    """(position from 1, problem) of each wrong diagnosis code (box 21); position 0 for the
    list as a whole (none, or more than a claim takes)."""
    if not diagnoses:
        yield 0, "the visit has no diagnosis"
    if len(diagnoses) > MAX_DIAGNOSES:
        yield 0, f"the visit has {len(diagnoses)} diagnoses; a claim takes {MAX_DIAGNOSES}"
    seen: set[str] = set()
    for number, code in enumerate(diagnoses, start=1):
        if codes.icd10cm_problem(code):
            yield number, f"{code!r} is not an ICD-10-CM code (e.g. J20.9)"
        elif codes.normalize_icd10cm(code) in seen:
            yield number, f"{code!r} is listed twice"
        seen.add(codes.normalize_icd10cm(code))


def line_problems(line: ServiceLine, diagnoses: int) -> Iterator[tuple[str, str]]:
    """(field, problem) of each wrong box 24 field of ``line`` on a visit with ``diagnoses``
    diagnoses; the field is ``code``, ``modifiers``, ``units``, ``charge`` or
    ``diagnosis_pointers``."""
    if codes.procedure_problem(line.code):
        yield "code", f"{line.code!r} is not a CPT or HCPCS code (e.g. 99213)"
    if len(line.modifiers) > MAX_MODIFIERS:
        yield "modifiers", f"{len(line.modifiers)} modifiers; a line takes {MAX_MODIFIERS}"
    yield from (
        ("modifiers", f"{modifier!r} is not a modifier (two letters or digits)")
        for modifier in line.modifiers
        if codes.modifier_problem(modifier)
    )
    for name, problem in (("units", units_problem(line.units)),
                          ("charge", money_problem(line.charge))):  # fmt: skip
        if problem:
            yield name, problem
    yield from (("diagnosis_pointers", edit) for edit in _pointer_edits(line.diagnosis_pointers,
                                                                         diagnoses))  # fmt: skip


def _pointer_edits(pointers: tuple[int, ...], diagnoses: int) -> Edits:
    if not pointers:
        yield "no diagnosis pointer (which diagnosis does this service treat?)"
    if len(pointers) > MAX_POINTERS:
        yield f"{len(pointers)} diagnosis pointers; a line takes {MAX_POINTERS}"
    if len(set(pointers)) != len(pointers):
        yield "a diagnosis pointer is repeated"
    for pointer in pointers:
        if not 1 <= pointer <= diagnoses:
            yield f"diagnosis pointer {pointer} points past the {diagnoses} diagnoses of the visit"


def _address_edits(what: str, address: Address) -> Edits:
    if not (address.line1.strip() and address.city.strip()):
        yield f"{what} needs a street line and a city"
    for problem in (codes.state_problem(address.state), codes.zip_problem(address.zip)):
        if problem:
            yield f"{what}: {problem}"


def _problems(owner: str, found: tuple[tuple[str, str | None], ...]) -> Edits:
    for field, problem in found:
        if problem:
            yield f"{owner} {field}: {problem}"


def _is_po_box(address: Address) -> bool:
    line2 = address.line2 or ""
    return X12Address(line1=address.line1, line2=line2, city="", state="", postal_code="").is_po_box
