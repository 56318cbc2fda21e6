"""Property tests: any batch the strategies build is written as valid 005010X222A1 (pyx12
finds nothing), holds only basic X12 text with right counts, and reads back as the same claims.

Example counts are modest so the module stays within about a minute on a busy machine."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from tx837p_examples import as_written, transactions
from tx837p_strategies import claim_batch, envelope

from claimbridge.x12.igcheck import pyx12_available, pyx12_problems
from claimbridge.x12.tx837p_005010X222A1 import ClaimBatch, EnvelopeParams, build_837p
from claimbridge.x12.tx837p_005010X222A1.charset import BASIC_CHARACTERS
from support import need

SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


def _delimiters(params: EnvelopeParams) -> str:
    return "".join(params.delimiters)


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_DATA)
@given(claim_batch(), envelope())
def test_written_batches_read_back_as_the_same_claims(
    batch: ClaimBatch, params: EnvelopeParams
) -> None:
    text = build_837p(batch, params)
    read = transactions(text)
    expected = as_written(batch, _delimiters(params))
    assert [c for t in read for c in t.batch.claims] == list(expected.claims)
    for transaction in read:
        assert transaction.batch.submitter == expected.submitter
        assert transaction.batch.receiver == expected.receiver
        assert transaction.batch.reference == expected.reference


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_DATA)
@given(claim_batch(), envelope())
def test_text_is_basic_and_counts_match(batch: ClaimBatch, params: EnvelopeParams) -> None:
    text = build_837p(batch, params)
    element, _, component, terminator = params.delimiters
    body = [s.split(element) for s in text.split(terminator)[1:-1]]  # ISA is fixed-width
    for fields in body:
        for value in component.join(fields).split(component):
            assert set(value) <= BASIC_CHARACTERS, fields
            assert value == value.strip() and "  " not in value, fields
    starts = [n for n, fields in enumerate(body) if fields[0] == "ST"]
    ends = [n for n, fields in enumerate(body) if fields[0] == "SE"]
    for start, end in zip(starts, ends, strict=True):
        assert body[end][1:] == [str(end - start + 1), body[start][2]]
    assert body[-2] == ["GE", str(len(starts)), str(params.group_control_number)]
    assert body[-1] == ["IEA", "1", f"{params.interchange_control_number:09d}"]


@settings(max_examples=20, deadline=None, suppress_health_check=SLOW_DATA)
@given(claim_batch(max_claims=3), envelope())
def test_pyx12_finds_no_problem_in_any_batch(batch: ClaimBatch, params: EnvelopeParams) -> None:
    need(pyx12_available(), "pyx12 is not installed")
    assert pyx12_problems(build_837p(batch, params)) == []
