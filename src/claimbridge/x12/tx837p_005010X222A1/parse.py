"""``parse``: one 837P transaction set → ``ClaimTransaction``, every claim with its loops.

Two steps. ``_split`` cuts the segments into loops by the segments that open them (HL, CLM,
SBR after CLM, LX, SVD, LQ) and, inside each loop, into sub-loops that open with NM1. Then one
function per loop reads the segments it knows and keeps the others in ``other_segments``.

The reader is lenient where a sloppy file still means something: a missing name or address
reads as empty text, a missing optional loop as None, and 005010X222 / 005010X222A2 files read
the same way. It raises ``X12SyntaxError`` (with the segment's position) where meaning would be
lost: a claim outside a subscriber or patient level, an amount or date that is not one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.envelope import TransactionSet
from claimbridge.x12.segments import Segment
from claimbridge.x12.tx837p_005010X222A1.models import (
    Address,
    Adjustment,
    AdjustmentGroup,
    BillingProvider,
    Claim,
    ClaimBatch,
    ClaimTransaction,
    Contact,
    LineAdjudication,
    Name,
    OtherPayer,
    Patient,
    Payer,
    Provider,
    Receiver,
    ServiceFacility,
    ServiceLine,
    Submitter,
)
from claimbridge.x12.tx837p_005010X222A1.models import (
    Subscriber as SubscriberModel,
)
from claimbridge.x12.values import (
    ccyymmdd,
    money,
    optional_ccyymmdd,
    optional_decimal,
    optional_money,
    parse_ccyymmdd,
)

_DIAGNOSIS_QUALIFIERS = frozenset(("ABK", "ABF", "BK", "BF"))
_PRINCIPAL_QUALIFIERS = frozenset(("ABK", "BK"))
_EMPTY_ADDRESS = Address(line1="", city="", state="", postal_code="")


# -- step 1: segments → loops -------------------------------------------------------------


@dataclass
class _Loop:
    """A loop's own segments (its opening segment first) and its NM1 sub-loops."""

    own: list[Segment]
    subs: list[list[Segment]] = field(default_factory=list)

    def add(self, segment: Segment) -> None:
        if segment.id == "NM1":
            self.subs.append([segment])
        elif self.subs:
            self.subs[-1].append(segment)
        else:
            self.own.append(segment)


@dataclass
class _LineLoop:
    loop: _Loop
    adjudications: list[_Loop] = field(default_factory=list)


@dataclass
class _ClaimLoop:
    loop: _Loop
    other_payers: list[_Loop] = field(default_factory=list)
    lines: list[_LineLoop] = field(default_factory=list)


@dataclass
class _Level:
    loop: _Loop
    claims: list[_ClaimLoop] = field(default_factory=list)


@dataclass
class _Split:
    header: _Loop
    levels: list[_Level] = field(default_factory=list)


def _split(segments: Sequence[Segment]) -> _Split:
    """The loops of an ST…SE (both left out)."""
    split = _Split(_Loop([]))
    current = split.header
    claim: _ClaimLoop | None = None
    line: _LineLoop | None = None
    for segment in segments:
        tag = segment.id
        if tag == "HL":
            split.levels.append(_Level(_Loop([segment])))
            current, claim, line = split.levels[-1].loop, None, None
        elif tag == "CLM":
            claim, line = _ClaimLoop(_Loop([segment])), None
            _level_of(split, segment).claims.append(claim)
            current = claim.loop
        elif claim is None:
            current.add(segment)
        elif tag == "LX":
            line = _LineLoop(_Loop([segment]))
            claim.lines.append(line)
            current = line.loop
        elif line is None and tag == "SBR":
            claim.other_payers.append(_Loop([segment]))
            current = claim.other_payers[-1]
        elif line is not None and tag == "SVD":
            line.adjudications.append(_Loop([segment]))
            current = line.adjudications[-1]
        elif line is not None and tag == "LQ":
            line.loop.subs.append([segment])
            current = line.loop
        else:
            current.add(segment)
    return split


def _level_of(split: _Split, clm: Segment) -> _Level:
    if not split.levels:
        raise claim_before_levels(clm)
    return split.levels[-1]


# The refusals of the loops themselves, shared with ``refusal.Refusals``.


def claim_before_levels(clm: Segment) -> X12SyntaxError:
    return X12SyntaxError(
        "a claim before any HL: the billing provider and subscriber levels are missing",
        segment_position=clm.position,
        segment_id="CLM",
    )


def not_a_level(hl: Segment) -> X12SyntaxError:
    return X12SyntaxError(
        f"HL03 {hl.element(3)!r} is not a level of an 837P (20, 22 or 23)",
        segment_position=hl.position,
        segment_id="HL",
        element_position=3,
    )


def claim_outside_levels(clm: Segment) -> X12SyntaxError:
    return X12SyntaxError(
        "the claim is not under a billing provider and a subscriber (HL*20, HL*22)",
        segment_position=clm.position,
        segment_id="CLM",
    )


# -- step 2: loops → values ---------------------------------------------------------------


class _Picker:
    """Takes known segments out of a loop; what is left becomes ``other_segments``."""

    def __init__(self, segments: Iterable[Segment]) -> None:
        self.items = list(segments)
        self.taken = [False] * len(self.items)

    def take(self, tag: str, qualifier: str | None = None) -> Segment | None:
        """The first segment ``tag`` not yet taken (whose element 1 is ``qualifier``)."""
        for index, segment in enumerate(self.items):
            if self.taken[index] or segment.id != tag:
                continue
            if qualifier is None or segment.element(1) == qualifier:
                self.taken[index] = True
                return segment
        return None

    def take_all(self, tag: str) -> list[Segment]:
        found = []
        while (segment := self.take(tag)) is not None:
            found.append(segment)
        return found

    def rest(self) -> list[Segment]:
        return [s for s, taken in zip(self.items, self.taken, strict=True) if not taken]


@dataclass(frozen=True, slots=True)
class _Context:
    """The loops above a claim: set by each HL level for the claims below it."""

    provider: BillingProvider | None = None
    subscriber: SubscriberModel | None = None
    payer: Payer | None = None
    patient: Patient | None = None


def parse(transaction: TransactionSet) -> ClaimTransaction:
    """The 837P transaction set as a ``ClaimTransaction``."""
    return _Reader(transaction.component_separator).transaction(transaction.segments)


class _Reader:
    def __init__(self, component_separator: str) -> None:
        self.sep = component_separator

    def transaction(self, segments: Sequence[Segment]) -> ClaimTransaction:
        body = segments[1:-1] if segments and segments[-1].id == "SE" else segments[1:]
        split = _split(body)
        claims = self._claims(split.levels)
        return self._header(split.header, tuple(claims))

    def _header(self, header: _Loop, claims: tuple[Claim, ...]) -> ClaimTransaction:
        own = _Picker(header.own)
        bht = own.take("BHT") or Segment("BHT", ("BHT",), 0)
        other = own.rest()
        submitter, receiver = _empty_submitter(), Receiver(name="", id="")
        for sub in header.subs:
            kind = sub[0].element(1)
            if kind == "41":
                submitter = self._submitter(sub, other)
            elif kind == "40":
                receiver = Receiver(name=sub[0].element(3), id=sub[0].element(9))
                other += sub[1:]
            else:
                other += sub
        batch = ClaimBatch(
            submitter=submitter,
            receiver=receiver,
            claims=claims,
            reference=bht.element(3),
            transaction_type=bht.element(6),
        )
        return ClaimTransaction(
            batch=batch,
            purpose=bht.element(2),
            created_date=optional_ccyymmdd(bht, 4),
            created_time=bht.element(5),
            other_segments=tuple(other),
        )

    def _submitter(self, sub: list[Segment], other: list[Segment]) -> Submitter:
        picker = _Picker(sub[1:])
        per = picker.take("PER", "IC")
        other += picker.rest()
        contact = _contact(per) if per is not None else Contact(name="")
        return Submitter(name=_name(sub[0]), id=sub[0].element(9), contact=contact)

    # -- HL levels ---------------------------------------------------------------------

    def _claims(self, levels: list[_Level]) -> list[Claim]:
        contexts: dict[str, _Context] = {}
        last = _Context()
        claims: list[Claim] = []
        for level in levels:
            hl = level.loop.own[0]
            parent = contexts.get(hl.element(2), last)
            context = self._level(level.loop, parent)
            contexts[hl.element(1)] = last = context
            claims += (self._claim(claim, context) for claim in level.claims)
        return claims

    def _level(self, loop: _Loop, parent: _Context) -> _Context:
        hl = loop.own[0]
        code = hl.element(3)
        if code == "20":
            return _Context(provider=self._billing_provider(loop))
        if code == "22":
            subscriber, payer = self._subscriber(loop)
            return _Context(parent.provider, subscriber, payer)
        if code == "23":
            return _Context(parent.provider, parent.subscriber, parent.payer, self._patient(loop))
        raise not_a_level(hl)

    def _billing_provider(self, loop: _Loop) -> BillingProvider:
        own = _Picker(loop.own[1:])
        prv = own.take("PRV", "BI")
        other = own.rest()
        found = _ProviderParts()
        for sub in loop.subs:
            kind = sub[0].element(1)
            if kind == "85":
                found = self._billing_provider_name(sub, other)
            elif kind == "87":
                picker = _Picker(sub[1:])
                found.pay_to = _address(picker)
                other += picker.rest()
            else:
                other += sub
        return found.provider(prv.element(3) if prv else "", other)

    def _billing_provider_name(self, sub: list[Segment], other: list[Segment]) -> _ProviderParts:
        picker = _Picker(sub[1:])
        tax = picker.take("REF", "EI") or picker.take("REF", "SY")
        per = picker.take("PER", "IC")
        parts = _ProviderParts(
            name=_name(sub[0]),
            npi=sub[0].element(9),
            address=_address(picker) or _EMPTY_ADDRESS,
            tax_id=tax.element(2) if tax else "",
            tax_id_qualifier=tax.element(1) if tax else "EI",
            contact=_contact(per) if per else None,
        )
        other += picker.rest()
        return parts

    def _subscriber(self, loop: _Loop) -> tuple[SubscriberModel, Payer]:
        own = _Picker(loop.own[1:])
        sbr = own.take("SBR") or Segment("SBR", ("SBR",), 0)
        other = own.rest()
        subscriber_sub: list[Segment] = [Segment("NM1", ("NM1", "IL"), 0)]
        payer_sub: list[Segment] = [Segment("NM1", ("NM1", "PR"), 0)]
        for sub in loop.subs:
            kind = sub[0].element(1)
            if kind == "IL":
                subscriber_sub = sub
            elif kind == "PR":
                payer_sub = sub
            else:
                other += sub
        subscriber = self._subscriber_name(subscriber_sub, sbr, other)
        return subscriber, self._payer(payer_sub, sbr)

    def _subscriber_name(
        self, sub: list[Segment], sbr: Segment, other: list[Segment]
    ) -> SubscriberModel:
        picker = _Picker(sub[1:])
        address = _address(picker)
        birth_date, sex = _demographics(picker.take("DMG"))
        return SubscriberModel(
            name=_name(sub[0]),
            member_id=sub[0].element(9),
            group_number=sbr.element(3),
            group_name=sbr.element(4),
            birth_date=birth_date,
            sex=sex,
            address=address,
            other_segments=tuple(other + picker.rest()),
        )

    def _payer(self, sub: list[Segment], sbr: Segment) -> Payer:
        picker = _Picker(sub[1:])
        return Payer(
            name=sub[0].element(3),
            payer_id=sub[0].element(9),
            filing_indicator=sbr.element(9),
            responsibility=sbr.element(1),
            insurance_type=sbr.element(5),
            address=_address(picker),
            other_segments=tuple(picker.rest()),
        )

    def _patient(self, loop: _Loop) -> Patient:
        own = _Picker(loop.own[1:])
        pat = own.take("PAT")
        other = own.rest()
        nm1: Segment = Segment("NM1", ("NM1", "QC"), 0)
        picker = _Picker(())
        for sub in loop.subs:
            if sub[0].element(1) == "QC":
                nm1, picker = sub[0], _Picker(sub[1:])
            else:
                other += sub
        address = _address(picker)
        birth_date, sex = _demographics(picker.take("DMG"))
        return Patient(
            name=_name(nm1),
            relationship=pat.element(1) if pat else "",
            birth_date=birth_date,
            sex=sex,
            address=address,
            other_segments=tuple(other + picker.rest()),
        )

    # -- loop 2300 ---------------------------------------------------------------------

    def _claim(self, claim: _ClaimLoop, context: _Context) -> Claim:
        clm = claim.loop.own[0]
        if context.provider is None or context.subscriber is None or context.payer is None:
            raise claim_outside_levels(clm)
        own = _Picker(claim.loop.own[1:])
        facility = clm.components(5, self.sep)
        causes = clm.components(11, self.sep)
        onset, accident = own.take("DTP", "431"), own.take("DTP", "439")
        f8, g1, referral = own.take("REF", "F8"), own.take("REF", "G1"), own.take("REF", "9F")
        diagnoses = self._diagnoses(own)
        other = own.rest()
        rendering, service_facility = self._claim_providers(claim.loop.subs, other)
        warnings: list[str] = []
        fallback = _claim_service_date(claim)
        lines = tuple(self._line(line, fallback, warnings) for line in claim.lines)
        return Claim(
            patient_control_number=clm.element(1),
            billing_provider=context.provider,
            subscriber=context.subscriber,
            payer=context.payer,
            patient=context.patient,
            place_of_service=_component(facility, 0),
            frequency=_component(facility, 2),
            total_charge=money(clm, 2),
            diagnoses=diagnoses,
            lines=lines,
            payer_claim_control_number=f8.element(2) if f8 else "",
            provider_signature=clm.element(6),
            assignment=clm.element(7),
            benefits_assignment=clm.element(8),
            release_of_information=clm.element(9),
            related_causes=tuple(c for c in causes[:3] if c),
            accident_state=_component(causes, 3),
            onset_date=_dtp_date(onset),
            accident_date=_dtp_date(accident),
            prior_authorization=g1.element(2) if g1 else "",
            referral_number=referral.element(2) if referral else "",
            rendering_provider=rendering,
            service_facility=service_facility,
            other_payers=tuple(self._other_payer(loop) for loop in claim.other_payers),
            other_segments=tuple(other),
            warnings=tuple(warnings),
        )

    def _diagnoses(self, own: _Picker) -> tuple[str, ...]:
        """Codes of the first HI whose first code is a principal diagnosis (ABK, or BK)."""
        for index, segment in enumerate(own.items):
            if own.taken[index] or segment.id != "HI":
                continue
            if _component(segment.components(1, self.sep), 0) in _PRINCIPAL_QUALIFIERS:
                own.taken[index] = True
                return self._diagnosis_codes(segment)
        return ()

    def _diagnosis_codes(self, hi: Segment) -> tuple[str, ...]:
        codes = []
        for number in range(1, len(hi.fields)):
            parts = hi.components(number, self.sep)
            if _component(parts, 0) in _DIAGNOSIS_QUALIFIERS and _component(parts, 1):
                codes.append(parts[1])
        return tuple(codes)

    def _claim_providers(
        self, subs: list[list[Segment]], other: list[Segment]
    ) -> tuple[Provider | None, ServiceFacility | None]:
        rendering: Provider | None = None
        facility: ServiceFacility | None = None
        for sub in subs:
            kind = sub[0].element(1)
            picker = _Picker(sub[1:])
            if kind == "82" and rendering is None:
                prv = picker.take("PRV", "PE")
                taxonomy = prv.element(3) if prv else ""
                rendering = Provider(name=_name(sub[0]), npi=sub[0].element(9), taxonomy=taxonomy)
            elif kind == "77" and facility is None:
                address = _address(picker) or _EMPTY_ADDRESS
                facility = ServiceFacility(
                    name=sub[0].element(3), npi=sub[0].element(9), address=address
                )
            else:
                other.append(sub[0])
            other += picker.rest()
        return rendering, facility

    # -- loops 2320, 2330A, 2330B --------------------------------------------------------

    def _other_payer(self, loop: _Loop) -> OtherPayer:
        own = _Picker(loop.own)
        sbr = own.take("SBR") or Segment("SBR", ("SBR",), 0)
        groups = tuple(_adjustment_group(cas) for cas in own.take_all("CAS"))
        paid, liability = own.take("AMT", "D"), own.take("AMT", "EAF")
        oi = own.take("OI") or Segment("OI", ("OI",), 0)
        other = own.rest()
        parts = _OtherPayerParts()
        for sub in loop.subs:
            parts.read(sub, other)
        return OtherPayer(
            responsibility=sbr.element(1),
            relationship=sbr.element(2),
            group_number=sbr.element(3),
            group_name=sbr.element(4),
            insurance_type=sbr.element(5),
            filing_indicator=sbr.element(9),
            adjustments=groups,
            paid_amount=optional_money(paid, 2) if paid else None,
            remaining_patient_liability=optional_money(liability, 2) if liability else None,
            benefits_assignment=oi.element(3),
            release_of_information=oi.element(6),
            subscriber=parts.subscriber,
            subscriber_id=parts.subscriber_id,
            subscriber_address=parts.subscriber_address,
            payer_name=parts.payer_name,
            payer_id=parts.payer_id,
            adjudication_date=parts.adjudication_date,
            claim_control_number=parts.claim_control_number,
            other_segments=tuple(other),
        )

    # -- loops 2400 and 2430 -----------------------------------------------------------

    def _line(
        self, line: _LineLoop, fallback: tuple[Segment, str] | None, warnings: list[str]
    ) -> ServiceLine:
        """Loop 2400; a line without DTP*472 takes the claim's date when ``fallback`` has one,
        with a warning (the guide requires it on the line: ``validate`` reports it)."""
        own = _Picker(line.loop.own[1:])
        sv1 = own.take("SV1") or _missing("SV1", line.loop.own[0])
        dtp, ref = own.take("DTP", "472"), own.take("REF", "6R")
        procedure = sv1.components(1, self.sep)
        lx = line.loop.own[0]
        if dtp is None and fallback is not None:
            dtp, source = fallback
            warnings.append(
                f"segment {lx.position} LX: the service line has no service date (DTP*472); "
                f"read with {source}, {dtp.element(3)}"
            )
        start, end = _service_dates(dtp, lx)
        other = own.rest() + [s for sub in line.loop.subs for s in sub]
        return ServiceLine(
            procedure_qualifier=_component(procedure, 0),
            procedure_code=_component(procedure, 1),
            modifiers=tuple(m for m in procedure[2:6] if m),
            charge=money(sv1, 2),
            unit_basis=sv1.element(3),
            units=optional_decimal(sv1, 4) or Decimal("1"),
            place_of_service=sv1.element(5),
            diagnosis_pointers=_pointers(sv1.components(7, self.sep)),
            service_date=start,
            service_date_end=end,
            control_number=ref.element(2) if ref else "",
            adjudications=tuple(self._line_adjudication(a) for a in line.adjudications),
            other_segments=tuple(other),
        )

    def _line_adjudication(self, loop: _Loop) -> LineAdjudication:
        svd = loop.own[0]
        own = _Picker(loop.own[1:])
        groups = tuple(_adjustment_group(cas) for cas in own.take_all("CAS"))
        dtp, liability = own.take("DTP", "573"), own.take("AMT", "EAF")
        procedure = svd.components(3, self.sep)
        return LineAdjudication(
            payer_id=svd.element(1),
            paid_amount=money(svd, 2),
            procedure_qualifier=_component(procedure, 0),
            procedure_code=_component(procedure, 1),
            modifiers=tuple(m for m in procedure[2:6] if m),
            paid_units=optional_decimal(svd, 5) or Decimal("0"),
            adjustments=groups,
            adjudication_date=_dtp_date(dtp),
            remaining_patient_liability=optional_money(liability, 2) if liability else None,
            other_segments=tuple(own.rest() + [s for sub in loop.subs for s in sub]),
        )


@dataclass
class _ProviderParts:
    """What 2010AA and 2010AB say, gathered before the provider is made."""

    name: Name = field(default_factory=lambda: Name(last=""))
    npi: str = ""
    address: Address = _EMPTY_ADDRESS
    tax_id: str = ""
    tax_id_qualifier: str = "EI"
    contact: Contact | None = None
    pay_to: Address | None = None

    def provider(self, taxonomy: str, other: list[Segment]) -> BillingProvider:
        return BillingProvider(
            name=self.name,
            npi=self.npi,
            tax_id=self.tax_id,
            tax_id_qualifier=self.tax_id_qualifier,
            address=self.address,
            taxonomy=taxonomy,
            pay_to_address=self.pay_to,
            contact=self.contact,
            other_segments=tuple(other),
        )


@dataclass
class _OtherPayerParts:
    """What 2330A and 2330B say; other 2330 loops go to ``other``."""

    subscriber: Name = field(default_factory=lambda: Name(last=""))
    subscriber_id: str = ""
    subscriber_address: Address | None = None
    payer_name: str = ""
    payer_id: str = ""
    adjudication_date: date | None = None
    claim_control_number: str = ""

    def read(self, sub: list[Segment], other: list[Segment]) -> None:
        nm1, picker = sub[0], _Picker(sub[1:])
        kind = nm1.element(1)
        if kind == "IL":
            self.subscriber, self.subscriber_id = _name(nm1), nm1.element(9)
            self.subscriber_address = _address(picker)
        elif kind == "PR":
            self.payer_name, self.payer_id = nm1.element(3), nm1.element(9)
            self.adjudication_date = _dtp_date(picker.take("DTP", "573"))
            f8 = picker.take("REF", "F8")
            self.claim_control_number = f8.element(2) if f8 else ""
        else:
            other.append(nm1)
        other += picker.rest()


# -- small readers ------------------------------------------------------------------------


def _empty_submitter() -> Submitter:
    return Submitter(name=Name(last=""), id="", contact=Contact(name=""))


def _name(nm1: Segment) -> Name:
    if nm1.element(2) == "2":
        return Name(last=nm1.element(3), organization=True)
    return Name(
        last=nm1.element(3), first=nm1.element(4), middle=nm1.element(5), suffix=nm1.element(7)
    )


def _address(picker: _Picker) -> Address | None:
    n3, n4 = picker.take("N3"), picker.take("N4")
    if n3 is None and n4 is None:
        return None
    n3 = n3 or Segment("N3", ("N3",), 0)
    n4 = n4 or Segment("N4", ("N4",), 0)
    return Address(
        line1=n3.element(1),
        line2=n3.element(2),
        city=n4.element(1),
        state=n4.element(2),
        postal_code=n4.element(3),
        country=n4.element(4),
    )


def _contact(per: Segment) -> Contact:
    numbers = {per.element(n): per.element(n + 1) for n in (7, 5, 3) if per.element(n)}
    return Contact(
        name=per.element(2),
        phone=numbers.get("TE", ""),
        extension=numbers.get("EX", ""),
        email=numbers.get("EM", ""),
        fax=numbers.get("FX", ""),
    )


def _demographics(dmg: Segment | None) -> tuple[date | None, str]:
    if dmg is None:
        return None, ""
    born = ccyymmdd(dmg, 2) if dmg.element(1) == "D8" and dmg.element(2) else None
    return born, dmg.element(3)


def _dtp_date(dtp: Segment | None) -> date | None:
    if dtp is None or dtp.element(2) != "D8":
        return None
    return optional_ccyymmdd(dtp, 3)


def _claim_service_date(claim: _ClaimLoop) -> tuple[Segment, str] | None:
    """The date a line without DTP*472 is read with, when its meaning is clear: a DTP*472 at
    the claim level (some senders put it there), else the one date every dated line shares."""
    at_claim = [s for s in claim.loop.own[1:] if s.id == "DTP" and s.element(1) == "472"]
    if at_claim:
        return at_claim[0], "the claim's DTP*472"
    dated = [
        s for line in claim.lines for s in line.loop.own[1:]
        if s.id == "DTP" and s.element(1) == "472"
    ]  # fmt: skip
    if dated and len({(s.element(2), s.element(3)) for s in dated}) == 1:
        return dated[0], "the date of the claim's other lines"
    return None


def _service_dates(dtp: Segment | None, lx: Segment) -> tuple[date, date | None]:
    if dtp is None:
        raise X12SyntaxError(
            "the service line has no service date (DTP*472)",
            segment_position=lx.position,
            segment_id="LX",
        )
    text = dtp.element(3)
    if dtp.element(2) == "RD8" and "-" in text:
        first, last = text.split("-", 1)
        return parse_ccyymmdd(first, dtp, 3), parse_ccyymmdd(last, dtp, 3)
    return ccyymmdd(dtp, 3), None


def _pointers(parts: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(int(p) for p in parts if p.isascii() and p.isdigit())


def _adjustment_group(cas: Segment) -> AdjustmentGroup:
    adjustments = []
    for reason_at in range(2, len(cas.fields), 3):
        if cas.element(reason_at):
            adjustments.append(
                Adjustment(
                    reason=cas.element(reason_at),
                    amount=money(cas, reason_at + 1),
                    quantity=optional_decimal(cas, reason_at + 2),
                )
            )
    return AdjustmentGroup(group=cas.element(1), adjustments=tuple(adjustments))


def _component(parts: tuple[str, ...], index: int) -> str:
    return parts[index] if index < len(parts) else ""


def _missing(tag: str, opening: Segment) -> Segment:
    raise X12SyntaxError(
        f"{opening.id} is not followed by the required {tag}",
        segment_position=opening.position,
        segment_id=opening.id,
    )
