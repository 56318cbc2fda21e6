"""The practice's business model, pure: values, rules and checks; no database, clock or network.

``models`` holds the frozen values (practice, providers, payers, patients, appointments),
``codes`` and ``money`` check identifiers and amounts, ``practice_file`` reads the
``claimbridge-practice/1`` format, ``payer_list`` reads Office Ally payer lists, ``status`` holds
the claim states, ``enrollment`` decides whether a claim may go out, and ``fees`` computes the
Non-Par fee exposure.
"""
