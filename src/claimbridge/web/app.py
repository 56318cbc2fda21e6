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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from claimbridge.jobs.inprocess import InProcessRunner
from claimbridge.jobs.runner import Runner
from claimbridge.jobs.runtime import Runtime, sftp_factory
from claimbridge.services.account import TransportFactory
from claimbridge.settings import Settings
from claimbridge.store.db import Store
from claimbridge.web import api, views
from claimbridge.web.auth import SessionCodec, authenticate
from claimbridge.web.errors import install_handlers
from claimbridge.web.headers import security_headers
from claimbridge.web.render import make_templates
from claimbridge.web.throttle import HashingSlots, SignInLimits

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


def job_runner(runtime: Runtime) -> Runner:
    """Who runs the jobs the app asks for: on PostgreSQL the queue, for ``claimbridge worker``
    (``jobs.queue``); on SQLite this process's threads (``jobs.inprocess``)."""
    if runtime.store.dialect == "postgresql":
        from claimbridge.jobs.queue import QueueRunner, queue_app

        return QueueRunner(queue_app(runtime.store.url, runtime.retry))
    return InProcessRunner(runtime)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    close = getattr(app.state.runner, "close", None)
    if close is not None:  # the jobs in hand end first, as requests in flight do
        await run_in_threadpool(close)


def create_app(
    settings: Settings,
    store: Store | None = None,
    transport_factory: TransportFactory | None = None,
    config: WebConfig | None = None,
    runner: Runner | None = None,
) -> FastAPI:
    """The FastAPI app over ``store`` (else ``settings.db_url``); its long actions are jobs
    handed to ``runner`` (else ``job_runner``'s)."""
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
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.config = config
    app.state.store = store or Store(settings.db_url)
    app.state.transport_factory = transport_factory or sftp_factory(config.known_hosts)
    assert config.archive is not None
    runtime = Runtime(app.state.store, settings, app.state.transport_factory, config.archive)
    app.state.runner = runner or job_runner(runtime)
    app.state.templates = make_templates()
    secret = config.session_secret or secrets.token_urlsafe(32)
    app.state.session_codec = SessionCodec(secret, config.session_max_age, config.secure_cookies)
    app.state.sign_in_limits = SignInLimits()
    app.state.hashing_slots = HashingSlots()
    app.middleware("http")(authenticate)
    app.middleware("http")(security_headers)  # added last, so it wraps every answer
    install_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    views.include(app)
    api.include(app)
    return app
