"""The 999 code lists, so every code can be explained in words.

Meanings are the X12 code names of elements 620, 621, 717, 618, 715 and 716 (readable at
https://stedi.com/edi/x12-005010/element/620 and its neighbours), shortened where a name runs
long; x12-notes §6 lists the ones Office Ally is likely to send.
"""

from __future__ import annotations

from collections.abc import Mapping

from claimbridge.x12.tx999_005010X231A1.models import Coded

# IK304: why a segment is in error (element 620).
SEGMENT_ERRORS: Mapping[str, str] = {
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Required segment missing",
    "4": "Loop occurs over maximum times",
    "5": "Segment exceeds maximum use",
    "6": "Segment not in defined transaction set",
    "7": "Segment not in proper sequence",
    "8": "Segment has data element errors",
    "I4": 'Implementation "not used" segment present',
    "I6": "Implementation dependent segment missing",
    "I7": "Implementation loop occurs under minimum times",
    "I8": "Implementation segment below minimum use",
    "I9": 'Implementation dependent "not used" segment present',
}

# IK403: why an element is in error (element 621).
ELEMENT_ERRORS: Mapping[str, str] = {
    "1": "Required data element missing",
    "2": "Conditional required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid date",
    "9": "Invalid time",
    "10": "Exclusion condition violated",
    "12": "Too many repetitions",
    "13": "Too many components",
    "I6": "Code value not used in implementation",
    "I9": "Implementation dependent data element missing",
    "I10": 'Implementation "not used" data element present',
    "I11": "Implementation too few repetitions",
    "I12": "Implementation pattern match failure",
    "I13": 'Implementation dependent "not used" data element present',
}

# IK501: the verdict on one transaction set (element 717).
SET_ACKNOWLEDGMENTS: Mapping[str, str] = {
    "A": "Accepted",
    "E": "Accepted but errors were noted",
    "M": "Rejected, message authentication code (MAC) failed",
    "R": "Rejected",
    "W": "Rejected, assurance failed validity tests",
    "X": "Rejected, content after decryption could not be analyzed",
}

# IK502–IK506: why a transaction set is in error (element 618).
SET_ERRORS: Mapping[str, str] = {
    "1": "Transaction set not supported",
    "2": "Transaction set trailer missing",
    "3": "Transaction set control number in header and trailer do not match",
    "4": "Number of included segments does not match actual count",
    "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier",
    "7": "Missing or invalid transaction set control number",
    "8": "Authentication key name unknown",
    "9": "Encryption key name unknown",
    "10": "Requested service (authentication or encryption) not available",
    "11": "Unknown security recipient",
    "12": "Incorrect message length (encryption only)",
    "13": "Message authentication code failed",
    "15": "Unknown security originator",
    "16": "Syntax error in decrypted text",
    "17": "Security not supported",
    "18": "Transaction set not in functional group",
    "19": "Invalid transaction set implementation convention reference",
    "23": "Transaction set control number not unique within the functional group",
    "24": "S3E security end segment missing for S3S security start segment",
    "25": "S3S security start segment missing for S3E security end segment",
    "26": "S4E security end segment missing for S4S security start segment",
    "27": "S4S security start segment missing for S4E security end segment",
    "I5": "Implementation one or more segments in error",
    "I6": "Implementation convention not supported",
}

# AK901: the verdict on the functional group (element 715).
GROUP_ACKNOWLEDGMENTS: Mapping[str, str] = {
    **SET_ACKNOWLEDGMENTS,
    "P": "Partially accepted, at least one transaction set was rejected",
}

# AK905–AK909: why a functional group is in error (element 716).
GROUP_ERRORS: Mapping[str, str] = {
    "1": "Functional group not supported",
    "2": "Functional group version not supported",
    "3": "Functional group trailer missing",
    "4": "Group control number in the functional group header and trailer do not agree",
    "5": "Number of included transaction sets does not match actual count",
    "6": "Group control number violates syntax",
    "10": "Authentication key name unknown",
    "11": "Encryption key name unknown",
    "12": "Requested service (authentication or encryption) not available",
    "13": "Unknown security recipient",
    "14": "Unknown security originator",
    "15": "Syntax error in decrypted text",
    "16": "Security not supported",
    "17": "Incorrect message length (encryption only)",
    "18": "Message authentication code failed",
    "19": "Functional group control number not unique within interchange",
    "23": "S3E security end segment missing for S3S security start segment",
    "24": "S3S security start segment missing for S3E security end segment",
    "25": "S4E security end segment missing for S4S security start segment",
    "26": "S4S security start segment missing for S4E security end segment",
}


def coded(table: Mapping[str, str], code: str) -> Coded:
    """``code`` with its meaning from ``table`` (None when the list does not hold it)."""
    return Coded(code, table.get(code))


def coded_list(table: Mapping[str, str], codes: list[str]) -> tuple[Coded, ...]:
    """The non-empty ``codes`` with their meanings, in order."""
    return tuple(coded(table, code) for code in codes if code)
