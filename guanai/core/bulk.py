"""Set-based writes of many rows in one round trip per batch.

SQLAlchemy's generic executemany spends most of its time building and processing a parameter
dictionary per row; at planning scale (millions of tasks) that is the bottleneck. Here rows
travel as tuples straight to the driver: ``executemany`` on SQLite, ``COPY`` on PostgreSQL
(psycopg 3), and SQLAlchemy's executemany for any other database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

BATCH = 20_000


def _sqlite_batch(batch: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``batch`` with dates and times as the text SQLAlchemy's SQLite types store.

    Converting value by value in Python cost more than SQLite's own insert, so the batch is
    turned into columns, only columns holding dates are touched, and each distinct value is
    converted once (a term has about a hundred school days and a batch 20,000 rows).
    """
    columns: list[Sequence[Any]] = list(zip(*batch, strict=True))
    converted = False
    for index, column in enumerate(columns):
        text = {v: _sqlite_text(v) for v in set(column) if isinstance(v, date)}
        if text:
            columns[index] = list(map(text.get, column, column))
            converted = True
    return list(zip(*columns, strict=True)) if converted else batch


def _sqlite_text(value: date) -> str:
    if isinstance(value, datetime):
        # As guanai.core.models.UTCDateTime stores it: UTC, without an offset.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; return how many.

    Runs on the session's connection, inside its transaction. Only plain values (int, str,
    bool, date, None) are supported on the fast paths.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    names = ", ".join(columns)
    count = 0
    iterator = iter(rows)
    if dialect == "postgresql" and connection.dialect.driver == "psycopg":
        import psycopg

        statement = f"COPY {table.name} ({names}) FROM STDIN"
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(statement) as copy:
                for row in iterator:
                    copy.write_row(row)
                    count += 1
        except psycopg.Error as error:
            # as SQLAlchemy raises it for its own statements (IntegrityError, DataError...),
            # without the rows, which may be private
            raise DBAPIError.instance(
                statement, None, error, psycopg.Error, hide_parameters=True
            ) from None
        return count
    while batch := list(islice(iterator, BATCH)):
        if dialect == "sqlite":
            placeholders = ", ".join("?" * len(columns))
            connection.exec_driver_sql(
                f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})",
                _sqlite_batch(batch),
            )
        else:
            connection.execute(
                insert(table), [dict(zip(columns, row, strict=True)) for row in batch]
            )
        count += len(batch)
    return count
