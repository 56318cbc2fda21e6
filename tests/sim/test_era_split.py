"""ERA split options: how many 835 files, which checks in each, and their names."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sample_claims
from sim_support import NOW, Run, upload_and_process

from claimbridge.sim import EraSplit

# The practice's five claims plus one billed under a second NPI make 7 checks: in the first
# ERA run CIGNA pays each of two providers, and UHC, Medicare and Blue Shield one each; in the
# later run Medicare (second payment) and Blue Shield (reversal and correction) pay again.
EXPECTED_FILES = {
    EraSplit.NONE: 2,
    EraSplit.BY_PROVIDER: 3,
    EraSplit.BY_PAYER: 6,
    EraSplit.BY_PROVIDER_AND_PAYER: 7,
    EraSplit.BY_CHECK: 7,
    EraSplit.BY_PAYER_TRN03: 6,
}
NAME = re.compile(rf"^\d{{9}}(?P<trn03>_1\d{{9}})?_ERA_835_5010_{NOW:%Y%m%d}\.835$")


def two_provider_text() -> str:
    practice = sample_claims.practice_batch()
    second = sample_claims.claim(
        "CB5006", sample_claims.line("99211", "55.00", NOW.date()), npi="1234567893"
    )
    return sample_claims.file_text(sample_claims.batch(*practice.claims, second))


@pytest.fixture
def run_split(tmp_path_factory: pytest.TempPathFactory) -> Callable[[EraSplit], Run]:
    def run(split: EraSplit) -> Run:
        root = tmp_path_factory.mktemp(split.value)
        return upload_and_process(root, two_provider_text(), era_split=split)

    return run


def checks(run: Run, name: str) -> list[tuple[str, str, str]]:
    """(payer, payee NPI, trace number) of each check in the 835 file ``name``."""
    return [(r.payer.n1.name, r.payee.n1.id, r.trn.trace_number) for r in run.eras()[name]]


@pytest.mark.parametrize("split", list(EraSplit))
def test_split_option_gives_its_files(
    run_split: Callable[[EraSplit], Run], split: EraSplit
) -> None:
    run = run_split(split)
    names = run.named("_ERA_835_")
    assert len(names) == EXPECTED_FILES[split]
    traces = [trace for name in names for _, _, trace in checks(run, name)]
    assert len(traces) == len(set(traces)) == 7  # every check once, none lost or repeated
    for name in names:
        found = NAME.match(name)
        assert found is not None, name
        assert bool(found.group("trn03")) == (split is EraSplit.BY_PAYER_TRN03)
        assert len({r.control_number for r in run.eras()[name]}) == len(run.eras()[name])


@pytest.mark.parametrize(
    ("split", "key"),
    [(EraSplit.BY_PROVIDER, lambda c: c[1]), (EraSplit.BY_PAYER, lambda c: c[0]),
     (EraSplit.BY_PROVIDER_AND_PAYER, lambda c: c[:2]), (EraSplit.BY_CHECK, lambda c: c)],
)  # fmt: skip
def test_each_file_holds_one_group(
    run_split: Callable[[EraSplit], Run], split: EraSplit, key: Callable[[tuple[str, ...]], object]
) -> None:
    run = run_split(split)
    for name in run.named("_ERA_835_"):
        assert len({key(check) for check in checks(run, name)}) == 1, name


def test_trn03_in_the_name_is_the_payers(run_split: Callable[[EraSplit], Run]) -> None:
    run = run_split(EraSplit.BY_PAYER_TRN03)
    for name in run.named("_ERA_835_"):
        found = NAME.match(name)
        assert found is not None
        assert {r.trn.originating_company_id for r in run.eras()[name]} == {
            found.group("trn03")[1:]
        }
