"""Reading streams: memory stays flat however many transaction sets a file holds."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from types import ModuleType

import pytest

import claimbridge.x12.tx835_005010X221A1 as tx835
from claimbridge.x12.envelope import iter_envelopes
from claimbridge.x12.reader import parse_envelopes
from claimbridge.x12.tokenizer import iter_segments

pytestmark = pytest.mark.usefixtures("reading_loops")  # the C loops and the Python ones

HEAD = (
    "ISA*00*          *00*          *ZZ*EXAMPLEPAYER   *ZZ*330897513      "
    "*250320*0900*^*00501*000000501*0*P*:~GS*HP*EXAMPLEPAYER*330897513*20250320*0900*501*X*"
    "005010X221A1~"
)
TRANSACTION = (
    "ST*835*{n:04d}~BPR*C*{paid}*C*CHK************20250320~TRN*1*CHK{n}*1512345678~"
    "N1*PR*EXAMPLE HEALTH PLAN~N1*PE*SUNNY PATH CLINIC*XX*1234567893~LX*1~"
    "CLP*CB{n}*1*100*{paid}*0*12*ICN{n}*11*1~NM1*QC*1*DOE*JANE****MI*XYZ{n}~"
    "SVC*HC:99213*100*{paid}**1~DTM*472*20250301~CAS*CO*45*{adjusted}~REF*6R*CB{n}-1~SE*12*{n:04d}~"
)


def chunks(count: int) -> Iterator[str]:
    """A file of ``count`` transaction sets, produced piece by piece, never whole."""
    yield HEAD
    for n in range(count):
        paid = 50 + n % 50
        yield TRANSACTION.format(n=n, paid=paid, adjusted=100 - paid)
    yield f"GE*{count}*501~IEA*1*000000501~"


def peak_bytes(count: int) -> int:
    tracemalloc.start()
    try:
        seen = 0
        for parsed in parse_envelopes(iter_envelopes(iter_segments(chunks(count)))):
            assert tx835.check_balance(parsed.value) == ()
            seen += 1
        assert seen == count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_transaction_sets() -> None:
    # CPython keeps freed tuples on free lists, which tracemalloc still counts: a bounded
    # noise of some 100 KiB. Keeping each remittance would cost far more than the allowance.
    peak_bytes(200)
    few, many = peak_bytes(500), peak_bytes(2500)
    assert many < few + 1_000_000, (few, many)


def test_public_names() -> None:
    public = {
        name
        for name, value in vars(tx835).items()
        if not name.startswith("_") and not isinstance(value, ModuleType) and name != "annotations"
    }
    assert set(tx835.__all__) == public
    assert tx835.__all__ == sorted(tx835.__all__)
