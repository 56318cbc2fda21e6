"""Office Ally's SFTP conventions, as configuration rather than code.

From Office Ally's 837P companion guide (revised 06/08/2022, pp. 8–10):

* uploads go into ``inbound``; everything Office Ally returns (reports, 999, 277CA, 835)
  appears in ``outbound``;
* an uploaded file's name must contain ``837P``;
* a **test** file is recognised only by ``OATEST`` in its name. Office Ally ignores ISA15, so a
  test file without ``OATEST`` is processed in production.

Our names are ``[OATEST_]837P_<submitter>_<batch id>_<UTC yyyymmddThhmmss>.txt``, letters,
digits, ``_`` and ``-`` only, one per batch. ``upload_name`` builds them and refuses, in test
mode, a name without ``OATEST`` and, in production, any name that holds ``OATEST`` in any case.
The time is passed in; nothing here reads a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from claimbridge.errors import ConfigError, InputError

NAME_PART = re.compile(r"[A-Za-z0-9-]+")
TEST_KEYWORD = "OATEST"
CLAIM_KEYWORD = "837P"
UPLOAD_EXTENSION = ".txt"


class SubmissionMode(StrEnum):
    """Whether Office Ally treats an upload as a test or forwards its claims to payers."""

    TEST = "test"
    PRODUCTION = "production"


@dataclass(frozen=True, slots=True)
class Folders:
    """Where uploads go and where returned files come from, relative to the account's home."""

    inbound: str = "inbound"
    outbound: str = "outbound"


OFFICE_ALLY_FOLDERS = Folders()


def upload_name(submitter: str, batch_id: str, created: datetime, *, mode: SubmissionMode) -> str:
    """The remote name of one batch's 837P file.

    For example ``OATEST_837P_123456789_B42_20261120T143005.txt`` in test mode.

    ``created`` must carry a time zone; it is written in UTC. ``submitter`` and ``batch_id`` may
    hold letters, digits and ``-`` (``_`` separates the parts).
    """
    stamp = _utc(created).strftime("%Y%m%dT%H%M%S")
    parts = [_name_part(submitter, "submitter"), _name_part(batch_id, "batch_id"), stamp]
    prefix = [TEST_KEYWORD] if mode is SubmissionMode.TEST else []
    name = "_".join([*prefix, CLAIM_KEYWORD, *parts]) + UPLOAD_EXTENSION
    return check_mode(name, mode)


def check_mode(name: str, mode: SubmissionMode) -> str:
    """``name`` if it is right for ``mode``: ``837P`` always; ``OATEST`` exactly when testing."""
    if CLAIM_KEYWORD not in name:
        raise ConfigError(f"the upload name {name!r} lacks {CLAIM_KEYWORD}; Office Ally needs it")
    if mode is SubmissionMode.TEST and TEST_KEYWORD not in name:
        raise ConfigError(
            f"test mode, but the upload name {name!r} lacks {TEST_KEYWORD}: Office Ally would "
            "process its claims in production"
        )
    if mode is SubmissionMode.PRODUCTION and TEST_KEYWORD in name.upper():
        raise ConfigError(
            f"production mode, but the upload name {name!r} holds {TEST_KEYWORD}: Office Ally "
            "would treat it as a test and never send its claims to payers"
        )
    return name


def _name_part(value: str, field: str) -> str:
    if not NAME_PART.fullmatch(value):
        raise InputError(f"{value!r} may hold only letters, digits and '-'", path=field)
    return value


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError("the batch time must carry a time zone", path="created")
    return moment.astimezone(UTC)
