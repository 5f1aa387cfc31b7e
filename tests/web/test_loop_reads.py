"""The event loop's own connections: each read in a transaction of its own (a driver-level
row in autocommit), one connection reused, and a connection the server dropped opened again
for the read."""

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


def test_driver_rows_reuse_one_connection_out_of_the_pool_in_autocommit(engine: Engine) -> None:
    reads = LoopReads(engine)
    assert reads.row("SELECT 1", ()) == (1,)
    driver = reads._driver
    assert reads.row("SELECT 2", ()) == (2,)
    assert reads._driver is driver
    assert driver is not None
    if engine.dialect.name == "postgresql":
        assert driver.dbapi_connection.info.transaction_status.name == "IDLE"  # type: ignore[union-attr]
    else:
        assert not driver.dbapi_connection.in_transaction  # type: ignore[union-attr]
    assert engine.pool.checkedout() == 0, "detached: never handed back to the pool"
    reads.close()
    assert reads._driver is None


def test_a_driver_row_no_statement_found_is_none(engine: Engine) -> None:
    reads = LoopReads(engine)
    assert reads.row("SELECT 1 WHERE 1 = 0", ()) is None
    reads.close()


def test_an_error_in_a_driver_row_is_the_callers_and_the_next_row_is_read(engine: Engine) -> None:
    reads = LoopReads(engine)
    with pytest.raises(engine.dialect.loaded_dbapi.Error):
        reads.row("SELECT * FROM no_such_table", ())
    assert reads.row("SELECT 1", ()) == (1,)
    reads.close()


def test_a_driver_connection_the_server_dropped_is_opened_again(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("only a server can drop a connection")
    reads = LoopReads(engine)
    row = reads.row("SELECT pg_backend_pid()", ())
    assert row is not None
    with engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": row[0]})
    again = reads.row("SELECT pg_backend_pid()", ())
    assert again is not None and again[0] != row[0]
    reads.close()
