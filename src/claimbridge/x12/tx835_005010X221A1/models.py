"""Typed values of one 835 005010X221A1 transaction set: a remittance (one check or EFT).

Every class is a ``NamedTuple`` (cheap to build, frozen). Segment values name their elements
after the implementation guide (TR3) in element order, and end with ``position``, the 1-based
place of the segment in the file, so a later check can point at it. Loops follow the guide:
``Loop1000A`` payer, ``Loop1000B`` payee, ``Loop2000`` header number (LX), ``Loop2100`` claim
(CLP), ``Loop2110`` service line (SVC).

Amounts are ``Decimal`` with at least two decimals, never rounded; an empty optional amount is
``None``. Every element of every segment is kept, including those the guide marks "not used".
A segment the guide does not allow where it stands, or a second copy of one it allows once, is
kept as read in ``other_segments`` of the loop it appeared in, never dropped.

CAS and PLB are flattened: each reason/amount(/quantity) group of a segment becomes one
``Adjustment`` or ``ProviderAdjustment`` that carries the segment's group code (CAS01) or
provider and fiscal period (PLB01/PLB02) and the segment's position.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from claimbridge.x12.segments import Segment

_CLAIM_DATES = frozenset({"232", "233"})  # claim statement period start, end
_LINE_DATES = frozenset({"472", "150", "151"})  # service date, service period start, end


class Trn(NamedTuple):
    """TRN reassociation trace number: the check or EFT number that ties the 835 to the money."""

    trace_type_code: str
    trace_number: str
    originating_company_id: str
    originating_company_supplemental_code: str
    position: int


class Bpr(NamedTuple):
    """BPR financial information: how much was paid, how, and through which accounts.

    ``payment_date`` is BPR16 read as CCYYMMDD, or None when BPR16 is empty or not a real
    date; ``payment_date_text`` keeps BPR16 exactly as sent. BPR16 is the one date read
    leniently: published payer files carry impossible ones (``20002316``), and the payment
    is still identified by TRN and the amount.
    """

    transaction_handling_code: str
    amount: Decimal
    credit_debit_flag: str
    payment_method_code: str
    payment_format_code: str
    sender_dfi_qualifier: str
    sender_dfi_number: str
    sender_account_qualifier: str
    sender_account_number: str
    originating_company_id: str
    originating_company_supplemental_code: str
    receiver_dfi_qualifier: str
    receiver_dfi_number: str
    receiver_account_qualifier: str
    receiver_account_number: str
    payment_date: dt.date | None
    payment_date_text: str
    business_function_code: str
    return_dfi_qualifier: str
    return_dfi_number: str
    return_account_qualifier: str
    return_account_number: str
    position: int


class Cur(NamedTuple):
    """CUR foreign currency: CUR07–CUR21 (dates and times of the rate) are kept as sent."""

    entity_code: str
    currency_code: str
    exchange_rate: Decimal | None
    other_entity_code: str
    other_currency_code: str
    market_exchange_code: str
    date_time_elements: tuple[str, ...]
    position: int


class Ref(NamedTuple):
    """REF reference identification; ``reference_ids`` is the REF04 composite as sent."""

    qualifier: str
    value: str
    description: str
    reference_ids: str
    position: int


class Dtm(NamedTuple):
    """DTM date; ``date`` is DTM02, None only when the segment carries a period instead."""

    qualifier: str
    date: dt.date | None
    time: str
    time_code: str
    period_format: str
    period: str
    position: int


class N1(NamedTuple):
    """N1 party identification (PR payer, PE payee)."""

    entity_code: str
    name: str
    id_qualifier: str
    id: str
    relationship_code: str
    related_entity_code: str
    position: int


class N3(NamedTuple):
    """N3 street address."""

    address_1: str
    address_2: str
    position: int


class N4(NamedTuple):
    """N4 city, state, ZIP code."""

    city: str
    state: str
    postal_code: str
    country_code: str
    location_qualifier: str
    location_id: str
    country_subdivision: str
    position: int


class Per(NamedTuple):
    """PER contact: function code (BL technical, CX business, IC web site), up to three numbers."""

    function_code: str
    name: str
    number_qualifier_1: str
    number_1: str
    number_qualifier_2: str
    number_2: str
    number_qualifier_3: str
    number_3: str
    inquiry_reference: str
    position: int


class Rdm(NamedTuple):
    """RDM remittance delivery method (how the payee gets a separate remittance)."""

    transmission_code: str
    name: str
    communication_number: str
    reference_1: str
    reference_2: str
    position: int


class Loop1000A(NamedTuple):
    """Payer identification: N1*PR with its address, ids and every contact (PER)."""

    n1: N1
    n3: N3 | None
    n4: N4 | None
    references: tuple[Ref, ...]
    contacts: tuple[Per, ...]
    other_segments: tuple[Segment, ...]


class Loop1000B(NamedTuple):
    """Payee identification: N1*PE with its address, ids and delivery method."""

    n1: N1
    n3: N3 | None
    n4: N4 | None
    references: tuple[Ref, ...]
    rdm: Rdm | None
    other_segments: tuple[Segment, ...]


class Lx(NamedTuple):
    """LX header number: groups the claims that follow (e.g. by type of bill)."""

    number: str
    position: int


class Ts3(NamedTuple):
    """TS3 provider summary; ``amounts[i]`` is TS3 element ``6 + i`` (TS306…TS324)."""

    provider_id: str
    facility_type_code: str
    fiscal_period_end: dt.date
    total_claim_count: Decimal | None
    total_claim_charge: Decimal | None
    amounts: tuple[Decimal | None, ...]
    position: int


class Ts2(NamedTuple):
    """TS2 provider supplemental summary; ``amounts[i]`` is TS2 element ``1 + i`` (TS201…TS219)."""

    amounts: tuple[Decimal | None, ...]
    position: int


class Clp(NamedTuple):
    """CLP claim payment information: CLP01 is our claim id (CLM01), CLP07 the payer's."""

    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    claim_filing_indicator: str
    payer_claim_control_number: str
    facility_type_code: str
    frequency_code: str
    patient_status_code: str
    drg_code: str
    drg_weight: Decimal | None
    discharge_fraction: Decimal | None
    yes_no_condition: str
    position: int


class Adjustment(NamedTuple):
    """One reason/amount/quantity of a CAS segment, with the segment's group code (CO, PR, …)."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None
    position: int


class Nm1(NamedTuple):
    """NM1 name: patient (QC), insured (IL), corrected name (74), provider (82), … by NM101.

    The ``repr`` leaves out names and ids, which are protected health information.
    """

    entity_code: str
    entity_type: str
    last_name: str
    first_name: str
    middle_name: str
    prefix: str
    suffix: str
    id_qualifier: str
    id: str
    relationship_code: str
    related_entity_code: str
    related_last_name: str
    position: int

    def __repr__(self) -> str:
        return f"Nm1(entity_code={self.entity_code!r}, …, position={self.position})"


class Mia(NamedTuple):
    """MIA inpatient adjudication information (MIA01…MIA24)."""

    covered_days: Decimal | None
    pps_operating_outlier_amount: Decimal | None
    lifetime_psychiatric_days: Decimal | None
    drg_amount: Decimal | None
    remark_code_1: str
    disproportionate_share_amount: Decimal | None
    msp_pass_through_amount: Decimal | None
    pps_capital_amount: Decimal | None
    pps_capital_fsp_drg_amount: Decimal | None
    pps_capital_hsp_drg_amount: Decimal | None
    pps_capital_dsh_drg_amount: Decimal | None
    old_capital_amount: Decimal | None
    pps_capital_ime_amount: Decimal | None
    pps_operating_hsp_drg_amount: Decimal | None
    cost_report_day_count: Decimal | None
    pps_operating_fsp_drg_amount: Decimal | None
    pps_capital_outlier_amount: Decimal | None
    indirect_teaching_amount: Decimal | None
    nonpayable_professional_component_amount: Decimal | None
    remark_code_2: str
    remark_code_3: str
    remark_code_4: str
    remark_code_5: str
    pps_capital_exception_amount: Decimal | None
    position: int

    @property
    def remark_codes(self) -> tuple[str, ...]:
        """MIA05 and MIA20–MIA23, the non-empty ones in order."""
        codes = (self.remark_code_1, self.remark_code_2, self.remark_code_3)
        return tuple(c for c in (*codes, self.remark_code_4, self.remark_code_5) if c)


class Moa(NamedTuple):
    """MOA outpatient adjudication information: rate, amounts and claim remark codes (RARCs)."""

    reimbursement_rate: Decimal | None
    hcpcs_payable_amount: Decimal | None
    remark_code_1: str
    remark_code_2: str
    remark_code_3: str
    remark_code_4: str
    remark_code_5: str
    esrd_payment_amount: Decimal | None
    nonpayable_professional_component_amount: Decimal | None
    position: int

    @property
    def remark_codes(self) -> tuple[str, ...]:
        """MOA03–MOA07, the non-empty ones in order."""
        codes = (self.remark_code_1, self.remark_code_2, self.remark_code_3)
        return tuple(c for c in (*codes, self.remark_code_4, self.remark_code_5) if c)


class Amt(NamedTuple):
    """AMT supplemental amount (information only, not part of balancing)."""

    qualifier: str
    amount: Decimal
    credit_debit_flag: str
    position: int


class Qty(NamedTuple):
    """QTY supplemental quantity; QTY03 (unit composite) and QTY04 kept as sent."""

    qualifier: str
    quantity: Decimal | None
    unit: str
    free_form: str
    position: int


class Procedure(NamedTuple):
    """The C003 composite of SVC01/SVC06: qualifier (HC, N4, …), code, modifiers, description."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...]
    description: str
    product_id: str


class Svc(NamedTuple):
    """SVC service payment: procedure as paid, charge, paid, units, and as submitted (SVC06/07).

    ``units`` is SVC05 as sent, None when absent; the guide reads an absent SVC05 as 1
    (``units_paid``).
    """

    procedure: Procedure
    charge: Decimal
    paid: Decimal
    revenue_code: str
    units: Decimal | None
    original_procedure: Procedure | None
    original_units: Decimal | None
    position: int

    @property
    def units_paid(self) -> Decimal:
        """SVC05, or 1 when absent, as the guide defines."""
        return Decimal(1) if self.units is None else self.units


class Lq(NamedTuple):
    """LQ remark: HE remittance advice remark code (RARC) or RX pharmacy reject code."""

    qualifier: str
    code: str
    position: int


class Loop2110(NamedTuple):
    """A service line: SVC and what follows it, REF*6R (our line id) named separately."""

    svc: Svc
    dates: tuple[Dtm, ...]
    adjustments: tuple[Adjustment, ...]
    line_item_control: Ref | None
    references: tuple[Ref, ...]
    amounts: tuple[Amt, ...]
    quantities: tuple[Qty, ...]
    remarks: tuple[Lq, ...]
    other_segments: tuple[Segment, ...]

    @property
    def line_control_number(self) -> str | None:
        """REF*6R, the line item control number we sent in the 837 (REF02), if returned."""
        return self.line_item_control.value if self.line_item_control else None

    @property
    def service_date(self) -> dt.date | None:
        """DTM*472, else DTM*150 (service period start), else None."""
        found = {d.qualifier: d.date for d in self.dates}
        return found.get("472") or found.get("150")


class Loop2100(NamedTuple):
    """A claim: CLP and its adjustments, names, remarks, ids, dates and service lines."""

    clp: Clp
    adjustments: tuple[Adjustment, ...]
    names: tuple[Nm1, ...]
    mia: Mia | None
    moa: Moa | None
    references: tuple[Ref, ...]
    dates: tuple[Dtm, ...]
    contacts: tuple[Per, ...]
    amounts: tuple[Amt, ...]
    quantities: tuple[Qty, ...]
    service_lines: tuple[Loop2110, ...]
    other_segments: tuple[Segment, ...]

    def name(self, entity_code: str) -> Nm1 | None:
        """The first NM1 with NM101 ``entity_code``, or None."""
        return next((n for n in self.names if n.entity_code == entity_code), None)

    @property
    def service_dates(self) -> tuple[dt.date, ...]:
        """Every date the claim says it was served, earliest first, once each: the statement
        period (DTM*232, DTM*233) and each line's DTM*472, DTM*150 and DTM*151."""
        claim = (d.date for d in self.dates if d.qualifier in _CLAIM_DATES)
        lines = (
            d.date for line in self.service_lines for d in line.dates
            if d.qualifier in _LINE_DATES
        )  # fmt: skip
        return tuple(sorted({day for day in (*claim, *lines) if day is not None}))

    @property
    def patient(self) -> Nm1 | None:
        """NM1*QC."""
        return self.name("QC")

    @property
    def insured(self) -> Nm1 | None:
        """NM1*IL."""
        return self.name("IL")

    @property
    def corrected_patient(self) -> Nm1 | None:
        """NM1*74, the patient or insured name as the payer corrected it."""
        return self.name("74")

    @property
    def service_provider(self) -> Nm1 | None:
        """NM1*82, the rendering provider."""
        return self.name("82")

    @property
    def crossover_carrier(self) -> Nm1 | None:
        """NM1*TT, the payer the claim was forwarded to."""
        return self.name("TT")

    @property
    def corrected_priority_payer(self) -> Nm1 | None:
        """NM1*PR, the payer that should have been billed first."""
        return self.name("PR")

    @property
    def other_subscriber(self) -> Nm1 | None:
        """NM1*GB."""
        return self.name("GB")


class Loop2000(NamedTuple):
    """A header number (LX) with its provider summaries and claims; ``lx`` None when absent."""

    lx: Lx | None
    ts3: Ts3 | None
    ts2: Ts2 | None
    claims: tuple[Loop2100, ...]
    other_segments: tuple[Segment, ...]


class ProviderAdjustment(NamedTuple):
    """One reason/reference/amount of a PLB segment; a positive amount reduces the payment."""

    provider_id: str
    fiscal_period_end: dt.date
    reason: str
    reference: str
    amount: Decimal
    position: int


class Remittance(NamedTuple):
    """One 835 transaction set: one payment (BPR/TRN) and the claims it pays.

    ``other_segments`` holds what stood in the header before the payer (N1*PR) or after the
    first PLB and is not allowed there.
    """

    control_number: str
    bpr: Bpr
    trn: Trn
    cur: Cur | None
    references: tuple[Ref, ...]
    dates: tuple[Dtm, ...]
    payer: Loop1000A
    payee: Loop1000B
    header_numbers: tuple[Loop2000, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    other_segments: tuple[Segment, ...]

    @property
    def claims(self) -> tuple[Loop2100, ...]:
        """Every claim of every header number, in file order."""
        return tuple(claim for group in self.header_numbers for claim in group.claims)

    @property
    def production_date(self) -> dt.date | None:
        """DTM*405, the date the payer produced the 835."""
        return next((d.date for d in self.dates if d.qualifier == "405"), None)
