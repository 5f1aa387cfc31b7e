"""Engines, sessions and schema upgrades.

Data functions take a session as their first argument and never commit: the entry point (a CLI
command, a tick, a dashboard action) owns the transaction, so a write spanning rows is atomic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from guanai.core.errors import ConfigError
from guanai.core.i18n import Label

MIGRATIONS = "guanai.core:migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their directory, foreign keys and WAL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(Label(f"数据库地址无效：{url}", f"invalid database URL: {url}")) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, connect_args=_server_connect_args(parsed))


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


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits if the block succeeds, rolls back everything if it raises."""
    with session_factory(engine)() as session, session.begin():
        yield session


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create the schema or bring it to the newest revision."""
    command.upgrade(alembic_config(engine), "head")


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
