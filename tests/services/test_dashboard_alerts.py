"""The dashboard names what needs a person once Office Ally's answers are in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from claimbridge.errors import InputError, StoreError
from claimbridge.services.dashboard import dashboard
from claimbridge.services.ingest import Outcome, ingest_bytes, ingest_paths
from claimbridge.services.post import unmatched
from claimbridge.services.reposting import mark_balance_reviewed, post_again, undo_posting
from claimbridge.services.worklist import ClaimFilter, worklist
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from cycle_support import (
    NOW,
    PAID_AND_DENIED,
    add_claim,
    answered,
    data,
    posted_paid_and_denied,
    posted_unbalanced,
    reasons,
    renumber,
)
from ledger_fixtures import load_example


def test_unmatched_era_claims_and_held_claims_raise_alerts(store: Store, tmp_path: Path) -> None:
    run = answered(store, tmp_path / "oa")
    ingest_paths(store, run.outbound)
    with store.read() as session:
        queue = unmatched(session)
        board = dashboard(session, NOW)
    assert queue, "the default scenario sends an ERA for a claim we never sent"
    texts = [alert.text for alert in board.alerts]
    [unmatched_alert] = [text for text in texts if "not posted" in text]
    counted = "1 ERA claim was" if len(queue) == 1 else f"{len(queue)} ERA claims were"
    assert unmatched_alert.startswith(f"{counted} not posted")
    assert queue[0].patient_control_number in unmatched_alert
    assert any("CB000004 held" in text for text in texts)


def test_no_unmatched_alert_before_any_era(store: Store, tmp_path: Path) -> None:
    answered(store, tmp_path / "oa")
    with store.read() as session:
        texts = [alert.text for alert in dashboard(session, NOW).alerts]
    assert not [text for text in texts if "were not posted" in text]


def _board_of(store: Store) -> tuple[int, list[str], list[str]]:
    """The dashboard's unbalanced count, its alerts' texts, and the worklist's unbalanced claims."""
    with store.read() as session:
        board = dashboard(session, NOW)
        listed = worklist(session, ClaimFilter(unbalanced=True), NOW.date())
    return board.unbalanced_claims, [a.text for a in board.alerts], [r.clm01 for r in listed.rows]


def _unbalanced_alerts(texts: list[str]) -> list[str]:
    return [text for text in texts if "amounts do not add up" in text]


def test_an_era_enrollment_alert_turns_into_a_reminder_once_that_payers_eras_arrive(
    store: Store, tmp_path: Path
) -> None:
    run = answered(store, tmp_path / "oa")
    uhc = "UNITED HEALTHCARE (87726)"  # its ERA enrollment is submitted, not approved yet
    with store.read() as session:
        before = [(a.level, a.text) for a in dashboard(session, NOW).alerts if uhc in a.text]
    assert before == [
        ("warning", f"ERA enrollment with {uhc} is submitted: expect paper remittances")
    ]
    ingest_paths(store, run.outbound)  # its 835 denies CB000002
    with store.read() as session:
        after = [(a.level, a.text) for a in dashboard(session, NOW).alerts if uhc in a.text]
    assert after == [
        (
            "info",
            f"ERAs from {uhc} arrive and post, but its ERA enrollment is still marked "
            "submitted: mark it approved on Onboarding.",
        )
    ]


def test_a_claim_posted_from_an_era_that_does_not_add_up_is_an_alert(store: Store) -> None:
    load_example(store)
    posted_unbalanced(store)
    count, texts, listed = _board_of(store)
    assert count == 1 and listed == ["CB2001"]
    [alert] = _unbalanced_alerts(texts)
    assert alert.startswith("1 claim was posted from ERAs whose amounts do not add up")
    with store.read() as session:
        board = dashboard(session, NOW)
    [link] = [a.link for a in board.alerts if a.text == alert]
    assert link == "/claims?unbalanced=1"


def test_a_balanced_era_raises_no_such_alert(store: Store) -> None:
    load_example(store)
    posted_paid_and_denied(store)
    count, texts, listed = _board_of(store)
    assert (count, _unbalanced_alerts(texts), listed) == (0, [], [])


def test_marking_the_claim_reviewed_clears_the_alert(store: Store) -> None:
    load_example(store)
    posted_unbalanced(store)
    with store.transaction() as session, pytest.raises(InputError):
        mark_balance_reviewed(session, "CB2001", "biller", " ")
    with store.transaction() as session:
        mark_balance_reviewed(session, "CB2001", "biller", "matches the paper EOB")
    count, texts, listed = _board_of(store)
    assert (count, _unbalanced_alerts(texts), listed) == (0, [], [])
    assert "reviewed by biller: matches the paper EOB" in reasons(store, "CB2001")[-1]
    with store.transaction() as session, pytest.raises(StoreError):
        mark_balance_reviewed(session, "CB2001", "biller", "again")


def test_undoing_the_posting_clears_it_and_posting_again_raises_it_again(store: Store) -> None:
    load_example(store)
    remittance_id = posted_unbalanced(store)
    with store.transaction() as session:
        undo_posting(session, remittance_id, "biller", "posted to the wrong practice")
    assert _board_of(store)[0] == 0
    with store.transaction() as session:
        post_again(session, remittance_id, "biller")
    assert _board_of(store)[::2] == (1, ["CB2001"])


def test_a_later_era_that_adds_up_replaces_the_one_that_did_not(store: Store) -> None:
    load_example(store)
    posted_unbalanced(store)
    later = renumber(data(PAID_AND_DENIED), "EFT55501", "EFT55502")
    reversal = "CLP*CB2001*22*-200*-120*-30*12*ICN20001*11*1~CAS*CO*45*-50~CAS*PR*3*-30~"
    later = later.replace("CLP*CB2001*1*", reversal + "CLP*CB2001*1*")
    later = re.sub(r"PLB\*[^~]*~", "", later.replace("BPR*I*87.5*", "BPR*H*0*"))
    [report] = ingest_bytes(store, "later.835", later.encode())  # reverses it, pays it again
    assert report.outcome is Outcome.APPLIED and "held" not in (report.detail or "")
    assert _board_of(store)[0] == 0


def _hold(store: Store, clm01s: list[str], reason: str, status: str = "held") -> None:
    from sqlalchemy import update

    from claimbridge.store import tables as t

    with store.transaction() as session:
        session.execute(
            update(t.ClaimRow)
            .where(t.ClaimRow.clm01.in_(clm01s))
            .values(status=status, status_reason=reason)
        )


def test_claims_held_for_one_reason_are_one_alert_that_links_to_them(store: Store) -> None:
    from urllib.parse import parse_qs, urlsplit

    from claimbridge.domain.status import ClaimStatus
    from ledger_fixtures import add_claim

    load_example(store)
    enrollment = "BLUE SHIELD OF CALIFORNIA requires 837P enrollment, not approved yet"
    waiting = [f"CB9{n:05d}" for n in range(30)]
    for clm01 in [*waiting, "CB800001", "CB800002"]:
        add_claim(store, clm01)
    _hold(store, waiting, enrollment)
    _hold(store, ["CB800001"], "the member ID is missing")
    _hold(store, ["CB800002"], "the payer rejected: N4", status="payer_rejected")
    with store.read() as session:
        alerts = dashboard(session, NOW).alerts
    claim_alerts = [a for a in alerts if " held" in a.text or "rejected, fix" in a.text]
    assert [a.text for a in claim_alerts] == [
        "Claim CB800002 rejected, fix and resubmit: the payer rejected: N4",  # rejections first
        f"30 claims held: {enrollment}",
        "Claim CB800001 held: the member ID is missing",
    ]
    assert claim_alerts[0].link == "/claims/CB800002"
    link = claim_alerts[1].link
    assert link is not None and urlsplit(link).path == "/claims"
    query = {key: value for key, [value] in parse_qs(urlsplit(link).query).items()}
    assert query == {"status": "held", "reason": enrollment}
    with store.read() as session:
        wanted = ClaimFilter(status=ClaimStatus.HELD, reason=query["reason"])
        listed = [row.clm01 for row in worklist(session, wanted, NOW.date()).rows]
    assert sorted(listed) == waiting


def test_past_twenty_reasons_the_rest_are_summed_up(store: Store) -> None:
    from ledger_fixtures import add_claim

    load_example(store)
    for n in range(25):
        add_claim(store, f"CB7{n:05d}")
        _hold(store, [f"CB7{n:05d}"], f"reason number {n:02d}")
    with store.read() as session:
        texts = [a.text for a in dashboard(session, NOW).alerts]
    held = [text for text in texts if " held" in text]
    assert len(held) == 21
    assert held[-1] == "5 more claims held or rejected for 5 other reasons: see the worklist."


def test_a_batch_left_uploading_raises_an_alert_until_it_is_finished(store: Store) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import update

    from claimbridge.store import tables as t

    load_example(store)
    with store.transaction() as session:
        session.add(t.BatchRow(isa13=7, gs06=7, file_name="OATEST_837P_B7.txt", test_mode=True,
                               status="uploading", claim_count=3,
                               created_at=datetime(2026, 11, 20, tzinfo=UTC)))  # fmt: skip
    with store.read() as session:
        texts = [a.text for a in dashboard(session, NOW).alerts]
    [alert] = [text for text in texts if "stopped between recording and confirming" in text]
    assert alert.startswith("1 batch file stopped") and "Submit ready claims" in alert
    with store.transaction() as session:
        session.execute(update(t.BatchRow).values(status="sent"))
    with store.read() as session:
        texts = [a.text for a in dashboard(session, NOW).alerts]
    assert not [text for text in texts if "stopped between recording" in text]


def _silent(store: Store, now: datetime) -> list[str]:
    with store.read() as session:
        return [a.text for a in dashboard(session, now).alerts if "No ERA from" in a.text]


def _sent_on(store: Store, clm01: str, when: datetime, era_expected: bool = True) -> None:
    with store.transaction() as session:
        session.execute(
            update(t.ClaimRow)
            .where(t.ClaimRow.clm01 == clm01)
            .values(submitted_at=when, era_expected=era_expected)
        )


def _era_on(store: Store, payer_id: str, when: datetime) -> None:
    with store.transaction() as session:
        payer = session.scalars(select(t.PayerRow.id).where(t.PayerRow.payer_id == payer_id)).one()
        session.add(t.RemittanceRow(payer_id=payer, payer_identifier=payer_id, method="CHK",
                                    amount=Decimal("0.00"), trace_number=f"T{when:%j}",
                                    created_at=when))  # fmt: skip


def test_a_payer_silent_while_old_claims_are_open_is_named_once(store: Store) -> None:
    load_example(store)
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    add_claim(store, "OLD-1", (("99213", "100", None),), payer_id="62308")
    add_claim(store, "OLD-2", (("99213", "100", None),), payer_id="62308")
    add_claim(store, "NEW-1", (("99213", "100", None),), payer_id="87726")
    add_claim(store, "PAPER-1", (("99213", "100", None),), payer_id="01182")
    _sent_on(store, "OLD-1", now - timedelta(days=40))
    _sent_on(store, "OLD-2", now - timedelta(days=45))
    _sent_on(store, "NEW-1", now - timedelta(days=10))  # not over 30 days yet
    _sent_on(store, "PAPER-1", now - timedelta(days=90), era_expected=False)
    assert _silent(store, now) == [
        "No ERA from CIGNA (62308) ever, while claims sent over 30 days ago are open"
    ]
    _era_on(store, "62308", now - timedelta(days=35))
    assert _silent(store, now) == [
        "No ERA from CIGNA (62308) since 04/27/2026, while claims sent over 30 days ago are open"
    ]
    _era_on(store, "62308", now - timedelta(days=2))
    assert _silent(store, now) == []
