"""Two imports racing with one ID number: one succeeds, the other is refused in words.

The race is forced: the first import is held, by events, after it has checked its file (where
the bug lived: both found the number free) until the second has run. On PostgreSQL the second
runs to its end meanwhile and the database refuses the first's write; the service checks the
file again and names the row. On SQLite the second waits for the first's write lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from roster_samples import add_school, child, id_number, write_roster
from sqlalchemy import Engine, func, select

from guanai.core.config import Settings
from guanai.core.db import transaction
from guanai.core.models import Child
from guanai.core.pm import build_plugin_manager
from guanai.core.roster import importer
from guanai.core.roster.importer import RosterRejected
from guanai.service import Guanai

SHARED_ID = id_number(date(2019, 3, 3), 777)
WAIT = 60  # seconds: only a broken test waits this long


@pytest.fixture
def held_import(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, ...]]:
    """The first import to check its file sets ``checked`` and waits for ``go`` before it
    writes; every later check goes straight on."""
    checked, go = threading.Event(), threading.Event()
    check = importer._check
    first = threading.Lock()

    def held(*args: Any, **kwargs: Any) -> Any:
        result = check(*args, **kwargs)
        if first.acquire(blocking=False):
            checked.set()
            assert go.wait(WAIT), "the test never let the first import go on"
        return result

    monkeypatch.setattr(importer, "_check", held)
    yield checked, go
    go.set()


def test_two_imports_racing_with_one_id_number_one_succeeds_one_is_refused(
    engine: Engine, database_url: str, tmp_path: Path, held_import: tuple[threading.Event, ...]
) -> None:
    with transaction(engine) as session:
        add_school(session)
    service = Guanai(
        Settings(database_url=database_url),
        build_plugin_manager(load_entry_points=False),
        "关爱办",
        engine=engine,
    )
    files = [
        write_roster(
            tmp_path / f"{n}.csv",
            [child(n, **{"child.id_number": SHARED_ID, "child.birth_date": "2019-03-03"})],
        )
        for n in (1, 2)
    ]
    outcomes: dict[int, Any] = {}

    def importing(n: int) -> threading.Thread:
        def run() -> None:
            try:
                outcomes[n] = service.import_roster(files[n])
            except BaseException as error:
                outcomes[n] = error

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    checked, go = held_import
    first = importing(0)
    assert checked.wait(WAIT)
    second = importing(1)
    if engine.dialect.name == "postgresql":
        second.join(WAIT)  # it checks and writes while the first holds its check
        assert 1 in outcomes
    go.set()
    first.join(WAIT)
    second.join(WAIT)

    refused = {n: o for n, o in outcomes.items() if isinstance(o, BaseException)}
    assert len(outcomes) == 2 and len(refused) == 1, outcomes
    [error] = refused.values()
    assert isinstance(error, RosterRejected), error
    [problem] = error.report.problems
    assert (problem.row, problem.column) == (2, "身份证号")
    assert "身份证号已属于本校另一名学生" in problem.reason.zh
    with engine.connect() as connection:
        holders = connection.scalar(
            select(func.count()).select_from(Child).where(Child.id_number == SHARED_ID)
        )
    assert holders == 1
    service.close()
