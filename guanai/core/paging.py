"""Reading a big table in bounded memory: keyset pages.

``WHERE id > :last ORDER BY id LIMIT :size`` costs the same for the last page as for the first
(OFFSET would rescan every earlier row) and needs no server-side cursor, so a city's 260,000
children are read 5,000 at a time on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select
from sqlalchemy.orm import Session

PAGE_SIZE = 5_000


def keyset_pages(
    session: Session,
    query: Select[Any],
    key: ColumnElement[int],
    *,
    size: int | None = None,
) -> Iterator[Sequence[Row[Any]]]:
    """The rows of ``query`` in pages of ``size``, ordered by the unique ``key``.

    ``key`` must also be the first column that ``query`` selects.
    """
    size = size or PAGE_SIZE
    last: int | None = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = session.execute(page.order_by(key).limit(size)).all()
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = rows[-1][0]
