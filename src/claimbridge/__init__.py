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


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed package's metadata on first use.

    The version lives in pyproject.toml alone. Reading metadata costs tens of milliseconds, so
    it is not done at import: ``claimbridge x12 json`` starts without it.
    """
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("claimbridge")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"
