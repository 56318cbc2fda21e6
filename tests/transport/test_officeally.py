"""Office Ally's upload names: 837P always, OATEST exactly in test mode, UTC time passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from claimbridge.errors import ConfigError, InputError
from claimbridge.transport.base import check_upload_name
from claimbridge.transport.officeally import (
    OFFICE_ALLY_FOLDERS,
    SubmissionMode,
    check_mode,
    upload_name,
)

CREATED = datetime(2026, 11, 20, 14, 30, 5, tzinfo=UTC)


def test_test_mode_name_has_oatest_837p_submitter_batch_and_utc_time() -> None:
    name = upload_name("123456789", "B42", CREATED, mode=SubmissionMode.TEST)

    assert name == "OATEST_837P_123456789_B42_20261120T143005.txt"
    assert check_upload_name(name) == name


def test_production_name_has_no_oatest() -> None:
    name = upload_name("123456789", "B42", CREATED, mode=SubmissionMode.PRODUCTION)

    assert name == "837P_123456789_B42_20261120T143005.txt"


def test_the_time_is_written_in_utc() -> None:
    pacific = timezone(timedelta(hours=-8))
    local = datetime(2026, 11, 20, 6, 30, 5, tzinfo=pacific)

    assert upload_name("S", "B1", local, mode=SubmissionMode.TEST).endswith("_20261120T143005.txt")


def test_a_time_without_zone_is_refused() -> None:
    with pytest.raises(InputError, match="time zone"):
        upload_name("S", "B1", datetime(2026, 11, 20, 14, 30), mode=SubmissionMode.TEST)


@pytest.mark.parametrize("submitter", ["oatest", "OATEST", "xOaTeSt9"])
def test_production_refuses_a_name_holding_oatest_in_any_case(submitter: str) -> None:
    with pytest.raises(ConfigError, match=r"production mode.*OATEST"):
        upload_name(submitter, "B1", CREATED, mode=SubmissionMode.PRODUCTION)


def test_test_mode_refuses_a_name_without_oatest() -> None:
    with pytest.raises(ConfigError, match=r"test mode.*lacks OATEST.*production"):
        check_mode("837P_123456789_B42_20261120T143005.txt", SubmissionMode.TEST)


def test_a_name_without_837p_is_refused_in_either_mode() -> None:
    for mode in SubmissionMode:
        with pytest.raises(ConfigError, match="lacks 837P"):
            check_mode("OATEST_claims.txt", mode)


@pytest.mark.parametrize(
    ("submitter", "batch_id", "field"),
    [
        ("12 34", "B1", "submitter"),
        ("S", "B_1", "batch_id"),
        ("S", "", "batch_id"),
        ("", "B", "submitter"),
    ],
)
def test_name_parts_may_hold_only_letters_digits_and_dashes(
    submitter: str, batch_id: str, field: str
) -> None:
    with pytest.raises(InputError) as caught:
        upload_name(submitter, batch_id, CREATED, mode=SubmissionMode.TEST)

    assert caught.value.path == field


def test_office_ally_folders() -> None:
    assert (OFFICE_ALLY_FOLDERS.inbound, OFFICE_ALLY_FOLDERS.outbound) == ("inbound", "outbound")
