"""Services: the only layer that combines the ledger, the transports and the X12 code."""
