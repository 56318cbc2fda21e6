"""The one exception tree of claimbridge.

Every error claimbridge raises on purpose is a ``ClaimbridgeError``. Third-party errors
(asyncssh, SQLAlchemy, the OS) are converted into one of these at the edge where they occur.
Each class carries the place of the problem as attributes, so a message can name it, and an
``exit_code`` that the command line uses::

    ClaimbridgeError                      exit 1
    ├── X12Error
    │   ├── X12SyntaxError                the text is not well-formed X12 (exit 2 in validate)
    │   └── X12ValidationError            well-formed, but breaks the implementation guide
    ├── InputError                        a file a person gave us is wrong (JSON path named)
    ├── ConfigError                       a setting is missing or wrong
    ├── TransportError
    │   ├── TransportTimeout
    │   ├── AuthenticationFailed          never retried: Office Ally locks accounts
    │   ├── HostKeyMismatch
    │   └── RemoteFileMissing
    └── StoreError
        ├── ClaimNotFound
        ├── InvalidTransition
        ├── DuplicateSubmission
        └── AlreadyBilled                 an appointment with a claim would change (409)

Outside the tree, because it is no error: ``Stopped`` (a ``KeyboardInterrupt``) says that SIGINT
or SIGTERM asked a long-running command to stop (``claimbridge.stopping``).
"""

from __future__ import annotations


class ClaimbridgeError(Exception):
    """Root of every error claimbridge raises on purpose."""

    exit_code = 1


class X12Error(ClaimbridgeError):
    """Something is wrong with X12 text."""


class X12SyntaxError(X12Error):
    """The text is not well-formed X12; names the segment and element where it broke."""

    def __init__(
        self,
        message: str,
        *,
        segment_position: int | None = None,
        segment_id: str | None = None,
        element_position: int | None = None,
    ) -> None:
        self.message = message
        self.segment_position = segment_position
        self.segment_id = segment_id
        self.element_position = element_position
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = []
        if self.segment_position is not None:
            where.append(f"segment {self.segment_position}")
        if self.segment_id:
            where.append(self.segment_id)
        if self.element_position is not None:
            where.append(f"element {self.element_position:02d}")
        return f"{' '.join(where)}: {self.message}" if where else self.message


class X12ValidationError(X12Error):
    """Well-formed X12 that breaks a rule of the implementation guide or of Office Ally."""

    def __init__(self, message: str, *, problems: tuple[object, ...] = ()) -> None:
        self.problems = problems
        super().__init__(message)


class InputError(ClaimbridgeError):
    """A file or value a person gave us is wrong; ``path`` names the place (JSON path, CSV row).

    ``fields`` gives the problem of each field of a form by the field's name
    (``rendering_npi``, ``lines.2.charge``), so a page can show each next to its field.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        problems: tuple[str, ...] = (),
        fields: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.problems = problems  # every problem found, each naming its own place
        self.fields = fields or {}
        super().__init__(f"{path}: {message}" if path else message)


class ConfigError(ClaimbridgeError):
    """A setting is missing or has a value claimbridge cannot use."""


class TransportError(ClaimbridgeError):
    """Talking to the clearinghouse failed."""

    def __init__(self, message: str, *, remote_path: str | None = None) -> None:
        self.remote_path = remote_path
        super().__init__(message)


class TransportTimeout(TransportError):
    """The server did not answer in time; safe to retry later."""


class AuthenticationFailed(TransportError):
    """The server refused the credentials; never retried automatically. ``login`` says which
    login and when, without the advice on what to do next (each edge gives its own)."""

    def __init__(
        self, message: str, *, login: str | None = None, remote_path: str | None = None
    ) -> None:
        self.login = login or message
        super().__init__(message, remote_path=remote_path)


class HostKeyMismatch(TransportError):
    """The server's host key differs from the one pinned on first use."""


class RemoteFileMissing(TransportError):
    """A file that was listed on the server is no longer there."""


class StoreError(ClaimbridgeError):
    """The ledger could not do what was asked."""


class AlreadyBilled(StoreError):
    """An appointment that already has a claim would change; the claim is corrected instead."""

    def __init__(self, appointment: str, claims: tuple[str, ...]) -> None:
        self.appointment, self.claims = appointment, claims
        latest = claims[-1] if claims else "?"
        super().__init__(
            f"appointment {appointment!r} already has claim {', '.join(claims) or '?'} and "
            f"cannot change: correct the claim instead (the claim page's Correct, or PATCH "
            f"/api/v1/claims/{latest}); once the payer has it, send a replacement "
            f"(POST /api/v1/claims/{latest}/resubmit with how=replace)"
        )


class RecordNotFound(StoreError):
    """No record of the practice has that id or number (a remittance, a returned file, an ERA
    claim waiting for a person); the web answers 404."""


class ClaimNotFound(RecordNotFound):
    """No claim has that id or patient control number."""

    def __init__(self, message: str, *, claim_id: str | int | None = None) -> None:
        self.claim_id = claim_id
        super().__init__(message)


class InvalidTransition(StoreError):
    """A claim cannot move from its status to the one asked for."""


class DuplicateSubmission(StoreError):
    """A claim would be uploaded twice without a person asking for it."""


class Stopped(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM asked a long-running command to stop; not an error.

    A ``KeyboardInterrupt``, so whatever already cleans up after Ctrl-C (a poll recording how it
    ended, a progress display, an event loop) does the same for SIGTERM. Raised by
    ``claimbridge.stopping``; ``signal_name`` is ``SIGINT`` or ``SIGTERM``.
    """

    def __init__(self, signal_name: str) -> None:
        self.signal_name = signal_name
        super().__init__(signal_name)

    @property
    def how(self) -> str:
        """The signal in words: 'Ctrl-C (SIGINT)' or 'SIGTERM'."""
        return "Ctrl-C (SIGINT)" if self.signal_name == "SIGINT" else self.signal_name
