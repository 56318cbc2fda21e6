"""Secondary claims, crossovers and reversals through the real parts: the example practice's
Harold Nguyen (Medicare primary, Golden State Medigap secondary) submitted to the simulator,
its answers ingested, the secondary claim made, sent, answered and posted."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from claimbridge.domain.status import ClaimStatus
from claimbridge.services.claim_view import list_claims, show_claim
from claimbridge.services.claims import create_claims
from claimbridge.services.dashboard import dashboard
from claimbridge.services.ingest import ingest_bytes, ingest_paths
from claimbridge.services.post import held_payments, unmatched
from claimbridge.services.reposting import post_again, undo_posting
from claimbridge.services.submit import Batch, submit
from claimbridge.services.worklist import claim_detail
from claimbridge.sim import SimConfig, process_inbound_once
from claimbridge.sim.scenarios import (
    Scenario,
    crossover_scenario,
    default_scenario,
    parse_scenario,
)
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.transport import LocalDirTransport
from claimbridge.x12.reader import parse_text
from claimbridge.x12.tx837p_005010X222A1 import Claim
from claimbridge.x12.validate import validate_text
from cycle_support import NOW, reasons, renumber, status_of, submitted
from ledger_fixtures import example_text, load_example

HAROLD = "CB000003"  # appt-5003: 98941 75.00 + 97140 90.00, Medicare 01182
MEDIGAP = "SX123"
MEDICARE = "01182"
REVERSED_RULE = {
    "name": "Medicare reverses and corrects",
    "when": {"payer_id": [MEDICARE]},
    "outcome": "reversal_and_correction",
    "allowed_percent": "80",
    "coinsurance_percent": "20",
    "correction_allowed_percent": "90",
}
REVERSED = parse_scenario({"rules": [REVERSED_RULE]})


@dataclass
class Cycle:
    """The example practice against the simulator's folder, one round at a time."""

    store: Store
    root: Path
    config: SimConfig
    now: Any = NOW
    seen: set[str] = field(default_factory=set)

    def answer_and_ingest(
        self,
        later: timedelta = timedelta(0),
        edit: Callable[[str], str] | None = None,
        busy: frozenset[str] = frozenset(),
    ) -> None:
        """The simulator answers at ``now + later`` (leaving the uploads named in ``busy`` for
        later); every new file in outbound is ingested (its text changed by ``edit`` first)."""
        self.now = self.now + later
        process_inbound_once(self.root, self.config, self.now.replace(tzinfo=None), busy=busy)
        new = sorted(p for p in (self.root / "outbound").iterdir()
                     if not p.name.startswith(".") and p.name not in self.seen)  # fmt: skip
        self.seen |= {p.name for p in new}
        if edit is None:
            ingest_paths(self.store, new)
        for path in new if edit is not None else []:
            ingest_bytes(self.store, path.name, edit(path.read_text()).encode())

    def era_of(self, payer: str) -> str:
        """The text of the one ERA file from ``payer`` (N1*PR name) the simulator returned."""
        [text] = [p.read_text() for p in sorted((self.root / "outbound").iterdir())
                  if p.suffix == ".835" and f"N1*PR*{payer}~" in p.read_text()]  # fmt: skip
        return text

    def submit(self) -> Batch:
        [batch] = submit(self.store, LocalDirTransport(self.root), "test", self.now).batches
        return batch


def _cycle(
    store: Store,
    root: Path,
    scenario: Scenario | None = None,
    practice: bytes | None = None,
    **settings: Any,
) -> Cycle:
    """The example practice (or ``practice``) created, submitted, answered and ingested."""
    if practice is None:
        submitted(store, root)
    else:
        load_example(store, practice)
        with store.transaction() as session:
            create_claims(session, "test", NOW.date())
        root.mkdir(parents=True)
        submit(store, LocalDirTransport(root), "test", NOW)
    config = SimConfig(root=root, scenario=scenario or SimConfig(root=root).scenario, **settings)
    cycle = Cycle(store, root, config)
    cycle.answer_and_ingest()
    return cycle


def _with_tertiary() -> bytes:
    """The example practice with a third policy for Harold Nguyen: CIGNA, tertiary."""
    practice = json.loads(example_text())
    harold = next(patient for patient in practice["patients"] if patient["id"] == "pt-1003")
    harold["policies"].append(
        {
            "priority": "tertiary",
            "payer_id": "62308",
            "member_id": "U5550001",
            "relationship": "self",
        }
    )
    return json.dumps(practice).encode()


def _claims(store: Store) -> dict[str, dict[str, Any]]:
    with store.read() as session:
        return {c["patient_control_number"]: c for c in list_claims(session)}


def _shown(store: Store, clm01: str) -> dict[str, Any]:
    with store.read() as session:
        return show_claim(session, clm01)


def _sent_claim(batch: Batch, clm01: str) -> Claim:
    for parsed in parse_text(batch.text):
        for claim in parsed.value.batch.claims:
            if claim.patient_control_number == clm01:
                return claim  # type: ignore[no-any-return]
    raise AssertionError(f"{clm01} is not in batch {batch.file_name}")


def _assert_clean(text: str) -> None:
    """Our checks with Office Ally's rules and the guide tables, and pyx12, find nothing."""
    assert validate_text(text, office_ally=True).errors == ()
    assert validate_text(text, guide="pyx12").errors == ()


def _assert_cob_balances(claim: Claim) -> None:
    """The TR3's balancing of every adjudicated other payer: lines, then the claim."""
    for other in (o for o in claim.other_payers if o.paid_amount is not None):
        line_cas = Decimal(0)
        for line in claim.lines:
            [mine] = [a for a in line.adjudications if a.payer_id == other.payer_id]
            cas = sum((g.total for g in mine.adjustments), Decimal(0))
            assert mine.paid_amount + cas == line.charge
            line_cas += cas
        claim_cas = sum((g.total for g in other.adjustments), Decimal(0))
        assert other.paid_amount + claim_cas + line_cas == claim.total_charge


def test_medicare_835_makes_the_medigap_claim_which_is_sent_and_posted(
    store: Store, tmp_path: Path
) -> None:
    cycle = _cycle(store, tmp_path / "oa")
    claims = _claims(store)
    primary, secondary = claims[HAROLD], claims[f"{HAROLD}S"]
    assert (primary["paid"], primary["patient_responsibility"]) == ("105.60", "26.40")
    assert (primary["payer_sequence"], primary["follows"], primary["crossed_over_to"]) == (
        "primary", None, None,
    )  # fmt: skip
    assert (secondary["payer_id"], secondary["payer_sequence"], secondary["follows"]) == (
        MEDIGAP, "secondary", HAROLD,
    )  # fmt: skip
    assert secondary["status"] == "ready" and secondary["charge"] == "165.00"
    assert any("secondary claim CB000003S made" in why for why in reasons(store, HAROLD))
    assert [c for c in claims if c.endswith("S")] == [f"{HAROLD}S"]  # no one else has one

    batch = cycle.submit()
    assert batch.patient_control_numbers == (f"{HAROLD}S",)
    _assert_clean(batch.text)
    sent = _sent_claim(batch, f"{HAROLD}S")
    assert (sent.payer.payer_id, sent.payer.responsibility) == (MEDIGAP, "S")
    [medicare] = sent.other_payers
    assert (medicare.payer_id, medicare.responsibility, medicare.filing_indicator) == (
        MEDICARE, "P", "MB",
    )  # fmt: skip
    assert (medicare.paid_amount, medicare.remaining_patient_liability) == (
        Decimal("105.60"), Decimal("26.40"),
    )  # fmt: skip
    assert [line.adjudications[0].paid_amount for line in sent.lines] == [
        Decimal("48.00"), Decimal("57.60"),
    ]  # fmt: skip
    assert all(line.adjudications[0].adjudication_date is not None for line in sent.lines)
    _assert_cob_balances(sent)

    cycle.answer_and_ingest(timedelta(minutes=5))
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.PAID
    shown = _shown(store, f"{HAROLD}S")
    assert (shown["paid"], shown["adjusted"], shown["patient_responsibility"]) == (
        "26.40", "138.60", "0.00",
    )  # fmt: skip
    assert shown["balance"] == "0.00"
    groups = {(a["group"], a["reason"]) for p in shown["payments"] for a in p["adjustments"]}
    assert groups == {("OA", "23")}  # the impact of Medicare's adjudication
    assert _shown(store, HAROLD)["paid"] == "105.60"  # Medigap's money is on its own claim


def test_primary_claims_name_the_secondary_payer_for_a_crossover(
    store: Store, tmp_path: Path
) -> None:
    _, batch = submitted(store, tmp_path / "oa")
    harold = _sent_claim(batch, HAROLD)
    [medigap] = harold.other_payers
    assert (medigap.payer_id, medigap.responsibility, medigap.paid_amount) == (MEDIGAP, "S", None)
    assert all(not line.adjudications for line in harold.lines)
    assert not _sent_claim(batch, "CB000001").other_payers  # Blake has one policy
    _assert_clean(batch.text)


def test_a_crossover_makes_no_secondary_claim_and_the_medigap_835_posts_on_it(
    store: Store, tmp_path: Path
) -> None:
    _cycle(store, tmp_path / "oa", crossover_scenario())
    claims = _claims(store)
    assert f"{HAROLD}S" not in claims
    primary = claims[HAROLD]
    assert primary["crossed_over_to"] == MEDIGAP
    assert any("crossed over" in why and "GOLDEN STATE MEDIGAP" in why
               for why in reasons(store, HAROLD))  # fmt: skip
    shown = _shown(store, HAROLD)
    paid_by = {(p["payer"], p["status_code"]) for p in shown["payments"]}
    assert {code for _, code in paid_by} == {"19", "2"}  # Medicare forwarded, Medigap paid
    assert shown["paid"] == "132.00"  # 105.60 from Medicare, 26.40 from the Medigap plan
    with store.read() as session:
        waiting = session.scalars(
            select(t.UnmatchedClaimRow).where(t.UnmatchedClaimRow.patient_control_number == HAROLD)
        ).all()
    assert waiting == []


def test_a_reversal_replaces_the_sent_secondary_claim(store: Store, tmp_path: Path) -> None:
    cycle = _cycle(store, tmp_path / "oa", REVERSED, second_era_delay=3600)
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.READY
    cycle.submit()
    cycle.answer_and_ingest(timedelta(minutes=5))  # Medigap pays Medicare's first answer
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.PAID

    cycle.answer_and_ingest(timedelta(hours=2))  # Medicare reverses and corrects at 90%
    assert _shown(store, HAROLD)["paid"] == "118.80"
    replacement = _claims(store)[f"{HAROLD}SR1"]
    assert (replacement["follows"], replacement["payer_sequence"]) == (HAROLD, "secondary")
    assert replacement["status"] == "ready"
    assert any("replacement claim CB000003SR1 made" in why for why in reasons(store, HAROLD))

    _assert_replacement_sent_after_the_correction(cycle)


def test_undoing_the_primary_posting_cancels_the_unsent_secondary_and_posting_again_remakes_it(
    store: Store, tmp_path: Path
) -> None:
    _cycle(store, tmp_path / "oa")
    with store.read() as session:
        claim_id = session.scalars(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == HAROLD)).one()
        remittances = sorted(
            set(session.scalars(select(t.PaymentRow.remittance_id).where(
                t.PaymentRow.claim_id == claim_id)))
        )  # fmt: skip
    with store.transaction() as session:
        undo_posting(session, remittances[-1], "dana", "posted to the wrong patient")
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.CANCELLED
    assert any("adjudication, which this claim carries, changed" in why
               for why in reasons(store, f"{HAROLD}S"))  # fmt: skip

    with store.transaction() as session:
        post_again(session, remittances[-1], "dana")
    remade = _claims(store)[f"{HAROLD}S2"]
    assert (remade["follows"], remade["status"]) == (HAROLD, "ready")


def test_a_tertiary_claim_carries_both_payers_before_it(store: Store, tmp_path: Path) -> None:
    half = {
        "name": "Medigap pays half of what Medicare left",
        "when": {"payer_id": [MEDIGAP]},
        "outcome": "partly_paid",
        "allowed_percent": "100",
        "coinsurance_percent": "50",
    }
    default = default_scenario()
    scenario = replace(default, rules=(*parse_scenario({"rules": [half]}).rules, *default.rules))
    cycle = _cycle(store, tmp_path / "oa", scenario, _with_tertiary())
    [medigap_batch] = [cycle.submit()]
    assert medigap_batch.patient_control_numbers == (f"{HAROLD}S",)
    cycle.answer_and_ingest(timedelta(minutes=5))  # Medigap pays 13.20 of the 26.40
    assert _shown(store, f"{HAROLD}S")["paid"] == "13.20"
    tertiary = _claims(store)[f"{HAROLD}T"]
    assert (tertiary["payer_id"], tertiary["payer_sequence"], tertiary["follows"]) == (
        "62308", "tertiary", f"{HAROLD}S",
    )  # fmt: skip
    batch = cycle.submit()
    _assert_clean(batch.text)
    sent = _sent_claim(batch, f"{HAROLD}T")
    assert sent.payer.responsibility == "T"
    assert [(o.payer_id, o.responsibility, o.paid_amount) for o in sent.other_payers] == [
        (MEDICARE, "P", Decimal("105.60")), (MEDIGAP, "S", Decimal("13.20")),
    ]  # fmt: skip
    _assert_cob_balances(sent)
    cycle.answer_and_ingest(timedelta(minutes=10))  # CIGNA pays what Medigap left
    assert _shown(store, f"{HAROLD}T")["paid"] == "13.20"


def test_a_sent_secondary_is_voided_when_the_primary_adjudication_is_undone(
    store: Store, tmp_path: Path
) -> None:
    cycle = _cycle(store, tmp_path / "oa")
    cycle.submit()
    cycle.answer_and_ingest(timedelta(minutes=5))
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.PAID
    with store.read() as session:
        claim_id = session.scalars(select(t.ClaimRow.id).where(t.ClaimRow.clm01 == HAROLD)).one()
        last = max(
            session.scalars(
                select(t.PaymentRow.remittance_id).where(t.PaymentRow.claim_id == claim_id)
            )
        )
    with store.transaction() as session:
        undo_posting(session, last, "dana", "Medicare took its second payment back")
    void = _claims(store)[f"{HAROLD}SV1"]
    assert (void["status"], void["follows"], void["payer_sequence"]) == (
        "ready",
        HAROLD,
        "secondary",
    )
    assert any("void claim CB000003SV1 made" in why for why in reasons(store, HAROLD))
    batch = cycle.submit()
    sent = _sent_claim(batch, f"{HAROLD}SV1")
    assert sent.frequency == "8" and sent.payer_claim_control_number
    [medicare] = sent.other_payers  # named, without the adjudication that is gone
    assert (medicare.payer_id, medicare.paid_amount) == (MEDICARE, None)
    _assert_clean(batch.text)


def test_a_crossed_over_claim_owes_nothing_once_the_second_payer_has_paid(
    store: Store, tmp_path: Path
) -> None:
    _cycle(store, tmp_path / "oa", crossover_scenario())
    shown = _shown(store, HAROLD)
    assert (shown["insurance_balance"], shown["patient_balance"]) == ("0.00", "0.00")
    with store.transaction() as session:  # as before the Medigap plan's 835 came
        medigap = select(t.PayerRow.id).where(t.PayerRow.payer_id == MEDIGAP).scalar_subquery()
        forwarded = select(t.RemittanceRow.id).where(t.RemittanceRow.payer_id == medigap)
        payments = select(t.PaymentRow.id).where(t.PaymentRow.remittance_id.in_(forwarded))
        session.execute(delete(t.AdjustmentRow).where(t.AdjustmentRow.payment_id.in_(payments)))
        session.execute(delete(t.PaymentRow).where(t.PaymentRow.remittance_id.in_(forwarded)))
    waiting = _shown(store, HAROLD)
    assert (waiting["insurance_balance"], waiting["patient_balance"]) == ("26.40", "0.00")


def _second_check(era: str, trace: str, number: str) -> str:
    """``era`` paid again on another check (TRN02 ``number`` instead of ``trace``)."""
    return renumber(era, trace, number)


def test_a_second_check_from_the_crossover_payer_is_held_for_review(
    store: Store, tmp_path: Path
) -> None:
    cycle = _cycle(store, tmp_path / "oa", crossover_scenario())
    medigap_era = cycle.era_of("GOLDEN STATE MEDIGAP")
    assert _shown(store, HAROLD)["paid"] == "132.00"
    [trace] = [line.split("*")[2] for line in medigap_era.split("~") if line.startswith("TRN*")]
    again = _second_check(medigap_era, trace, "79999999")
    [report] = ingest_bytes(store, "medigap-second-check.835", again.encode())
    assert "1 payments held for review" in report.detail
    shown = _shown(store, HAROLD)
    assert (shown["paid"], shown["insurance_balance"], shown["patient_balance"]) == (
        "132.00", "0.00", "0.00",
    )  # fmt: skip
    with store.read() as session:
        [held] = held_payments(session)
        alerts = dashboard(session, cycle.now).alerts
    assert (held.clm01, held.trace_number, held.paid) == (HAROLD, "79999999", Decimal("26.40"))
    assert "already paid in full" in (held.detail or "")
    assert any("held for review" in alert.text for alert in alerts)
    assert any("held for review" in why for why in reasons(store, HAROLD))


def _balances(store: Store, clm01: str) -> tuple[str, str]:
    shown = _shown(store, clm01)
    return shown["insurance_balance"], shown["patient_balance"]


def _remittance_of(store: Store, clm01: str, payer_name: str) -> int:
    """The remittance from ``payer_name`` (its N1*PR name) that posted on claim ``clm01``."""
    with store.read() as session:
        query = (
            select(t.RemittanceRow.id)
            .join(t.PaymentRow, t.PaymentRow.remittance_id == t.RemittanceRow.id)
            .join(t.ClaimRow, t.ClaimRow.id == t.PaymentRow.claim_id)
            .join(t.InboundFileRow, t.InboundFileRow.id == t.RemittanceRow.inbound_file_id)
            .where(t.ClaimRow.clm01 == clm01)
        )
        found = {
            remittance_id
            for remittance_id, content in session.execute(
                query.add_columns(t.InboundFileRow.content)
            )
            if f"N1*PR*{payer_name}~".encode() in content
        }
    [remittance_id] = found
    return remittance_id


def test_undoing_the_primary_posting_of_a_crossed_over_claim_undoes_the_crossover(
    store: Store, tmp_path: Path
) -> None:
    root = tmp_path / "oa"
    submitted(store, root)
    before = _balances(store, HAROLD)
    assert before == ("165.00", "0.00")
    config = SimConfig(root=root, scenario=crossover_scenario(), second_era_delay=3600)
    cycle = Cycle(store, root, config)
    cycle.answer_and_ingest()  # Medicare pays and crosses over; the Medigap plan answers later
    assert _claims(store)[HAROLD]["crossed_over_to"] == MEDIGAP
    medicare = _remittance_of(store, HAROLD, "MEDICARE CALIFORNIA SOUTHERN")

    with store.transaction() as session:
        undo_posting(session, medicare, "dana", "posted from the wrong payer's file")
    assert _claims(store)[HAROLD]["crossed_over_to"] is None
    assert any("no longer crossed over to SX123" in why and "dana" in why
               for why in reasons(store, HAROLD))  # fmt: skip
    assert _balances(store, HAROLD) == before

    cycle.answer_and_ingest(timedelta(hours=2))  # the Medigap plan's 835 is no longer expected
    assert _shown(store, HAROLD)["paid"] == "0.00"
    assert _balances(store, HAROLD) == before
    with store.read() as session:
        [waiting] = [u for u in unmatched(session) if u.patient_control_number == HAROLD]
    assert waiting.reason == "other_payer"

    with store.transaction() as session:
        post_again(session, medicare, "dana")
    assert _claims(store)[HAROLD]["crossed_over_to"] == MEDIGAP


def _names_the_primary(clm01: str) -> Callable[[str], str]:
    """An ERA edit: the payer names the primary's CLM01 where ours said ``clm01``."""
    return lambda text: renumber(text, clm01, HAROLD)


def test_a_secondary_835_naming_the_primary_claim_is_posted_on_the_secondary_claim(
    store: Store, tmp_path: Path
) -> None:
    cycle = _cycle(store, tmp_path / "oa")
    cycle.submit()
    cycle.answer_and_ingest(timedelta(minutes=5), _names_the_primary(f"{HAROLD}S"))
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.PAID
    secondary, primary = _shown(store, f"{HAROLD}S"), _shown(store, HAROLD)
    assert (secondary["paid"], secondary["adjusted"]) == ("26.40", "138.60")
    assert [p["line_number"] for p in secondary["payments"]] == [1, 2]  # matched by procedure
    assert primary["paid"] == "105.60"  # Medicare's alone
    assert (primary["insurance_balance"], primary["patient_balance"]) == ("0.00", "0.00")
    assert _balances(store, f"{HAROLD}S") == ("0.00", "0.00")
    assert any(f"names claim {HAROLD} of the same visit" in why
               for why in reasons(store, f"{HAROLD}S"))  # fmt: skip
    with store.read() as session:
        assert [u for u in unmatched(session) if u.patient_control_number == HAROLD] == []

    medigap_era = _names_the_primary(f"{HAROLD}S")(cycle.era_of("GOLDEN STATE MEDIGAP"))
    [trace] = [line.split("*")[2] for line in medigap_era.split("~") if line.startswith("TRN*")]
    ingest_bytes(store, "medigap-again.835", _second_check(medigap_era, trace, "79999998").encode())
    assert _shown(store, f"{HAROLD}S")["paid"] == "26.40"
    with store.read() as session:
        [held] = held_payments(session)
    assert (held.clm01, held.patient_control_number) == (f"{HAROLD}S", HAROLD)


def _with_tertiary_at(payer_id: str) -> bytes:
    practice = json.loads(_with_tertiary())
    harold = next(patient for patient in practice["patients"] if patient["id"] == "pt-1003")
    harold["policies"][-1].update(payer_id=payer_id, member_id="MG5567002")
    return json.dumps(practice).encode()


def test_a_secondary_835_naming_the_primary_claim_stays_unmatched_when_two_claims_fit(
    store: Store, tmp_path: Path
) -> None:
    half = {
        "name": "Medigap pays half of what Medicare left",
        "when": {"payer_id": [MEDIGAP]},
        "outcome": "partly_paid",
        "allowed_percent": "100",
        "coinsurance_percent": "50",
    }
    default = default_scenario()
    scenario = replace(default, rules=(*parse_scenario({"rules": [half]}).rules, *default.rules))
    cycle = _cycle(store, tmp_path / "oa", scenario, _with_tertiary_at(MEDIGAP))
    cycle.submit()
    cycle.answer_and_ingest(timedelta(minutes=5))  # the plan pays half on CB000003S
    assert _claims(store)[f"{HAROLD}T"]["payer_id"] == MEDIGAP  # the same plan, twice
    cycle.submit()
    cycle.answer_and_ingest(timedelta(minutes=10), _names_the_primary(f"{HAROLD}T"))
    assert _shown(store, f"{HAROLD}T")["paid"] == "0.00"
    with store.read() as session:
        [waiting] = [u for u in unmatched(session) if u.patient_control_number == HAROLD]
    assert waiting.reason == "other_payer"
    assert f"could be for {HAROLD}S or {HAROLD}T" in (waiting.detail or "")


def test_a_reversal_while_the_secondary_is_out_replaces_it_once_its_payer_accepts_it(
    store: Store, tmp_path: Path
) -> None:
    cycle = _cycle(store, tmp_path / "oa", REVERSED, second_era_delay=3600)
    sent = cycle.submit()
    assert sent.patient_control_numbers == (f"{HAROLD}S",)
    # Medicare reverses and corrects at 90% before the Medigap plan has taken the claim
    cycle.answer_and_ingest(timedelta(hours=2), busy=frozenset({sent.file_name}))
    assert _shown(store, HAROLD)["paid"] == "118.80"
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.SUBMITTED
    assert f"{HAROLD}SR1" not in _claims(store)
    assert any("has not accepted it yet" in why for why in reasons(store, f"{HAROLD}S"))
    with store.read() as session:
        alerts = [a for a in dashboard(session, cycle.now).alerts if HAROLD in a.text]
        waiting = claim_detail(session, f"{HAROLD}S").waiting
    assert [a.link for a in alerts] == [f"/claims/{HAROLD}S"]
    assert waiting is not None and "has not accepted it yet" in waiting

    cycle.answer_and_ingest(timedelta(minutes=5))  # the plan accepts and pays the old one
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.PAID
    replacement = _claims(store)[f"{HAROLD}SR1"]
    assert (replacement["status"], replacement["follows"]) == ("ready", HAROLD)
    assert any("replacement claim CB000003SR1 made" in why for why in reasons(store, HAROLD))
    with store.read() as session:
        alerts = [a for a in dashboard(session, cycle.now).alerts if HAROLD in a.text]
        assert claim_detail(session, f"{HAROLD}S").waiting is None
    assert alerts == []

    _assert_replacement_sent_after_the_correction(cycle)


def test_no_secondary_claim_when_the_primary_paid_and_left_the_patient_nothing(
    store: Store, tmp_path: Path
) -> None:
    allowed = {
        "name": "Medicare pays what it allows, no coinsurance",
        "when": {"payer_id": [MEDICARE]},
        "outcome": "paid_in_full",
        "allowed_percent": "80",
    }
    default = default_scenario()
    scenario = replace(default, rules=(*parse_scenario({"rules": [allowed]}).rules, *default.rules))
    _cycle(store, tmp_path / "oa", scenario)
    claims = _claims(store)
    assert not [clm01 for clm01 in claims if clm01.startswith(f"{HAROLD}S")]
    primary = claims[HAROLD]
    assert (primary["status"], primary["paid"], primary["adjusted"]) == ("paid", "132.00", "33.00")
    assert (primary["patient_responsibility"], primary["balance"]) == ("0.00", "0.00")
    assert _balances(store, HAROLD) == ("0.00", "0.00")  # settled: nobody owes anything
    [said] = [why for why in reasons(store, HAROLD) if "no secondary claim" in why]
    assert "left nothing for the patient to pay" in said


def _correction_leaves_nothing(text: str) -> str:
    """An ERA edit: Medicare's correction of CB000003 (the CLP after its reversal) writes the
    coinsurance off (CO 59) instead of leaving it to the patient (PR 2); CLP05 is 0."""
    if "CLP*CB000003*22*" not in text:
        return text
    head, correction = text.rsplit("CLP*CB000003*", 1)
    fields = correction.split("~", 1)[0].split("*")
    fields[3] = "0"  # CLP05, after CLP01 was split off: status, charge, paid, patient
    clp = "*".join(fields)
    rest = correction.split("~", 1)[1]
    end = rest.index("SE*")
    rest = rest[:end].replace("CAS*PR*2*", "CAS*CO*59*") + rest[end:]
    return f"{head}CLP*CB000003*{clp}~{rest}"


def test_a_correction_that_leaves_the_patient_nothing_voids_the_secondary(
    store: Store, tmp_path: Path
) -> None:
    cycle = _cycle(store, tmp_path / "oa", REVERSED, second_era_delay=3600)
    cycle.submit()
    cycle.answer_and_ingest(timedelta(minutes=5))  # Medigap pays Medicare's first answer
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.PAID

    cycle.answer_and_ingest(timedelta(hours=2), _correction_leaves_nothing)
    primary = _shown(store, HAROLD)
    assert (primary["paid"], primary["patient_responsibility"]) == ("118.80", "0.00")
    claims = _claims(store)
    assert f"{HAROLD}SR1" not in claims
    void = claims[f"{HAROLD}SV1"]
    assert (void["status"], void["follows"]) == ("ready", HAROLD)
    assert any("void claim CB000003SV1 made: no adjudication is left" in why
               for why in reasons(store, HAROLD))  # fmt: skip
    assert _balances(store, HAROLD) == ("0.00", "0.00")


def _medigap_member_id(member_id: str) -> bytes:
    """The example practice with Harold Nguyen's Medigap member ID ``member_id``."""
    practice = json.loads(example_text())
    harold = next(patient for patient in practice["patients"] if patient["id"] == "pt-1003")
    [medigap] = [p for p in harold["policies"] if p["payer_id"] == MEDIGAP]
    medigap["member_id"] = member_id
    return json.dumps(practice).encode()


def test_a_waiting_secondary_its_payer_rejects_waits_no_more(store: Store, tmp_path: Path) -> None:
    practice = _medigap_member_id(f"ZZ{MEDIGAP}01")  # the payer's edit rejects a ZZ member ID
    scenario = replace(REVERSED, edits=default_scenario().edits)
    cycle = _cycle(store, tmp_path / "oa", scenario, practice, second_era_delay=3600)
    sent = cycle.submit()
    cycle.answer_and_ingest(timedelta(hours=2), busy=frozenset({sent.file_name}))
    with store.read() as session:
        assert claim_detail(session, f"{HAROLD}S").waiting is not None

    cycle.answer_and_ingest(timedelta(minutes=5))  # the plan rejects the claim
    assert status_of(store, f"{HAROLD}S") is ClaimStatus.PAYER_REJECTED
    with store.read() as session:
        assert claim_detail(session, f"{HAROLD}S").waiting is None
    assert any("it was rejected: sent again, it carries what is posted then" in why
               for why in reasons(store, f"{HAROLD}S"))  # fmt: skip
    assert not [clm01 for clm01 in _claims(store) if clm01.startswith(f"{HAROLD}SR")]


def _assert_replacement_sent_after_the_correction(cycle: Cycle) -> None:
    """The next submission sends only the secondary's replacement (frequency 7, with the
    payer's claim number), clean, carrying Medicare's corrected 90% adjudication, balanced."""
    batch = cycle.submit()
    assert batch.patient_control_numbers == (f"{HAROLD}SR1",)
    _assert_clean(batch.text)
    resent = _sent_claim(batch, f"{HAROLD}SR1")
    assert resent.frequency == "7" and resent.payer_claim_control_number
    [medicare] = resent.other_payers
    assert (medicare.paid_amount, medicare.remaining_patient_liability) == (
        Decimal("118.80"), Decimal("29.70"),
    )  # fmt: skip
    _assert_cob_balances(resent)
