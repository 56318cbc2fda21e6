"""A scenario rule applied to one accepted claim: the 835 claim loops the payer will send.

``adjudicate`` returns one ``Payment`` per check the claim touches: usually one, two when the
claim is paid across two ERAs or reversed and corrected later (``run`` 0 is the first ERA, 1 the
later one). Each line is adjudicated on its own (CO 45 for what is not allowed, PR 1/2/3 for
deductible, coinsurance and copay, or CO <CARC> when denied), so every line and claim balances:
charge − adjustments = paid. Values carry ``position=0``; the 835 writer regroups CAS segments.

A claim to a later payer (a line carries the earlier payers' 2430) is adjudicated on what the
payer before left the patient: on each line, what that payer's 2430 left as PR is the base
the rule works on (``allowed_percent`` of it allowed, then deductible, coinsurance and copay),
and the rest of the charge (what the earlier payer paid or wrote off) is ``OA 23``, the impact
of prior payers' adjudication. So a Medigap plan paying in full pays the coinsurance Medicare
left, and nothing of what Medicare paid.

A rule with ``crossover`` makes a primary payer forward the claim to the next payer named in
its 2320 itself: CLP02 ``19``, ``NM1*TT`` naming that payer and remark ``MA18``; that payer's
own 835 for the claim (same CLM01, adjudicated as above with the rule the scenario has for it)
follows in the next ERA run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from claimbridge.errors import X12ValidationError
from claimbridge.sim.scenarios import Outcome, Rule
from claimbridge.x12.tx835_005010X221A1.models import (
    Adjustment,
    Amt,
    Clp,
    Dtm,
    Loop2100,
    Loop2110,
    Lq,
    Moa,
    Nm1,
    Procedure,
    Ref,
    Svc,
)
from claimbridge.x12.tx837p_005010X222A1.cob import other_payer_from_835
from claimbridge.x12.tx837p_005010X222A1.models import (
    Claim,
    Name,
    OtherPayer,
    Payer,
    ServiceLine,
    Subscriber,
)

ZERO = Decimal("0.00")
_CENTS = Decimal("0.01")
_HUNDRED = Decimal(100)
# 835 CLP06 takes fewer codes than 837 SBR09 (pyx12's 005010X221A1 map): commercial → PPO.
_FILING_INDICATORS_835 = frozenset(
    {"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF",
     "TV", "VA", "WC", "ZZ"}
)  # fmt: skip
_FILING_INDICATOR_FOR_835 = {"CI": "12", "BL": "12", "FI": "OF"}
_STATUS_BY_RESPONSIBILITY = {"P": "1", "S": "2", "T": "3"}
DENIED, REVERSAL = "4", "22"
FORWARDED = "19"  # processed as primary, forwarded to the next payer
PRIOR_PAYERS = "23"  # OA 23: the impact of prior payers' adjudication
CROSSOVER_REMARK = "MA18"  # "forwarded to the patient's supplemental insurer"


@dataclass(frozen=True, slots=True)
class ProviderLine:
    """One PLB reason/reference/amount; a positive amount reduces the check."""

    reason: str
    reference: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Payment:
    """Claim loops for one check: who pays whom, in which ERA run, and the PLB lines they add."""

    run: int
    payer_id: str
    payer_name: str
    payee_npi: str
    payee_name: str
    payee_tax_id: str
    claims: tuple[Loop2100, ...]
    provider_lines: tuple[ProviderLine, ...] = ()

    @property
    def check_key(self) -> tuple[int, str, str]:
        """Payments with the same key share a check (one 835 transaction set)."""
        return (self.run, self.payer_id, self.payee_npi)


@dataclass(frozen=True, slots=True)
class _LineResult:
    line: ServiceLine
    allowed: Decimal
    adjustments: tuple[Adjustment, ...]
    remark: str = ""

    @property
    def paid(self) -> Decimal:
        return self.line.charge - sum((a.amount for a in self.adjustments), ZERO)

    @property
    def patient_share(self) -> Decimal:
        return sum((a.amount for a in self.adjustments if a.group == "PR"), ZERO)


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half up to the cent."""
    return value.quantize(_CENTS, rounding=ROUND_HALF_UP)


def adjudicate(claim: Claim, rule: Rule, icn: str, received: date) -> list[Payment]:
    """The payments ``rule`` makes for ``claim``; ``icn`` is the payer's claim number stem."""
    payment = _Adjudicator(claim, rule, icn, received)
    return list(payment.payments())


def crossover_claim(claim: Claim, payments: Sequence[Payment], received: date) -> Claim | None:
    """The claim as the payer it was crossed over to sees it, or None when ``payments`` do not
    cross ``claim`` over: the next payer of its 2320 billed, the first payer's adjudication
    in its 2320/2430 (as ``x12`` passes an 835 claim on)."""
    forwarded = [c for p in payments for c in p.claims if c.clp.status_code == FORWARDED]
    other = next_payer(claim)
    if not forwarded or other is None:
        return None
    processed = forwarded[0]._replace(clp=forwarded[0].clp._replace(status_code="1"))
    try:
        found = other_payer_from_835(processed, claim, adjudication_date=received)
    except X12ValidationError:
        return None
    payer = Payer(
        name=other.payer_name,
        payer_id=other.payer_id,
        filing_indicator=other.filing_indicator,
        responsibility=other.responsibility,
    )
    subscriber = Subscriber(
        name=other.subscriber,
        member_id=other.subscriber_id,
        group_number=other.group_number,
        address=other.subscriber_address,
    )
    lines = tuple(replace(line, adjudications=()) for line in claim.lines)
    crossed = replace(claim, payer=payer, subscriber=subscriber, lines=lines, other_payers=())
    return found.apply(crossed)


def next_payer(claim: Claim) -> OtherPayer | None:
    """The payer after the claim's own in its 2320 loops that has not adjudicated it yet."""
    order = "PSTABCDEFGH"
    mine = order.find(claim.payer.responsibility)
    later = [o for o in claim.other_payers
             if o.paid_amount is None and order.find(o.responsibility) > mine]  # fmt: skip
    return min(later, key=lambda o: order.find(o.responsibility), default=None)


class _Adjudicator:
    def __init__(self, claim: Claim, rule: Rule, icn: str, received: date) -> None:
        self.claim, self.rule, self.icn, self.received = claim, rule, icn, received

    def payments(self) -> Iterator[Payment]:
        outcome, lines = self.rule.outcome, self.claim.lines
        if outcome is Outcome.DENIED:
            yield self._payment(0, [self._denied(lines)], extras=True)
        elif outcome is Outcome.PAID_ACROSS_TWO_ERAS and len(lines) > 1:
            half = (len(lines) + 1) // 2
            yield self._payment(0, [self._paid(lines[:half], "1")], extras=True)
            yield self._payment(1, [self._paid(lines[half:], "2")])
        elif outcome is Outcome.REVERSAL_AND_CORRECTION:
            original = self._paid(lines, "1")
            yield self._payment(0, [original], extras=True)
            corrected = self.rule.correction_allowed_percent
            yield self._payment(1, [reversal_of(original), self._paid(lines, "2", corrected)])
        elif self.rule.crossover and next_payer(self.claim) is not None:
            yield self._payment(0, [self._forwarded(self._paid(lines, "1"))], extras=True)
        else:
            yield self._payment(0, [self._paid(lines, "1")], extras=True)

    def _forwarded(self, paid: Loop2100) -> Loop2100:
        """``paid`` as a payer that forwarded the claim to the next payer says it."""
        other = next_payer(self.claim)
        assert other is not None
        carrier = Nm1("TT", "2", other.payer_name.upper(), "", "", "", "", "PI", other.payer_id,
                      "", "", "", 0)  # fmt: skip
        remark = Moa(None, None, CROSSOVER_REMARK, "", "", "", "", None, None, 0)
        clp = paid.clp._replace(status_code=FORWARDED)
        return paid._replace(clp=clp, names=(*paid.names, carrier), moa=remark)

    def _payment(self, run: int, claims: list[Loop2100], extras: bool = False) -> Payment:
        provider = self.claim.billing_provider
        provider_lines: tuple[ProviderLine, ...] = ()
        if extras:
            provider_lines = self._provider_lines(claims[0].clp.payer_claim_control_number)
            if self.rule.unsent_claim:
                claims.append(unsent_claim(self.claim, self.icn, self.received))
        return Payment(
            run=run,
            payer_id=self.claim.payer.payer_id,
            payer_name=self.claim.payer.name,
            payee_npi=provider.npi,
            payee_name=_full_name(provider.name),
            payee_tax_id=provider.tax_id,
            claims=tuple(claims),
            provider_lines=provider_lines,
        )

    def _provider_lines(self, icn: str) -> tuple[ProviderLine, ...]:
        found = []
        if self.rule.interest:
            found.append(ProviderLine("L6", icn, -self.rule.interest))
        if self.rule.recoupment:
            found.append(ProviderLine("WO", f"{self.icn}R", self.rule.recoupment))
        return tuple(found)

    def _paid(
        self, lines: Sequence[ServiceLine], part: str, allowed: Decimal | None = None
    ) -> Loop2100:
        percent = self.rule.allowed_percent if allowed is None else allowed
        results = _adjudicate_lines(lines, self.rule, percent)
        status = _STATUS_BY_RESPONSIBILITY.get(self.claim.payer.responsibility, "1")
        return self._claim_loop(results, status, self.icn + part)

    def _denied(self, lines: Sequence[ServiceLine]) -> Loop2100:
        carc, rarc = self.rule.carc, self.rule.rarc
        results = [
            _LineResult(line, ZERO, (Adjustment("CO", carc, line.charge, None, 0),), rarc)
            for line in lines
        ]
        return self._claim_loop(results, DENIED, self.icn + "1")

    def _claim_loop(self, results: Sequence[_LineResult], status: str, icn: str) -> Loop2100:
        claim = self.claim
        charge = sum((r.line.charge for r in results), ZERO)
        paid = sum((r.paid for r in results), ZERO)
        patient = sum((r.patient_share for r in results), ZERO)
        clp = Clp(
            claim.patient_control_number, status, charge, paid, patient,
            filing_indicator_835(claim.payer.filing_indicator), icn, claim.place_of_service,
            claim.frequency, "", "", None, None, "", 0,
        )  # fmt: skip
        received = Dtm("050", self.received, "", "", "", "", 0)
        lines = tuple(_service_line(result) for result in results)
        return Loop2100(clp, (), _names(claim), None, None, (), (received,), (), (), (), lines, ())


def _adjudicate_lines(
    lines: Sequence[ServiceLine], rule: Rule, allowed_percent: Decimal
) -> list[_LineResult]:
    """Each line's allowed amount and adjustments; deductible and copay used up in line order."""
    deductible, copay = rule.deductible, rule.copay
    results = []
    for line in lines:
        base = _left_by_prior_payers(line)
        allowed = cents(base * allowed_percent / _HUNDRED)
        toward_deductible = min(deductible, allowed)
        coinsurance = cents((allowed - toward_deductible) * rule.coinsurance_percent / _HUNDRED)
        toward_copay = min(copay, allowed - toward_deductible - coinsurance)
        deductible -= toward_deductible
        copay -= toward_copay
        amounts = (("OA", PRIOR_PAYERS, line.charge - base), ("CO", "45", base - allowed),
                   ("PR", "1", toward_deductible), ("PR", "2", coinsurance),
                   ("PR", "3", toward_copay))  # fmt: skip
        adjustments = tuple(Adjustment(g, r, a, None, 0) for g, r, a in amounts if a)
        results.append(_LineResult(line, allowed, adjustments))
    return results


def _left_by_prior_payers(line: ServiceLine) -> Decimal:
    """What the last earlier payer's 2430 left the patient on ``line`` (its PR), or the
    line's charge when no earlier payer adjudicated it."""
    if not line.adjudications:
        return line.charge
    last = line.adjudications[-1]
    return sum((a.amount for g in last.adjustments if g.group == "PR" for a in g.adjustments), ZERO)


def _service_line(result: _LineResult) -> Loop2110:
    line = result.line
    procedure = Procedure(line.procedure_qualifier, line.procedure_code, line.modifiers, "", "")
    units = None if line.units == 1 else line.units
    svc = Svc(procedure, line.charge, result.paid, "", units, None, None, 0)
    served = Dtm("472", line.service_date, "", "", "", "", 0)
    control = Ref("6R", line.control_number, "", "", 0) if line.control_number else None
    allowed = (Amt("B6", result.allowed, "", 0),) if result.allowed else ()
    remarks = (Lq("HE", result.remark, 0),) if result.remark else ()
    return Loop2110(svc, (served,), result.adjustments, control, (), allowed, (), remarks, ())


def _names(claim: Claim) -> tuple[Nm1, ...]:
    subscriber = claim.subscriber
    member = ("MI", subscriber.member_id)
    if claim.patient is None:
        names = [_person("QC", subscriber.name, *member)]
    else:
        names = [_person("QC", claim.patient.name, "", ""), _person("IL", subscriber.name, *member)]
    rendering = claim.rendering_provider
    if rendering is not None:
        names.append(_person("82", rendering.name, "XX", rendering.npi))
    return tuple(names)


def _person(entity: str, name: Name, qualifier: str, identifier: str) -> Nm1:
    kind = "2" if name.organization else "1"
    first = "" if name.organization else name.first
    return Nm1(entity, kind, name.last.upper(), first.upper(), name.middle.upper(), "",
               name.suffix.upper(), qualifier, identifier, "", "", "", 0)  # fmt: skip


def _full_name(name: Name) -> str:
    return name.last.upper() if name.organization else f"{name.last} {name.first}".upper()


def filing_indicator_835(code: str) -> str:
    """CLP06 for an 837 SBR09: the same code where the 835 has it, else the nearest."""
    if code in _FILING_INDICATORS_835:
        return code
    return _FILING_INDICATOR_FOR_835.get(code, "ZZ")


def reversal_of(original: Loop2100) -> Loop2100:
    """The reversal of a paid claim: CLP02 22, every amount and adjustment negated."""
    clp = original.clp
    responsibility = None if clp.patient_responsibility is None else -clp.patient_responsibility
    reversed_clp = clp._replace(
        status_code=REVERSAL, charge=-clp.charge, paid=-clp.paid,
        patient_responsibility=responsibility,
    )  # fmt: skip
    lines = tuple(_reversed_line(line) for line in original.service_lines)
    return original._replace(
        clp=reversed_clp, adjustments=_negated(original.adjustments), service_lines=lines
    )


def _reversed_line(line: Loop2110) -> Loop2110:
    svc = line.svc._replace(charge=-line.svc.charge, paid=-line.svc.paid)
    amounts = tuple(a._replace(amount=-a.amount) for a in line.amounts)
    return line._replace(svc=svc, adjustments=_negated(line.adjustments), amounts=amounts)


def _negated(adjustments: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
    return tuple(a._replace(amount=-a.amount) for a in adjustments)


def unsent_claim(claim: Claim, icn: str, received: date) -> Loop2100:
    """A paid claim for a synthetic patient the practice never billed (CLP01 not one of ours)."""
    charge = Decimal("95.00")
    clp = Clp(f"N{icn[-8:]}", "1", charge, charge, ZERO,
              filing_indicator_835(claim.payer.filing_indicator), f"{icn}U",
              claim.place_of_service, "1", "", "", None, None, "", 0)  # fmt: skip
    patient = Nm1("QC", "1", "DOE", "JORDAN", "", "", "", "MI", "ZX0000000", "", "", "", 0)
    first = claim.lines[0]
    svc = Svc(Procedure("HC", "99212", (), "", ""), charge, charge, "", None, None, None, 0)
    line = Loop2110(svc, (Dtm("472", first.service_date, "", "", "", "", 0),), (), None, (),
                    (), (), (), ())  # fmt: skip
    received_date = Dtm("050", received, "", "", "", "", 0)
    return Loop2100(clp, (), (patient,), None, None, (), (received_date,), (), (), (), (line,), ())
