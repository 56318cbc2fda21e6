"""The web app: ``create_app(settings, store=None, transport_factory=None)``.

::

    app = create_app(Settings.from_env(os.environ), config=WebConfig(session_secret=…))
    uvicorn.run(app, host="127.0.0.1", port=8000)

Pages (``views/``) and the JSON API (``api/``, under ``/api/v1``) call the same services; views
hold no business logic. Every route needs a signed-in user (a session cookie for pages, a bearer
token for the API) except the sign-in page and the static files.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from claimbridge.domain.models import ClearinghouseAccount
from claimbridge.errors import ConfigError
from claimbridge.services.account import TransportFactory
from claimbridge.settings import Settings
from claimbridge.store.db import Store
from claimbridge.transport.base import Transport
from claimbridge.web import api, views
from claimbridge.web.auth import SessionCodec, authenticate
from claimbridge.web.errors import install_handlers
from claimbridge.web.headers import security_headers
from claimbridge.web.render import make_templates

STATIC = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True, slots=True)
class WebConfig:
    """How the web app runs.

    ``session_secret`` signs the cookies (a random one means sessions end at restart);
    ``secure_cookies`` False only for plain-HTTP tests; ``known_hosts`` is the SFTP known-hosts
    file (its folder also holds the transport's rejected-login marks); ``era_silence_days`` is
    how long without an ERA from a payer raises an alert; ``archive`` is where "Poll Office Ally
    now" keeps the raw bytes of every file it fetches (as ``claimbridge poll --archive``).
    ``create_app`` fills ``known_hosts`` and ``archive``, when None, from the settings.
    """

    session_secret: str = ""
    secure_cookies: bool = True
    session_max_age: int = 12 * 3600
    known_hosts: Path | None = None
    era_silence_days: int = 30
    archive: Path | None = None


def sftp_factory(known_hosts: Path | None) -> TransportFactory:
    """Makes an ``SftpTransport`` for the account, pinning host keys in ``known_hosts``."""

    def make(account: ClearinghouseAccount) -> Transport:
        from claimbridge.transport.sftp import SftpSettings, SftpTransport

        if known_hosts is None:
            raise ConfigError("no known-hosts file is configured (CLAIMBRIDGE_SFTP_KNOWN_HOSTS)")
        settings = SftpSettings.for_account(account, known_hosts, connect_timeout=15.0)
        return SftpTransport(settings)

    return make


def create_app(
    settings: Settings,
    store: Store | None = None,
    transport_factory: TransportFactory | None = None,
    config: WebConfig | None = None,
) -> FastAPI:
    """The FastAPI app over ``store`` (else ``settings.db_url``)."""
    config = config or WebConfig()
    config = replace(
        config,
        known_hosts=config.known_hosts or settings.known_hosts_path,
        archive=config.archive or settings.archive_path,
    )
    app = FastAPI(
        title="claimbridge",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.config = config
    app.state.store = store or Store(settings.db_url)
    app.state.transport_factory = transport_factory or sftp_factory(config.known_hosts)
    app.state.templates = make_templates()
    secret = config.session_secret or secrets.token_urlsafe(32)
    app.state.session_codec = SessionCodec(secret, config.session_max_age, config.secure_cookies)
    app.middleware("http")(authenticate)
    app.middleware("http")(security_headers)  # added last, so it wraps every answer
    install_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    views.include(app)
    api.include(app)
    return app
