"""Moving files to and from Office Ally: SFTP (asyncssh), a local folder, or memory.

Services receive a ``Transport`` and never build one. ``officeally`` holds Office Ally's
conventions (folders, upload names, test mode) as configuration; ``fetch_new`` downloads what
is new in ``outbound`` once, keeping the raw bytes in an archive with a manifest. See
``docs/transport.md``.
"""

from claimbridge.transport.base import RemoteFile, Transport
from claimbridge.transport.fetch import FetchedFile, FetchResult, fetch_new
from claimbridge.transport.local import LocalDirTransport
from claimbridge.transport.memory import MemoryTransport
from claimbridge.transport.officeally import (
    OFFICE_ALLY_FOLDERS,
    Folders,
    SubmissionMode,
    check_mode,
    upload_name,
)
from claimbridge.transport.retry import RetryPolicy

__all__ = [
    "OFFICE_ALLY_FOLDERS",
    "FetchResult",
    "FetchedFile",
    "Folders",
    "LocalDirTransport",
    "MemoryTransport",
    "RemoteFile",
    "RetryPolicy",
    "SubmissionMode",
    "Transport",
    "check_mode",
    "fetch_new",
    "upload_name",
]
