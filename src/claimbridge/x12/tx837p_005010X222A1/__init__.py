"""837P professional claims, 005010X222A1: the model, the writer and the reader.

``build_837p(batch, envelope)`` writes a ``ClaimBatch`` as one file in Office Ally's envelope;
``parse(transaction)`` reads one transaction set back into a ``ClaimTransaction`` (whose
``batch.claims`` equal the claims written); ``to_json`` gives the shape documented in
``docs/x12-json.md``; ``other_payer_from_835`` turns a primary payer's 835 claim into the
2320/2330/2430 data of a secondary claim; ``claim_excerpt(text, clm01, st02)`` cuts one claim's
segments out of a file, as the claim page shows what a claim was sent as.
"""

from __future__ import annotations

from claimbridge.x12.tx837p_005010X222A1.as_json import to_json
from claimbridge.x12.tx837p_005010X222A1.build import build_837p, validate_batch
from claimbridge.x12.tx837p_005010X222A1.charset import reduce_to_basic
from claimbridge.x12.tx837p_005010X222A1.cob import OtherPayerAdjudication, other_payer_from_835
from claimbridge.x12.tx837p_005010X222A1.excerpt import ClaimExcerpt, claim_excerpt
from claimbridge.x12.tx837p_005010X222A1.models import (
    Address,
    Adjustment,
    AdjustmentGroup,
    BillingProvider,
    Claim,
    ClaimBatch,
    ClaimTransaction,
    Contact,
    EnvelopeParams,
    LineAdjudication,
    Name,
    OtherPayer,
    Patient,
    Payer,
    Provider,
    Receiver,
    ServiceFacility,
    ServiceLine,
    Submitter,
    Subscriber,
    icd10_code,
)
from claimbridge.x12.tx837p_005010X222A1.parse import parse

__all__ = [
    "Address",
    "Adjustment",
    "AdjustmentGroup",
    "BillingProvider",
    "Claim",
    "ClaimBatch",
    "ClaimExcerpt",
    "ClaimTransaction",
    "Contact",
    "EnvelopeParams",
    "LineAdjudication",
    "Name",
    "OtherPayer",
    "OtherPayerAdjudication",
    "Patient",
    "Payer",
    "Provider",
    "Receiver",
    "ServiceFacility",
    "ServiceLine",
    "Submitter",
    "Subscriber",
    "build_837p",
    "claim_excerpt",
    "icd10_code",
    "other_payer_from_835",
    "parse",
    "reduce_to_basic",
    "to_json",
    "validate_batch",
]
