"""Hypothesis strategies for synthetic 837P claim batches, in every shape the writer makes.

Text is deliberately awkward (lower case, accents, delimiters, symbols outside the basic
character set); required values keep enough ASCII letters and digits to survive the
reduction. Secondary claims balance as the TR3 asks.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from claimbridge.x12.tx837p_005010X222A1 import (
    Address,
    Adjustment,
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
    ServiceFacility,
    ServiceLine,
    Submitter,
    Subscriber,
)

AWKWARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '-.,&/*:~^|>#@%éÑüß"
ID_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789abcxyz-"
DELIMITER_SETS = (("*", "^", ":", "~"), ("|", "^", ">", "~"), ("*", "{", ":", "\n"))
PROCEDURES = ("99213", "99214", "97110", "97140", "90834", "36415", "A0427", "J1885", "00840")
MODIFIERS = ("25", "59", "GP", "XU", "KX", "95", "TC", "26", "RT", "LT", "AT")
DIAGNOSES = ("J029", "R509", "E119", "I10", "M5450", "Z00129", "F411", "K219", "S52501A")
PLACES = ("11", "02", "10", "22", "23", "81")
FILING = ("CI", "BL", "MB", "MC", "12", "HM", "CH")
DAY = timedelta(days=1)


def _ascii_alnum(text: str) -> int:
    return sum(1 for c in text if c.isascii() and c.isalnum())


def text(max_size: int = 20, at_least: int = 1) -> st.SearchStrategy[str]:
    """Awkward text with at least ``at_least`` ASCII letters or digits."""
    return st.text(AWKWARD, min_size=at_least, max_size=max_size).filter(
        lambda value: _ascii_alnum(value) >= at_least
    )


def maybe(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


def identifier(min_size: int = 2, max_size: int = 15) -> st.SearchStrategy[str]:
    return st.text(ID_CHARACTERS, min_size=min_size, max_size=max_size).filter(
        lambda value: _ascii_alnum(value) >= min_size
    )


def digits(count: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=count, max_size=count)


def npi() -> st.SearchStrategy[str]:
    return digits(9).map(lambda body: body + _npi_check_digit(body))


def _npi_check_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed("80840" + body)):
        digit = int(char) * (1 if index % 2 else 2)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def money(low: int = 0, high: int = 250_000) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda cents: Decimal(cents) / 100)


def dates() -> st.SearchStrategy[date]:
    return st.dates(min_value=date(1930, 1, 1), max_value=date(2030, 12, 31))


def person() -> st.SearchStrategy[Name]:
    return st.builds(
        Name.person,
        text(),
        maybe(text(max_size=15)),
        maybe(text(max_size=10)),
        maybe(st.sampled_from(("JR", "sr.", "III"))),
    )


def organization() -> st.SearchStrategy[Name]:
    return st.builds(Name.of_organization, text(max_size=30))


@st.composite
def address(draw: st.DrawFn, nine_digits: bool = False) -> Address:
    zip_code = draw(digits(9) if nine_digits else st.one_of(digits(5), digits(9)))
    return Address(
        line1=draw(text(max_size=30)),
        line2=draw(maybe(text(max_size=12))),
        city=draw(text(max_size=20, at_least=2)),
        state=draw(st.sampled_from(("IL", "ca", "NY", "Tx"))),
        postal_code=zip_code,
    )


@st.composite
def contact(draw: st.DrawFn) -> Contact:
    """A contact PER can hold: up to three of phone, extension, e-mail and fax."""
    email = draw(st.sampled_from(("", "billing@example.test", "FRONT.DESK")))
    extension = draw(maybe(digits(3)))
    fax = "" if extension and email == "FRONT.DESK" else draw(maybe(digits(10)))
    return Contact(
        name=draw(maybe(text(max_size=20))),
        phone=draw(digits(10)),
        extension=extension,
        email=email,
        fax=fax,
    )


@st.composite
def billing_provider(draw: st.DrawFn) -> BillingProvider:
    street = draw(address(nine_digits=True).filter(lambda a: not a.is_po_box))
    box = Address(
        line1=f"PO Box {draw(st.integers(1, 99999))}",
        city=street.city,
        state=street.state,
        postal_code=draw(digits(9)),
    )
    return BillingProvider(
        name=draw(st.one_of(organization(), person())),
        npi=draw(npi()),
        tax_id=draw(digits(9)),
        tax_id_qualifier=draw(st.sampled_from(("EI", "SY"))),
        taxonomy=draw(st.sampled_from(("", "207Q00000X", "261QP2300X"))),
        address=street,
        pay_to_address=draw(st.sampled_from((None, box))),
        contact=draw(st.one_of(st.none(), contact())),
    )


@st.composite
def subscriber(draw: st.DrawFn) -> Subscriber:
    return Subscriber(
        name=draw(person()),
        member_id=draw(identifier()),
        group_number=draw(maybe(identifier())),
        group_name=draw(maybe(text(max_size=20))),
        birth_date=draw(dates()),
        sex=draw(st.sampled_from("FMU")),
        address=draw(address()),
    )


@st.composite
def patient(draw: st.DrawFn) -> Patient:
    return Patient(
        name=draw(person()),
        relationship=draw(st.sampled_from(("01", "19", "20", "21", "39", "40", "53", "G8"))),
        birth_date=draw(dates()),
        sex=draw(st.sampled_from("FMU")),
        address=draw(address()),
    )


def payer() -> st.SearchStrategy[Payer]:
    return st.builds(
        Payer,
        name=text(max_size=30),
        payer_id=identifier(max_size=8),
        filing_indicator=st.sampled_from(FILING),
        responsibility=st.sampled_from(("P", "S", "T")),
        address=st.one_of(st.none(), address()),
    )


@st.composite
def service_line(draw: st.DrawFn, diagnoses: int, claim_place: str) -> ServiceLine:
    start = draw(dates())
    basis = draw(st.sampled_from(("UN", "MJ")))
    units = draw(st.integers(1, 999).map(lambda n: Decimal(n) / (10 if basis == "MJ" else 1)))
    pointers = draw(
        st.lists(st.integers(1, diagnoses), min_size=1, max_size=min(4, diagnoses), unique=True)
    )
    return ServiceLine(
        procedure_code=draw(st.sampled_from(PROCEDURES)),
        modifiers=tuple(draw(st.lists(st.sampled_from(MODIFIERS), max_size=4, unique=True))),
        charge=draw(money()),
        units=units,
        unit_basis=basis,
        place_of_service=draw(st.sampled_from(("", *(p for p in PLACES if p != claim_place)))),
        diagnosis_pointers=tuple(pointers),
        service_date=start,
        service_date_end=draw(st.sampled_from((None, start, start + 3 * DAY))),
        control_number=draw(maybe(identifier(1, 20))),
    )


@st.composite
def claim_core(draw: st.DrawFn, loops: tuple[BillingProvider, Subscriber, Payer]) -> Claim:
    provider, insured, plan = loops
    place = draw(st.sampled_from(PLACES))
    diagnoses = tuple(
        draw(st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=12, unique=True))
    )
    diagnoses = tuple(code.lower() if draw(st.booleans()) else code for code in diagnoses)
    lines = draw(st.lists(service_line(len(diagnoses), place), min_size=1, max_size=50))
    frequency = draw(st.sampled_from("178"))
    causes = draw(st.sampled_from(((), ("AA",), ("EM",), ("OA", "EM"))))
    return Claim(
        patient_control_number=draw(identifier(1, 20)),
        billing_provider=provider,
        subscriber=insured,
        payer=plan,
        place_of_service=place,
        diagnoses=diagnoses,
        lines=tuple(lines),
        frequency=frequency,
        payer_claim_control_number=draw(identifier()) if frequency != "1" else "",
        related_causes=causes,
        accident_state="NY" if "AA" in causes else "",
        accident_date=draw(dates()) if {"AA", "OA"} & set(causes) else None,
        onset_date=draw(st.one_of(st.none(), dates())),
        prior_authorization=draw(maybe(identifier())),
        referral_number=draw(maybe(identifier())),
        provider_signature=draw(st.sampled_from("YN")),
        assignment=draw(st.sampled_from("ABC")),
        benefits_assignment=draw(st.sampled_from("YNW")),
        release_of_information=draw(st.sampled_from("IY")),
    )


@st.composite
def rendering_and_facility(
    draw: st.DrawFn, provider: BillingProvider
) -> tuple[Provider | None, ServiceFacility | None]:
    other_npi = draw(npi().filter(lambda value: value != provider.npi))
    rendering = draw(
        st.sampled_from(
            (
                None,
                Provider(name=draw(person()), npi=other_npi, taxonomy="207Q00000X"),
                Provider(name=draw(person()), npi=provider.npi),
            )
        )
    )
    facility = ServiceFacility(
        name=draw(text(max_size=30)), npi=draw(maybe(npi())), address=draw(address(True))
    )
    return rendering, draw(st.sampled_from((None, facility)))


@st.composite
def other_payers(draw: st.DrawFn, claim: Claim) -> Claim:
    """``claim`` with 0–2 other payers, each balanced at claim level or by 2430 lines."""
    count = draw(st.integers(0, 2))
    ids = draw(st.lists(identifier(max_size=8), min_size=count, max_size=count, unique=True))
    others: list[OtherPayer] = []
    lines = list(claim.lines)
    for payer_id in ids:
        if draw(st.booleans()):
            others.append(draw(_paid_at_claim_level(claim, payer_id)))
            continue
        adjudications = [draw(_line_adjudication(line, payer_id)) for line in lines]
        lines = [
            _with_adjudication(line, adjudication)
            for line, adjudication in zip(lines, adjudications, strict=True)
        ]
        paid = sum((a.paid_amount for a in adjudications), Decimal(0))
        others.append(draw(_other_payer(payer_id, paid, ())))
    return dataclasses.replace(claim, other_payers=tuple(others), lines=tuple(lines))


def _with_adjudication(line: ServiceLine, adjudication: LineAdjudication) -> ServiceLine:
    return dataclasses.replace(line, adjudications=(*line.adjudications, adjudication))


def _groups(*pairs: tuple[str, str, Decimal]) -> tuple[AdjustmentGroup, ...]:
    return tuple(
        AdjustmentGroup(group=group, adjustments=(Adjustment(reason=reason, amount=amount),))
        for group, reason, amount in pairs
        if amount
    )


@st.composite
def _split(draw: st.DrawFn, total: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """``total`` as paid + patient share + contractual write-off, in cents."""
    cents = int(total * 100)
    paid = draw(st.integers(0, cents))
    patient_share = draw(st.integers(0, cents - paid))
    return (
        Decimal(paid) / 100,
        Decimal(patient_share) / 100,
        Decimal(cents - paid - patient_share) / 100,
    )


@st.composite
def _paid_at_claim_level(draw: st.DrawFn, claim: Claim, payer_id: str) -> OtherPayer:
    paid, patient_share, contractual = draw(_split(claim.total_charge))
    groups = _groups(("CO", "45", contractual), ("PR", "2", patient_share))
    return draw(_other_payer(payer_id, paid, groups))


@st.composite
def _line_adjudication(draw: st.DrawFn, line: ServiceLine, payer_id: str) -> LineAdjudication:
    paid, deductible, contractual = draw(_split(line.charge))
    return LineAdjudication(
        payer_id=payer_id,
        paid_amount=paid,
        procedure_code=line.procedure_code,
        modifiers=line.modifiers,
        paid_units=line.units,
        adjustments=_groups(("PR", "1", deductible), ("CO", "45", contractual)),
        adjudication_date=draw(dates()),
        remaining_patient_liability=deductible if deductible else None,
    )


@st.composite
def _other_payer(
    draw: st.DrawFn, payer_id: str, paid: Decimal, groups: tuple[AdjustmentGroup, ...]
) -> OtherPayer:
    return OtherPayer(
        responsibility=draw(st.sampled_from(("P", "S", "T"))),
        relationship=draw(st.sampled_from(("18", "01", "19"))),
        filing_indicator=draw(st.sampled_from(FILING)),
        group_number=draw(maybe(identifier())),
        subscriber=draw(person()),
        subscriber_id=draw(identifier()),
        subscriber_address=draw(st.one_of(st.none(), address())),
        payer_name=draw(text(max_size=30)),
        payer_id=payer_id,
        adjustments=groups,
        paid_amount=paid,
        remaining_patient_liability=draw(st.one_of(st.none(), money(0, 5000))),
        adjudication_date=draw(dates()),
        claim_control_number=draw(maybe(identifier())),
    )


@st.composite
def claim_batch(draw: st.DrawFn, max_claims: int = 4) -> ClaimBatch:
    """1–``max_claims`` claims over pools of providers, subscribers, payers and patients."""
    providers = draw(st.lists(billing_provider(), min_size=1, max_size=3))
    subscribers = draw(st.lists(subscriber(), min_size=1, max_size=3))
    payers = draw(st.lists(payer(), min_size=1, max_size=2))
    dependents = draw(st.lists(patient(), min_size=1, max_size=2))
    claims = []
    for _ in range(draw(st.integers(1, max_claims))):
        loops = (
            draw(st.sampled_from(providers)),
            draw(st.sampled_from(subscribers)),
            draw(st.sampled_from(payers)),
        )
        core = draw(claim_core(loops))
        rendering, facility = draw(rendering_and_facility(loops[0]))
        core = dataclasses.replace(
            core,
            patient=draw(st.sampled_from((None, *dependents))),
            rendering_provider=rendering,
            service_facility=facility,
        )
        claims.append(draw(other_payers(core)))
    sender = Submitter(name=draw(organization()), id=draw(identifier()), contact=draw(contact()))
    return ClaimBatch(
        submitter=sender,
        claims=tuple(claims),
        reference=draw(identifier(1, 30)),
        transaction_type=draw(st.sampled_from(("CH", "RP"))),
    )


@st.composite
def envelope(draw: st.DrawFn) -> EnvelopeParams:
    element, repetition, component, terminator = draw(st.sampled_from(DELIMITER_SETS))
    return EnvelopeParams(
        interchange_control_number=draw(st.integers(1, 999_999_999)),
        group_control_number=draw(st.integers(1, 999_999_999)),
        first_transaction_number=draw(st.integers(1, 9999)),
        sender_id=draw(identifier(2, 15)),
        created=datetime(2025, 3, 1, 12, 0) + draw(st.integers(0, 10**6)) * timedelta(minutes=1),
        usage=draw(st.sampled_from("PT")),
        element_separator=element,
        repetition_separator=repetition,
        component_separator=component,
        segment_terminator=terminator,
    )
