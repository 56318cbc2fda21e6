"""Payments → checks → 835 files, following the configured ERA split option.

Payments that share an ERA run, a payer and a payee share one check: one 835 transaction set
with its own BPR and TRN. A check whose claims and PLB lines would pay less than nothing (a
reversal larger than the correction, a recoupment larger than the payments) carries the rest
forward as PLB FB, so BPR02 = 0 and the check is a notification (BPR01 ``H``, BPR04 ``NON``).
Every check therefore balances: BPR02 = Σ CLP04 − Σ PLB.

Checks are then put into files by the split option, separately per run; each file is named
``<ID>_ERA_835_5010_<YYYYMMDD>.835`` (office-ally.md §6), with ``_<TRN03>`` after the ID when
the option is ``by_payer_trn03``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from claimbridge.sim.adjudicate import ZERO, Payment, ProviderLine
from claimbridge.sim.config import OFFICE_ALLY_ID, EraSplit
from claimbridge.sim.state import Counters, OutputFile
from claimbridge.x12.envelope_build import InterchangeParams, st_control_number
from claimbridge.x12.tx835_005010X221A1.build import build_835
from claimbridge.x12.tx835_005010X221A1.models import (
    N1,
    N3,
    N4,
    Bpr,
    Dtm,
    Loop1000A,
    Loop1000B,
    Loop2000,
    Lx,
    Per,
    ProviderAdjustment,
    Ref,
    Remittance,
    Trn,
)


@dataclass(frozen=True, slots=True)
class Check:
    """One payment (one 835 transaction set) and what the split options group it by."""

    run: int
    payer_id: str
    payee_npi: str
    remittance: Remittance

    @property
    def trn03(self) -> str:
        """The payer's identifier in TRN03."""
        return self.remittance.trn.originating_company_id


def payer_trn03(payer_id: str) -> str:
    """A stable synthetic payer EIN for TRN03: '1' and nine digits derived from the payer ID."""
    digest = hashlib.sha256(payer_id.encode()).hexdigest()
    return "1" + str(int(digest[:12], 16) % 1_000_000_000).zfill(9)


def checks_for(payments: Sequence[Payment], paid_on: date, counters: Counters) -> list[Check]:
    """One check per (run, payer, payee), in the order the payments came."""
    grouped: dict[tuple[int, str, str], list[Payment]] = {}
    for payment in payments:
        grouped.setdefault(payment.check_key, []).append(payment)
    return [
        Check(run, payer, payee, _remittance(group, paid_on, counters.take_check()))
        for (run, payer, payee), group in grouped.items()
    ]


def _remittance(payments: Sequence[Payment], paid_on: date, trace: str) -> Remittance:
    first = payments[0]
    claims = tuple(claim for payment in payments for claim in payment.claims)
    lines = [line for payment in payments for line in payment.provider_lines]
    total = sum((c.clp.paid for c in claims), ZERO) - sum((ln.amount for ln in lines), ZERO)
    if total < 0:
        lines.append(ProviderLine("FB", trace, total))
        total = ZERO
    period_end = date(paid_on.year, 12, 31)
    return Remittance(
        control_number="0001",
        bpr=_bpr(total, paid_on),
        trn=Trn("1", trace, payer_trn03(first.payer_id), "", 0),
        cur=None,
        references=(),
        dates=(Dtm("405", paid_on, "", "", "", "", 0),),
        payer=_payer(first.payer_name),
        payee=_payee(first),
        header_numbers=(Loop2000(Lx("1", 0), None, None, claims, ()),),
        provider_adjustments=tuple(
            ProviderAdjustment(first.payee_npi, period_end, ln.reason, ln.reference, ln.amount, 0)
            for ln in lines
        ),
        other_segments=(),
    )


def _bpr(total: Decimal, paid_on: date) -> Bpr:
    handling, method = ("C", "CHK") if total > 0 else ("H", "NON")
    day = paid_on.strftime("%Y%m%d")
    return Bpr(handling, total, "C", method, "", *("",) * 10, paid_on, day, *("",) * 5, 0)


def _payer(name: str) -> Loop1000A:
    return Loop1000A(
        N1("PR", name.upper(), "", "", "", "", 0),
        N3("PO BOX 14000", "", 0),
        N4("SPRINGFIELD", "IL", "62701", "", "", "", "", 0),
        (),
        (Per("BL", "EDI SUPPORT", "TE", "8005550100", "", "", "", "", "", 0),),
        (),
    )


def _payee(payment: Payment) -> Loop1000B:
    tax_id = (Ref("TJ", payment.payee_tax_id, "", "", 0),) if payment.payee_tax_id else ()
    n1 = N1("PE", payment.payee_name, "XX", payment.payee_npi, "", "", 0)
    return Loop1000B(n1, None, None, tax_id, None, ())


_SPLIT_KEYS: dict[EraSplit, Callable[[Check], Hashable]] = {
    EraSplit.NONE: lambda check: (),
    EraSplit.BY_PROVIDER: lambda check: check.payee_npi,
    EraSplit.BY_PAYER: lambda check: check.payer_id,
    EraSplit.BY_PROVIDER_AND_PAYER: lambda check: (check.payer_id, check.payee_npi),
    EraSplit.BY_CHECK: lambda check: check.remittance.trn.trace_number,
    EraSplit.BY_PAYER_TRN03: lambda check: check.payer_id,
}


def split_checks(checks: Sequence[Check], split: EraSplit) -> list[list[Check]]:
    """The checks of each file: grouped by run, then by the split option, in first-seen order."""
    key = _SPLIT_KEYS[split]
    files: dict[tuple[int, Hashable], list[Check]] = {}
    for check in checks:
        files.setdefault((check.run, key(check)), []).append(check)
    return list(files.values())


def era_files(
    payments: Sequence[Payment],
    *,
    split: EraSplit,
    now: datetime,
    receiver_id: str,
    counters: Counters,
) -> list[OutputFile]:
    """The 835 files for ``payments``; each carries its run so later runs can be delayed."""
    checks = checks_for(payments, now.date(), counters)
    return [
        _era_file(group, split, now, receiver_id, counters) for group in split_checks(checks, split)
    ]


def _era_file(
    checks: Sequence[Check], split: EraSplit, now: datetime, receiver_id: str, counters: Counters
) -> OutputFile:
    remittances = [
        check.remittance._replace(control_number=st_control_number(number))
        for number, check in enumerate(checks, 1)
    ]
    control = counters.take_control()
    params = InterchangeParams(
        sender_id=OFFICE_ALLY_ID, receiver_id=receiver_id, interchange_control_number=control,
        group_control_number=control, created=now, functional_id="HP", version="005010X221A1",
    )  # fmt: skip
    era_id = counters.take_era_id()
    tag = f"_{checks[0].trn03}" if split is EraSplit.BY_PAYER_TRN03 else ""
    name = f"{era_id}{tag}_ERA_835_5010_{now:%Y%m%d}.835"
    return OutputFile(name, build_835(remittances, params), run=checks[0].run)
