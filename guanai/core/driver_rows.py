"""Reading one row of a precompiled statement through whatever holds a driver connection.

A query on every request of a hot path (a feed's token) is compiled once and run at the
driver's level (:func:`~guanai.core.feeds.tokens.find_live`). What runs it is either a
SQLAlchemy connection, inside the caller's transaction (:class:`ConnectionRows`), or anything
else with a dialect and a ``row`` method: the web server's own autocommit connection on its
event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, Dialect


class DriverRows(Protocol):
    """Runs a statement in its dialect's parameter style and gives its first row."""

    @property
    def dialect(self) -> Dialect: ...

    def row(self, sql: str, parameters: Any) -> Sequence[Any] | None: ...


class ConnectionRows:
    """:class:`DriverRows` on a SQLAlchemy connection, in its current transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @property
    def dialect(self) -> Dialect:
        return self.connection.dialect

    def row(self, sql: str, parameters: Any) -> Sequence[Any] | None:
        return self.connection.exec_driver_sql(sql, parameters).first()


def driver_rows(source: DriverRows | Connection) -> DriverRows:
    return ConnectionRows(source) if isinstance(source, Connection) else source
