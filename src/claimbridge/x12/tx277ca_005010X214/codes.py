"""The 277 code lists, so every code can be explained in words, and the outcome of a category.

Category codes (list 507) and status codes (list 508) are kept by X12
(https://x12.org/codes/claim-status-category-codes and …/claim-status-codes). The status list
holds about 800 codes; this one holds those Office Ally and payers commonly send, those in
x12-notes §7 and in the public sample files. Codes that X12 has retired (e.g. 80, 122, 317)
read with no meaning, as does any code not listed: the code itself is always kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Outcome(StrEnum):
    """What a status category means for a claim; pend, RFI and error are never 'rejected'."""

    RECEIVED = "received"  # A1: received, not yet accepted for adjudication
    ACCEPTED = "accepted"  # A2, A5: accepted into adjudication
    REJECTED = "rejected"  # A3, A6, A7, A8: not entered; fix and send again
    PENDING = "pending"  # P0–P5
    REQUEST_FOR_INFORMATION = "request_for_information"  # R0–R16
    ERROR = "error"  # E0–E4: the response was not possible
    FINALIZED = "finalized"  # F0–F4 (277 claim status answers)
    OTHER = "other"  # A0 forwarded, A4 not found, D0 search unsuccessful, unknown codes


# When one claim carries several statuses, the first outcome here that occurs wins.
PRECEDENCE: tuple[Outcome, ...] = (
    Outcome.REJECTED,
    Outcome.ERROR,
    Outcome.REQUEST_FOR_INFORMATION,
    Outcome.PENDING,
    Outcome.FINALIZED,
    Outcome.ACCEPTED,
    Outcome.RECEIVED,
    Outcome.OTHER,
)

_OUTCOME_BY_CATEGORY: Mapping[str, Outcome] = {
    "A1": Outcome.RECEIVED,
    "A2": Outcome.ACCEPTED,
    "A5": Outcome.ACCEPTED,
    "A3": Outcome.REJECTED,
    "A6": Outcome.REJECTED,
    "A7": Outcome.REJECTED,
    "A8": Outcome.REJECTED,
}

_OUTCOME_BY_FAMILY: Mapping[str, Outcome] = {
    "P": Outcome.PENDING,
    "R": Outcome.REQUEST_FOR_INFORMATION,
    "E": Outcome.ERROR,
    "F": Outcome.FINALIZED,
}


def outcome_of(category: str) -> Outcome:
    """The outcome a claim status category code (STC01-1) stands for."""
    if category in _OUTCOME_BY_CATEGORY:
        return _OUTCOME_BY_CATEGORY[category]
    family = category[:1]
    if family in _OUTCOME_BY_FAMILY and category[1:2].isdigit():
        return _OUTCOME_BY_FAMILY[family]
    return Outcome.OTHER


def strongest(outcomes: list[Outcome]) -> Outcome:
    """The outcome that decides among several (see ``PRECEDENCE``); OTHER when there is none."""
    return next((o for o in PRECEDENCE if o in outcomes), Outcome.OTHER)


# STC01-1, STC10-1, STC11-1: claim status category codes (list 507).
CATEGORIES: Mapping[str, str] = {
    "A0": "Acknowledgement/Forwarded: forwarded to another entity",
    "A1": "Acknowledgement/Receipt: received, not yet accepted for adjudication",
    "A2": "Acknowledgement/Acceptance into the adjudication system",
    "A3": "Acknowledgement/Returned as unprocessable claim: rejected, not entered",
    "A4": "Acknowledgement/Not found in the adjudication system",
    "A5": "Acknowledgement/Split claim upon acceptance into adjudication",
    "A6": "Acknowledgement/Rejected for missing information",
    "A7": "Acknowledgement/Rejected for invalid information",
    "A8": "Acknowledgement/Rejected for relational field in error",
    "D0": "Data search unsuccessful",
    "E0": "Response not possible: error on submitted request data",
    "E1": "Response not possible: system status",
    "E2": "Information holder is not responding; resubmit later",
    "E3": "Correction required: relational fields in error",
    "E4": "Trading partner agreement specific requirement not met: data correction required",
    "F0": "Finalized: adjudication complete, no more action will be taken",
    "F1": "Finalized/Payment: the claim/line has been paid",
    "F2": "Finalized/Denial: the claim/line has been denied",
    "F3": "Finalized/Revised: adjudication information has been changed",
    "F3F": "Finalized/Forwarded: processing complete, payment information forwarded",
    "F3N": "Finalized/Not forwarded: processing complete, nothing forwarded",
    "F4": "Finalized/Adjudication complete: no payment forthcoming",
    "P0": "Pending: in the adjudication system, no decision yet",
    "P1": "Pending/In process",
    "P2": "Pending/Payer review",
    "P3": "Pending/Provider requested information",
    "P4": "Pending/Patient requested information",
    "P5": "Pending/Payer administrative or system hold",
    "R0": "Request for additional information: general request",
    "R1": "Request for additional information: entity request",
    "R3": "Request for additional information: claim/line",
    "R4": "Request for additional information: documentation",
    "R5": "Request for additional information: more specific detail",
    "R6": "Request for additional information: regulatory requirements",
    "R7": "Request for additional information: care consistent with plan coverage",
    "R8": "Request for additional information: care consistent with coverage exceptions",
    "R9": "Request for additional information: determination of medical necessity",
    "R10": "Request for additional information: support a filed grievance or appeal",
    "R11": "Request for additional information: pre-payment review of claims",
    "R12": "Request for additional information: justification of a procedure code",
    "R13": "Request for additional information: documents submitted are not readable",
    "R14": "Request for additional information: documents received are not what was asked",
    "R15": "Request for additional information: workers' compensation coverage verification",
    "R16": "Request for additional information: eligibility verification",
}

# STC01-2, STC10-2, STC11-2: claim status codes (list 508), the common ones.
STATUSES: Mapping[str, str] = {
    "0": "Cannot provide further status electronically",
    "1": "For more detailed information, see remittance advice",
    "2": "More detailed information in letter",
    "3": "Claim has been adjudicated and is awaiting payment cycle",
    "6": "Balance due from the subscriber",
    "12": "One or more originally submitted procedure codes have been combined",
    "15": "One or more originally submitted procedure codes have been modified",
    "16": "Claim/encounter has been forwarded to entity",
    "17": "Claim/encounter has been forwarded by third party entity to entity",
    "18": "Entity received claim/encounter, but returned invalid status",
    "19": "Entity acknowledges receipt of claim/encounter",
    "20": "Accepted for processing",
    "21": "Missing or invalid information",
    "23": "Returned to entity",
    "24": "Entity not approved as an electronic submitter",
    "25": "Entity not approved",
    "26": "Entity not found",
    "27": "Policy canceled",
    "29": "Subscriber and policy number/contract number mismatched",
    "30": "Subscriber and subscriber id mismatched",
    "31": "Subscriber and policyholder name mismatched",
    "32": "Subscriber and policy number/contract number not found",
    "33": "Subscriber and subscriber id not found",
    "34": "Subscriber and policyholder name not found",
    "35": "Claim/encounter not found",
    "38": "Awaiting next periodic adjudication cycle",
    "40": "Waiting for final approval",
    "41": "Special handling required at payer site",
    "42": "Awaiting related charges",
    "44": "Charges pending provider audit",
    "45": "Awaiting benefit determination",
    "46": "Internal review/audit",
    "47": "Internal review/audit, partial payment made",
    "50": "Claim waiting for internal provider verification",
    "52": "Investigating existence of other insurance coverage",
    "53": "Claim being researched for insured ID/group policy number error",
    "54": "Duplicate of a previously processed claim/line",
    "55": "Claim assigned to an approver/analyst",
    "56": "Awaiting eligibility determination",
    "59": "Information was requested by a non-electronic method",
    "60": "Information was requested by an electronic method",
    "65": "Claim/line has been paid",
    "78": "Duplicate of an existing claim/line, awaiting processing",
    "84": "Service not authorized",
    "85": "Entity not primary",
    "86": "Diagnosis and patient gender mismatch",
    "88": "Entity not eligible for benefits for submitted dates of service",
    "91": "Entity not eligible/not approved for dates of service",
    "96": "No agreement with entity",
    "97": "Patient eligibility not found with entity",
    "101": "Claim was processed as adjustment to previous claim",
    "109": "Entity not eligible",
    "116": "Claim submitted to incorrect payer",
    "117": "Claim requires signature-on-file indicator",
    "123": "Additional information requested from entity",
    "125": "Entity's name",
    "126": "Entity's address",
    "128": "Entity's tax id",
    "145": "Entity's specialty/taxonomy code",
    "153": "Entity's id number",
    "155": "Entity's relationship to patient",
    "157": "Entity's gender",
    "158": "Entity's date of birth",
    "163": "Entity's policy/group number",
    "164": "Entity's contract/member number",
    "178": "Submitted charges",
    "187": "Date(s) of service",
    "188": "Statement from-through dates",
    "247": "Line information",
    "249": "Place of service",
    "252": "Entity's prior authorization/certification number",
    "254": "Principal diagnosis code",
    "255": "Diagnosis code",
    "400": "Claim is out of balance",
    "401": "Source of payment is not valid",
    "453": "Procedure code modifier(s) for service(s) rendered",
    "454": "Procedure code for services rendered",
    "464": "Payer assigned claim control number",
    "476": "Missing or invalid units of service",
    "477": "Diagnosis code pointer is missing or invalid",
    "478": "Claim submitter's identifier",
    "479": "Other carrier payer ID is missing or invalid",
    "480": "Entity's claim filing indicator",
    "481": "Claim/submission format is invalid",
    "484": "Business application currently not available",
    "487": "Claim not found, claim should have been submitted to/through entity",
    "496": "Submitter not approved for electronic claim submissions on behalf of this entity",
    "500": "Entity's postal/zip code",
    "501": "Entity's state/province",
    "502": "Entity's city",
    "503": "Entity's street address",
    "504": "Entity's last name",
    "505": "Entity's first name",
    "506": "Entity is changing processor/clearinghouse; submit to the new one",
    "510": "Future date",
    "511": "Invalid character",
    "512": "Length invalid for receiver's application system",
    "535": "Claim frequency code",
    "538": "Claim or encounter identifier",
    "543": "Clearinghouse or value added network trace",
    "560": "Entity's additional/secondary identifier",
    "562": "Entity's National Provider Identifier (NPI)",
    "583": "Line item charge amount",
    "584": "Line item control number",
    "672": "Other payer's payment information is out of balance",
    "684": "Rejected: syntax error noted for this claim; see the 999",
    "697": "Invalid decimal precision",
    "700": "ICD10",
    "704": "Claim note text",
    "718": "Claim/service not submitted within the required timeframe (timely filing)",
    "732": "Information submitted inconsistent with billing guidelines",
    "745": "Identifier qualifier",
    "746": "Duplicate submission",
    "755": "Entity's primary identifier",
    "787": "Resubmit a new claim, not a replacement claim",
    "799": "Resubmit a replacement claim, not a new claim",
}

# STC01-3 and NM101: entity identifier codes (element 98), those a 277 uses.
ENTITIES: Mapping[str, str] = {
    "03": "Dependent",
    "1P": "Provider",
    "2B": "Third-party administrator",
    "36": "Employer",
    "40": "Receiver",
    "41": "Submitter",
    "71": "Attending physician",
    "72": "Operating physician",
    "73": "Other physician",
    "77": "Service location",
    "82": "Rendering provider",
    "85": "Billing provider",
    "87": "Pay-to provider",
    "AY": "Clearinghouse",
    "DK": "Ordering physician",
    "DN": "Referring provider",
    "DQ": "Supervising physician",
    "FA": "Facility",
    "GB": "Other insured",
    "HK": "Subscriber",
    "IL": "Insured or subscriber",
    "PR": "Payer",
    "PRP": "Primary payer",
    "QC": "Patient",
    "SEP": "Secondary payer",
    "TTP": "Tertiary payer",
    "TU": "Third party repricing organization",
}

# HL03: hierarchical level codes (element 735).
LEVELS: Mapping[str, str] = {
    "20": "Information source",
    "21": "Information receiver",
    "19": "Provider of service",
    "22": "Subscriber",
    "23": "Dependent",
    "PT": "Patient",
}

# STC03: action codes (element 306) in the 277CA.
ACTIONS: Mapping[str, str] = {"WQ": "Accept", "U": "Reject"}

# REF01: reference qualifiers (element 128) a 277 uses.
REFERENCES: Mapping[str, str] = {
    "1K": "Payer's claim number",
    "D9": "Clearinghouse trace number",
    "BLT": "Billing type",
    "EA": "Medical record identification number",
    "EJ": "Patient account number",
    "FJ": "Line item control number",
    "TJ": "Federal taxpayer's identification number",
    "XZ": "Pharmacy prescription number",
    "6P": "Group number",
}

# QTY01 (element 673) and AMT01 (element 522) in the 277CA.
QUANTITIES: Mapping[str, str] = {
    "90": "Acknowledged quantity",
    "AA": "Unacknowledged quantity",
    "QA": "Quantity approved",
    "QC": "Quantity disapproved",
}
AMOUNTS: Mapping[str, str] = {"YU": "In process", "YY": "Returned"}

# DTP01 (element 374).
DATES: Mapping[str, str] = {
    "009": "Process",
    "050": "Received",
    "472": "Service",
}
