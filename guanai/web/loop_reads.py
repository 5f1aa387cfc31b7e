"""One database connection of a worker's own, for a read short enough to run on the event loop.

A cached feed request is one indexed query of about a tenth of a millisecond; handing it to a
worker thread and back costs more than the query and, measured with wrk on two CPUs, cut the
rate of 304 answers to a third (1,450 a second in threads, 5,000 on the loop). The query then
runs on the loop thread, on this connection only: the loop runs one callback at a time, so
the connection is never shared, and it never waits for the pool, which the threads' renders
and pages may have drained. Anything longer (rendering a feed again, every page) stays in a
worker thread.

A connection the server dropped (a restarted PostgreSQL, an idle timeout) is opened again once
and the read retried; any other error is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


class LoopReads:
    """Reads on the event loop's own connection, each in a transaction of its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None

    def run(self, read: Callable[[Connection], T]) -> T:
        try:
            return self._once(read)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        return self._once(read)

    def _once(self, read: Callable[[Connection], T]) -> T:
        if self._connection is None:
            self._connection = self.engine.connect()
        try:
            return read(self._connection)
        except DBAPIError:
            self.close()
            raise
        finally:
            if self._connection is not None:
                self._connection.rollback()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
