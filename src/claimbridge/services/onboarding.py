"""The onboarding checklist: the steps a practice takes to send claims through Office Ally.

The steps follow office-ally.md §4, §14 and §15 and the way integrators walk practices through
them: the Office Ally account, the e-mail that asks for SFTP access, the credentials, the
go-live date (one EHR at a time), the ERA split (By Check recommended), the EDI, ERA,
Medicare and VA enrollments, and last the switch from test to production (office-ally.md §3).
A step is done when the ledger shows it (a password is stored, a go-live date is set, the
account is in production) or when a person marks it done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimbridge.domain.models import EnrollmentStatus, Payer, Transaction
from claimbridge.domain.payers import is_medicare
from claimbridge.errors import InputError
from claimbridge.services.jobs import JobKind, JobState
from claimbridge.store import tables as t
from claimbridge.store.payers import list_payers
from claimbridge.store.practices import practice_row
from claimbridge.store.tenancy import session_practice
from claimbridge.transport.lockout import account_name

OA_SUPPORT = "Support@officeally.com"
SOFTWARE_NAME = "claimbridge"
MARKABLE = ("oa_account", "sftp_email")
UNKNOWN_USERNAME = "(your Office Ally Service Center username)"

LINKS = {
    "oa_account": "https://cms.officeally.com/",
    "edi": "https://support.officeally.com/claims/how-to-check-payer-enrollment-requirements-and-enroll",
    "era": "https://support.officeally.com/claims/how-can-i-tell-if-a-payer-requires-enrollment-and-if-enrollment-is-required-how-do-i-enroll",
    "medicare": "https://www.fill.io/MEDICARE-NORTHERN-VIRGINIA-12202-PRE-ENROLLMENT-INSTRUCTIONS-WHICH-FORM-S",
}


@dataclass(frozen=True, slots=True)
class PayerEnrollment:
    """One payer's enrollment for one transaction, as the checklist lists it."""

    payer: str
    payer_id: str
    status: EnrollmentStatus
    submitted_on: date | None
    approved_on: date | None
    office_ally_notified: bool


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the checklist."""

    key: str
    title: str
    done: bool
    what: str
    turnaround: str = ""
    link: str | None = None
    enrollments: tuple[PayerEnrollment, ...] = ()
    done_on: date | None = None


@dataclass(frozen=True, slots=True)
class SftpEmail:
    """The e-mail that asks Office Ally to turn SFTP on, with the fields OA needs."""

    to: str
    subject: str
    body: str


def sftp_email(session: Session) -> SftpEmail:
    """The SFTP-access e-mail, filled in from the practice and its Office Ally account."""
    practice = practice_row(session)
    account = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    # the Service Center login: the SFTP username is another one, which OA sends after this
    username = (account and account.service_center_username) or UNKNOWN_USERNAME
    contact = (practice.contact_name if practice else None) or "(contact name)"
    email = (practice.contact_email if practice else None) or "(contact e-mail)"
    name = practice.name if practice else "our practice"
    fields = (
        ("Office Ally Username", username),
        ("Contact Name", contact),
        ("Contact Email", email),
        ("Software Name", SOFTWARE_NAME),
        ("Form Type Submitted (HCFA/UB/ADA)", "HCFA"),
        ("Turn on ANSI reports (999 & 277CA)", "Yes"),
    )
    body = "\n".join(
        [
            "Dear Office Ally Support,",
            "",
            f"Please enable SFTP on the account of {name} so we can submit HCFA claims",
            f"(837P) from {SOFTWARE_NAME}. Here are the details needed:",
            "",
            *(f"{label}: {value}" for label, value in fields),
            "",
            "Please let us know when SFTP access has been enabled.",
            "",
            "Thank you,",
            contact,
        ]
    )
    return SftpEmail(OA_SUPPORT, f"SFTP access for {name} ({SOFTWARE_NAME}, HCFA)", body)


def mark_done(session: Session, step: str, by: str, on: date) -> None:
    """Record that a person finished ``step`` (only steps the ledger cannot see)."""
    if step not in MARKABLE:
        raise InputError(f"{step!r} is not a step that can be marked done")
    if session.get(t.OnboardingStepRow, (session_practice(session), step)) is None:
        session.add(t.OnboardingStepRow(step=step, done_on=on, done_by=by))


def checklist(session: Session) -> list[Step]:
    """Every step, in the order a practice takes them."""
    marked = {row.step: row.done_on for row in session.scalars(select(t.OnboardingStepRow))}
    account = session.scalars(select(t.ClearinghouseAccountRow).limit(1)).first()
    payers = list_payers(session)
    return [
        _account_step(marked),
        _email_step(marked),
        _credentials_step(account, _connected(session, account)),
        _go_live_step(account),
        _era_split_step(account),
        *_enrollment_steps(payers),
        _production_step(account),
    ]


def _account_step(marked: dict[str, date]) -> Step:
    return Step(
        "oa_account",
        "Office Ally account",
        "oa_account" in marked,
        "Sign up for the clearinghouse at Office Ally, verify the e-mail, fill in the practice, "
        "and choose 'Create claims using my current system' with Professional Claims.",
        link=LINKS["oa_account"],
        done_on=marked.get("oa_account"),
    )


def _email_step(marked: dict[str, date]) -> Step:
    return Step(
        "sftp_email",
        "Ask Office Ally for SFTP access",
        "sftp_email" in marked,
        f"Send the e-mail below to {OA_SUPPORT}. Office Ally e-mails the SFTP username and "
        "password separately; they differ from the Service Center login.",
        turnaround="2–3 business days",
        done_on=marked.get("sftp_email"),
    )


def _credentials_step(account: t.ClearinghouseAccountRow | None, connected: bool) -> Step:
    stored = account is not None and account.password_token is not None
    what = (
        "Enter the host, port, username and password under Provider details, then test the "
        "connection."
    )
    if stored and not connected:
        what = (
            "The password is stored, but no connection has succeeded with it yet: test the "
            "connection under Provider details."
        )
    return Step("credentials", "Enter the SFTP credentials", stored and connected, what)


def _connected(session: Session, account: t.ClearinghouseAccountRow | None) -> bool:
    """Whether a login to the account has worked: a connection test that passed, or a poll of
    its SFTP account (``user@host:port``, not a local folder) that ended well."""
    if account is None or account.password_token is None:
        return False
    done = (t.JobRow.kind == JobKind.TEST.value) & (t.JobRow.state == JobState.DONE.value)
    source = account_name(account.username, account.sftp_host, account.sftp_port)
    worked = (
        select(t.JobRow.id).where(done),
        select(t.PollRow.id).where(t.PollRow.source == source, t.PollRow.ok.is_(True)),
    )  # two ORM selects, each scoped to the session's practice
    return any(session.scalars(query.limit(1)).first() is not None for query in worked)


def _go_live_step(account: t.ClearinghouseAccountRow | None) -> Step:
    go_live = account.go_live if account else None
    return Step(
        "go_live",
        "Agree a go-live date",
        go_live is not None,
        "Only one EHR can be connected to an Office Ally account at a time: agree the day "
        "claimbridge takes over. Claims with an earlier date of service are held."
        + (f" Go-live: {go_live:%m/%d/%Y}." if go_live else ""),
    )


def _era_split_step(account: t.ClearinghouseAccountRow | None) -> Step:
    split = account.era_split if account else "none"
    return Step(
        "era_split",
        "Choose how ERAs are split",
        split == "by_check",
        "Ask Office Ally to split ERA files By Check (recommended), so each file holds one "
        f"check or EFT. Now: {split.replace('_', ' ')}.",
    )


def _production_step(account: t.ClearinghouseAccountRow | None) -> Step:
    in_production = account is not None and not account.test_mode
    return Step(
        "production",
        "Test, then go to production",
        in_production,
        "Send claims in test mode (every upload named OATEST; Office Ally forwards none to a "
        "payer) until Office Ally accepts a test batch. Then an admin switches the account to "
        "production under Provider details, which lists anything still missing."
        + (" Now: production." if in_production else " Now: test."),
    )


def _enrollment_steps(payers: list[Payer]) -> list[Step]:
    edi = _required(payers, Transaction.CLAIMS, lambda p: not is_medicare(p))
    era = _required(payers, Transaction.ERA, lambda p: True)
    medicare = _required(payers, Transaction.CLAIMS, is_medicare)
    va = _required(payers, Transaction.CLAIMS, lambda p: p.claim_filing_indicator == "VA")
    va += _required(payers, Transaction.ERA, lambda p: p.claim_filing_indicator == "VA")
    return [
        _enrollment_step("edi", "EDI enrollment", edi, _EDI_TEXT, "per the payer's form"),
        _enrollment_step("era", "ERA enrollment", era, _ERA_TEXT, "up to 30 days"),
        _enrollment_step(
            "medicare", "Medicare enrollment", medicare, _MCR_TEXT, "5–10 business days"
        ),
        _enrollment_step("va", "VA enrollment", va, _VA_TEXT, "not published"),
    ]


_EDI_TEXT = (
    "Some payers require enrollment before claims can go to them through Office Ally. The "
    "forms are grouped by state; each says where to send it and how to check status."
)
_ERA_TEXT = (
    "ERA enrollment gets remittances as 835 files instead of paper EOBs. ERAs go to one "
    "clearinghouse at a time; resubmit if there is no answer within two weeks."
)
_MCR_TEXT = (
    "Medicare forms are by state. Once Medicare approves, call Office Ally (360) 975-7000 "
    "option 1 or e-mail support BEFORE sending claims, or the connection is not made."
)
_VA_TEXT = "VA EDI and ERA enrollments are separate steps; treat VA payers like any other payer."


def _required(
    payers: list[Payer], transaction: Transaction, which: Callable[[Payer], bool]
) -> list[PayerEnrollment]:
    found = []
    for payer in payers:
        for item in payer.enrollments:
            if item.transaction is transaction and item.required and which(payer):
                found.append(
                    PayerEnrollment(
                        payer.name,
                        payer.payer_id,
                        item.status,
                        item.submitted_on,
                        item.approved_on,
                        item.office_ally_notified,
                    )
                )
    return found


def _enrollment_step(
    key: str, title: str, items: list[PayerEnrollment], what: str, turnaround: str
) -> Step:
    done = all(item.status is EnrollmentStatus.APPROVED for item in items)
    if key == "medicare":
        done = done and all(item.office_ally_notified for item in items)
    return Step(key, title, done, what, turnaround, LINKS.get(key), tuple(items))
