"""Synthetic 837P batches for the simulator tests, modelled on shared/examples/practice.json.

Every person here is made up. ``practice_batch()`` holds the five appointments of the example
practice; ``claim(...)`` makes one more claim with the fields a test wants to steer a scenario
rule (payer, member ID, procedure codes, NPI).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from claimbridge.x12.tx837p_005010X222A1 import (
    Address,
    BillingProvider,
    Claim,
    ClaimBatch,
    Contact,
    EnvelopeParams,
    Name,
    Patient,
    Payer,
    Provider,
    ServiceLine,
    Submitter,
    Subscriber,
    build_837p,
)

SUBMITTER_ID = "847291635"
PRACTICE_NPI = "1300000019"
INVALID_NPI = "1300000018"  # fails the NPI check digit

PRACTICE = BillingProvider(
    name=Name.of_organization("Cedar Valley Family Health"),
    npi=PRACTICE_NPI,
    tax_id="847291635",
    taxonomy="261QP2300X",
    address=Address(
        line1="410 Orchard Ave", line2="Suite 2", city="Fresno", state="CA", postal_code="937101234"
    ),
    pay_to_address=Address(line1="PO Box 5521", city="Fresno", state="CA", postal_code="937555521"),
)
CHEN = Provider(name=Name.person("Chen", "Maya"), npi="1234567893", taxonomy="207Q00000X")
ORTEGA = Provider(name=Name.person("Ortega", "Luis"), npi="1987654328", taxonomy="111N00000X")

PAYERS = {
    "62308": Payer(name="CIGNA", payer_id="62308", filing_indicator="CI"),
    "87726": Payer(name="UNITED HEALTHCARE", payer_id="87726", filing_indicator="CI"),
    "01182": Payer(name="MEDICARE CALIFORNIA SOUTHERN", payer_id="01182", filing_indicator="MB"),
    "BS001": Payer(name="BLUE SHIELD OF CALIFORNIA", payer_id="BS001", filing_indicator="BL"),
}


def subscriber(last: str, first: str, member_id: str, birth: date, sex: str) -> Subscriber:
    home = Address(line1="77 Elm St", city="Fresno", state="CA", postal_code="93711")
    return Subscriber(
        name=Name.person(last, first), member_id=member_id, birth_date=birth, sex=sex, address=home
    )


def line(code: str, charge: str, day: date, *modifiers: str, units: str = "1") -> ServiceLine:
    return ServiceLine(
        procedure_code=code,
        charge=Decimal(charge),
        diagnosis_pointers=(1,),
        service_date=day,
        modifiers=modifiers,
        units=Decimal(units),
    )


def claim(
    number: str,
    *lines: ServiceLine,
    payer_id: str = "62308",
    member_id: str = "U8823410201",
    npi: str = PRACTICE_NPI,
    rendering: Provider | None = CHEN,
    patient: Patient | None = None,
) -> Claim:
    """A claim CLM01 ``number`` by Aaron Blake (synthetic) unless told otherwise."""
    billing = PRACTICE if npi == PRACTICE_NPI else _with_npi(npi)
    return Claim(
        patient_control_number=number,
        billing_provider=billing,
        subscriber=subscriber("Blake", "Aaron", member_id, date(1984, 3, 12), "M"),
        payer=PAYERS[payer_id],
        place_of_service="11",
        diagnoses=("J209", "R059"),
        lines=tuple(
            replace(service, control_number=f"{number}-{n}") for n, service in enumerate(lines, 1)
        ),
        patient=patient,
        rendering_provider=rendering,
    )


def _with_npi(npi: str) -> BillingProvider:
    return replace(PRACTICE, npi=npi)


def practice_batch(reference: str = "CB0000101") -> ClaimBatch:
    """The five appointments of the example practice, one claim each."""
    ramirez = Patient(
        name=Name.person("Ramirez", "Sofia"),
        birth_date=date(2015, 7, 30),
        sex="F",
        address=Address(line1="12 Birch Ln", city="Clovis", state="CA", postal_code="93612"),
        relationship="19",
    )
    claims = (
        claim("CB5001", line("99214", "185.00", date(2026, 11, 3), "25"),
              line("94640", "48.00", date(2026, 11, 3))),
        claim("CB5002", line("99393", "210.00", date(2026, 11, 4)),
              line("90460", "35.00", date(2026, 11, 4)), payer_id="87726", member_id="98123377",
              patient=ramirez),
        claim("CB5003", line("98941", "75.00", date(2026, 11, 5), "AT"),
              line("97140", "90.00", date(2026, 11, 5), "GP", "59", units="2"),
              payer_id="01182", member_id="1EG4TE5MK73", rendering=ORTEGA),
        claim("CB5004", line("99213", "140.00", date(2026, 11, 6), "95"), payer_id="BS001",
              member_id="XEB900112233"),
        claim("CB5005", line("98940", "60.00", date(2026, 11, 10)),
              line("97012", "30.00", date(2026, 11, 10)), rendering=ORTEGA),
    )  # fmt: skip
    return batch(*claims, reference=reference)


def batch(*claims: Claim, reference: str = "CB0000102") -> ClaimBatch:
    submitter = Submitter(
        name=Name.of_organization("Cedar Valley Family Health"),
        id=SUBMITTER_ID,
        contact=Contact(name="Dana Whitfield", phone="5594201188"),
    )
    return ClaimBatch(submitter=submitter, claims=claims, reference=reference)


def file_text(claims: ClaimBatch, control_number: int = 101) -> str:
    """``claims`` as an 837P file in Office Ally's envelope."""
    envelope = EnvelopeParams(
        interchange_control_number=control_number,
        group_control_number=control_number,
        sender_id=SUBMITTER_ID,
        created=datetime(2026, 11, 12, 9, 15),
    )
    return build_837p(claims, envelope)
