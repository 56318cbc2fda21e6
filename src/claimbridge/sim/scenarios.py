"""Scenario rules: what the simulated payers do with each claim, read from YAML or JSON.

A scenario has **edits** (checks a claim can fail before adjudication: the 277CA rejects it) and
**rules** (how an accepted claim is paid). For each claim the first edit whose ``when`` matches
rejects it; otherwise the first rule whose ``when`` matches decides the payment, and a claim no
rule matches gets ``default`` (paid in full unless the file says otherwise). Every criterion is
a pure function of the claim, so the same file gives the same answers on every run.

``when`` criteria (all given ones must hold; an empty ``when`` matches every claim):

- ``member_id``: a regular expression searched in the subscriber's member ID (2010BA NM109);
- ``patient_control_number``: a regular expression searched in CLM01;
- ``payer_id``: one payer ID or a list (2010BB NM109);
- ``procedure``: one procedure code or a list; matches when any line has one of them;
- ``npi``: one NPI or a list; matches the billing or the rendering provider;
- ``invalid_npi``: true matches a claim whose billing or rendering NPI fails the check digit;
- ``hash``: ``{modulo: N, remainder: R or [R, …]}`` on the SHA-256 of CLM01, for a stable share.

The format is documented, with the default scenario, in docs/simulator.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from claimbridge.errors import InputError
from claimbridge.x12.tx837p_005010X222A1.models import Claim

SCENARIO_FORMAT = "claimbridge-sim-scenario/1"
_HUNDRED = Decimal(100)


class Outcome(StrEnum):
    """How a rule pays a claim."""

    PAID_IN_FULL = "paid_in_full"
    PARTLY_PAID = "partly_paid"
    DENIED = "denied"
    PAID_ACROSS_TWO_ERAS = "paid_across_two_eras"
    REVERSAL_AND_CORRECTION = "reversal_and_correction"


class EditSource(StrEnum):
    """Who runs an edit: Office Ally (File Summary ERROR) or the payer (EDI Status REJECTED)."""

    OFFICE_ALLY = "office_ally"
    PAYER = "payer"


def npi_is_valid(npi: str) -> bool:
    """True when ``npi`` is ten digits, the last the Luhn check digit over '80840' + the rest."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed("80840" + npi[:9])):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return (10 - total % 10) % 10 == int(npi[9])


def claim_hash(patient_control_number: str) -> int:
    """A stable number for CLM01 (the first 8 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(patient_control_number.encode()).digest()[:8], "big")


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """The ``when`` of a rule or edit; see the module docstring."""

    member_id: re.Pattern[str] | None = None
    patient_control_number: re.Pattern[str] | None = None
    payer_ids: frozenset[str] = frozenset()
    procedures: frozenset[str] = frozenset()
    npis: frozenset[str] = frozenset()
    invalid_npi: bool | None = None
    hash_modulo: int = 0
    hash_remainders: frozenset[int] = frozenset()

    def matches(self, claim: Claim) -> bool:
        """True when every given criterion holds for ``claim``."""
        return all(check(self, claim) for check in _CHECKS)


def _provider_npis(claim: Claim) -> tuple[str, ...]:
    rendering = claim.rendering_provider
    return (claim.billing_provider.npi, *((rendering.npi,) if rendering else ()))


def _check_member(match: Match, claim: Claim) -> bool:
    pattern = match.member_id
    return pattern is None or pattern.search(claim.subscriber.member_id) is not None


def _check_number(match: Match, claim: Claim) -> bool:
    pattern = match.patient_control_number
    return pattern is None or pattern.search(claim.patient_control_number) is not None


def _check_payer(match: Match, claim: Claim) -> bool:
    return not match.payer_ids or claim.payer.payer_id in match.payer_ids


def _check_procedure(match: Match, claim: Claim) -> bool:
    return not match.procedures or any(ln.procedure_code in match.procedures for ln in claim.lines)


def _check_npi(match: Match, claim: Claim) -> bool:
    return not match.npis or any(npi in match.npis for npi in _provider_npis(claim))


def _check_invalid_npi(match: Match, claim: Claim) -> bool:
    if match.invalid_npi is None:
        return True
    invalid = any(not npi_is_valid(npi) for npi in _provider_npis(claim))
    return invalid == match.invalid_npi


def _check_hash(match: Match, claim: Claim) -> bool:
    if not match.hash_modulo:
        return True
    return claim_hash(claim.patient_control_number) % match.hash_modulo in match.hash_remainders


_CHECKS: tuple[Callable[[Match, Claim], bool], ...] = (
    _check_member,
    _check_number,
    _check_payer,
    _check_procedure,
    _check_npi,
    _check_invalid_npi,
    _check_hash,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """How the payer pays the claims a ``when`` selects.

    Amounts per claim: ``allowed_percent`` of each line's charge is allowed (the rest is CO 45);
    of the allowed amount the patient owes ``deductible`` (PR 1, spread over the lines in order),
    ``coinsurance_percent`` of what is left (PR 2) and ``copay`` (PR 3, first lines first); the
    payer pays the rest. ``denied`` uses ``carc`` (CO) and ``rarc`` (LQ*HE) instead.
    ``interest`` and ``recoupment`` add PLB L6 and WO lines to the claim's check;
    ``unsent_claim`` adds to that check a claim the practice never sent.
    ``correction_allowed_percent`` is the allowed share after a reversal and correction.
    ``crossover`` makes a payer that pays a claim in one ERA forward it to the next payer its
    2320 names (CLP02 19, NM1*TT); that payer's 835 follows in the next ERA run.
    """

    name: str
    when: Match = field(default_factory=Match)
    outcome: Outcome = Outcome.PAID_IN_FULL
    allowed_percent: Decimal = _HUNDRED
    deductible: Decimal = Decimal(0)
    coinsurance_percent: Decimal = Decimal(0)
    copay: Decimal = Decimal(0)
    carc: str = "96"
    rarc: str = "N130"
    interest: Decimal = Decimal(0)
    recoupment: Decimal = Decimal(0)
    unsent_claim: bool = False
    correction_allowed_percent: Decimal = Decimal(90)
    crossover: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    """A check a claim fails before adjudication; the 277CA rejects it with these codes.

    ``category`` and ``status`` are 277 claim status codes (lists 507 and 508), ``entity`` the
    entity in error (``IL`` subscriber, ``85`` billing provider, …); ``message`` is the text the
    File Summary (Office Ally edits) or EDI Status report (payer edits) shows.
    """

    name: str
    when: Match
    by: EditSource = EditSource.PAYER
    category: str = "A7"
    status: str = "21"
    entity: str = ""
    message: str = ""

    @property
    def text(self) -> str:
        """What the reports say: ``message``, else the edit's name, upper case."""
        return (self.message or self.name).upper()


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """Edits, then rules, then the default; ``source`` names where it was read from."""

    name: str
    edits: tuple[Edit, ...] = ()
    rules: tuple[Rule, ...] = ()
    default: Rule = field(default_factory=lambda: Rule(name="default"))
    source: str = "built-in"

    def edit_for(self, claim: Claim) -> Edit | None:
        """The first edit ``claim`` fails, or None."""
        return next((edit for edit in self.edits if edit.when.matches(claim)), None)

    def rule_for(self, claim: Claim) -> Rule:
        """The first rule that matches ``claim``, else the default."""
        return next((rule for rule in self.rules if rule.when.matches(claim)), self.default)


# ---------------------------------------------------------------------------------- loading


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in the YAML or JSON file at ``path``; ``InputError`` names what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read the scenario: {error.strerror}", path=str(path)) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise InputError(f"not valid YAML or JSON: {error}", path=str(path)) from None
    return parse_scenario(data, source=str(path))


def parse_scenario(data: Any, *, source: str = "scenario") -> Scenario:
    """A ``Scenario`` from plain data (as read from YAML or JSON)."""
    root = _Node(data, source)
    values = root.mapping({"format", "name", "edits", "rules", "default"})
    version = values.get("format", SCENARIO_FORMAT)
    if version != SCENARIO_FORMAT:
        raise root.child("format").error(f"expected {SCENARIO_FORMAT!r}, got {version!r}")
    default = root.child("default")
    return Scenario(
        name=str(values.get("name", Path(source).stem)),
        edits=tuple(_edit(node) for node in root.child("edits").items()),
        rules=tuple(_rule(node) for node in root.child("rules").items()),
        default=_rule(default, "default") if default.present else Rule(name="default"),
        source=source,
    )


class _Node:
    """A value in the scenario data and its JSON path, for messages such as ``rules[2].when``."""

    def __init__(self, value: Any, path: str, *, present: bool = True) -> None:
        self.value = value
        self.path = path
        self.present = present

    def error(self, message: str) -> InputError:
        return InputError(message, path=self.path)

    def child(self, key: str) -> _Node:
        mapping = self.value if isinstance(self.value, Mapping) else {}
        return _Node(mapping.get(key), f"{self.path}.{key}", present=key in mapping)

    def mapping(self, allowed: set[str]) -> Mapping[str, Any]:
        if self.value is None:
            return {}
        if not isinstance(self.value, Mapping):
            raise self.error("expected a mapping of names to values")
        unknown = sorted(str(k) for k in self.value if k not in allowed)
        if unknown:
            raise self.error(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
        return self.value

    def items(self) -> list[_Node]:
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            raise self.error("expected a list")
        return [_Node(v, f"{self.path}[{i}]") for i, v in enumerate(self.value)]

    def text(self, default: str = "") -> str:
        if not self.present or self.value is None:
            return default
        if not isinstance(self.value, str | int) or isinstance(self.value, bool):
            raise self.error("expected text")
        return str(self.value)

    def texts(self) -> frozenset[str]:
        values = self.value if isinstance(self.value, list) else [self.value]
        if not self.present:
            return frozenset()
        return frozenset(_Node(v, self.path).text() for v in values)

    def amount(self, default: Decimal) -> Decimal:
        if not self.present:
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, str | int | float):
            raise self.error("expected an amount such as '25.00'")
        try:
            value = Decimal(str(self.value))
        except InvalidOperation:
            raise self.error(f"{self.value!r} is not an amount") from None
        if not value.is_finite() or value < 0:
            raise self.error("expected an amount of zero or more")
        return value

    def percent(self, default: Decimal) -> Decimal:
        value = self.amount(default)
        if value > _HUNDRED:
            raise self.error("a percentage is at most 100")
        return value

    def flag(self) -> bool | None:
        if not self.present:
            return None
        if not isinstance(self.value, bool):
            raise self.error("expected true or false")
        return self.value

    def pattern(self) -> re.Pattern[str] | None:
        if not self.present:
            return None
        try:
            return re.compile(self.text())
        except re.error as error:
            raise self.error(f"not a regular expression: {error}") from None

    def choice(self, kind: type[StrEnum], default: StrEnum) -> Any:
        if not self.present:
            return default
        try:
            return kind(self.text())
        except ValueError:
            known = ", ".join(member.value for member in kind)
            raise self.error(f"{self.value!r} is not one of: {known}") from None


_MATCH_KEYS = {"member_id", "patient_control_number", "payer_id", "procedure", "npi",
               "invalid_npi", "hash"}  # fmt: skip
_RULE_KEYS = {"name", "when", "outcome", "allowed_percent", "deductible", "coinsurance_percent",
              "copay", "carc", "rarc", "interest", "recoupment", "unsent_claim",
              "correction_allowed_percent", "crossover"}  # fmt: skip
_EDIT_KEYS = {"name", "when", "by", "category", "status", "entity", "message"}


def _match(node: _Node) -> Match:
    node.mapping(_MATCH_KEYS)
    modulo, remainders = _hash(node.child("hash"))
    return Match(
        member_id=node.child("member_id").pattern(),
        patient_control_number=node.child("patient_control_number").pattern(),
        payer_ids=node.child("payer_id").texts(),
        procedures=node.child("procedure").texts(),
        npis=node.child("npi").texts(),
        invalid_npi=node.child("invalid_npi").flag(),
        hash_modulo=modulo,
        hash_remainders=remainders,
    )


def _hash(node: _Node) -> tuple[int, frozenset[int]]:
    if not node.present:
        return 0, frozenset()
    node.mapping({"modulo", "remainder"})
    modulo = node.child("modulo").value
    if not isinstance(modulo, int) or isinstance(modulo, bool) or modulo < 1:
        raise node.child("modulo").error("expected a whole number of 1 or more")
    found = node.child("remainder").value
    remainders = found if isinstance(found, list) else [found]
    if not all(isinstance(r, int) and not isinstance(r, bool) for r in remainders):
        raise node.child("remainder").error("expected a whole number or a list of them")
    return modulo, frozenset(remainders)


def _rule(node: _Node, name: str = "") -> Rule:
    node.mapping(_RULE_KEYS)
    outcome: Outcome = node.child("outcome").choice(Outcome, Outcome.PAID_IN_FULL)
    allowed = Decimal(80) if outcome is Outcome.PARTLY_PAID else _HUNDRED
    get = node.child
    return Rule(
        name=get("name").text(name or node.path),
        when=_match(get("when")),
        outcome=outcome,
        allowed_percent=get("allowed_percent").percent(allowed),
        deductible=get("deductible").amount(Decimal(0)),
        coinsurance_percent=get("coinsurance_percent").percent(Decimal(0)),
        copay=get("copay").amount(Decimal(0)),
        carc=get("carc").text("96"),
        rarc=get("rarc").text("N130"),
        interest=get("interest").amount(Decimal(0)),
        recoupment=get("recoupment").amount(Decimal(0)),
        unsent_claim=bool(get("unsent_claim").flag()),
        correction_allowed_percent=get("correction_allowed_percent").percent(Decimal(90)),
        crossover=bool(get("crossover").flag()),
    )


def _edit(node: _Node) -> Edit:
    node.mapping(_EDIT_KEYS)
    get = node.child
    if not get("when").present:
        raise get("when").error("an edit needs a 'when'; without one it would reject every claim")
    return Edit(
        name=get("name").text(node.path),
        when=_match(get("when")),
        by=get("by").choice(EditSource, EditSource.PAYER),
        category=get("category").text("A7"),
        status=get("status").text("21"),
        entity=get("entity").text(""),
        message=get("message").text(""),
    )


# ---------------------------------------------------------------------------------- default

DEFAULT_SCENARIO_DATA: Mapping[str, Any] = {
    "format": SCENARIO_FORMAT,
    "name": "default: every outcome once",
    "edits": [
        {"name": "unknown member ID", "when": {"member_id": "^ZZ"}, "by": "payer",
         "category": "A7", "status": "33", "entity": "IL",
         "message": "SUBSCRIBER ID NOT FOUND"},
        {"name": "wrong NPI", "when": {"invalid_npi": True}, "by": "office_ally",
         "category": "A7", "status": "562", "entity": "85",
         "message": "INVALID BILLING PROVIDER NPI"},
    ],
    "rules": [
        {"name": "denied: not covered", "when": {"procedure": ["99393"]}, "outcome": "denied",
         "carc": "96", "rarc": "N130"},
        {"name": "copay, interest, and a claim we never sent", "when": {"procedure": ["99214"]},
         "outcome": "partly_paid", "allowed_percent": "85", "copay": "25.00",
         "interest": "2.50", "unsent_claim": True},
        {"name": "deductible and a recoupment", "when": {"procedure": ["98940"]},
         "outcome": "partly_paid", "allowed_percent": "80", "deductible": "40.00",
         "recoupment": "30.00"},
        {"name": "coinsurance, paid across two ERAs", "when": {"payer_id": ["01182"]},
         "outcome": "paid_across_two_eras", "allowed_percent": "80",
         "coinsurance_percent": "20"},
        {"name": "reversal and correction", "when": {"procedure": ["99213"]},
         "outcome": "reversal_and_correction", "correction_allowed_percent": "90"},
    ],
    "default": {"outcome": "paid_in_full"},
}  # fmt: skip


CROSSOVER_SCENARIO_DATA: Mapping[str, Any] = {
    "format": SCENARIO_FORMAT,
    "name": "Medicare crosses claims over to the Medigap plan",
    "rules": [
        {"name": "Medicare: 80% allowed, 20% coinsurance, crossed over",
         "when": {"payer_id": ["01182"]}, "outcome": "partly_paid", "allowed_percent": "80",
         "coinsurance_percent": "20", "crossover": True},
    ],
    "default": {"outcome": "paid_in_full"},
}  # fmt: skip


def crossover_scenario() -> Scenario:
    """Medicare (01182) pays 80% less 20% coinsurance and crosses each claim over to the payer
    its 2320 names; every other payer (the Medigap plan too) pays what it is billed in full."""
    return parse_scenario(CROSSOVER_SCENARIO_DATA, source="built-in crossover")


def default_scenario() -> Scenario:
    """The built-in scenario: two edits and every payment outcome, by procedure and payer."""
    return parse_scenario(DEFAULT_SCENARIO_DATA, source="built-in")


def describe(scenario: Scenario) -> Sequence[str]:
    """One line per edit and rule, for the command line."""
    lines = [f"edit: {edit.name} ({edit.by.value})" for edit in scenario.edits]
    lines += [f"rule: {rule.name} → {rule.outcome.value}" for rule in scenario.rules]
    lines.append(f"otherwise: {scenario.default.outcome.value}")
    return lines
