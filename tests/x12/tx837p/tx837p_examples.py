"""Synthetic 837P values for the tests: the x12-notes minimal claim and helpers around it.

Every person, ID and amount here is made up.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx837p_005010X222A1 import (
    Address,
    Adjustment,
    AdjustmentGroup,
    BillingProvider,
    Claim,
    ClaimBatch,
    ClaimTransaction,
    Contact,
    EnvelopeParams,
    LineAdjudication,
    Name,
    OtherPayer,
    Patient,
    Payer,
    Provider,
    ServiceLine,
    Submitter,
    Subscriber,
    build_837p,
    reduce_to_basic,
)
from claimbridge.x12.tx837p_005010X222A1.charset import representable

ENVELOPE = EnvelopeParams(
    interchange_control_number=101,
    group_control_number=101,
    sender_id="123456789",
    created=datetime(2025, 3, 1, 12, 0),
)

CLINIC_ADDRESS = Address(
    line1="100 Main St", city="Springfield", state="IL", postal_code="627010000"
)
CLINIC = BillingProvider(
    name=Name.of_organization("Sunny Path Clinic"),
    npi="1234567893",
    tax_id="123456789",
    taxonomy="207Q00000X",
    address=CLINIC_ADDRESS,
)
SUBMITTER = Submitter(
    name=Name.of_organization("Sunny Path Clinic"),
    id="123456789",
    contact=Contact(name="Pat Biller", phone="5555550100"),
)
JANE = Subscriber(
    name=Name.person("Doe", "Jane"),
    member_id="XYZ123456789",
    group_number="GRP100",
    birth_date=date(1980, 1, 15),
    sex="F",
    address=Address(line1="12 Elm St", city="Springfield", state="IL", postal_code="62702"),
)
PLAN = Payer(name="Example Health Plan", payer_id="99999", filing_indicator="CI")
CHILD = Patient(
    name=Name.person("Doe", "Sam"),
    relationship="19",
    birth_date=date(2016, 6, 2),
    sex="M",
    address=JANE.address,
)
DR_ROE = Provider(name=Name.person("Roe", "Rita"), npi="1987654328", taxonomy="207Q00000X")
SECOND_CLINIC = dataclasses.replace(
    CLINIC,
    name=Name.of_organization("Hill Street Therapy"),
    npi="1300000019",
    tax_id="987654321",
)

MINIMAL_FILE = (
    "ISA*00*          *00*          *ZZ*123456789      *ZZ*330897513      "
    "*250301*1200*^*00501*000000101*0*P*:~"
    "GS*HC*123456789*OA*20250301*1200*101*X*005010X222A1~"
    "ST*837*0001*005010X222A1~"
    "BHT*0019*00*CB0000101*20250301*1200*CH~"
    "NM1*41*2*SUNNY PATH CLINIC*****46*123456789~"
    "PER*IC*PAT BILLER*TE*5555550100~"
    "NM1*40*2*OFFICE ALLY*****46*330897513~"
    "HL*1**20*1~"
    "PRV*BI*PXC*207Q00000X~"
    "NM1*85*2*SUNNY PATH CLINIC*****XX*1234567893~"
    "N3*100 MAIN ST~"
    "N4*SPRINGFIELD*IL*627010000~"
    "REF*EI*123456789~"
    "HL*2*1*22*0~"
    "SBR*P*18*GRP100******CI~"
    "NM1*IL*1*DOE*JANE****MI*XYZ123456789~"
    "N3*12 ELM ST~"
    "N4*SPRINGFIELD*IL*62702~"
    "DMG*D8*19800115*F~"
    "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*99999~"
    "CLM*CB1001*150***11:B:1*Y*A*Y*Y~"
    "HI*ABK:J029*ABF:R509~"
    "LX*1~"
    "SV1*HC:99213*150*UN*1***1:2~"
    "DTP*472*D8*20250225~"
    "REF*6R*CB1001-1~"
    "SE*25*0001~"
    "GE*1*101~"
    "IEA*1*000000101~"
)


def line(**changes: Any) -> ServiceLine:
    """The minimal example's line (99213, $150, pointers 1:2), with ``changes``."""
    base = ServiceLine(
        procedure_code="99213",
        charge=Decimal("150"),
        diagnosis_pointers=(1, 2),
        service_date=date(2025, 2, 25),
        control_number="CB1001-1",
    )
    return dataclasses.replace(base, **changes)


def claim(**changes: Any) -> Claim:
    """The minimal example's claim, with ``changes``; CLM02 follows the lines unless given."""
    values: dict[str, Any] = {
        "patient_control_number": "CB1001",
        "billing_provider": CLINIC,
        "subscriber": JANE,
        "payer": PLAN,
        "place_of_service": "11",
        "diagnoses": ("J029", "R509"),
        "lines": (line(),),
    }
    return Claim(**(values | changes))


def batch(*claims: Claim, **changes: Any) -> ClaimBatch:
    values: dict[str, Any] = {
        "submitter": SUBMITTER,
        "claims": claims or (claim(),),
        "reference": "CB0000101",
    }
    return ClaimBatch(**(values | changes))


def build(*claims: Claim, envelope: EnvelopeParams = ENVELOPE) -> str:
    return build_837p(batch(*claims), envelope)


def segments(text: str, terminator: str = "~") -> list[str]:
    """The segments of ``text`` without terminators."""
    return [s for s in text.split(terminator) if s]


def transactions(text: str) -> list[ClaimTransaction]:
    """Every 837P transaction set of ``text``, read by the dispatching reader."""
    found = []
    for parsed in parse_text(text):
        assert isinstance(parsed.value, ClaimTransaction)
        found.append(parsed.value)
    return found


def read_claims(text: str) -> list[Claim]:
    return [c for t in transactions(text) for c in t.batch.claims]


def cents(amount: int) -> Decimal:
    return Decimal(amount) / 100


def primary_paid(claim_value: Claim, paid: Decimal, coinsurance: Decimal) -> OtherPayer:
    """A primary payer that paid ``paid`` at claim level: CO-45 and PR-2 make up the rest."""
    contractual = claim_value.total_charge - paid - coinsurance
    return OtherPayer(
        responsibility="P",
        filing_indicator="CI",
        subscriber=JANE.name,
        subscriber_id=JANE.member_id,
        payer_name="Primary Example Plan",
        payer_id="11111",
        adjustments=(
            AdjustmentGroup(group="CO", adjustments=(Adjustment(reason="45", amount=contractual),)),
            AdjustmentGroup(group="PR", adjustments=(Adjustment(reason="2", amount=coinsurance),)),
        ),
        paid_amount=paid,
        remaining_patient_liability=coinsurance,
        adjudication_date=date(2025, 3, 20),
        claim_control_number="PRIMARYICN1",
    )


def line_paid(
    payer_id: str, service: ServiceLine, paid: Decimal, deductible: Decimal
) -> LineAdjudication:
    """One line adjudicated by ``payer_id``: ``paid`` + PR-1 ``deductible`` + CO-45 = charge."""
    groups = [AdjustmentGroup(group="PR", adjustments=(Adjustment(reason="1", amount=deductible),))]
    contractual = service.charge - paid - deductible
    if contractual:
        groups.append(
            AdjustmentGroup(group="CO", adjustments=(Adjustment(reason="45", amount=contractual),))
        )
    return LineAdjudication(
        payer_id=payer_id,
        paid_amount=paid,
        procedure_code=service.procedure_code,
        modifiers=service.modifiers,
        paid_units=service.units,
        adjustments=tuple(groups),
        adjudication_date=date(2025, 3, 20),
        remaining_patient_liability=deductible,
    )


def as_written(value: Any, delimiters: str = "*^:~") -> Any:
    """``value`` as the reader gives it back: every text reduced to the basic character set,
    and what the writer leaves out by rule left out (see ``_written_claim``)."""
    if isinstance(value, str):
        return reduce_to_basic(value, delimiters)
    if isinstance(value, tuple):
        return tuple(as_written(item, delimiters) for item in value)
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    fields = dataclasses.fields(value)
    changes = {f.name: as_written(getattr(value, f.name), delimiters) for f in fields}
    if isinstance(value, Contact) and not representable(value.email, delimiters):
        changes["email"] = ""  # not basic X12 text: the writer leaves it out
    written = dataclasses.replace(value, **changes)
    return _written_claim(written) if isinstance(written, Claim) else written


def _written_claim(value: Claim) -> Claim:
    """No 2310B for the billing NPI, no 2010AB equal to 2010AA, no SV105 equal to CLM05-1, no
    2330B DTP*573 when the payer adjudicated lines."""
    rendering = value.rendering_provider
    if rendering is not None and rendering.npi == value.billing_provider.npi:
        rendering = None
    provider = value.billing_provider
    if provider.pay_to_address == provider.address:
        provider = dataclasses.replace(provider, pay_to_address=None)
    lines = tuple(
        dataclasses.replace(line, place_of_service="")
        if line.place_of_service == value.place_of_service
        else line
        for line in value.lines
    )
    adjudicating = {a.payer_id for line in lines for a in line.adjudications}
    others = tuple(
        dataclasses.replace(other, adjudication_date=None)
        if other.payer_id in adjudicating
        else other
        for other in value.other_payers
    )
    return dataclasses.replace(
        value,
        rendering_provider=rendering,
        billing_provider=provider,
        lines=lines,
        other_payers=others,
    )
