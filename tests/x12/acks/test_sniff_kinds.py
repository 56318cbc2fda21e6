"""``sniff_bytes`` names every kind of file by content and never raises."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimbridge.x12.sniff import SNIFF_LIMIT, FileKind, sniff_bytes
from support import SAMPLES, TEST_DATA

BY_DIRECTORY = {
    "TA1": FileKind.TA1,
    "999": FileKind.X999,
    "277": FileKind.X277,
    "277CA": FileKind.X277CA,
    "835": FileKind.X835,
    "837P": FileKind.X837P,
}
# Files whose directory does not say what sniffing must find.
EXCEPTIONS = {
    "837P/imsweb__x12_no_isa_line.txt": FileKind.UNKNOWN,  # starts at GS: not an interchange
}
OUR_FILES = {
    "ta1": FileKind.TA1,
    "999": FileKind.X999,
    "277ca": FileKind.X277CA,
}

ISA = (
    "ISA*00*          *00*          *ZZ*330897513      *ZZ*123456789      "
    "*250301*1205*^*00501*000000900*0*P*:~"
)

FILE_SUMMARY = """\
OFFICE ALLY FILE SUMMARY                                   Date: 03/01/2025
File ID: 123456789      File Name: OATEST_837P_SUNNYPATH_B101_20250301T120000.txt
Uploaded: 03/01/2025

  +---> 1 # errors  ERR123 - BILLING PROVIDER NPI INVALID

ACCEPTED CLAIM DETAIL
CLAIM# OA CLAIM ID  PATIENT ID        LAST, FIRST         DOB
1)     1234567890   XYZ123456789      DOE, JANE           01/15/1980

ERROR CLAIM DETAIL
CLAIM# OA CLAIM ID  PATIENT ID        LAST, FIRST         DOB
1)     1234567891   ABC987654321      ROE, RICHARD        02/02/1975
"""
FILE_SUMMARY_NAME_ONLY = "OFFICE ALLY\r\nFile Name: 837P_SUNNYPATH_B102.txt\r\nFILE FAILED\r\n"
EDI_STATUS = """\
OFFICE ALLY EDI STATUS REPORT                                  03/05/2025

    File ID   OA Claim ID Patient Acct   Patient Name        Amount   Status
    123456789 1234567890  CB1001         DOE, JANE           150.00   ACCEPTED
    123456789 1234567891  CB1002         ROE, RICHARD         90.00   REJECTED
"""
ERA_STATUS = """\
ELECTRONIC REMITTANCE ADVICE                                   03/20/2025
Payer: EXAMPLE HEALTH PLAN       Check#: CHK100234     Amount: 52.50

Patient: DOE, JANE       Payer Claim Control Number: PAYERICN0001
Line Item: 99213   02/25/2025   150.00   80.00
"""


def sample_names() -> list[str]:
    names = [
        f"{kind}/{p.name}" for kind in BY_DIRECTORY for p in sorted((SAMPLES / kind).glob("*"))
    ]
    return names or ["(samples missing)"]


def our_names() -> list[str]:
    return [f"{kind}/{p.name}" for kind in OUR_FILES for p in sorted((TEST_DATA / kind).glob("*"))]


@pytest.mark.parametrize("name", sample_names())
def test_public_samples_by_directory(samples_dir: Path, name: str) -> None:
    expected = EXCEPTIONS.get(name, BY_DIRECTORY[name.split("/")[0]])
    assert sniff_bytes((samples_dir / name).read_bytes()) is expected


@pytest.mark.parametrize("name", our_names())
def test_our_golden_files(name: str) -> None:
    expected = FileKind.X277 if "x212" in name else OUR_FILES[name.split("/")[0]]
    assert sniff_bytes((TEST_DATA / name).read_bytes()) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FILE_SUMMARY, FileKind.OA_FILE_SUMMARY),
        (FILE_SUMMARY_NAME_ONLY, FileKind.OA_FILE_SUMMARY),
        (EDI_STATUS, FileKind.OA_EDI_STATUS),
        (ERA_STATUS, FileKind.OA_ERA_STATUS),
        ("\ufeff\n\n" + EDI_STATUS, FileKind.OA_EDI_STATUS),
        ("File ID: 123456789\nnothing else we know\n", FileKind.UNKNOWN),
        ("Dear customer,\nyour invoice is attached.\n", FileKind.UNKNOWN),
    ],
)
def test_office_ally_text_reports(text: str, expected: FileKind) -> None:
    assert sniff_bytes(text.encode()) is expected


def test_text_report_in_latin_1_still_reads() -> None:
    data = ERA_STATUS.replace("DOE, JANE", "NUÑEZ, ANA").encode("latin-1")
    assert sniff_bytes(data) is FileKind.OA_ERA_STATUS


def test_zip_by_magic_number() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("1234_ERA_STATUS_5010_20250320.txt", ERA_STATUS)
    assert sniff_bytes(buffer.getvalue()) is FileKind.ZIP
    assert sniff_bytes(b"PK\x05\x06" + bytes(18)) is FileKind.ZIP  # an empty archive


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("TA1*000000101*250301*1200*A*000~IEA*0*000000900~", FileKind.TA1),
        ("GS*FA*A*B*20250301*1200*1*X*005010X231A1~ST*999*1*005010X231A1~", FileKind.X999),
        ("GS*FA*A*B*20250301*1200*1*X*004010~ST*997*1~", FileKind.UNKNOWN),
        ("GS*HN*A*B*20250301*1200*1*X*005010X214~ST*277*1~", FileKind.X277CA),
        ("GS*HN*A*B*20250301*1200*1*X*005010X212~ST*277*1*005010X212~", FileKind.X277),
        ("GS*HP*A*B*20250301*1200*1*X*005010X221A1~ST*835*1~", FileKind.X835),
        ("GS*HC*A*B*20250301*1200*1*X*005010X222A1~ST*837*1*005010X222A1~", FileKind.X837P),
        ("GS*HC*A*B*20250301*1200*1*X*005010X223A2~ST*837*1*005010X223A2~", FileKind.UNKNOWN),
        ("GS*PO*A*B*20250301*1200*1*X*004010~", FileKind.UNKNOWN),
        ("IEA*0*000000900~", FileKind.UNKNOWN),
    ],
)
def test_x12_by_group(body: str, expected: FileKind) -> None:
    assert sniff_bytes((ISA + body).encode()) is expected


def test_other_delimiters_and_newline_terminators() -> None:
    isa = ISA.replace("*", "|").replace(":~", ">\n")
    body = "GS|HN|A|B|20250301|1200|1|X|005010X214\nST|277|1|005010X214\n"
    assert sniff_bytes(b"\xef\xbb\xbf  \r\n" + (isa + body).encode()) is FileKind.X277CA


def test_looks_only_at_the_head() -> None:
    filler = b"x" * SNIFF_LIMIT
    assert sniff_bytes(filler + ERA_STATUS.encode()) is FileKind.UNKNOWN
    report = ERA_STATUS.encode().ljust(SNIFF_LIMIT, b" ")
    assert sniff_bytes(report + bytes(range(256)) * 100) is FileKind.OA_ERA_STATUS


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n\t",
        b"\xef\xbb\xbf",
        b"ISA",
        b"ISA*",
        b"ISA*00*",
        b"ISA**********************",
        b"ISAA00A",
        ISA.encode()[:105],
        ISA.encode(),
        b"PK",
        b"\x00" * 100,
        b"\xff\xfe" + "File ID  Claim".encode("utf-16-le"),
        bytes(range(256)),
    ],
)
def test_junk_is_unknown(data: bytes) -> None:
    assert sniff_bytes(data) is FileKind.UNKNOWN


def test_binary_noise_with_a_marker_is_still_unknown() -> None:
    noise = random.Random(7).randbytes(2000)
    assert sniff_bytes(noise[:1000] + b"\nCheck#: 1\n" + noise[1000:]) is FileKind.UNKNOWN


def test_never_raises_on_damaged_samples(samples_dir: Path) -> None:
    chooser = random.Random(20250301)
    for path in sorted(samples_dir.glob("*/*")):
        data = path.read_bytes()[: SNIFF_LIMIT + 64]
        for cut in range(0, min(len(data), 400), 3):
            assert isinstance(sniff_bytes(data[:cut]), FileKind)
        for _ in range(20):
            damaged = bytearray(data)
            for _ in range(chooser.randint(1, 8)):
                damaged[chooser.randrange(len(damaged))] = chooser.randrange(256)
            assert isinstance(sniff_bytes(bytes(damaged)), FileKind)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_never_raises_on_any_bytes(data: bytes) -> None:
    assert isinstance(sniff_bytes(data), FileKind)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ISAGTHNFPC*:~|^>\n 0123456789X", max_size=300))
def test_never_raises_on_x12_like_text(tail: str) -> None:
    assert isinstance(sniff_bytes(("ISA" + tail).encode()), FileKind)
    assert isinstance(sniff_bytes((ISA + tail).encode()), FileKind)
