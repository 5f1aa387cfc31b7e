"""Engines, sessions and schema upgrades.

Data functions take a session as their first argument and never commit: the entry point (a CLI
command, a tick, a dashboard action) owns the transaction, so a write spanning rows is atomic.

On SQLite, a unit of work (:func:`transaction`) starts with ``BEGIN IMMEDIATE``: it holds the
database's write lock from its first read, so what it checked (an ID number not yet taken, the
states a re-plan read) is still true when it writes. Python's sqlite3 module would otherwise
run the reads outside any transaction and begin only at the first write, and two imports could
both find an ID number free. A plain session begins with ``BEGIN`` (a read snapshot in WAL).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from guanai.core.errors import ConfigError
from guanai.core.i18n import Label

MIGRATIONS = "guanai.core:migrations"
CURRENT_FOR = 5.0
"""Seconds a database found current is trusted to stay so (:func:`confirmed_current`)."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their directory, foreign keys and WAL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(Label(f"数据库地址无效：{url}", f"invalid database URL: {url}")) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database).expanduser())
        # isolation_level=None: the driver leaves transactions to us (see _sqlite_begin)
        engine = create_engine(parsed, connect_args={"timeout": 30, "isolation_level": None})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True, connect_args=_server_connect_args(parsed))


def may_exist(url: str) -> bool:
    """Whether the database of ``url`` may be there: False only for a SQLite file that is not,
    so that a read can be skipped without creating it (a server's is asked by connecting)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return True  # let connecting say what is wrong with it
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return True
    return parsed.database == ":memory:" or Path(parsed.database).expanduser().exists()


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds the children's records;
    SQLite gives its -wal and -shm files the same mode), in a folder made private too."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        status = path.stat()
        if status.st_uid == os.getuid() and status.st_mode & 0o077:
            path.chmod(0o600)  # one made before guanai did this


def _server_connect_args(url: URL) -> dict[str, object]:
    """libpq settings so that a server that vanishes is noticed, not waited on for ever:
    a connect timeout, and TCP keepalives that give up on a silent peer in about a minute."""
    if url.get_backend_name() != "postgresql":
        return {}
    return {
        "connect_timeout": 10,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_WRITE_LOCK = "guanai_write_lock"
"""Execution option of a unit of work's connection: on SQLite, take the write lock at BEGIN."""


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine, *, snapshot: bool = False) -> Iterator[Session]:
    """One unit of work: commits if the block succeeds, rolls back everything if it raises.

    ``snapshot``: every statement reads one snapshot of the database (a long export paging
    through it): PostgreSQL's REPEATABLE READ; SQLite's write lock already makes it serial."""
    options: dict[str, object] = {_WRITE_LOCK: True}
    if snapshot and engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with session_factory(engine)() as session, session.begin():
        # before the first statement: the options apply when the transaction begins
        session.connection(execution_options=options)
        yield session


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create the schema or bring it to the newest revision."""
    command.upgrade(alembic_config(engine), "head")


@cache
def head_revision() -> str | None:
    """The newest migration this installed package ships: read once per process (parsing the
    migration scripts on every request would cost a web page more than its own queries)."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config).get_current_head()


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head_revision()


_current_until: WeakKeyDictionary[Engine, float] = WeakKeyDictionary()


def confirmed_current(engine: Engine) -> bool:
    """:func:`is_current`, asked again only :data:`CURRENT_FOR` seconds after it last said yes.

    Every user action checks the schema first; asking each time costs a connection and a
    catalogue read (about 1.4 ms of a 10 ms teacher's page on SQLite). A database is upgraded
    only by ``guanai init`` of a newer release, so a server still running the older one
    refuses its actions within seconds; one found out of date is asked again every time."""
    now = time.monotonic()
    if _current_until.get(engine, 0.0) > now:
        return True
    if not is_current(engine):
        return False
    _current_until[engine] = now + CURRENT_FOR
    return True
