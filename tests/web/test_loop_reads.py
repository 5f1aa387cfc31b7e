"""The event loop's own connection: each read in a transaction of its own, one connection
reused, and a connection the server dropped opened again for the read."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from guanai.web.loop_reads import LoopReads


def backend(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_reads_reuse_one_connection_and_leave_no_transaction_open(engine: Engine) -> None:
    reads = LoopReads(engine)
    first = reads.run(lambda connection: connection.connection.dbapi_connection)
    assert reads.run(lambda connection: connection.connection.dbapi_connection) is first
    assert not reads.run(lambda connection: connection).in_transaction()
    reads.close()


def test_an_error_in_a_read_is_the_callers(engine: Engine) -> None:
    reads = LoopReads(engine)
    with pytest.raises(DBAPIError):
        reads.run(lambda connection: connection.execute(text("SELECT * FROM no_such_table")))
    assert reads.run(lambda connection: connection.execute(text("SELECT 1")).scalar_one()) == 1
    reads.close()


def test_a_connection_the_server_dropped_is_opened_again(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("only a server can drop a connection")
    reads = LoopReads(engine)
    dropped = reads.run(backend)
    with engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    assert reads.run(backend) != dropped
    reads.close()
