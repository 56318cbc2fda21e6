"""``Store``: owns the engine, runs the migrations, and gives out transactions.

::

    store = Store("sqlite:///claimbridge.db")
    store.upgrade()                       # create or upgrade the schema (Alembic)
    with store.transaction() as session:  # commit at the end, roll back on an exception
        ...
        with store.transaction():         # nested: a savepoint in the same session
            ...

A ledger holds one or more practices (``store.tenancy``). ``store.scoped(practice_id)`` is a
store whose sessions see that practice only; a store made without one works in the ledger's only
practice, and refuses (``ConfigError``, naming the practices) when the ledger holds several.
``store.across_practices()`` reads the whole deployment.

On SQLite every ``transaction()`` starts with ``BEGIN IMMEDIATE``, so writers queue for the
single write lock (up to ``busy_timeout``) instead of failing half-way, and the file runs in
WAL mode so readers (``store.read()``) are never blocked; a SQLite file claimbridge creates is
0600 in a 0700 folder. SQLAlchemy errors are turned into ``StoreError`` here, with the
database's message but never the statement's parameters (they can hold PHI); a URL is shown
only through ``display_url``, which hides its password.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.orm import Session

from claimbridge.atomic import create_private_file
from claimbridge.errors import ConfigError, StoreError
from claimbridge.store.tables import PracticeRow
from claimbridge.store.tenancy import (
    ALL_PRACTICES,
    Scope,
    close_scope,
    open_scope,
    tell_postgresql,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30.0
_BEGIN = "claimbridge_sqlite_begin"
_PASSWORD_IN_URL = re.compile(r"(://[^/@:]*:)[^/@]*@")


class Store:
    """The ledger database at ``url`` (any SQLAlchemy URL; SQLite and PostgreSQL are tested)."""

    def __init__(self, url: str, *, _engine: Engine | None = None) -> None:
        self.url = url
        self.engine = _engine or _create_engine(url)
        self._password = self.engine.url.password
        self._reader = self.engine.execution_options(**{_BEGIN: "BEGIN"})
        self._active: ContextVar[Session | None] = ContextVar(f"session-{id(self)}", default=None)
        self._practice_id: int | None = None

    def __repr__(self) -> str:
        return f"Store({display_url(self.url)!r})"

    def scoped(self, practice_id: int) -> Store:
        """A store over the same database whose sessions see the practice ``practice_id`` only."""
        store = Store(self.url, _engine=self.engine)
        store._practice_id = practice_id
        return store

    @property
    def practice_id(self) -> int:
        """The practice this store works in (the ledger's only one when none was given)."""
        scope = self._scope()
        if not isinstance(scope, int):
            raise ConfigError("the ledger holds no practice yet: load a practice file first")
        return scope

    def _scope(self) -> Scope:
        if self._practice_id is None:
            self._practice_id = _only_practice(self)
        return self._practice_id

    @contextmanager
    def across_practices(self, write: bool = False) -> Iterator[Session]:
        """A session over the whole deployment, every practice's rows: listing practices,
        scheduling their work, adding one (``write``)."""
        bind = self.engine if write else self._reader
        with self._session(bind, ALL_PRACTICES) as session, session.begin():
            yield session

    @contextmanager
    def _session(self, bind: Engine, scope: Scope) -> Iterator[Session]:
        with (
            translate_errors(self._password),
            Session(bind, expire_on_commit=False) as session,
        ):
            token = open_scope(session, scope)
            try:
                yield session
            finally:
                close_scope(token)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in a transaction; nested calls use a savepoint of the outer one."""
        outer = self._active.get()
        if outer is not None:
            with translate_errors(self._password), outer.begin_nested():
                yield outer
            return
        with self._session(self.engine, self._scope()) as session:
            token = self._active.set(session)
            try:
                with session.begin():
                    yield session
            finally:
                self._active.reset(token)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only; on SQLite it does not take the write lock."""
        with self._session(self._reader, self._scope()) as session, session.begin():
            yield session

    def upgrade(self) -> str:
        """Create the schema or bring it to the newest revision; returns that revision."""
        self.migrate("head")
        return self.head_revision()

    def migrate(self, revision: str, down: bool = False) -> None:
        """Bring the schema up (or ``down``) to ``revision``, in one transaction. On SQLite a
        revision that rebuilds a table others refer to (a changed check) needs foreign keys
        off while it runs; they are checked before the transaction commits."""
        move = command.downgrade if down else command.upgrade
        with (
            translate_errors(self._password),
            self.engine.connect() as connection,
            _foreign_keys_off(connection),
            connection.begin(),
        ):
            tell_postgresql(connection, ALL_PRACTICES)  # revisions that move rows see them all
            move(_alembic_config(connection), revision)
            _check_foreign_keys(connection)

    def current_revision(self) -> str | None:
        """The revision the database is at; None for an empty database. A read: on SQLite it
        does not wait for a writer."""
        with translate_errors(self._password), self._reader.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str:
        """The newest revision this version of claimbridge knows."""
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        assert head is not None, "the migrations folder has no revision"
        return head

    def require_current(self) -> None:
        """``ConfigError`` unless the schema is at the newest revision."""
        current = self.current_revision()
        if current != self.head_revision():
            state = "empty" if current is None else f"at revision {current}"
            raise ConfigError(f"the ledger database is {state}: run 'claimbridge init' first")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _only_practice(store: Store) -> int | None:
    """The ledger's one practice; None when it has none; ``ConfigError`` when it has several."""
    with store.across_practices() as session:
        found = session.execute(select(PracticeRow.id, PracticeRow.key).limit(21)).all()
    if len(found) <= 1:
        return found[0].id if found else None
    keys = ", ".join(sorted(key for _, key in found[:20])) + (", …" if len(found) > 20 else "")
    raise ConfigError(
        f"the ledger holds {len(found) if len(found) <= 20 else 'more than 20'} practices "
        f"({keys}): choose one with --practice KEY or CLAIMBRIDGE_PRACTICE"
    )


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off on ``connection`` until the block ends (outside a transaction:
    SQLite ignores the pragma inside one); nothing on other databases."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(connection: Connection) -> None:
    """``StoreError`` when a row refers to a row that is not there (SQLite, after a migration
    ran with foreign keys off)."""
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
        if broken is not None:
            raise StoreError(f"the migration left a row of {broken[0]} referring to nothing")


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def display_url(url: str) -> str:
    """``url`` as messages and logs may show it: any password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        masked = _PASSWORD_IN_URL.sub(r"\1***@", url)
        return masked if "@" not in masked.replace("***@", "") else "***@" + url.rsplit("@", 1)[1]


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database, an in-memory one or no URL."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:") or parsed.query.get("uri"):
        return None
    return Path(database)


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return create_engine(parsed, pool_pre_ping=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    except (NoSuchModuleError, ImportError) as error:
        raise ConfigError(f"cannot use the database URL {display_url(url)}: {error}") from None
    except (ArgumentError, ValueError):
        # The error of an unreadable URL quotes the URL, password and all: never shown.
        raise ConfigError(
            f"{display_url(url)} is not a database URL: write sqlite:///path/to/ledger.db or "
            "postgresql+psycopg://user:password@host:port/database"
        ) from None
    path = sqlite_path(url)
    if path is not None:
        create_private_file(path)  # 0600 before SQLite creates it; -wal and -shm follow suit
    _prepare_sqlite(engine, in_memory=parsed.database in (None, "", ":memory:"))
    return engine


def _prepare_sqlite(engine: Engine, in_memory: bool) -> None:
    """Foreign keys on, WAL, and transactions begun by us (``BEGIN IMMEDIATE`` for writes)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not issue BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(
            connection.get_execution_options().get(_BEGIN, "BEGIN IMMEDIATE")
        )


@contextmanager
def translate_errors(password: str | None = None) -> Iterator[None]:
    """Turn any SQLAlchemy error raised inside into a ``StoreError`` with a plain message, in
    which the database ``password`` never appears (a driver may quote its connection string)."""
    try:
        yield
    except SQLAlchemyError as error:
        message = describe_error(error)
        if password:
            message = message.replace(password, "***")
        raise StoreError(message) from None


def describe_error(error: SQLAlchemyError) -> str:
    """What went wrong, in one line, without the statement or its parameters."""
    if isinstance(error, IntegrityError):
        return f"the ledger refused the change: {_first_line(error.orig)}"
    if isinstance(error, OperationalError):
        return f"the ledger database is not usable: {_first_line(error.orig)}"
    if isinstance(error, DBAPIError):
        return f"the ledger database failed: {_first_line(error.orig)}"
    if isinstance(error, StatementError) and error.orig is not None:
        return f"a value cannot be stored: {_first_line(error.orig)}"
    return f"the ledger failed: {type(error).__name__}"


def _first_line(cause: BaseException | None) -> str:
    text = str(cause or "").strip()
    return text.splitlines()[0] if text else type(cause).__name__
