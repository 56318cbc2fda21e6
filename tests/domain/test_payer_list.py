"""Office Ally style payer lists: both layouts, header variants, rows that cannot be read."""

from __future__ import annotations

import pytest

from claimbridge.domain.models import Transaction
from claimbridge.domain.payer_list import decode_payer_list, parse_payer_csv
from claimbridge.errors import InputError
from support import REPO

EXAMPLE = REPO / "docs" / "examples" / "officeally-payers.csv"
CLAIMS, ERA = Transaction.CLAIMS, Transaction.ERA


def test_the_documented_example_reads_whole() -> None:
    payer_list = parse_payer_csv(EXAMPLE.read_text())
    assert payer_list.problems == ()
    by_id = {entry.payer_id: entry for entry in payer_list.entries}
    assert len(by_id) == 10
    medicare = by_id["01182"]
    assert medicare.name == "MEDICARE CALIFORNIA SOUTHERN" and medicare.par is True
    assert medicare.required(CLAIMS) is True and medicare.required(ERA) is True
    assert medicare.notes == "Notify Office Ally after EDI approval"
    assert by_id["SX123"].par is False
    assert by_id["62308"].required(CLAIMS) is False and by_id["62308"].required(ERA) is True
    assert by_id["62308"].row == 2


def test_header_variants_and_a_non_par_check_mark() -> None:
    text = (
        "\ufeffPAYER_ID;payer name;Non-Par;Claims Enrollment;Remits enrollment;Comments\n"
        "A1;ALPHA;✓;Y;;first\n"
        "B2;BETA;;!;X;\n"
    )
    entries = parse_payer_csv(text).entries
    assert [(e.payer_id, e.par, e.required(CLAIMS), e.required(ERA)) for e in entries] == [
        ("A1", False, True, False),
        ("B2", True, True, True),
    ]
    assert entries[0].notes == "first"


def test_long_layout_rows_merge_per_payer_and_other_transactions_are_skipped() -> None:
    text = (
        "Payer ID,Payer Name,TYP,Transaction,Enrollment,Notes\n"
        "C3,GAMMA,NP,837P,!,paper forms\n"
        "C3,GAMMA,NP,835 (Remits),,\n"
        "C3,GAMMA,NP,270/271,!,\n"
    )
    (entry,) = parse_payer_csv(text).entries
    assert entry.par is False and entry.notes == "paper forms"
    assert dict(entry.enrollment_required) == {CLAIMS: True, ERA: False}


def test_silence_about_par_or_enrollment_stays_none() -> None:
    (entry,) = parse_payer_csv("Payer ID,Payer Name\nD4,DELTA\n").entries
    assert entry.par is None and entry.required(CLAIMS) is None


def test_unreadable_rows_are_named_by_row_number_and_the_rest_is_read() -> None:
    text = (
        "Payer ID,Payer Name,Type,837P Enrollment,Claim Filing Indicator\n"
        "E5,EPSILON,P,,CI\n"
        ",NO ID,P,,\n"
        "F6,,P,,\n"
        "G7,GAMMA,PX,,\n"
        "H8,ETA,P,maybe,\n"
        "I9,IOTA,P,,09\n"
        "\n"
        "E5,EPSILON,NP,,\n"
        "J1,KAPPA,P,,MB\n"
    )
    payer_list = parse_payer_csv(text)
    assert [e.payer_id for e in payer_list.entries] == ["E5", "J1"]
    assert payer_list.entries[1].claim_filing_indicator == "MB"
    assert payer_list.problems == (
        "row 3: the payer ID is empty",
        "row 4: payer 'F6' has no name",
        "row 5: payer 'G7': type 'px' is neither P nor NP",
        "row 6: payer 'H8': 837P Enrollment enrollment mark 'maybe' is not understood",
        "row 7: payer 'I9': '09' was a 4010 claim filing indicator and is not valid in 5010",
        "row 9: payer 'E5' contradicts row 2",
    )


@pytest.mark.parametrize("header", ["Name,Type\n", "Payer ID,Type\n", ""])
def test_a_list_without_id_or_name_columns_is_refused(header: str) -> None:
    with pytest.raises(InputError, match="row 1: no payer"):
        parse_payer_csv(header + "X,Y\n")


def test_a_list_with_old_mac_line_ends_reads() -> None:
    text = "Payer ID,Payer Name\rD4,DELTA\rE5,EPSILON\r"
    assert [e.payer_id for e in parse_payer_csv(text).entries] == ["D4", "E5"]


def test_a_file_the_csv_reader_cannot_read_is_refused_naming_the_row() -> None:
    # Found by fuzzing: csv.Error escaped (a 500 on the Insurances page, a traceback in the CLI)
    text = "Payer ID,Payer Name\nD4,DELTA\nE5," + "x" * 200_000 + "\n"
    with pytest.raises(InputError, match=r"row 3: not a CSV file .*field larger"):
        parse_payer_csv(text)


def test_office_ally_plain_837p_and_era_headings_are_enrollment_marks() -> None:
    text = "Payer ID,Payer Name,TYP,837P,ERA,Available,State,Notes\nK1,KAPPA,P,!,!,Y,CA,\n"
    (entry,) = parse_payer_csv(text).entries
    assert entry.required(CLAIMS) is True and entry.required(ERA) is True


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("Payer ID,Payer Name,837P Enrolment", "'837P Enrolment'"),
        ("Payer ID,Payer Name,Region", "'Region'"),
        ("Payer ID,Payer Name,837P,Claims Enrollment", "'Claims Enrollment'"),
    ],
)
def test_a_column_nobody_reads_is_refused_naming_it(header: str, named: str) -> None:
    with pytest.raises(InputError, match=f"row 1: column {named} is not one claimbridge reads"):
        parse_payer_csv(header + "\nK1,KAPPA,!\n")


def test_an_empty_trailing_heading_is_no_column() -> None:
    (entry,) = parse_payer_csv("Payer ID,Payer Name,\nK1,KAPPA,\n").entries
    assert entry.name == "KAPPA"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_the_list_reads_the_same_in_every_encoding_excel_saves(encoding: str) -> None:
    text = "Payer ID,Payer Name,Notes\nN1,SEÑOR SALUD,Ärzte – café\n"
    (entry,) = parse_payer_csv(decode_payer_list(text.encode(encoding))).entries
    assert (entry.name, entry.notes) == ("SEÑOR SALUD", "Ärzte – café")
