"""Planning a term at school and city scale, next to a raw ``sqlite3`` executemany.

Scales (``--scale``):

* ``school``: one school of 3,000 left-behind children. The synthetic schools have two
  classes per grade, which would give each head teacher 250 children, each with a monthly talk
  and a monthly family phone call, under a cap of three tasks a day. This school gets twenty
  classes per grade instead (120 classes of 25), so every duty fits under the cap.
* ``city``: 1,000 schools of 260 children (260,000 children, about 5.8 million tasks).
* ``tiny``: five schools of 60 children, a smoke run of this script.

For each scale the script creates a fresh SQLite file database (``make_engine`` + migrations),
generates the synthetic schools, and then plans the shipped ``2026-autumn`` calendar with the
built-in plugins in one transaction. Planning runs in a child process (multiprocessing,
``spawn``) so that its peak RSS (``ru_maxrss``) covers planning alone, not generation or the
baseline; a second child re-plans the same data (no changes: what a school runs after every
calendar edit).

The baseline copies the task rows planning just wrote, streamed in primary-key order in chunks,
into an empty ``task`` table of a second database created by the same migrations (same
columns, indexes and unique constraint) with plain ``sqlite3`` ``executemany`` in one
transaction. The baseline database gets guanai's own connection PRAGMAs (foreign keys ON, WAL,
synchronous=NORMAL), so before the timed part the parent rows the foreign keys point at
(schools, teachers, classes, children, activities) are copied in untimed; both sides then pay
for the same foreign-key and index checks per row. Only the inserts and the commit are timed.

Rows written by planning are tasks plus activities; the raw rate counts tasks only. Plan wall
time includes the commit, as does the baseline's. This is a benchmark that prints figures,
not a timed test.

Usage: ``python benchmarks/plan.py [--scale tiny|school|city|both] [--db-dir DIR] [--keep]``
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from guanai.core import db, demo
from guanai.core.calendar import load_calendar
from guanai.core.planner import TASK_COLUMNS, plan_term
from guanai.core.pm import build_plugin_manager

CALENDAR = "2026-autumn"
CAP = 3  # guanai's default max_tasks_per_teacher_per_day
PLANNED_AT = datetime(2026, 8, 20, 9, 0, tzinfo=UTC)
CHUNK = 20_000  # task rows read and inserted per executemany by the baseline
# A head teacher has two spread duties per child a month (talk, family phone call); January
# has 17 school days outside the exams, so 17 x 3 = 51 slots fit 25 children.
CHILDREN_PER_CLASS = 25
# Parent tables of ``task`` (foreign keys), parents first: copied untimed into the baseline.
PARENTS = ("school", "teacher", "school_class", "child", "term", "activity")


@dataclass(frozen=True)
class Scale:
    name: str
    schools: int
    children_per_school: int

    @property
    def children(self) -> int:
        return self.schools * self.children_per_school

    @property
    def classes_per_grade(self) -> int:
        """Enough classes that a head teacher's monthly duties fit under the daily cap."""
        per_grade = self.children_per_school / (len(demo.GRADES) * CHILDREN_PER_CLASS)
        return max(demo.CLASSES_PER_GRADE, math.ceil(per_grade))


SCALES = {
    "tiny": Scale("tiny", 5, 60),
    "school": Scale("school", 1, 3_000),
    "city": Scale("city", 1_000, 260),
}


class Stopwatch:
    """Wall-clock and CPU time (of this process) over the intervals between start and stop.

    On a shared machine the wall-clock ratio moves with other processes' load; the CPU-time
    ratio (SQLite runs in-process on both sides, and WAL with synchronous=NORMAL does not
    sync on commit) is the steadier comparison, so both are reported.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self._started: tuple[float, float] | None = None

    def start(self) -> None:
        self._started = (time.perf_counter(), time.process_time())

    def stop(self) -> None:
        assert self._started is not None
        wall, cpu = self._started
        self.seconds += time.perf_counter() - wall
        self.cpu_seconds += time.process_time() - cpu
        self._started = None


@dataclass(frozen=True)
class PlanRun:
    """What one planning child process measured."""

    seconds: float
    cpu_seconds: float
    tasks: int
    activities: int
    unchanged: int
    over_capacity: int
    peak_rss_kib: int

    @property
    def rows(self) -> int:
        return self.tasks + self.activities


@dataclass(frozen=True)
class Result:
    scale: Scale
    generate_seconds: float
    plan: PlanRun
    replan: PlanRun
    raw_rows: int
    raw: Stopwatch


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _fresh_database(path: Path) -> None:
    """Remove ``path`` (and its WAL files) and create the schema with guanai's migrations."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = db.make_engine(_url(path))
    db.upgrade(engine)
    engine.dispose()


def generate(path: Path, scale: Scale) -> float:
    """Create the database and its synthetic schools; return the seconds taken."""
    _fresh_database(path)
    engine = db.make_engine(_url(path))
    started = time.perf_counter()
    with db.transaction(engine) as session:
        demo.create_synthetic_schools(
            session,
            schools=scale.schools,
            children_per_school=scale.children_per_school,
            classes_per_grade=scale.classes_per_grade,
        )
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def _plan_in_child(path: str) -> PlanRun:
    """Plan the term once, in one transaction; runs in a fresh (spawned) process."""
    calendar = load_calendar(CALENDAR)
    registry = build_plugin_manager(load_entry_points=False).activity_registry()
    engine = db.make_engine(_url(Path(path)))
    watch = Stopwatch()
    watch.start()
    with db.transaction(engine) as session:
        summary = plan_term(
            session,
            calendar,
            registry,
            actor="benchmark",
            now=PLANNED_AT,
            max_per_teacher_per_day=CAP,
        )
    watch.stop()
    engine.dispose()
    return PlanRun(
        seconds=watch.seconds,
        cpu_seconds=watch.cpu_seconds,
        tasks=summary.created,
        activities=summary.activities_created,
        unchanged=summary.unchanged,
        over_capacity=summary.over_capacity,
        peak_rss_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )


def plan_in_fresh_process(path: Path) -> PlanRun:
    """Run ``_plan_in_child`` in a new process so its peak RSS is the planning's own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_plan_in_child, str(path)).result()


def _connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with guanai's PRAGMAs and explicit transactions."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def raw_baseline(source: Path, target: Path) -> tuple[int, Stopwatch]:
    """Copy ``source``'s task rows into an empty ``task`` table with executemany.

    Returns the rows copied and the time of the inserts and the commit alone.
    """
    _fresh_database(target)
    connection = _connect(target)
    connection.execute("ATTACH DATABASE ? AS src", (str(source),))
    connection.execute("BEGIN")
    for table in PARENTS:  # untimed: the rows the task foreign keys point at
        connection.execute(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
    connection.execute("COMMIT")
    connection.close()

    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = _connect(target)
    names = ", ".join(TASK_COLUMNS)
    insert = f"INSERT INTO task ({names}) VALUES ({', '.join('?' * len(TASK_COLUMNS))})"
    cursor = reader.execute(f"SELECT {names} FROM task ORDER BY id")
    rows = 0
    watch = Stopwatch()
    watch.start()
    writer.execute("BEGIN")
    watch.stop()
    while chunk := cursor.fetchmany(CHUNK):  # read untimed, a chunk at a time
        watch.start()
        writer.executemany(insert, chunk)
        watch.stop()
        rows += len(chunk)
    watch.start()
    writer.execute("COMMIT")
    watch.stop()
    reader.close()
    writer.close()
    return rows, watch


def run(scale: Scale, directory: Path) -> Result:
    path = directory / f"plan-{scale.name}.db"
    print(
        f"[{scale.name}] generating {scale.schools:,} schools x {scale.children_per_school:,}",
        flush=True,
    )
    generate_seconds = generate(path, scale)
    print(f"[{scale.name}] generated in {generate_seconds:.1f} s; planning", flush=True)
    plan = plan_in_fresh_process(path)
    print(
        f"[{scale.name}] planned {plan.rows:,} rows in {plan.seconds:.1f} s; re-planning",
        flush=True,
    )
    replan = plan_in_fresh_process(path)
    if replan.rows or replan.unchanged != plan.tasks:
        print(f"[{scale.name}] WARNING: re-plan was not a no-op: {replan}", file=sys.stderr)
    print(f"[{scale.name}] re-planned in {replan.seconds:.1f} s; raw baseline", flush=True)
    raw_rows, raw = raw_baseline(path, directory / f"raw-{scale.name}.db")
    if raw_rows != plan.tasks:
        print(f"[{scale.name}] WARNING: copied {raw_rows} rows, planned {plan.tasks}")
    return Result(scale, generate_seconds, plan, replan, raw_rows, raw)


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def report(results: list[Result]) -> None:
    header = (
        "scale",
        "schools",
        "children",
        "rows written",
        "plan s",
        "plan rows/s",
        "raw rows/s",
        "ratio",
        "CPU ratio",
        "plan peak RSS",
        "re-plan s",
        "re-plan RSS",
    )
    lines: list[tuple[str, ...]] = [header]
    for r in results:
        plan_rate = r.plan.rows / r.plan.seconds
        raw_rate = r.raw_rows / r.raw.seconds
        cpu_ratio = (r.plan.rows / r.plan.cpu_seconds) / (r.raw_rows / r.raw.cpu_seconds)
        lines.append(
            (
                r.scale.name,
                f"{r.scale.schools:,}",
                f"{r.scale.children:,}",
                f"{r.plan.rows:,}",
                f"{r.plan.seconds:.1f}",
                f"{plan_rate:,.0f}",
                f"{raw_rate:,.0f}",
                f"{plan_rate / raw_rate:.2f}",
                f"{cpu_ratio:.2f}",
                _mib(r.plan.peak_rss_kib),
                f"{r.replan.seconds:.1f}",
                _mib(r.replan.peak_rss_kib),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print()
    for number, line in enumerate(lines):
        print("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))
    print()
    print(
        f"rows written = tasks + activities; raw = sqlite3 executemany of the same task rows "
        f"({CHUNK:,} per call, one transaction, same schema and PRAGMAs). ratio is of wall-clock "
        f"rates, CPU ratio of rates per CPU second. Calendar {CALENDAR}, cap {CAP} tasks per "
        f"teacher per day. Peak RSS (ru_maxrss) is the planning child process's, the "
        f"interpreter and imports included."
    )
    for r in results:
        if r.plan.over_capacity:
            print(f"{r.scale.name}: {r.plan.over_capacity:,} tasks placed over the daily cap")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("tiny", "school", "city", "both"), default="both")
    parser.add_argument("--db-dir", type=Path, help="where the databases go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    names = ["school", "city"] if args.scale == "both" else [args.scale]

    directory: Path = args.db_dir or Path(tempfile.mkdtemp(prefix="guanai-bench-"))
    created = args.db_dir is None
    directory.mkdir(parents=True, exist_ok=True)
    try:
        results = [run(SCALES[name], directory) for name in names]
        report(results)
    finally:
        if args.keep:
            print(f"databases kept in {directory}")
        elif created:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            for name in names:
                for prefix in ("plan", "raw"):
                    for suffix in ("", "-wal", "-shm"):
                        Path(directory / f"{prefix}-{name}.db{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
