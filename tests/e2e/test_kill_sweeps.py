"""``guanai import`` and ``guanai plan`` killed with SIGKILL at random points, many times: each
kill leaves the database exactly as before the command or exactly as after it, never corrupt,
and a complete run afterwards gives what an unkilled run gives (how: :mod:`kill_sweep`).

Beside the daemon's sweep (``test_daemon_faults.py``). The printed line says the seed, where
the kills landed and how long the sweep took.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from daemon_samples import plan_demo
from kill_sweep import DatabaseCopies, PostgresCopies, SqliteCopies, sweep
from roster_samples import add_school, child, write_roster
from sqlalchemy import Engine

from guanai.core.calendar import shipped_calendars
from guanai.core.db import transaction

pytestmark = pytest.mark.slow

KILLS = 20
SEED = 20261202
ROSTER_ROWS = 2000  # 2,000 children, 2,000 guardians, 4,000 parents, 2,000 history rows
DEMO_CHILDREN = 500
# Two closures that move a large share of the term's tasks; each leaves school days in every
# window the shipped plan names (a window with none is refused before anything is written).
CLOSURES = """
[[holidays]]
name = "停课"
name_en = "School closed"
starts_on = 2026-10-13
ends_on = 2026-10-22

[[holidays]]
name = "停课"
name_en = "School closed"
starts_on = 2026-12-01
ends_on = 2026-12-11
"""


def copies_of(
    engine: Engine, database_url: str, request: pytest.FixtureRequest, folder: Path
) -> DatabaseCopies:
    if engine.dialect.name == "sqlite":
        return SqliteCopies(engine, folder)
    engine.dispose()  # the database becomes the copies' template: no connection may remain
    return PostgresCopies(request.getfixturevalue("_postgres_admin"), database_url)


def test_an_import_killed_anywhere_keeps_all_of_it_or_none(
    engine: Engine, database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with transaction(engine) as session:
        add_school(session)
    roster = write_roster(tmp_path / "roster.csv", (child(n) for n in range(1, ROSTER_ROWS + 1)))
    args = ("import", str(roster), "--school", "S1", "--now", "2026-09-01T08:00")
    with copies_of(engine, database_url, request, tmp_path) as copies:
        result = sweep(copies, args, kills=KILLS, seed=SEED)
    print(f"\nguanai import, {ROSTER_ROWS} rows, {engine.dialect.name}, seed {SEED}: {result}")
    assert result.landed["rolled back"] >= KILLS // 4, "the kills reached into the import"


def test_a_replan_killed_anywhere_keeps_all_of_it_or_none(
    engine: Engine, database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    plan_demo(engine, children=DEMO_CHILDREN)
    shipped = shipped_calendars()["2026-autumn"].read_text(encoding="utf-8")
    closures = tmp_path / "closures.toml"
    closures.write_text(shipped + CLOSURES, encoding="utf-8")
    args = ("plan", str(closures), "--now", "2026-08-26T08:00")
    with copies_of(engine, database_url, request, tmp_path) as copies:
        result = sweep(copies, args, kills=KILLS, seed=SEED)
    print(f"\nguanai plan, {DEMO_CHILDREN} children, {engine.dialect.name}, seed {SEED}: {result}")
    assert result.landed["rolled back"] >= KILLS // 4, "the kills reached into the plan"
