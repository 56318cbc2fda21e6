"""One 835 segment → its typed value; element text → ``Decimal`` and ``date``.

``Elements`` is made once per transaction set. It remembers the amounts, numbers, dates and
procedure codes it has converted, so a repeated "0", service date or "HC:99213" costs one
dict lookup; the memory this holds is bounded by one transaction set. A new text is read by
``values.money``, ``values.decimal`` or ``values.parse_ccyymmdd`` unless it is plain (an
amount such as "150.5", a date such as "20250301"): those take a shorter path that gives the
same value, and a property test keeps ``plain_money`` equal to ``values.money``. So values and
errors (segment position, id and element) are exactly those of ``values``.

A segment with more elements than the X12 standard defines raises ``X12SyntaxError`` rather
than losing the extra ones; so does an empty element the guide requires (CLP01, CLP02, SVC01,
CAS01, a CAS or PLB amount without its reason, …).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from claimbridge.errors import X12SyntaxError
from claimbridge.x12.segments import Segment
from claimbridge.x12.tx835_005010X221A1.models import (
    N1,
    N3,
    N4,
    Adjustment,
    Amt,
    Bpr,
    Clp,
    Cur,
    Dtm,
    Lq,
    Lx,
    Mia,
    Moa,
    Nm1,
    Per,
    Procedure,
    ProviderAdjustment,
    Qty,
    Rdm,
    Ref,
    Svc,
    Trn,
    Ts2,
    Ts3,
)
from claimbridge.x12.values import MAX_DIGITS, decimal, money, parse_ccyymmdd

PAD = ("",) * 25  # longer than any 835 segment, so (fields + PAD)[n] never runs off the end
PADS = tuple(("",) * count for count in range(26))  # fields + PADS[n - len(fields)]: n long
make = tuple.__new__  # a NamedTuple's own __new__ is a Python function; this is the hot path

# Elements the X12 5010 standard defines per segment.
MAX_ELEMENTS = {
    "BPR": 21, "TRN": 4, "CUR": 21, "REF": 4, "DTM": 6, "N1": 6, "N3": 2, "N4": 7, "PER": 9,
    "RDM": 5, "LX": 1, "TS3": 24, "TS2": 19, "CLP": 14, "CAS": 19, "NM1": 12, "MIA": 24,
    "MOA": 9, "AMT": 3, "QTY": 4, "SVC": 7, "LQ": 2, "PLB": 14,
}  # fmt: skip

# Which elements of the wide summary segments are counts (decimals) or codes (text); the
# others are amounts.
_MIA_COUNTS, _MIA_CODES = frozenset((1, 3, 15)), frozenset((5, 20, 21, 22, 23))
_TS3_COUNTS = frozenset((4, 23))
_TS2_COUNTS = frozenset((7, 10, 11, 12, 13, 14, 16))


def required(segment: Segment, number: int, what: str) -> X12SyntaxError:
    """The error for an empty element ``number`` of ``segment`` that the guide requires."""
    return X12SyntaxError(
        f"{what} is required but empty",
        segment_position=segment.position,
        segment_id=segment.id,
        element_position=number,
    )


def check_length(segment: Segment) -> None:
    """Raise when ``segment`` has more elements than the standard defines for it."""
    limit = MAX_ELEMENTS[segment.id]
    if len(segment.fields) - 1 > limit:
        raise X12SyntaxError(
            f"{segment.id} has {len(segment.fields) - 1} elements; X12 defines {limit}",
            segment_position=segment.position,
            segment_id=segment.id,
            element_position=limit + 1,
        )


def text_fields(segment: Segment, count: int) -> tuple[str, ...]:
    """Elements 1…``count`` of ``segment`` as text, '' where absent."""
    check_length(segment)
    return (segment.fields + PAD)[1 : count + 1]


def lenient_date(text: str) -> dt.date | None:
    """``text`` as a CCYYMMDD date, or None when it is empty or not a real date."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def plain_money(text: str) -> Decimal | None:
    """``text`` as ``values.money`` reads it, for plain amounts ("150", "-7.5", "20.25").

    None when ``text`` is anything else (empty, an exponent, not a number): the caller then
    asks ``values.money``, which reads it or raises. This skips ``values.money``'s
    ``as_tuple`` by padding the text to two decimals before it becomes a ``Decimal``; a test
    checks it against ``values.money`` on any text.
    """
    if not text or text[-1] not in _DIGITS or len(text) > _PLAIN_LENGTH:
        return None
    if len(text) - text.startswith("-") - ("." in text) > MAX_DIGITS:
        return None  # values.money refuses it, naming the element
    dot = text.find(".")
    if dot < 0:
        text += ".00"
    elif len(text) - dot == 2:
        text += "0"
    elif not text[dot + 1 :].isdigit():
        return None  # an exponent or a second dot after the first one
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


_DIGITS = frozenset("0123456789")
_PLAIN_LENGTH = 20  # a minus, 18 digits and a point; anything longer takes the general path


class Elements:
    """Reads the segments of one transaction set, remembering converted texts."""

    __slots__ = ("amounts", "component_separator", "dates", "numbers", "procedures")

    def __init__(self, component_separator: str) -> None:
        self.component_separator = component_separator
        self.amounts: dict[str, Decimal] = {}
        self.numbers: dict[str, Decimal] = {}
        self.dates: dict[str, dt.date] = {}
        self.procedures: dict[str, Procedure] = {}

    # -- element values

    def money(self, text: str, segment: Segment, number: int) -> Decimal:
        """``text``, element ``number`` of ``segment``, as ``values.money`` reads it."""
        value = self.amounts.get(text)
        if value is None:
            value = plain_money(text)
            if value is None:
                value = money(segment, number)
            self.amounts[text] = value
        return value

    def optional_money(self, text: str, segment: Segment, number: int) -> Decimal | None:
        """As ``money``, but None for an empty element."""
        return self.money(text, segment, number) if text else None

    def optional_decimal(self, text: str, segment: Segment, number: int) -> Decimal | None:
        """``text``, element ``number`` of ``segment``, as ``values.decimal``; None if empty."""
        if not text:
            return None
        value = self.numbers.get(text)
        if value is None:
            value = decimal(segment, number)  # the one reading of a number, with its bounds
            self.numbers[text] = value
        return value

    def date(self, text: str, segment: Segment, number: int) -> dt.date:
        """``text``, element ``number`` of ``segment``, as a CCYYMMDD date."""
        value = self.dates.get(text)
        if value is None:
            try:  # CCYYMMDD is ISO 8601's basic form; anything odd goes to the strict reader
                value = dt.date.fromisoformat(text) if len(text) == 8 and text.isdigit() else None
            except ValueError:
                value = None
            if value is None:
                value = parse_ccyymmdd(text, segment, number)
            self.dates[text] = value
        return value

    def procedure(self, text: str) -> Procedure:
        """A C003 composite (SVC01, SVC06): qualifier, code, modifiers, description, id."""
        value = self.procedures.get(text)
        if value is None:
            parts = [*text.split(self.component_separator), "", "", "", "", "", "", ""]
            modifiers = parts[2:6]
            while modifiers and not modifiers[-1]:
                modifiers.pop()
            value = make(Procedure, (parts[0], parts[1], tuple(modifiers), parts[6], parts[7]))
            self.procedures[text] = value
        return value

    def _numbers(
        self,
        segment: Segment,
        fields: tuple[str, ...],
        first: int,
        counts: frozenset[int],
        codes: frozenset[int] = frozenset(),
    ) -> list[Decimal | str | None]:
        """Elements ``first``… as amounts; those in ``counts`` as decimals, ``codes`` as text."""
        return [
            text
            if number in codes
            else self.optional_decimal(text, segment, number)
            if number in counts
            else self.optional_money(text, segment, number)
            for number, text in enumerate(fields, first)
        ]

    # -- header segments

    def bpr(self, segment: Segment) -> Bpr:
        """BPR, with BPR16 read leniently (see ``Bpr``)."""
        fields = text_fields(segment, 21)
        if not fields[0]:
            raise required(segment, 1, "BPR01 (transaction handling code)")
        if not fields[1]:
            raise required(segment, 2, "BPR02 (total payment amount)")
        amount = self.money(fields[1], segment, 2)
        paid_on = lenient_date(fields[15])
        return make(
            Bpr, (fields[0], amount, *fields[2:15], paid_on, *fields[15:], segment.position)
        )

    def trn(self, segment: Segment) -> Trn:
        """TRN; TRN02, the trace number, is required."""
        fields = text_fields(segment, 4)
        if not fields[1]:
            raise required(segment, 2, "TRN02 (check or EFT trace number)")
        return make(Trn, (*fields, segment.position))

    def cur(self, segment: Segment) -> Cur:
        """CUR; CUR03 is the exchange rate."""
        fields = text_fields(segment, 21)
        rate = self.optional_decimal(fields[2], segment, 3)
        return make(Cur, (*fields[:2], rate, *fields[3:6], fields[6:], segment.position))

    def n1(self, segment: Segment) -> N1:
        """N1 (payer or payee)."""
        return make(N1, (*text_fields(segment, 6), segment.position))

    def n3(self, segment: Segment) -> N3:
        """N3."""
        return make(N3, (*text_fields(segment, 2), segment.position))

    def n4(self, segment: Segment) -> N4:
        """N4."""
        return make(N4, (*text_fields(segment, 7), segment.position))

    def per(self, segment: Segment) -> Per:
        """PER."""
        return make(Per, (*text_fields(segment, 9), segment.position))

    def rdm(self, segment: Segment) -> Rdm:
        """RDM."""
        return make(Rdm, (*text_fields(segment, 5), segment.position))

    def ref(self, segment: Segment) -> Ref:
        """REF."""
        fields = segment.fields
        if len(fields) == 3:
            return make(Ref, (fields[1], fields[2], "", "", segment.position))
        return make(Ref, (*text_fields(segment, 4), segment.position))

    def dtm(self, segment: Segment) -> Dtm:
        """DTM; DTM02 must be a date unless DTM06 carries a period instead."""
        fields = segment.fields
        if len(fields) == 3 and fields[2]:  # DTM*472*20250301, by far the most common
            text = fields[2]
            found = self.dates.get(text) or self.date(text, segment, 2)
            return make(Dtm, (fields[1], found, "", "", "", "", segment.position))
        qualifier, text, *rest = text_fields(segment, 6)
        if not text and not rest[3]:
            raise required(segment, 2, "DTM02 (date)")
        date = self.date(text, segment, 2) if text else None
        return make(Dtm, (qualifier, date, *rest, segment.position))

    # -- header number (2000)

    def lx(self, segment: Segment) -> Lx:
        """LX."""
        return make(Lx, (*text_fields(segment, 1), segment.position))

    def ts3(self, segment: Segment) -> Ts3:
        """TS3; TS303 is the fiscal period end date, TS304… are counts and amounts."""
        fields = text_fields(segment, 24)
        period_end = self.date(fields[2], segment, 3)
        amounts = self._numbers(segment, fields[3:], 4, _TS3_COUNTS)
        return make(Ts3, (*fields[:2], period_end, *amounts[:2], tuple(amounts[2:]),
                          segment.position))  # fmt: skip

    def ts2(self, segment: Segment) -> Ts2:
        """TS2: every element a count or an amount."""
        amounts = self._numbers(segment, text_fields(segment, 19), 1, _TS2_COUNTS)
        return make(Ts2, (tuple(amounts), segment.position))

    # -- claim (2100)

    def clp(self, segment: Segment) -> Clp:
        """CLP; CLP01 and CLP02 are required, an empty CLP03/CLP04 reads as 0.00."""
        fields = segment.fields
        if len(fields) > 15:
            check_length(segment)
        fields += PADS[15 - len(fields)]
        if not fields[1]:
            raise required(segment, 1, "CLP01 (patient control number)")
        if not fields[2]:
            raise required(segment, 2, "CLP02 (claim status code)")
        known, amount, number = self.amounts, self.money, self.optional_decimal
        return make(Clp, (
            fields[1], fields[2], known.get(fields[3]) or amount(fields[3], segment, 3),
            known.get(fields[4]) or amount(fields[4], segment, 4),
            amount(fields[5], segment, 5) if fields[5] else None, *fields[6:12],
            number(fields[12], segment, 12), number(fields[13], segment, 13), fields[14],
            segment.position,
        ))  # fmt: skip

    def nm1(self, segment: Segment) -> Nm1:
        """NM1."""
        fields = segment.fields
        if len(fields) > 13:
            check_length(segment)
        return make(Nm1, (*fields[1:], *PADS[13 - len(fields)], segment.position))

    def mia(self, segment: Segment) -> Mia:
        """MIA: counts, amounts and remark codes."""
        fields = text_fields(segment, 24)
        values = self._numbers(segment, fields, 1, _MIA_COUNTS, _MIA_CODES)
        return make(Mia, (*values, segment.position))

    def moa(self, segment: Segment) -> Moa:
        """MOA: MOA01 a rate, MOA02/08/09 amounts, MOA03–07 remark codes."""
        fields = text_fields(segment, 9)
        rate = self.optional_decimal(fields[0], segment, 1)
        amount = self.optional_money(fields[1], segment, 2)
        esrd = self.optional_money(fields[7], segment, 8)
        professional = self.optional_money(fields[8], segment, 9)
        return make(Moa, (rate, amount, *fields[2:7], esrd, professional, segment.position))

    def amt(self, segment: Segment) -> Amt:
        """AMT; AMT02 is required."""
        fields = segment.fields
        if len(fields) == 3 and fields[2]:  # AMT*B6*110
            value = self.money(fields[2], segment, 2)
            return make(Amt, (fields[1], value, "", segment.position))
        qualifier, amount, flag = text_fields(segment, 3)
        if not amount:
            raise required(segment, 2, "AMT02 (amount)")
        return make(Amt, (qualifier, self.money(amount, segment, 2), flag, segment.position))

    def qty(self, segment: Segment) -> Qty:
        """QTY."""
        qualifier, quantity, unit, free_form = text_fields(segment, 4)
        value = self.optional_decimal(quantity, segment, 2)
        return make(Qty, (qualifier, value, unit, free_form, segment.position))

    def cas(self, segment: Segment) -> list[Adjustment]:
        """The reason/amount/quantity triplets of a CAS, each with the CAS01 group."""
        fields = segment.fields
        count = len(fields)
        if (count == 4 or count == 5) and fields[1] and fields[2] and fields[3]:  # one triplet
            amount = self.amounts.get(fields[3]) or self.money(fields[3], segment, 3)
            quantity = self.optional_decimal(fields[4], segment, 4) if count == 5 else None
            return [make(Adjustment, (fields[1], fields[2], amount, quantity, segment.position))]
        if count > 20:
            check_length(segment)
        group = fields[1] if count > 1 else ""
        if not group:
            raise required(segment, 1, "CAS01 (adjustment group code)")
        found = [
            self._triplet(segment, group, number, fields[number : number + 3])
            for number in range(2, count, 3)
            if any(fields[number : number + 3])
        ]
        if not found:
            raise required(segment, 2, "CAS02 (adjustment reason code)")
        return found

    def _triplet(
        self, segment: Segment, group: str, number: int, triplet: tuple[str, ...]
    ) -> Adjustment:
        reason, amount, quantity = (*triplet, "", "")[:3]
        if not reason:
            raise required(segment, number, "the adjustment reason code of an amount")
        if not amount:
            raise required(segment, number + 1, "the adjustment amount")
        value = self.money(amount, segment, number + 1)
        units = self.optional_decimal(quantity, segment, number + 2)
        return make(Adjustment, (group, reason, value, units, segment.position))

    # -- service line (2110)

    def svc(self, segment: Segment) -> Svc:
        """SVC; SVC01 is required, SVC06 (procedure as submitted) is kept when sent."""
        fields = segment.fields
        if len(fields) > 8:
            check_length(segment)
        fields += PADS[8 - len(fields)]
        if not fields[1]:
            raise required(segment, 1, "SVC01 (procedure)")
        # ``known.get(text) or …``: a cache hit skips a call; a miss (or a falsy zero) converts.
        known, money, procedure = self.amounts, self.money, self.procedure
        return make(Svc, (
            self.procedures.get(fields[1]) or procedure(fields[1]),
            known.get(fields[2]) or money(fields[2], segment, 2),
            known.get(fields[3]) or money(fields[3], segment, 3),
            fields[4],
            self.optional_decimal(fields[5], segment, 5) if fields[5] else None,
            procedure(fields[6]) if fields[6] else None,
            self.optional_decimal(fields[7], segment, 7) if fields[7] else None,
            segment.position,
        ))  # fmt: skip

    def lq(self, segment: Segment) -> Lq:
        """LQ; LQ02, the remark code, is required."""
        fields = segment.fields
        if len(fields) == 3 and fields[2]:
            return make(Lq, (fields[1], fields[2], segment.position))
        qualifier, code = text_fields(segment, 2)
        if not code:
            raise required(segment, 2, "LQ02 (remark code)")
        return make(Lq, (qualifier, code, segment.position))

    # -- footer

    def plb(self, segment: Segment) -> list[ProviderAdjustment]:
        """The reason:reference/amount pairs of a PLB (PLB03/04 … PLB13/14)."""
        fields = text_fields(segment, 14)
        if not fields[0]:
            raise required(segment, 1, "PLB01 (provider identifier)")
        period_end = self.date(fields[1], segment, 2)
        found = []
        for number in range(3, 15, 2):
            composite, amount = fields[number - 1], fields[number]
            if not composite and not amount:
                continue
            if not composite or not amount:
                raise required(segment, number + (not amount), "a PLB reason and its amount")
            reason, _, reference = composite.partition(self.component_separator)
            value = self.money(amount, segment, number + 1)
            found.append(make(ProviderAdjustment, (fields[0], period_end, reason, reference,
                                                   value, segment.position)))  # fmt: skip
        if not found:
            raise required(segment, 3, "PLB03 (adjustment reason)")
        return found
