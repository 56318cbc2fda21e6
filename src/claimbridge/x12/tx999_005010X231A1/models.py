"""Typed values of a 999 implementation acknowledgment (005010X231A1), one class per loop.

Field names follow the guide: ``FunctionalAck`` is the transaction (AK1 … AK9), ``SetResponse``
loop 2000 (AK2 … IK5), ``SegmentError`` loop 2100 (IK3 + CTX), ``ElementError`` loop 2110
(IK4 + CTX). Every element of every segment is kept; codes carry their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

ACCEPTED_CODES = frozenset({"A", "E"})


@dataclass(frozen=True, slots=True)
class Coded:
    """A code as sent and its meaning in words (None when our code list does not hold it)."""

    code: str
    meaning: str | None


@dataclass(frozen=True, slots=True)
class ElementPosition:
    """Where an element sits in its segment (composite C030): ``element[:component[:repeat]]``."""

    element: int
    component: int | None
    repeat: int | None


@dataclass(frozen=True, slots=True)
class Context:
    """A CTX segment: the business unit (e.g. CLM01) or situational trigger behind an error."""

    name: str  # CTX01-1, e.g. 'CLM01' or 'SITUATIONAL TRIGGER'
    reference: str  # CTX01-2, e.g. the claim's patient control number
    segment_id: str  # CTX02
    segment_position: int | None  # CTX03, counted from ST = 1
    loop_id: str  # CTX04
    element_position: ElementPosition | None  # CTX05
    element_reference: tuple[str, ...]  # CTX06 (C999): data element reference numbers


@dataclass(frozen=True, slots=True)
class ElementError:
    """Loop 2110: IK4, one element in error, with its CTX segments."""

    position: ElementPosition  # IK401
    data_element: str  # IK402: data element reference number, e.g. '1068'
    error: Coded  # IK403
    bad_value: str  # IK404: a copy of the bad data, when sent
    contexts: tuple[Context, ...]


@dataclass(frozen=True, slots=True)
class SegmentError:
    """Loop 2100: IK3, one segment in error, with its CTX segments and element errors."""

    segment_id: str  # IK301
    position: int  # IK302: position in our transaction set, ST = 1
    loop_id: str  # IK303
    error: Coded  # IK304 (empty code when only element errors are reported)
    contexts: tuple[Context, ...]
    element_errors: tuple[ElementError, ...]


@dataclass(frozen=True, slots=True)
class SetResult:
    """IK5: the verdict on one transaction set and up to five reasons."""

    acknowledgment: Coded  # IK501
    errors: tuple[Coded, ...]  # IK502–IK506

    @property
    def accepted(self) -> bool:
        """True for A (accepted) and E (accepted, errors noted): the claims go on."""
        return self.acknowledgment.code in ACCEPTED_CODES


@dataclass(frozen=True, slots=True)
class SetResponse:
    """Loop 2000: AK2, the answer for one of our transaction sets."""

    code: str  # AK201: our ST01, e.g. '837'
    control_number: str  # AK202: our ST02
    implementation: str  # AK203: our ST03 ('' when the sender left it out)
    segment_errors: tuple[SegmentError, ...]
    result: SetResult  # IK5

    @property
    def accepted(self) -> bool:
        """True when this transaction set was accepted (with or without noted errors)."""
        return self.result.accepted


@dataclass(frozen=True, slots=True)
class GroupResponse:
    """AK1: the functional group this 999 answers."""

    functional_id: str  # AK101: our GS01, e.g. 'HC'
    control_number: str  # AK102: our GS06
    version: str  # AK103: our GS08


@dataclass(frozen=True, slots=True)
class GroupResult:
    """AK9: the verdict on the whole functional group."""

    acknowledgment: Coded  # AK901
    included: int  # AK902: transaction sets in our group, by our GE01
    received: int  # AK903: transaction sets the receiver counted
    accepted: int  # AK904: transaction sets accepted
    errors: tuple[Coded, ...]  # AK905–AK909


@dataclass(frozen=True, slots=True)
class FunctionalAck:
    """A 999: the answer for one functional group and each transaction set in it."""

    control_number: str  # ST02 of the 999
    implementation: str  # ST03 of the 999 (or GS08)
    group: GroupResponse
    transaction_sets: tuple[SetResponse, ...]
    result: GroupResult

    def response_for(self, control_number: str) -> SetResponse | None:
        """The answer for our transaction set with ST02 ``control_number``, if there is one."""
        return next((s for s in self.transaction_sets if s.control_number == control_number), None)
