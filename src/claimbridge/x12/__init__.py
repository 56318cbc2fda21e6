"""X12 5010: pure text in, typed values out. No clock, database, network or environment here.

Stages, one per module: ``delimiters`` → ``tokenizer`` → ``envelope`` → one package per
implementation guide (``tx837p_005010X222A1``, ``tx999_005010X231A1``, ``tx277ca_005010X214``,
``tx835_005010X221A1``) and ``ta1``; ``reader`` dispatches by content.
"""
