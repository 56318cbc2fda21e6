"""The known-hosts file claimbridge manages itself, and marks of rejected logins kept nowhere
else (the ledger's are tested in tests/services/test_login_marks.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from claimbridge.errors import ConfigError
from claimbridge.transport.hostkeys import KnownHosts, host_pattern
from claimbridge.transport.lockout import UnkeptMarks, account_name

KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"


def test_patterns_follow_openssh() -> None:
    assert host_pattern("ftp10.officeally.com", 22) == "ftp10.officeally.com"
    assert host_pattern("127.0.0.1", 2222) == "[127.0.0.1]:2222"


def test_pin_then_find_per_host_and_port(tmp_path: Path) -> None:
    known = KnownHosts(tmp_path / "known_hosts")
    assert known.keys_for("127.0.0.1", 2222) == []

    known.pin("127.0.0.1", 2222, KEY_A + " comment")
    known.pin("ftp.officeally.com", 22, KEY_B)

    assert known.keys_for("127.0.0.1", 2222) == [KEY_A]
    assert known.keys_for("127.0.0.1", 22) == []
    assert known.keys_for("ftp.officeally.com", 22) == [KEY_B]
    assert (tmp_path / "known_hosts").read_text().splitlines() == [
        f"[127.0.0.1]:2222 {KEY_A}",
        f"ftp.officeally.com {KEY_B}",
    ]


def test_forget_removes_only_that_host_and_keeps_lines_it_does_not_understand(
    tmp_path: Path,
) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(f"# pinned by hand\n|1|hashed= {KEY_B}\n@revoked * {KEY_B}\n")
    known = KnownHosts(path)
    known.pin("127.0.0.1", 2222, KEY_A)
    known.pin("other.example", 22, KEY_B)

    assert known.forget("127.0.0.1", 2222) == 1
    assert known.forget("127.0.0.1", 2222) == 0

    assert path.read_text() == (
        f"# pinned by hand\n|1|hashed= {KEY_B}\n@revoked * {KEY_B}\nother.example {KEY_B}\n"
    )


def test_a_host_listed_with_others_on_one_line_is_found(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(f"ftp.officeally.com,198.51.100.7 {KEY_A}")

    assert KnownHosts(path).keys_for("198.51.100.7", 22) == [KEY_A]


def test_pinning_text_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        KnownHosts(tmp_path / "known_hosts").pin("h", 22, "garbage")


def test_unkept_marks_hold_an_account_by_its_name_at_the_second() -> None:
    marks = UnkeptMarks()
    account = account_name("practice", "ftp10.officeally.com", 22)
    when = datetime(2026, 11, 20, 9, 30, 5, 123, tzinfo=timezone(timedelta(hours=-5)))

    marks.refuse(account, when, "Permission denied")

    failure = marks.refused(account)
    assert failure is not None
    assert (failure.account, failure.when, failure.detail) == (
        "practice@ftp10.officeally.com:22",
        "2026-11-20T14:30:05+00:00",
        "Permission denied",
    )
    assert marks.refused(account_name("other", "ftp10.officeally.com", 22)) is None
    assert marks.refused(account_name("practice", "ftp10.officeally.com", 2222)) is None
