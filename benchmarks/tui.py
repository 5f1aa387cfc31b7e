"""The dashboard's Children panel on a city's roster: first paint and per-keystroke latency.

A city in the plans counts about 260,000 left-behind children in about a thousand schools
(:mod:`guanai.core.demo` synthetic schools: 1,000 schools of 260 children by default). The
database is built once with guanai's migrations and cached at ``--db`` (building takes minutes;
``--rebuild`` forces it). The term is not planned: the panel's rows do not depend on tasks
beyond the last talk, read for the rows of one page through the task table's child index.

Then the real app (:class:`guanai.tui.GuanaiApp`, built-in plugins plus the Children panel)
runs under ``App.run_test`` at 80x24, as the coordinator of a single-user install who sees
every school, and the script measures:

* **first paint**: from pressing the Children tab's number key to the first page of rows in
  the table (and, separately, to the total count from SQL, which is read after the page);
* **keystroke latency**: for each key typed into the search box, from the key press to the
  table showing that search's rows. This includes the panel's debounce
  (:data:`guanai.plugins.dashboard.children.DEBOUNCE`); the figure without it is printed too;
* **filter keys**: the same for each filter key (unpaired, incomplete record, key target).

It prints median, p95 and max; it is a benchmark that prints figures, not a timed test.

Usage: ``python benchmarks/tui.py [--db PATH] [--schools N] [--children-per-school N]
[--rebuild] [--rounds N]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from guanai import hookimpl
from guanai.core import db, demo
from guanai.core.config import Settings
from guanai.core.models import Child
from guanai.core.pm import build_plugin_manager
from guanai.core.schools import SCHOOL_TIMEZONE
from guanai.plugins.dashboard.children import DEBOUNCE, ChildrenPanel
from guanai.service import Guanai
from guanai.tui import GuanaiApp, RosterFilter, RosterPage

NOW = datetime(2026, 10, 20, 8, 0, tzinfo=SCHOOL_TIMEZONE)
SEARCHES = ("王", "王子", "李", "2026", "202601", "20260100", "张")
FILTER_KEYS = ("u", "u", "i", "i", "k", "k")


def build(path: Path, schools: int, per_school: int) -> float:
    """Create the database at ``path`` (replacing it); return the seconds taken."""
    partial = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    engine = db.make_engine(f"sqlite:///{partial}")
    db.upgrade(engine)
    with db.transaction(engine) as session:
        demo.create_synthetic_schools(session, schools=schools, children_per_school=per_school)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    partial.replace(path)
    return time.perf_counter() - started


class TimedChildrenPanel(ChildrenPanel):
    """The Children panel, noting when each page and each count reached the screen.

    Its own ``panel_id``, so that it is a tab of its own beside the built-in Children panel.
    """

    panel_id = "children-benchmark"

    def on_mount(self) -> None:
        super().on_mount()
        self.shown: list[tuple[float, RosterFilter]] = []
        self.counted: list[tuple[float, RosterFilter]] = []

    def _show_page(self, wanted: RosterFilter, page: RosterPage, start: int) -> None:
        super()._show_page(wanted, page, start)
        if wanted == self.wanted:
            self.shown.append((time.perf_counter(), wanted))

    def _show_total(self, wanted: RosterFilter, total: int) -> None:
        super()._show_total(wanted, total)
        if wanted == self.wanted:
            self.counted.append((time.perf_counter(), wanted))


class TimedPanelPlugin:
    @hookimpl
    def register_panels(self, register: Callable[[type], None]) -> None:
        register(TimedChildrenPanel)


async def grown(events: list[tuple[float, RosterFilter]], seen: int, limit: float = 120.0) -> float:
    """Wait until ``events`` has more than ``seen`` entries; return the newest one's time."""
    deadline = time.perf_counter() + limit
    while len(events) <= seen:
        if time.perf_counter() > deadline:
            raise TimeoutError("the panel did not show the rows in time")
        await asyncio.sleep(0.002)
    return events[-1][0]


async def measure(path: Path, rounds: int) -> dict[str, list[float]]:
    engine = db.make_engine(f"sqlite:///{path}")
    pm = build_plugin_manager(load_entry_points=False)
    pm.register(TimedPanelPlugin(), name="benchmark-children")
    service = Guanai(
        Settings(database_url=str(engine.url)), pm, "benchmark", engine=engine, clock=lambda: NOW
    )
    app = GuanaiApp(service)
    figures: dict[str, list[float]] = {"first page": [], "first count": [], "keystroke": []}
    figures["filter key"] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(1.0)  # the first tab (Today) has loaded
        panel = app.query_one(TimedChildrenPanel)
        number = [p.panel_id for p in app.panels].index(panel.panel_id) + 1
        for _ in range(rounds):
            other = 1 if number != 1 else 2
            await pilot.press(str(other))
            await pilot.pause(0.5)
            pages, counts = len(panel.shown), len(panel.counted)
            pressed = time.perf_counter()
            await pilot.press(str(number))
            figures["first page"].append(await grown(panel.shown, pages) - pressed)
            figures["first count"].append(await grown(panel.counted, counts) - pressed)
            await pilot.press("slash")
            for search in SEARCHES:
                await pilot.press("ctrl+a", "ctrl+k")
                await pilot.pause(0.3)
                for key in search:
                    seen = len(panel.shown)
                    pressed = time.perf_counter()
                    await pilot.press(key)
                    figures["keystroke"].append(await grown(panel.shown, seen) - pressed)
                    await pilot.pause(0.05)
            await pilot.press("ctrl+a", "ctrl+k", "escape")
            await pilot.pause(0.5)
            for key in FILTER_KEYS:
                seen = len(panel.shown)
                pressed = time.perf_counter()
                await pilot.press(key)
                figures["filter key"].append(await grown(panel.shown, seen) - pressed)
                await pilot.pause(0.05)
        await pilot.press("q")
    engine.dispose()
    return figures


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{name:<28} n={len(ms):<3} median {statistics.median(ms):7.1f} ms"
        f"   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "guanai-city.db")
    parser.add_argument("--schools", type=int, default=1_000)
    parser.add_argument("--children-per-school", type=int, default=260)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    wanted = options.schools * options.children_per_school
    if options.rebuild or not options.db.exists():
        print(f"building {wanted:,} children in {options.db} …", flush=True)
        seconds = build(options.db, options.schools, options.children_per_school)
        print(f"built in {seconds:.0f} s")
    engine = db.make_engine(f"sqlite:///{options.db}")
    with db.session_factory(engine)() as session:
        children = session.scalar(select(func.count()).select_from(Child)) or 0
    engine.dispose()
    if children != wanted:
        sys.exit(f"{options.db} holds {children:,} children, not {wanted:,}: use --rebuild")
    print(f"{children:,} children, SQLite, 80x24, {options.rounds} rounds")
    figures = asyncio.run(measure(options.db, options.rounds))
    for name, seconds in figures.items():
        print(summary(name, seconds))
    without = [s - DEBOUNCE for s in figures["keystroke"]]
    print(summary(f"keystroke − {DEBOUNCE * 1000:.0f} ms debounce", without))


if __name__ == "__main__":
    main()
