"""Background work on the practices' Office Ally accounts: polls, submissions, connection tests.

An outer layer beside ``cli`` and ``web`` (both may use it; it uses ``services`` and below):

* ``work``: the job functions (``poll_account``, ``submit_ready``, ``test_connection``), each
  keyed by a practice id, each calling the one service that does the work and keeping the job's
  row (``services.jobs``) up to date;
* ``runtime``: what a job needs from its process (ledger, transport, archive, retry policy);
* ``inprocess``: runs jobs in threads of the process that asked (SQLite, ``claimbridge watch``);
* ``queue``: the Procrastinate app on PostgreSQL, its tasks, the per-account lock, the
  schedule and ``claimbridge worker``.

docs/design.md#background-work says why it is built this way.
"""
