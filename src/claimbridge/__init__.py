"""claimbridge: a medical practice's billing, connected to the Office Ally clearinghouse."""

from claimbridge.errors import (
    AuthenticationFailed,
    ClaimbridgeError,
    ClaimNotFound,
    ConfigError,
    DuplicateSubmission,
    HostKeyMismatch,
    InputError,
    InvalidTransition,
    RemoteFileMissing,
    StoreError,
    TransportError,
    TransportTimeout,
    X12Error,
    X12SyntaxError,
    X12ValidationError,
)

__version__ = "0.1.0"

__all__ = [
    "AuthenticationFailed",
    "ClaimNotFound",
    "ClaimbridgeError",
    "ConfigError",
    "DuplicateSubmission",
    "HostKeyMismatch",
    "InputError",
    "InvalidTransition",
    "RemoteFileMissing",
    "StoreError",
    "TransportError",
    "TransportTimeout",
    "X12Error",
    "X12SyntaxError",
    "X12ValidationError",
    "__version__",
]
