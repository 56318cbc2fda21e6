"""Office Ally's text reports are read by their header positions, never by fixed offsets."""

from __future__ import annotations

import pytest

from claimbridge.domain.oa_reports import parse_edi_status, parse_file_summary
from claimbridge.errors import InputError

SUMMARY = """\
File Name: OATEST_837P_847291635_B7_20261120T143000.txt
File Status: PROCESSED
+---> 1 # errors E12 - INVALID SUBSCRIBER ID

ACCEPTED CLAIM DETAIL
CLAIM#   OA CLAIM ID   ACCNT#            PAYER    ERROR
1)       OA0001        CB000001          62308
ERROR CLAIM DETAIL
CLAIM#   OA CLAIM ID   ACCNT#            PAYER    ERROR
1)       OA0002        CB000002          87726    INVALID SUBSCRIBER ID
"""


def test_the_file_summary_columns_come_from_its_header_row() -> None:
    summary = parse_file_summary(SUMMARY)
    assert summary.file_name == "OATEST_837P_847291635_B7_20261120T143000.txt"
    assert not summary.failed
    assert [(c.patient_control_number, c.payer_id, c.error) for c in summary.claims] == [
        ("CB000001", "62308", ""),
        ("CB000002", "87726", "INVALID SUBSCRIBER ID"),
    ]
    assert summary.errors == ("E12 - INVALID SUBSCRIBER ID (1)",)


def test_a_failed_file_summary_is_failed() -> None:
    text = "File Name: X_837P.txt\nFile Status: FAILED\n+---> 2 # errors X12 - BAD ISA\n"
    summary = parse_file_summary(text)
    assert summary.failed and summary.claims == () and summary.errors == ("X12 - BAD ISA (2)",)


def test_edi_status_rows_follow_a_wider_file_id_column() -> None:
    header = (
        "    File ID       OA Claim ID  Patient Acct    Payer ID  Payer Ref ID  Status    "
        "Payer Response"
    )
    row = (
        "    31000000001   OA77         CB000003        01182     PCN9          REJECTED  "
        "NOT ELIGIBLE"
    )
    [response] = parse_edi_status(f"EDI STATUS\n\n{header}\n{row}\n").responses
    assert (response.patient_control_number, response.accepted) == ("CB000003", False)
    assert (response.payer_claim_number, response.response) == ("PCN9", "NOT ELIGIBLE")


@pytest.mark.parametrize("parse", [parse_file_summary, parse_edi_status])
def test_a_report_without_its_markers_is_refused(parse: object) -> None:
    with pytest.raises(InputError):
        parse("nothing to see\n")  # type: ignore[operator]


def test_an_edi_status_header_without_a_patient_account_column_names_its_line() -> None:
    # Found by fuzzing: a 'File ID' header row with no column claimbridge knows was a ValueError
    text = "EDI STATUS\nFile ID: 310000001\n\n    File IDXX  Claim  Acct\n    31 OA1 CB1\n"
    with pytest.raises(InputError, match=r"line 4: .*no 'Patient Acct' column"):
        parse_edi_status(text)
