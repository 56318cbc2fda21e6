"""The worklist finds a claim by every key a biller has in hand, sorts on every column both
ways, and pages with the count of what matched; several claims are sent or sent again at once.

The example practice's five claims (CB000001–CB000005) are made from its appointments, so each
has a patient and a policy: Aaron Blake (born 03/12/1984, member U8823410201) has two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from claimbridge.domain.status import ClaimStatus
from claimbridge.errors import InputError
from claimbridge.services import worklist as worklist_module
from claimbridge.services.claim_bulk import resubmit_many, selection, submit_refusal
from claimbridge.services.claim_search import Search, SearchKey
from claimbridge.services.claims import create_claims
from claimbridge.services.worklist import (
    ClaimFilter,
    Paging,
    SortKey,
    WorklistRow,
    worklist,
)
from claimbridge.store import tables as t
from claimbridge.store.db import Store
from claimbridge.store.repositories import ClaimRepository
from ledger_fixtures import add_claim, load_example

TODAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 12, tzinfo=UTC)
BLAKE = ["CB000001", "CB000005"]


@pytest.fixture
def claims(store: Store) -> Store:
    """The example practice's five claims; CB000002 has a payer claim number from an EDI
    Status report, CB000003 an Office Ally claim ID and an ERA's payer claim number,
    CB000004 an OA claim ID kept the old way (nine characters)."""
    load_example(store)
    with store.transaction() as session:
        create_claims(session, "test", TODAY)
        ids = {c.clm01: c.id for c in session.query(t.ClaimRow)}
        session.get_one(t.ClaimRow, ids["CB000002"]).payer_claim_control_number = "PCN-7781"
        file = t.InboundFileRow(name="oa.txt", sha256="0" * 64, size=1, received_at=AT,
                                outcome="applied")  # fmt: skip
        session.add(file)
        session.flush()
        for clm01, oa_id in (("CB000003", "4000000123"), ("CB000004", "400000099")):
            session.add(t.AcknowledgmentRow(inbound_file_id=file.id, kind="OA_EDI_STATUS",
                                            claim_id=ids[clm01], control_number=oa_id,
                                            code="ACCEPTED", created_at=AT))  # fmt: skip
        remittance = t.RemittanceRow(payer_identifier="62308", method="CHK", amount=Decimal(40),
                                     trace_number="T1", created_at=AT)  # fmt: skip
        session.add(remittance)
        session.flush()
        session.add(t.PaymentRow(remittance_id=remittance.id, claim_id=ids["CB000003"],
                                 status_code="1", charge=Decimal("165.00"), paid=Decimal(40),
                                 payer_claim_control_number="ERA-555", created_at=AT))  # fmt: skip
    return store


def _found(store: Store, wanted: ClaimFilter) -> list[str]:
    with store.read() as session:
        return [row.clm01 for row in worklist(session, wanted, TODAY).rows]


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        (SearchKey.PATIENT, "blake", BLAKE),
        (SearchKey.PATIENT, "BLAKE, aa", BLAKE),
        (SearchKey.PATIENT, "Aaron Blake", BLAKE),
        (SearchKey.PATIENT, "Ram", ["CB000002"]),
        (SearchKey.PATIENT, "Blake, Sofia", []),
        (SearchKey.DOB, "03/12/1984", BLAKE),
        (SearchKey.DOB, "1951-11-02", ["CB000003"]),
        (SearchKey.MEMBER_ID, "u8823410201", BLAKE),
        (SearchKey.MEMBER_ID, "U882341020", []),  # a member ID is matched whole
        (SearchKey.CLAIM, "CB000004", ["CB000004"]),
        (SearchKey.CLAIM, "cb00000", ["CB000001", "CB000002", "CB000003", "CB000004", "CB000005"]),
        (SearchKey.PAYER_NUMBER, "PCN-7781", ["CB000002"]),
        (SearchKey.PAYER_NUMBER, "ERA-555", ["CB000003"]),
        (SearchKey.OA_CLAIM_ID, "4000000123", ["CB000003"]),
        (SearchKey.OA_CLAIM_ID, "4000000991", ["CB000004"]),  # kept as its first nine
        (SearchKey.OA_CLAIM_ID, "4000000124", []),
    ],
)
def test_each_search_key_finds_its_claims(
    claims: Store, key: SearchKey, text: str, expected: list[str]
) -> None:
    assert _found(claims, ClaimFilter(search=Search(text, key))) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyen", ["CB000003"]),
        ("U8823410201", BLAKE),
        ("05/21/1979", ["CB000004"]),
        ("PCN-7781", ["CB000002"]),
        ("4000000123", ["CB000003"]),
        ("CB000005", ["CB000005"]),
        ("nobody", []),
    ],
)
def test_a_search_without_a_key_tries_every_key(
    claims: Store, text: str, expected: list[str]
) -> None:
    assert _found(claims, ClaimFilter(search=Search(text))) == expected


def test_a_search_with_other_filters_keeps_both(claims: Store) -> None:
    held = ClaimFilter(status=ClaimStatus.READY, search=Search("blake"))
    assert _found(claims, held) == BLAKE
    late = ClaimFilter(service_from=date(2026, 11, 8), search=Search("blake"))
    assert _found(claims, late) == ["CB000005"]


def test_a_birth_date_that_is_no_date_is_refused_in_words() -> None:
    with pytest.raises(InputError, match="is not a date"):
        Search("13/45/1984", SearchKey.DOB)


KEYS: dict[SortKey, Any] = {
    SortKey.CLAIM: lambda r: r.clm01,
    SortKey.PATIENT: lambda r: r.patient,
    SortKey.PAYER: lambda r: r.payer,
    SortKey.PROVIDER: lambda r: r.provider,
    SortKey.SERVICE_DATE: lambda r: r.service_date,
    SortKey.CHARGE: lambda r: r.total_charge,
    SortKey.PAID: lambda r: r.paid,
    SortKey.BALANCE: lambda r: r.balance,
    SortKey.STATUS: lambda r: r.status.value,
    SortKey.AGE: lambda r: r.age_days,
    SortKey.REASON: lambda r: r.status_reason or "",
}


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SortKey))
def test_every_column_sorts_both_ways(claims: Store, key: SortKey, descending: bool) -> None:
    with claims.transaction() as session:  # an older claim: ages differ, one reason is set
        ClaimRepository(session).transition("CB000002", ClaimStatus.SUBMITTED, "sent", "test")
        session.query(t.ClaimRow).filter_by(clm01="CB000002").one().submitted_at = datetime(
            2026, 11, 1, tzinfo=UTC
        )
    with claims.read() as session:
        rows = worklist(session, ClaimFilter(), TODAY, Paging(key, descending)).rows
    expected = sorted(rows, key=lambda r: (KEYS[key](r), r.clm01), reverse=descending)
    assert [r.clm01 for r in rows] == [r.clm01 for r in expected]
    assert len({KEYS[key](r) for r in rows}) > 1, "the column does not tell the claims apart"


def _many(store: Store, count: int) -> None:
    for number in range(count):
        add_claim(store, f"ZZ{number:04d}", status=ClaimStatus.READY)


def test_pages_count_what_matched_and_the_last_page_holds_the_rest(claims: Store) -> None:
    _many(claims, 30)  # 35 claims
    with claims.read() as session:
        first = worklist(session, ClaimFilter(), TODAY, Paging(SortKey.CLAIM, size=25))
        second = worklist(session, ClaimFilter(), TODAY, Paging(SortKey.CLAIM, number=2, size=25))
        beyond = worklist(session, ClaimFilter(), TODAY, Paging(SortKey.CLAIM, number=9, size=25))
    assert (first.total, first.first, first.last, first.pages) == (35, 1, 25, 2)
    assert first.has_next and not second.has_next
    assert (second.first, second.last) == (26, 35)
    assert [r.clm01 for r in first.rows + second.rows] == sorted(
        r.clm01 for r in first.rows + second.rows
    )
    assert not {r.clm01 for r in first.rows} & {r.clm01 for r in second.rows}
    assert beyond.paging.number == 2 and beyond.rows == second.rows


def test_a_count_stops_at_its_cap_and_pages_no_further(
    claims: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _many(claims, 30)  # 35 claims
    monkeypatch.setattr(worklist_module, "COUNT_CAP", 30)
    with claims.read() as session:
        found = worklist(session, ClaimFilter(), TODAY, Paging(size=25))
        last = worklist(session, ClaimFilter(), TODAY, Paging(size=25, number=2))
        beyond = worklist(session, ClaimFilter(), TODAY, Paging(size=25, number=3))
    assert (found.total, found.more, found.pages, found.has_next) == (30, True, 2, True)
    assert last.paging.number == 2 and len(last.rows) == 10 and not last.has_next
    assert beyond.paging.number == 2 and beyond.rows == last.rows


def test_a_sort_on_a_joined_column_over_too_many_claims_falls_back_to_the_date(
    claims: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worklist_module, "SORT_CAP", 3)
    with claims.read() as session:
        wide = worklist(session, ClaimFilter(), TODAY, Paging(SortKey.PATIENT))
        narrow = worklist(
            session, ClaimFilter(search=Search("blake")), TODAY, Paging(SortKey.PATIENT, True)
        )
    assert wide.unsorted is SortKey.PATIENT and wide.paging.sort is SortKey.SERVICE_DATE
    assert [r.service_date for r in wide.rows] == sorted(r.service_date for r in wide.rows)
    assert narrow.unsorted is None and narrow.paging.sort is SortKey.PATIENT


def test_paging_refuses_a_size_it_does_not_offer() -> None:
    with pytest.raises(InputError, match="page size"):
        Paging(size=37)


def test_a_selection_of_ready_claims_may_be_sent_and_one_with_others_is_refused(
    claims: Store,
) -> None:
    ready = ["CB000001", "CB000002", "CB000003", "CB000005"]
    with claims.read() as session:
        assert submit_refusal(session, ready) is None
        assert submit_refusal(session, ready[:2]) is None  # a part of the ready claims
        held = submit_refusal(session, [*ready, "CB000004"])
        unknown = submit_refusal(session, ["NOPE"])
    assert held is not None and "CB000004 is held" in held
    assert unknown == "no claim NOPE"


def test_resubmitting_several_sends_the_rejected_and_names_the_rest(claims: Store) -> None:
    with claims.transaction() as session:
        repository = ClaimRepository(session)
        for clm01 in ("CB000001", "CB000002"):
            repository.transition(clm01, ClaimStatus.SUBMITTED, "sent", "test")
            repository.transition(clm01, ClaimStatus.CLEARINGHOUSE_REJECTED, "bad ID", "test")
    with claims.transaction() as session:
        done = resubmit_many(session, ["CB000001", "CB000003", "CB000002"], "dana", TODAY)
    assert [c.patient_control_number for c in done.checked] == ["CB000001", "CB000002"]
    assert [c.status for c in done.checked] == [ClaimStatus.READY, ClaimStatus.READY]
    [refused] = done.refused
    assert "CB000003" in refused and "only a rejected claim is resubmitted" in refused
    assert _found(claims, ClaimFilter(status=ClaimStatus.READY)) == [
        "CB000001", "CB000002", "CB000003", "CB000005",
    ]  # fmt: skip


def test_a_selection_needs_one_claim_and_no_more_than_a_page() -> None:
    assert selection([" CB1 ", "CB2", "CB1", ""]) == ["CB1", "CB2"]
    with pytest.raises(InputError, match="select at least one claim"):
        selection(["", " "])
    with pytest.raises(InputError, match="at most 200"):
        selection([f"C{n}" for n in range(201)])


def test_a_row_carries_what_the_columns_show(claims: Store) -> None:
    with claims.read() as session:
        [row] = worklist(session, ClaimFilter(search=Search("CB000003")), TODAY).rows
    assert isinstance(row, WorklistRow)
    assert (row.patient, row.paid, row.balance) == ("Nguyen, Harold", Decimal("40.00"),
                                                    Decimal("125.00"))  # fmt: skip
