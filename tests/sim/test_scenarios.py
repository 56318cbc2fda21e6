"""Scenario files: loading YAML and JSON, refusing mistakes by name, and matching claims."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sample_claims
import yaml
from sim_support import NOW

from claimbridge.errors import InputError
from claimbridge.sim import EditSource, Outcome, default_scenario, load_scenario, parse_scenario
from claimbridge.sim.scenarios import (
    DEFAULT_SCENARIO_DATA,
    claim_hash,
    crossover_scenario,
    npi_is_valid,
)
from claimbridge.x12.tx837p_005010X222A1 import Claim

DOCS = Path(__file__).resolve().parents[2] / "docs" / "simulator.md"


def a_claim(number: str = "CB8001", code: str = "99211", **fields: Any) -> Claim:
    return sample_claims.claim(number, sample_claims.line(code, "50.00", NOW.date()), **fields)


def test_default_scenario_has_both_edits_and_every_outcome() -> None:
    scenario = default_scenario()
    assert {edit.by for edit in scenario.edits} == set(EditSource)
    assert {rule.outcome for rule in scenario.rules} | {scenario.default.outcome} == set(Outcome)
    paying = [r for r in scenario.rules if r.outcome is not Outcome.DENIED]
    assert any(r.copay for r in paying) and any(r.deductible for r in paying)
    assert any(r.coinsurance_percent for r in paying)
    assert any(r.interest for r in paying) and any(r.recoupment for r in paying)
    assert any(r.unsent_claim for r in paying)


def test_the_crossover_example_file_is_the_built_in_crossover_scenario() -> None:
    from_file = load_scenario(DOCS.parent / "examples" / "sim-crossover.yaml")
    assert replace(from_file, source="") == replace(crossover_scenario(), source="")
    [medicare] = from_file.rules
    assert medicare.crossover and medicare.when.payer_ids == {"01182"}
    assert not any(rule.crossover for rule in default_scenario().rules)


def test_yaml_and_json_files_read_the_same(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(dict(DEFAULT_SCENARIO_DATA)))
    (tmp_path / "rules.json").write_text(json.dumps(DEFAULT_SCENARIO_DATA))
    from_yaml = load_scenario(tmp_path / "rules.yaml")
    from_json = load_scenario(tmp_path / "rules.json")
    assert from_yaml.source.endswith("rules.yaml")
    assert replace(from_yaml, source="") == replace(from_json, source="")
    assert replace(from_json, source="") == replace(default_scenario(), source="")


def test_the_example_in_the_docs_is_the_default_scenario() -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    documented = parse_scenario(yaml.safe_load(block), source="docs")
    assert replace(documented, source="") == replace(default_scenario(), source="")


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"rules": [{"when": {"colour": "red"}}]}, "rules[0].when", "unknown key 'colour'"),
        ({"rules": [{"outcome": "paid_twice"}]}, "rules[0].outcome", "is not one of"),
        ({"rules": [{"copay": "-5"}]}, "rules[0].copay", "zero or more"),
        ({"rules": [{"allowed_percent": 120}]}, "rules[0].allowed_percent", "at most 100"),
        ({"rules": [{"when": {"member_id": "("}}]}, "rules[0].when.member_id", "regular"),
        ({"rules": [{"when": {"hash": {"modulo": 0}}}]}, "rules[0].when.hash.modulo", "1 or"),
        ({"edits": [{"name": "everyone"}]}, "edits[0].when", "needs a 'when'"),
        ({"edits": [{"when": {}, "by": "clearinghouse"}]}, "edits[0].by", "office_ally"),
        ({"format": "other/2"}, "scenario.format", "expected"),
        ({"rules": {"when": {}}}, "scenario.rules", "expected a list"),
        (["not", "a", "mapping"], "scenario", "expected a mapping"),
    ],
)
def test_mistakes_are_refused_with_their_place(data: Any, path: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as caught:
        parse_scenario(data)
    assert caught.value.path is not None and caught.value.path.endswith(path)


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("rules: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_scenario(tmp_path / "bad.yaml")


def rule_names(data: dict[str, Any], *claims: Claim) -> list[str]:
    scenario = parse_scenario(data)
    return [scenario.rule_for(claim).name for claim in claims]


def test_each_criterion_selects_claims() -> None:
    data = {
        "rules": [
            {"name": "member", "when": {"member_id": "^ZZ"}},
            {"name": "number", "when": {"patient_control_number": "-B$"}},
            {"name": "payer", "when": {"payer_id": ["87726", "BS001"]}},
            {"name": "procedure", "when": {"procedure": "97140"}},
            {"name": "npi", "when": {"npi": "1987654328"}},
        ]
    }
    claims = [
        a_claim(member_id="ZZ1"), a_claim("CB8001-B"), a_claim(payer_id="BS001"),
        a_claim(code="97140"), a_claim(rendering=sample_claims.ORTEGA), a_claim(),
    ]  # fmt: skip
    assert rule_names(data, *claims) == [
        "member", "number", "payer", "procedure", "npi", "default",
    ]  # fmt: skip


def test_all_criteria_of_a_rule_must_hold() -> None:
    data = {"rules": [{"name": "both", "when": {"payer_id": "87726", "procedure": "99211"}}]}
    claims = [a_claim(payer_id="87726"), a_claim(payer_id="87726", code="99212"), a_claim()]
    assert rule_names(data, *claims) == ["both", "default", "default"]


def test_the_first_matching_rule_wins() -> None:
    data = {"rules": [{"name": "first", "when": {}}, {"name": "second", "when": {}}]}
    assert rule_names(data, a_claim()) == ["first"]


def test_hash_rule_is_stable_and_takes_a_share() -> None:
    data = {"rules": [{"name": "half", "when": {"hash": {"modulo": 2, "remainder": [0]}}}]}
    claims = [a_claim(f"CB{n:04d}") for n in range(40)]
    chosen = rule_names(data, *claims)
    assert chosen == rule_names(data, *claims)
    assert 5 < chosen.count("half") < 35
    assert [c == "half" for c in chosen] == [claim_hash(f"CB{n:04d}") % 2 == 0 for n in range(40)]


def test_invalid_npi_criterion_uses_the_check_digit() -> None:
    assert npi_is_valid("1234567893") and npi_is_valid("1300000019")
    assert not npi_is_valid("1300000018") and not npi_is_valid("123456789")
    scenario = parse_scenario({"edits": [{"name": "npi", "when": {"invalid_npi": True}}]})
    assert scenario.edit_for(a_claim()) is None


def test_amounts_and_defaults_of_a_rule() -> None:
    rule = parse_scenario({"rules": [{"outcome": "partly_paid", "copay": 20}]}).rules[0]
    assert (rule.allowed_percent, rule.copay, rule.deductible) == (Decimal(80), Decimal(20), 0)
    full = parse_scenario({"rules": [{"name": "x"}]}).rules[0]
    assert (full.outcome, full.allowed_percent) == (Outcome.PAID_IN_FULL, Decimal(100))
