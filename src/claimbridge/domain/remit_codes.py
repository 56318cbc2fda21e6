"""The 835's codes in words: adjustment groups, CARC, RARC, claim status (CLP02) and PLB reasons.

The CARC and RARC lists are kept by X12 (https://x12.org/codes/claim-adjustment-reason-codes,
https://x12.org/codes/remittance-advice-remark-codes); each holds hundreds of codes. These are
the ones payers send most for professional claims, shortened; ``carc_text`` and ``rarc_text``
say so when a code is not listed, and the code itself is always kept.
"""

from __future__ import annotations

from collections.abc import Mapping

GROUPS: Mapping[str, str] = {
    "CO": "Contractual obligation",
    "PR": "Patient responsibility",
    "OA": "Other adjustment",
    "PI": "Payer initiated reduction",
    "CR": "Correction and reversal",  # retired in 5010; older files still send it
}

CARC: Mapping[str, str] = {
    "1": "Deductible amount",
    "2": "Coinsurance amount",
    "3": "Co-payment amount",
    "4": "The procedure code is inconsistent with the modifier used",
    "5": "The procedure code or bill type is inconsistent with the place of service",
    "6": "The procedure or revenue code is inconsistent with the patient's age",
    "11": "The diagnosis is inconsistent with the procedure",
    "16": "Claim or service lacks information or has submission or billing errors",
    "18": "Exact duplicate claim or service",
    "22": "This care may be covered by another payer per coordination of benefits",
    "23": "The impact of prior payer(s) adjudication including payments and adjustments",
    "24": "Charges are covered under a capitation agreement or managed care plan",
    "26": "Expenses incurred prior to coverage",
    "27": "Expenses incurred after coverage terminated",
    "29": "The time limit for filing has expired",
    "31": "Patient cannot be identified as our insured",
    "45": "Charge exceeds fee schedule or maximum allowable amount",
    "50": "These are non-covered services because this is not deemed a medical necessity",
    "96": "Non-covered charge(s)",
    "97": "The benefit for this service is included in the payment for another service",
    "109": "Claim or service not covered by this payer; send it to the correct payer",
    "119": "Benefit maximum for this time period or occurrence has been reached",
    "125": "Submission or billing error(s)",
    "140": "Patient and insured name or identification number do not match",
    "151": "Payment adjusted: the payer deems the information does not support this many services",
    "167": "This (these) diagnosis(es) is (are) not covered",
    "170": "Payment is denied when performed or billed by this type of provider",
    "185": "The rendering provider is not eligible to perform the service billed",
    "197": "Precertification, authorization or notification absent",
    "198": "Precertification, notification or authorization exceeded",
    "204": "This service, equipment or drug is not covered under the patient's current plan",
    "206": "National Provider Identifier missing",
    "227": "Information requested from the patient or insured was not provided",
    "236": "This procedure or modifier combination is not compatible with another procedure",
    "242": "Services not provided by network or primary care providers",
    "253": "Sequestration: reduction of federal payment",
    "A1": "Claim or service denied",
    "B7": "This provider was not certified or eligible to be paid for this service on this date",
}

RARC: Mapping[str, str] = {
    "M15": "Separately billed services or tests have been bundled",
    "M20": "Missing or invalid HCPCS code",
    "M51": "Missing, incomplete or invalid procedure code(s)",
    "M76": "Missing, incomplete or invalid diagnosis or condition",
    "M80": "Not covered when performed during the same session as another approved procedure",
    "MA01": "You may appeal this decision in writing within the required time limits",
    "MA04": "Secondary payment cannot be considered without the primary payer's information",
    "MA18": "The claim information is also being forwarded to the patient's supplemental insurer",
    "MA130": "Your claim contains incomplete or invalid information; submit a new claim",
    "N4": "Missing or incomplete or invalid prior insurance carrier EOB",
    "N20": "Service not payable with other service rendered on the same date",
    "N30": "Patient ineligible for this service",
    "N56": "The procedure code is inconsistent with the provider type or specialty",
    "N115": "This decision was based on a local coverage determination (LCD)",
    "N130": "Consult plan benefit documents for information about restrictions for this service",
    "N179": "Additional information has been requested from the member",
    "N290": "Missing or invalid rendering provider primary identifier",
    "N362": "The number of days or units of service exceeds the acceptable maximum",
    "N386": "This decision was based on a national coverage determination (NCD)",
    "N432": "Adjustment based on a recovery audit",
    "N519": "Invalid combination of HCPCS modifiers",
    "N657": "This should be billed with the appropriate code for these services",
}

CLAIM_STATUS: Mapping[str, str] = {
    "1": "Processed as primary",
    "2": "Processed as secondary",
    "3": "Processed as tertiary",
    "4": "Denied",
    "19": "Processed as primary, forwarded to additional payer(s)",
    "20": "Processed as secondary, forwarded to additional payer(s)",
    "21": "Processed as tertiary, forwarded to additional payer(s)",
    "22": "Reversal of previous payment",
    "23": "Not our claim, forwarded to additional payer(s)",
    "25": "Predetermination pricing only, no payment",
}

PLB_REASONS: Mapping[str, str] = {
    "72": "Authorized return",
    "B2": "Rebate",
    "B3": "Recovery allowance",
    "CS": "Adjustment",
    "FB": "Forwarding balance",
    "IR": "Internal Revenue Service withholding",
    "J1": "Nonreimbursable",
    "L6": "Interest owed",
    "LE": "Levy",
    "WO": "Overpayment recovery",
}


def _text(table: Mapping[str, str], code: str, kind: str) -> str:
    return table.get(code.strip(), f"{kind} {code} (not in claimbridge's short list)")


def group_text(code: str) -> str:
    """The adjustment group code (CAS01) in words."""
    return _text(GROUPS, code, "group")


def carc_text(code: str) -> str:
    """A claim adjustment reason code (CAS02 …) in words."""
    return _text(CARC, code, "reason")


def rarc_text(code: str) -> str:
    """A remittance advice remark code (LQ*HE, MOA, MIA) in words."""
    return _text(RARC, code, "remark")


def claim_status_text(code: str) -> str:
    """CLP02 in words."""
    return _text(CLAIM_STATUS, code, "claim status")


def plb_text(reason: str) -> str:
    """A PLB adjustment reason (PLB03-1 …) in words."""
    return _text(PLB_REASONS, reason, "provider adjustment")
