"""Synthetic, seeded X12 inputs for the benchmarks: large 835 remittances that balance.

Every name, ID and amount is made up. The same seed and size always give the same bytes, so
runs on different days read the same files. An 835 file holds one interchange and one group with
many transaction sets (ST), one check or EFT each, 50–200 claims per ST and 1–4 service lines
per claim, with line and claim CAS, MOA/LQ remarks, REF*6R, DTM, reversals with their
corrections and some PLB provider adjustments.

Amounts are whole cents (``int``) while generating, and every transaction set balances:
``SVC02 − line CAS = SVC03``, ``CLP03 − claim CAS − line CAS = CLP04`` and
``BPR02 = Σ CLP04 − Σ PLB``. ``check_835`` re-reads a file with ``Decimal`` and reports any
equation that fails, independently of claimbridge's own reader.

Run ``python bench/generate.py --check`` to generate a small 835, check that it balances
and validate it with pyx12, and to validate a 300-claim 837P built from ``claim_batch_837p``
by claimbridge's writer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

MB = 1_000_000
TERMINATOR = "~"
LINE_END = "\n"  # after each terminator, as many payers send it

PAYEE_NAME = "CEDAR VALLEY FAMILY HEALTH"
PAYEE_NPI = "1300000019"
PAYEE_TIN = "847291635"
SUBMITTER_ID = "847291635"
OFFICE_ALLY_ID = "330897513"
BASE_DATE = date(2025, 3, 3)

# (name, payer id, TRN03 '1' + EIN, CLP06 filing indicator)
PAYERS: tuple[tuple[str, str, str, str], ...] = (
    ("EXAMPLE HEALTH PLAN", "99901", "1990000001", "12"),
    ("SUMMIT MUTUAL HEALTH", "99902", "1990000002", "14"),
    ("LAKESHORE CARE PLAN", "99903", "1990000003", "HM"),
    ("PRAIRIE STATE MEDICAID EXAMPLE", "99904", "1990000004", "MC"),
    ("MEDICARE PART B EXAMPLE", "99905", "1990000005", "MB"),
)
# procedure code → (fee in cents, most units billed)
FEES: dict[str, tuple[int, int]] = {
    "99213": (15000, 1),
    "99214": (21500, 1),
    "99203": (19000, 1),
    "99396": (26000, 1),
    "97110": (6000, 4),
    "97140": (5500, 3),
    "90834": (14000, 1),
    "36415": (1500, 1),
    "80053": (4800, 1),
    "85025": (3200, 1),
    "93000": (7500, 1),
    "71046": (9800, 1),
    "J1100": (900, 4),
}
MODIFIERS = ("", "", "", "", "25", "59", "GP")
LAST_NAMES = ("ALDER", "BIRCH", "CEDAR", "ELM", "HAZEL", "LARCH", "MAPLE", "ROWAN", "SPRUCE", "YEW")
FIRST_NAMES = ("AVERY", "BLAIR", "CASEY", "DREW", "EMERY", "FINLEY", "HARPER", "JORDAN", "QUINN")
RENDERING = (("OAKES", "MORGAN", "1234567893"), ("FERN", "RILEY", "1987654328"))
DENIAL_REASONS = ("50", "96", "97", "197")
LINE_REMARKS = ("N130", "M15", "N290", "MA130", "N362")
CLAIM_REMARKS = ("MA01", "MA18", "MA07", "N381")
CLAIM_KINDS = ("paid", "forwarded", "secondary", "denied", "reversal")
CLAIM_KIND_WEIGHTS = (78, 3, 5, 8, 6)
LINE_COUNT_WEIGHTS = (40, 30, 20, 10)


@dataclass(frozen=True)
class Manifest835:
    """What a generated 835 file holds, for checking a reader's counts and sums."""

    path: str
    size_mb: float  # the size asked for; the file ends with the first ST past it
    bytes: int
    seed: int
    generator: str
    transactions: int
    claims: int
    service_lines: int
    segments: int
    total_paid: str  # Σ BPR02, as a decimal string


@dataclass
class _Line:
    """One adjudicated service line, amounts in cents."""

    code: str
    modifier: str
    units: int
    charge: int
    paid: int
    allowed: int
    adjustments: dict[str, list[tuple[str, int]]]
    remark: str = ""


@dataclass
class _Claim:
    """One adjudicated claim, amounts in cents, ready to write as a 2100 loop."""

    account: str
    status: str
    icn: str
    lines: list[_Line]
    claim_adjustments: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    remark: str = ""

    @property
    def charge(self) -> int:
        return sum(line.charge for line in self.lines)

    @property
    def paid(self) -> int:
        return sum(line.paid for line in self.lines) - _total(self.claim_adjustments)

    @property
    def patient_responsibility(self) -> int:
        groups = [self.claim_adjustments, *(line.adjustments for line in self.lines)]
        return sum(amount for group in groups for _, amount in group.get("PR", []))


@dataclass
class _Stats:
    """Running totals while a file is written."""

    transactions: int = 0
    claims: int = 0
    service_lines: int = 0
    segments: int = 0
    bytes: int = 0
    total_paid: int = 0


def amount(cents: int) -> str:
    """Cents as an X12 decimal, trailing zeros dropped: 15000 → '150', 15050 → '150.5'."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    if rest == 0:
        return f"{sign}{whole}"
    if rest % 10 == 0:
        return f"{sign}{whole}.{rest // 10}"
    return f"{sign}{whole}.{rest:02d}"


def _total(adjustments: dict[str, list[tuple[str, int]]]) -> int:
    return sum(value for pairs in adjustments.values() for _, value in pairs)


def _ccyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


def _npi_check_digit(first_nine: str) -> str:
    """The Luhn check digit of an NPI, computed over '80840' + the first nine digits."""
    total = 0
    for index, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


class _Generator835:
    """Writes one 835 interchange, transaction set by transaction set, from one seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.claim_number = 0
        self.icn_number = 0
        self.days = [_ccyymmdd(BASE_DATE - timedelta(days=n)) for n in range(0, 400)]

    def transaction(self, control: int) -> tuple[list[str], int, int]:
        """Segments of one ST…SE, its claim count and its BPR02 in cents."""
        payer = self.rng.choice(PAYERS)
        claims = self._claims(self.rng.randint(50, 200))
        plb = self._plb(claims)
        paid = sum(claim.paid for claim in claims) - sum(value for _, value in plb)
        body = self._header(payer, paid)
        for claim in claims:
            body += self._claim_segments(claim, payer)
        if plb:
            body.append(self._plb_segment(plb))
        segments = [f"ST*835*{control:04d}", *body]
        segments.append(f"SE*{len(segments) + 1}*{control:04d}")
        return segments, len(claims), paid

    def _claims(self, count: int) -> list[_Claim]:
        claims: list[_Claim] = []
        while len(claims) < count:
            kind = self.rng.choices(CLAIM_KINDS, CLAIM_KIND_WEIGHTS)[0]
            claims.extend(self._claims_of_kind(kind))
        return claims

    def _claims_of_kind(self, kind: str) -> list[_Claim]:
        account = self._next_account()
        lines = self._billed_lines()
        if kind == "denied":
            return [_Claim(account, "4", self._next_icn(), [self._deny(line) for line in lines])]
        if kind == "reversal":
            return self._reversal_and_correction(account, lines)
        claim = _Claim(account, "1", self._next_icn(), [self._adjudicate(line) for line in lines])
        if kind == "forwarded":
            claim.status = "19"
        elif kind == "secondary":
            claim.status = "2"
            self._take_at_claim_level(claim, "OA", "23", percent=60)
        elif self.rng.random() < 0.1:
            self._take_at_claim_level(claim, "PR", "1", percent=30)
        if self.rng.random() < 0.3:
            claim.remark = self.rng.choice(CLAIM_REMARKS)
        return [claim]

    def _reversal_and_correction(self, account: str, lines: list[_Line]) -> list[_Claim]:
        original = [self._adjudicate(line) for line in lines]
        reversal = _Claim(account, "22", self._next_icn(), [_negated(line) for line in original])
        corrected = [self._adjudicate(line) for line in lines]
        return [reversal, _Claim(account, "1", self._next_icn(), corrected, remark="N381")]

    def _take_at_claim_level(self, claim: _Claim, group: str, reason: str, percent: int) -> None:
        taken = claim.paid * percent // 100
        if taken > 0:
            claim.claim_adjustments[group] = [(reason, taken)]

    def _next_account(self) -> str:
        self.claim_number += 1
        return f"CB{self.claim_number:08d}"

    def _next_icn(self) -> str:
        self.icn_number += 1
        return f"EX{self.icn_number:012d}"

    def _billed_lines(self) -> list[_Line]:
        count = self.rng.choices((1, 2, 3, 4), LINE_COUNT_WEIGHTS)[0]
        return [self._billed_line() for _ in range(count)]

    def _billed_line(self) -> _Line:
        code = self.rng.choice(tuple(FEES))
        fee, most_units = FEES[code]
        units = self.rng.randint(1, most_units)
        charge = fee * units
        modifier = self.rng.choice(MODIFIERS)
        return _Line(code, modifier, units, charge, paid=0, allowed=0, adjustments={})

    def _adjudicate(self, billed: _Line) -> _Line:
        allowed = billed.charge * self.rng.randint(55, 90) // 100
        adjustments: dict[str, list[tuple[str, int]]] = {}
        if billed.charge > allowed:
            adjustments["CO"] = [("45", billed.charge - allowed)]
        patient = self._patient_share(allowed)
        if patient:
            adjustments["PR"] = patient
        paid = allowed - sum(value for _, value in patient)
        remark = self.rng.choice(LINE_REMARKS) if self.rng.random() < 0.15 else ""
        return replace(billed, paid=paid, allowed=allowed, adjustments=adjustments, remark=remark)

    def _patient_share(self, allowed: int) -> list[tuple[str, int]]:
        draw = self.rng.random()
        if draw < 0.35 or allowed == 0:
            return []
        if draw < 0.6:
            return [("3", min(allowed, self.rng.choice((1500, 2000, 2500, 3000, 4000))))]
        if draw < 0.85:
            return [("2", allowed * 20 // 100)] if allowed >= 5 else []
        deductible = min(allowed, self.rng.randint(1000, 20000))
        coinsurance = (allowed - deductible) * 20 // 100
        return [("1", deductible), ("2", coinsurance)] if coinsurance else [("1", deductible)]

    def _deny(self, billed: _Line) -> _Line:
        denial = {"CO": [(self.rng.choice(DENIAL_REASONS), billed.charge)]}
        return replace(billed, adjustments=denial, remark=self.rng.choice(LINE_REMARKS))

    def _plb(self, claims: list[_Claim]) -> list[tuple[str, int]]:
        """Provider-level adjustments for about a quarter of the checks: interest, recoupment."""
        if self.rng.random() >= 0.25:
            return []
        paid = sum(claim.paid for claim in claims)
        interest = ("L6", -self.rng.randint(1, 2500))
        recovered_icn = f"EX{self.rng.randint(1, max(1, self.icn_number)):012d}"
        recoupment = (f"WO:{recovered_icn}", self.rng.randint(1, max(1, paid // 5)))
        return [interest, recoupment]

    def _header(self, payer: tuple[str, str, str, str], paid: int) -> list[str]:
        name, payer_id, trn_id, _ = payer
        day = self.rng.choice(self.days[:30])
        trace = f"{self.rng.randint(10**9, 10**10 - 1)}"
        return [
            self._bpr(paid, trn_id, day),
            f"TRN*1*{trace}*{trn_id}",
            f"REF*EV*{SUBMITTER_ID}",
            f"DTM*405*{day}",
            f"N1*PR*{name}*XV*{payer_id}",
            "N3*100 EXAMPLE PLAZA",
            "N4*SPRINGFIELD*IL*627010000",
            "PER*BL*EDI SUPPORT*TE*8005550100",
            f"N1*PE*{PAYEE_NAME}*XX*{PAYEE_NPI}",
            f"REF*TJ*{PAYEE_TIN}",
            "LX*1",
        ]

    def _bpr(self, paid: int, trn_id: str, day: str) -> str:
        if self.rng.random() < 0.5:
            return f"BPR*C*{amount(paid)}*C*CHK************{day}"
        return (
            f"BPR*I*{amount(paid)}*C*ACH*CCP*01*999999992*DA*123456789*{trn_id}**"
            f"01*999988880*DA*98765432*{day}"
        )

    def _claim_segments(self, claim: _Claim, payer: tuple[str, str, str, str]) -> list[str]:
        segments = [
            f"CLP*{claim.account}*{claim.status}*{amount(claim.charge)}*{amount(claim.paid)}*"
            f"{amount(claim.patient_responsibility)}*{payer[3]}*{claim.icn}*11*1",
            *_cas_segments(claim.claim_adjustments),
            *self._claim_names(claim),
        ]
        if claim.remark:
            segments.append(f"MOA***{claim.remark}")
        segments += self._claim_dates()
        for number, line in enumerate(claim.lines, start=1):
            segments += self._line_segments(line, f"{claim.account}-{number}")
        return segments

    def _claim_names(self, claim: _Claim) -> list[str]:
        last, first = self.rng.choice(LAST_NAMES), self.rng.choice(FIRST_NAMES)
        member = f"ZZ{self.rng.randint(10**8, 10**9 - 1)}"
        names = [f"NM1*QC*1*{last}*{first}****MI*{member}"]
        if self.rng.random() < 0.5:
            doctor_last, doctor_first, npi = self.rng.choice(RENDERING)
            names.append(f"NM1*82*1*{doctor_last}*{doctor_first}****XX*{npi}")
        if claim.status == "19":
            names.append("NM1*TT*2*EXAMPLE SECONDARY PLAN*****PI*99999")
        return names

    def _claim_dates(self) -> list[str]:
        index = self.rng.randint(20, 380)
        start, received = self.days[index], self.days[index - self.rng.randint(3, 19)]
        return [f"DTM*232*{start}", f"DTM*233*{start}", f"DTM*050*{received}"]

    def _line_segments(self, line: _Line, control: str) -> list[str]:
        procedure = f"HC:{line.code}:{line.modifier}" if line.modifier else f"HC:{line.code}"
        units = f"**{line.units}" if line.units > 1 else ""
        segments = [
            f"SVC*{procedure}*{amount(line.charge)}*{amount(line.paid)}{units}",
            f"DTM*472*{self.rng.choice(self.days[20:])}",
            *_cas_segments(line.adjustments),
            f"REF*6R*{control}",
        ]
        if line.allowed:
            segments.append(f"AMT*B6*{amount(line.allowed)}")
        if line.remark:
            segments.append(f"LQ*HE*{line.remark}")
        return segments

    def _plb_segment(self, plb: list[tuple[str, int]]) -> str:
        pairs = "*".join(f"{reason}*{amount(value)}" for reason, value in plb)
        return f"PLB*{PAYEE_NPI}*{BASE_DATE.year}1231*{pairs}"


def _negated(line: _Line) -> _Line:
    """A line as a reversal (CLP02 22) reports it: every amount with the opposite sign."""
    adjustments = {g: [(r, -v) for r, v in pairs] for g, pairs in line.adjustments.items()}
    return replace(line, charge=-line.charge, paid=-line.paid, allowed=0, adjustments=adjustments)


def _cas_segments(adjustments: dict[str, list[tuple[str, int]]]) -> list[str]:
    """One CAS per group, up to six reason/amount triplets each (quantity left empty)."""
    segments = []
    for group, pairs in adjustments.items():
        triplets = "**".join(f"{reason}*{amount(value)}" for reason, value in pairs)
        segments.append(f"CAS*{group}*{triplets}")
    return segments


def _interchange_header(control: int) -> list[str]:
    return [
        f"ISA*00*          *00*          *ZZ*{OFFICE_ALLY_ID:<15}*ZZ*{SUBMITTER_ID:<15}*"
        f"250303*1200*^*00501*{control:09d}*0*P*:",
        f"GS*HP*{OFFICE_ALLY_ID}*{SUBMITTER_ID}*20250303*1200*{control}*X*005010X221A1",
    ]


def generator_fingerprint() -> str:
    """A hash of this module's source: generated files are rebuilt when the generator changes."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def write_835(path: Path, size_mb: float, seed: int) -> Manifest835:
    """Write an 835 of at least ``size_mb`` MB (10⁶ bytes) to ``path``; return what it holds."""
    target_bytes = size_mb * MB
    generator = _Generator835(seed)
    stats = _Stats()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="ascii", newline="") as out:
        _write(out, _interchange_header(1), stats)
        while stats.bytes < target_bytes:
            stats.transactions += 1
            segments, claims, paid = generator.transaction(stats.transactions)
            _write(out, segments, stats)
            stats.claims += claims
            stats.service_lines += sum(1 for s in segments if s.startswith("SVC*"))
            stats.total_paid += paid
        _write(out, [f"GE*{stats.transactions}*1", "IEA*1*000000001"], stats)
    return _manifest(path, size_mb, seed, stats)


def _write(out: object, segments: list[str], stats: _Stats) -> None:
    text = "".join(segment + TERMINATOR + LINE_END for segment in segments)
    out.write(text)  # type: ignore[attr-defined]
    stats.bytes += len(text)
    stats.segments += len(segments)


def _manifest(path: Path, size_mb: float, seed: int, stats: _Stats) -> Manifest835:
    return Manifest835(
        path=str(path),
        size_mb=size_mb,
        bytes=stats.bytes,
        seed=seed,
        generator=generator_fingerprint(),
        transactions=stats.transactions,
        claims=stats.claims,
        service_lines=stats.service_lines,
        segments=stats.segments,
        total_paid=str(Decimal(stats.total_paid).scaleb(-2)),
    )


def ensure_835(folder: Path, size_mb: float, seed: int) -> Manifest835:
    """The 835 of ``size_mb`` MB for ``seed`` in ``folder``; generated when missing or stale."""
    path = folder / f"era-{size_mb:g}MB-seed{seed}.835"
    manifest_path = path.with_suffix(".json")
    if path.exists() and manifest_path.exists():
        recorded = json.loads(manifest_path.read_text())
        fresh = recorded.get("generator") == generator_fingerprint()
        if fresh and recorded.get("bytes") == path.stat().st_size:
            return Manifest835(**recorded)
    manifest = write_835(path, size_mb, seed)
    manifest_path.write_text(json.dumps(asdict(manifest), indent=2))
    return manifest


# --- a 837P claim batch for the writer ----------------------------------------------------------

DIAGNOSES = ("J029", "R509", "E119", "I10", "M5450", "Z0000", "F411", "K219", "N390", "R051")
PROCEDURES_837: tuple[tuple[str, str], ...] = (
    ("99213", "150"),
    ("99214", "215"),
    ("99203", "190"),
    ("97110", "60"),
    ("90834", "140"),
    ("36415", "15"),
    ("85025", "32"),
    ("93000", "75"),
)
PAYERS_837 = (
    ("SUMMIT MUTUAL HEALTH", "99902", "CI"),
    ("MEDICARE PART B EXAMPLE", "99905", "MB"),
    ("PRAIRIE STATE MEDICAID EXAMPLE", "99904", "MC"),
    ("BLUE EXAMPLE PLAN", "99906", "BL"),
)


def claim_batch_837p(count: int, seed: int) -> tuple[Any, Any]:
    """A seeded batch of ``count`` synthetic claims and its envelope, as claimbridge's models.

    Claims come in visits of one to three per subscriber (the order the writer groups best),
    a quarter of them for a dependent (2000C), with 1–4 lines, 1–4 diagnoses, a rendering
    provider on half and a primary payer's adjudication (2320) on one in twenty.
    """
    from claimbridge.x12.tx837p_005010X222A1 import models  # the bench's only claimbridge model

    maker = _BatchMaker(models, random.Random(seed))
    claims = maker.claims(count)
    envelope = models.EnvelopeParams(
        interchange_control_number=1,
        group_control_number=1,
        sender_id=SUBMITTER_ID,
        created=datetime(2025, 3, 3, 12, 0),
    )
    batch = models.ClaimBatch(submitter=maker.submitter(), claims=claims, reference="BENCH1")
    return batch, envelope


class _BatchMaker:
    """Builds synthetic 837P model objects from one RNG; shares provider and payer objects."""

    def __init__(self, models: Any, rng: random.Random) -> None:
        self.m = models
        self.rng = rng
        self.address = models.Address(
            line1="410 ORCHARD AVE", city="FRESNO", state="CA", postal_code="937101234"
        )
        self.provider = models.BillingProvider(
            name=models.Name.of_organization(PAYEE_NAME),
            npi=PAYEE_NPI,
            tax_id=PAYEE_TIN,
            address=self.address,
            taxonomy="261QP2300X",
        )
        self.payers = [
            models.Payer(name=name, payer_id=payer_id, filing_indicator=indicator)
            for name, payer_id, indicator in PAYERS_837
        ]
        self.rendering = [
            models.Provider(name=models.Name.person(last, first), npi=npi)
            for last, first, npi in RENDERING
        ]

    def submitter(self) -> Any:
        contact = self.m.Contact(name="BILLING OFFICE", phone="5594201188")
        return self.m.Submitter(
            name=self.m.Name.of_organization(PAYEE_NAME), id=SUBMITTER_ID, contact=contact
        )

    def claims(self, count: int) -> tuple[Any, ...]:
        claims: list[Any] = []
        while len(claims) < count:
            subscriber, payer = self._subscriber(), self.rng.choice(self.payers)
            patient = self._patient() if self.rng.random() < 0.25 else None
            for _ in range(min(self.rng.randint(1, 3), count - len(claims))):
                claims.append(self._claim(len(claims) + 1, subscriber, payer, patient))
        return tuple(claims)

    def _person(self) -> Any:
        return self.m.Name.person(self.rng.choice(LAST_NAMES), self.rng.choice(FIRST_NAMES))

    def _birth_date(self) -> date:
        return date(1940, 1, 1) + timedelta(days=self.rng.randint(0, 29_000))

    def _subscriber(self) -> Any:
        return self.m.Subscriber(
            name=self._person(),
            member_id=f"ZZ{self.rng.randint(10**8, 10**9 - 1)}",
            group_number=f"GRP{self.rng.randint(100, 999)}",
            birth_date=self._birth_date(),
            sex=self.rng.choice("FM"),
            address=self.m.Address(
                line1=f"{self.rng.randint(1, 9999)} EXAMPLE ST",
                city="FRESNO",
                state="CA",
                postal_code="93711",
            ),
        )

    def _patient(self) -> Any:
        return self.m.Patient(
            name=self._person(),
            birth_date=self._birth_date(),
            sex=self.rng.choice("FM"),
            address=self.address,
            relationship=self.rng.choice(("19", "01")),
        )

    def _claim(self, number: int, subscriber: Any, payer: Any, patient: Any) -> Any:
        diagnoses = tuple(self.rng.sample(DIAGNOSES, self.rng.randint(1, 4)))
        account = f"CB{number:08d}"
        lines = tuple(
            self._line(f"{account}-{n}", len(diagnoses))
            for n in range(1, self.rng.randint(1, 4) + 1)
        )
        rendering = self.rng.choice(self.rendering) if self.rng.random() < 0.5 else None
        return self.m.Claim(
            patient_control_number=account,
            billing_provider=self.provider,
            subscriber=subscriber,
            payer=payer,
            patient=patient,
            place_of_service="11",
            diagnoses=diagnoses,
            lines=lines,
            rendering_provider=rendering,
            prior_authorization=f"PA{number}" if self.rng.random() < 0.1 else "",
            other_payers=self._other_payers(lines, subscriber) if self.rng.random() < 0.05 else (),
        )

    def _line(self, control: str, diagnoses: int) -> Any:
        code, fee = self.rng.choice(PROCEDURES_837)
        units = self.rng.randint(1, 3) if code == "97110" else 1
        pointers = tuple(self.rng.sample(range(1, diagnoses + 1), self.rng.randint(1, diagnoses)))
        return self.m.ServiceLine(
            procedure_code=code,
            charge=Decimal(fee) * units,
            units=Decimal(units),
            diagnosis_pointers=pointers,
            service_date=BASE_DATE - timedelta(days=self.rng.randint(1, 60)),
            control_number=control,
        )

    def _other_payers(self, lines: tuple[Any, ...], subscriber: Any) -> tuple[Any, ...]:
        """The primary's adjudication of the whole claim: paid + CO-45 + PR-2 = charge."""
        charge = sum((line.charge for line in lines), Decimal(0))
        paid = (charge * Decimal("0.6")).quantize(Decimal("0.01"))
        coinsurance = (charge * Decimal("0.15")).quantize(Decimal("0.01"))
        groups = (
            self.m.AdjustmentGroup(
                group="CO",
                adjustments=(self.m.Adjustment(reason="45", amount=charge - paid - coinsurance),),
            ),
            self.m.AdjustmentGroup(
                group="PR", adjustments=(self.m.Adjustment(reason="2", amount=coinsurance),)
            ),
        )
        primary = self.m.OtherPayer(
            responsibility="P",
            filing_indicator="CI",
            subscriber=subscriber.name,
            subscriber_id=subscriber.member_id,
            payer_name="EXAMPLE HEALTH PLAN",
            payer_id="99901",
            adjustments=groups,
            paid_amount=paid,
            remaining_patient_liability=coinsurance,
            adjudication_date=BASE_DATE,
        )
        return (primary,)


# --- an independent balance check, with Decimal, straight from the text -------------------------


def _fields(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="ascii") as handle:
        for raw in handle.read().split(TERMINATOR):
            raw = raw.strip()
            if raw:
                yield raw.split("*")


def _cas_sum(fields: list[str]) -> Decimal:
    return sum((Decimal(fields[n]) for n in range(3, len(fields), 3) if fields[n]), Decimal(0))


class _BalanceChecker:
    """Re-reads an 835 and lists every balancing equation or count that fails."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.claims = 0
        self.total_paid = Decimal(0)
        self._reset_transaction()

    def _reset_transaction(self) -> None:
        self.bpr = Decimal(0)
        self.clp_paid = Decimal(0)
        self.plb = Decimal(0)
        self.st_segments = 0
        self.clp: list[str] | None = None
        self.claim_adjusted = Decimal(0)
        self.svc: list[str] | None = None
        self.line_adjusted = Decimal(0)

    def feed(self, fields: list[str]) -> None:
        self.st_segments += 1
        handler = getattr(self, "_on_" + fields[0].lower(), None)
        if handler is not None:
            handler(fields)

    def _on_st(self, fields: list[str]) -> None:
        self._reset_transaction()
        self.st_segments = 1

    def _on_bpr(self, fields: list[str]) -> None:
        self.bpr = Decimal(fields[2])
        self.total_paid += self.bpr

    def _on_clp(self, fields: list[str]) -> None:
        self._close_claim()
        self.clp, self.claim_adjusted = fields, Decimal(0)
        self.claims += 1
        self.clp_paid += Decimal(fields[4])

    def _on_cas(self, fields: list[str]) -> None:
        self.claim_adjusted += _cas_sum(fields)
        if self.svc is not None:
            self.line_adjusted += _cas_sum(fields)

    def _on_svc(self, fields: list[str]) -> None:
        self._close_line()
        self.svc, self.line_adjusted = fields, Decimal(0)

    def _on_plb(self, fields: list[str]) -> None:
        self.plb += sum((Decimal(fields[n]) for n in range(4, len(fields), 2)), Decimal(0))

    def _on_se(self, fields: list[str]) -> None:
        self._close_claim()
        if Decimal(fields[1]) != self.st_segments:
            self.problems.append(f"SE {fields[2]}: SE01 {fields[1]}, counted {self.st_segments}")
        if self.clp_paid - self.plb != self.bpr:
            self.problems.append(f"ST {fields[2]}: BPR02 {self.bpr} ≠ {self.clp_paid - self.plb}")

    def _close_line(self) -> None:
        if self.svc is not None:
            charge, paid = Decimal(self.svc[2]), Decimal(self.svc[3])
            if charge - self.line_adjusted != paid:
                self.problems.append(f"line of claim {self.clp and self.clp[1]} does not balance")
        self.svc = None

    def _close_claim(self) -> None:
        self._close_line()
        if self.clp is not None:
            charge, paid = Decimal(self.clp[3]), Decimal(self.clp[4])
            if charge - self.claim_adjusted != paid:
                self.problems.append(f"claim {self.clp[1]} does not balance")
        self.clp = None


def check_835(path: Path, manifest: Manifest835) -> list[str]:
    """Every failed balancing equation, SE count or manifest figure of the 835 at ``path``."""
    checker = _BalanceChecker()
    for fields in _fields(path):
        checker.feed(fields)
    problems = checker.problems
    if checker.claims != manifest.claims:
        problems.append(f"counted {checker.claims} claims, manifest says {manifest.claims}")
    if checker.total_paid != Decimal(manifest.total_paid):
        problems.append(f"Σ BPR02 {checker.total_paid} ≠ manifest {manifest.total_paid}")
    return problems


def write_837p(path: Path, claims: int, seed: int) -> Path:
    """Build a synthetic batch of ``claims`` claims with claimbridge's writer into ``path``."""
    from claimbridge.x12.tx837p_005010X222A1.build import build_837p

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_837p(*claim_batch_837p(claims, seed)), encoding="ascii")
    return path


def validate_with_pyx12(path: Path) -> list[str]:
    """pyx12's implementation-guide errors for ``path`` (empty when it validates)."""
    import io
    import logging

    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    errors = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), str(path), None, None, None, errors
    )
    return [] if valid else [errors.getvalue()[:4000]]


def main(argv: list[str] | None = None) -> int:
    """Generate an 835 (``--size-mb``, ``--seed``); with ``--check``, also verify it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "data")
    parser.add_argument("--size-mb", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=835)
    parser.add_argument("--check", action="store_true", help="check balancing; validate with pyx12")
    args = parser.parse_args(argv)
    manifest = ensure_835(args.out, args.size_mb, args.seed)
    print(json.dumps(asdict(manifest), indent=2))
    if not args.check:
        return 0
    problems = check_835(Path(manifest.path), manifest) + validate_with_pyx12(Path(manifest.path))
    problems += validate_with_pyx12(write_837p(args.out / "claims-300.837", 300, args.seed))
    for problem in problems:
        print(problem, file=sys.stderr)
    print("balanced and valid" if not problems else f"{len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
