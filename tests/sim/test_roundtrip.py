"""The simulator's own values survive writing and reading: the writers are the readers' inverse."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sample_claims

from claimbridge.sim.acks import ClaimRecord, SetCheck, claim_ack, functional_ack
from claimbridge.sim.adjudicate import Payment, adjudicate
from claimbridge.sim.era import checks_for
from claimbridge.sim.scenarios import default_scenario
from claimbridge.sim.state import Counters
from claimbridge.x12.envelope import GroupHeader
from claimbridge.x12.envelope_build import InterchangeParams
from claimbridge.x12.problems import Problem
from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx277ca_005010X214.build import build_277ca
from claimbridge.x12.tx835_005010X221A1.build import build_835
from claimbridge.x12.tx999_005010X231A1.build import build_999

NOW = datetime(2026, 11, 12, 10, 0)
PARAMS = InterchangeParams(
    sender_id="330897513", receiver_id=sample_claims.SUBMITTER_ID, interchange_control_number=7,
    group_control_number=7, created=NOW, functional_id="", version="",
)  # fmt: skip


def read_back(text: str) -> list[Any]:
    return [parsed.value for parsed in parse_text(text)]


def without_positions(value: Any) -> Any:
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        fields = {name: without_positions(getattr(value, name)) for name in value._fields}
        return type(value)(**{**fields, **({"position": 0} if "position" in fields else {})})
    if isinstance(value, tuple | list):
        return type(value)(without_positions(v) for v in value)
    return value


def practice_payments() -> list[Payment]:
    scenario = default_scenario()
    claims = sample_claims.practice_batch().claims
    return [
        payment
        for index, claim in enumerate(claims)
        for payment in adjudicate(claim, scenario.rule_for(claim), f"ICN{index}", NOW.date())
    ]


def test_remittances_read_back_equal() -> None:
    remittances = [c.remittance for c in checks_for(practice_payments(), NOW.date(), Counters())]
    renumbered = [r._replace(control_number=f"{n:04d}") for n, r in enumerate(remittances, 1)]
    assert without_positions(read_back(build_835(renumbered, PARAMS))) == renumbered


def test_claim_ack_reads_back_equal() -> None:
    batch = sample_claims.practice_batch()
    records = [ClaimRecord(str(n), claim, None) for n, claim in enumerate(batch.claims)]
    ack = claim_ack(batch, records, 310000001, NOW)
    (back,) = read_back(build_277ca(ack, PARAMS))
    assert (back.header, back.levels) == (ack.header, ack.levels)


def test_functional_ack_reads_back_equal() -> None:
    group = GroupHeader("HC", "847291635", "OA", "20261112", "0915", "101", "X", "005010X222A1", 2)
    problem = Problem(52, "SV1", "2400", "SV103", "error", "pyx12", "invalid code value")
    sets = [
        SetCheck("837", "0001", "005010X222A1", 3, ()),
        SetCheck("837", "0002", "005010X222A1", 40, (problem,), ((47, "CB9001"),)),
    ]
    ack = functional_ack(group, sets, ())
    assert read_back(build_999(ack, PARAMS)) == [ack]
    assert ack.result.acknowledgment.code == "P"
    (rejected,) = ack.transaction_sets[1].segment_errors
    assert (rejected.position, rejected.contexts[0].reference) == (13, "CB9001")
