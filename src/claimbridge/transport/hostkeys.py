"""The known-hosts file claimbridge manages: server host keys pinned on first use.

The format is OpenSSH's (``[host]:port key-type base64``; the bare host for port 22), so
``ssh-keygen -F`` and ``ssh-keygen -R`` work on it too. claimbridge writes one entry when it
first meets a server and from then on refuses any other key; ``claimbridge sftp
forget-host-key`` removes the entry once a person has checked the new key with Office Ally.
Lines claimbridge does not understand (hashed names, markers, comments) are kept untouched.
"""

from __future__ import annotations

from pathlib import Path

from claimbridge.atomic import write_atomic
from claimbridge.errors import ConfigError

DEFAULT_SSH_PORT = 22


def host_pattern(host: str, port: int) -> str:
    """How OpenSSH names ``host:port`` in a known-hosts file."""
    return host if port == DEFAULT_SSH_PORT else f"[{host}]:{port}"


class KnownHosts:
    """The known-hosts file at ``path`` (absent until the first key is pinned)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"KnownHosts({str(self.path)!r})"

    def keys_for(self, host: str, port: int) -> list[str]:
        """The pinned public keys of ``host:port`` as ``key-type base64`` strings."""
        pattern = host_pattern(host, port)
        return [_key_text(fields) for fields in self._entries() if _names(fields, pattern)]

    def pin(self, host: str, port: int, public_key: str) -> None:
        """Trust ``public_key`` (``key-type base64 [comment]``) for ``host:port`` from now on."""
        fields = public_key.split()
        if len(fields) < 2:
            raise ConfigError(f"{public_key!r} is not an OpenSSH public key")
        entry = f"{host_pattern(host, port)} {_key_text(['', *fields])}\n"
        write_atomic(self.path, (self._text() + entry).encode())

    def forget(self, host: str, port: int) -> int:
        """Remove every key pinned for ``host:port``; return how many lines were removed."""
        pattern = host_pattern(host, port)
        lines = self._text().splitlines(keepends=True)
        kept = [line for line in lines if not _names(line.split(), pattern)]
        if len(kept) != len(lines):
            write_atomic(self.path, "".join(kept).encode())
        return len(lines) - len(kept)

    def _text(self) -> str:
        try:
            text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read the known-hosts file {self.path}: {error}") from error
        return text if not text or text.endswith("\n") else text + "\n"

    def _entries(self) -> list[list[str]]:
        return [line.split() for line in self._text().splitlines()]


def _names(fields: list[str], pattern: str) -> bool:
    """True when a split known-hosts line is a plain entry whose host list holds ``pattern``."""
    if len(fields) < 3 or fields[0].startswith(("#", "@", "|")):
        return False
    return pattern in fields[0].split(",")


def _key_text(fields: list[str]) -> str:
    return f"{fields[1]} {fields[2]}"
