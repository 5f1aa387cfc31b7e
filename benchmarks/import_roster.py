"""Importing a 260,000-row roster: the rate, and the peak memory of the importing process.

A city in the plans counts about 260,000 left-behind children in about a thousand schools. An
import is per school, so the honest test of "260,000 rows" is one file of 260,000 rows into one
school: the largest file a single import could be handed, and the one that shows whether memory
stays bounded (a per-school loop of 260-row files never would). The school has 1,000 classes
(grades 1-6) and 2,000 pairing teachers; every row fills every column, including a pairing
teacher and a buddy (the next child of the class), so every part of the write path runs.

Runs, each in a fresh child process (multiprocessing ``spawn``) so that its peak RSS
(``ru_maxrss``) is the import's own, each in one transaction as ``guanai import`` does:

1. the first import: every child, guardian, parent, pairing and history row is created;
2. the same file again: every row compared, nothing written;
3. an edited file (one row in a hundred has a new guardian phone): updates in place.

Usage: ``python benchmarks/import_roster.py [--rows N] [--db URL] [--dir DIR] [--keep]``
(default: 260,000 rows into a new SQLite file in a temporary directory).
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from guanai.core import db
from guanai.core.models import School, SchoolClass, Teacher
from guanai.core.roster.checks import id_check_digit
from guanai.core.roster.columns import CHILD_COLUMNS

CLASSES = 1_000
TEACHERS = 2_000
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_CN = "〇一二三四五六七八九"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("子轩", "梓涵", "浩然", "欣怡", "宇航", "思雨", "俊杰", "佳琪", "明", "婷")


def class_name(index: int) -> str:
    grade = index % 6 + 1
    return f"{_CN[grade]}年级{index // 6 + 1}班"


def row(i: int, rows: int, edited: bool) -> list[str]:
    """Child ``i``: invented name, an ID number built with the check-digit rule (region 990101
    does not exist), phones in the example range."""
    klass = i % CLASSES
    born = date(2014, 9, 1) + timedelta(days=i % 2190)
    first17 = f"990101{born:%Y%m%d}{i // 2190:03d}"
    buddy = i + CLASSES if i + CLASSES < rows else i - CLASSES
    surname = _SURNAMES[i % 20]
    values = {
        "child.student_no": f"S{i:07d}",
        "child.name": surname + _GIVEN[(i // 20) % 10],
        "child.gender": "男" if i % 2 else "女",
        "child.birth_date": born.isoformat(),
        "child.id_number": first17 + id_check_digit(first17),
        "child.class": class_name(klass),
        "child.enrolment_status": "在读",
        "child.left_behind_type": ("父母均外出", "父亲外出", "母亲外出")[i % 3],
        "child.left_behind_since": "2022-02-01",
        "child.home_address": f"某县某镇某村{i % 50 + 1}组",
        "father.name": surname + "建国",
        "father.phone": f"138{i:08d}",
        "father.work_city": "广东省东莞市",
        "father.work_unit": "某电子厂",
        "father.unit_address": "东莞市某工业区",
        "father.unit_phone": "0769-22345678",
        "mother.name": "李秀英",
        "mother.phone": f"139{i:08d}",
        "mother.work_city": "浙江省义乌市",
        "mother.work_unit": "某商贸公司",
        "mother.unit_address": "义乌市某街道",
        "mother.unit_phone": "0579-85123456",
        "guardian.name": surname + "大山",
        "guardian.relation": "祖父",
        "guardian.occupation": "务农",
        "guardian.address": f"某县某镇某村{i % 50 + 1}组",
        "guardian.phone": f"137{i:08d}" if not (edited and i % 100 == 0) else f"136{i:08d}",
        "guardian.health": "良好",
        "guardian.age": str(60 + i % 15),
        "child.care_categories": "学业困难、心理需求",
        "child.key_target": "否",
        "child.individual_plan": "",
        "child.five_clears": "基本情况清楚、监护人情况清楚",
        "pairing.teacher": f"T{i % TEACHERS:04d}",
        "pairing.buddy": f"S{buddy:07d}",
        "child.notes": "",
    }
    return [values[column.key] for column in CHILD_COLUMNS]


def write_file(path: Path, rows: int, *, edited: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([column.header.zh for column in CHILD_COLUMNS])
        for i in range(rows):
            writer.writerow(row(i, rows, edited))


def create_school(url: str) -> int:
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        with db.transaction(engine) as session:
            school = School(code="CITY", name="全市（基准测试）")
            session.add(school)
            session.flush()
            session.add_all(
                Teacher(school_id=school.id, code=f"T{n:04d}", name=f"教师{n}")
                for n in range(TEACHERS)
            )
            session.add_all(
                SchoolClass(school_id=school.id, grade=n % 6 + 1, name=class_name(n))
                for n in range(CLASSES)
            )
            return school.id
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Result:
    seconds: float
    cpu_seconds: float  # user + system time of the importing process: robust to a busy machine
    peak_mib: float
    created: int
    updated: int
    unchanged: int
    changes: int


def run_import(url: str, path: str, school_id: int) -> Result:
    """In a child process: one import in one transaction, timed, with this process's peak RSS."""
    from guanai.core.roster.importer import import_roster

    engine = db.make_engine(url)
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    with db.transaction(engine) as session:
        report = import_roster(session, Path(path), school_id=school_id, actor="benchmark", now=NOW)
    seconds = time.perf_counter() - started
    engine.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    return Result(
        seconds, cpu, peak, report.created, report.updated, report.unchanged, report.changes
    )


def table_counts(url: str) -> str:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            counts = {
                name: connection.scalar(text(f"SELECT count(*) FROM {name}"))
                for name in ("child", "guardian", "parent", "pairing", "record_change")
            }
    finally:
        engine.dispose()
    return ", ".join(f"{name} {count:,}" for name, count in counts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=260_000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--dir", type=Path, help="directory for the files (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the files")
    args = parser.parse_args()

    directory = args.dir or Path(tempfile.mkdtemp(prefix="guanai-import-"))
    directory.mkdir(parents=True, exist_ok=True)
    url = args.db or f"sqlite:///{directory / 'import.db'}"
    roster, edited = directory / "roster.csv", directory / "roster-edited.csv"
    try:
        started = time.perf_counter()
        write_file(roster, args.rows)
        write_file(edited, args.rows, edited=True)
        size = roster.stat().st_size / 2**20
        print(
            f"generated {args.rows:,} rows ({size:.0f} MiB of UTF-8 CSV, {len(CHILD_COLUMNS)} "
            f"columns) twice in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        school_id = create_school(url)
        shown = url if args.db else "SQLite file"
        print(f"database: {shown}; one school, {CLASSES:,} classes, {TEACHERS:,} teachers")
        context = multiprocessing.get_context("spawn")
        runs = (
            ("first import (all new)", roster),
            ("same file again", roster),
            ("edited file (1% changed)", edited),
        )
        with context.Pool(1, maxtasksperchild=1) as pool:
            for title, path in runs:
                result = pool.apply(run_import, (url, str(path), school_id))
                print(
                    f"{title:26} {result.seconds:6.1f} s wall ({args.rows / result.seconds:6,.0f} "
                    f"rows/s), {result.cpu_seconds:6.1f} s CPU "
                    f"({args.rows / result.cpu_seconds:6,.0f} rows/CPU-s), "
                    f"peak RSS {result.peak_mib:4.0f} MiB; created {result.created:,}, "
                    f"updated {result.updated:,}, unchanged {result.unchanged:,}, "
                    f"fields changed {result.changes:,}",
                    flush=True,
                )
        print(f"rows in the database: {table_counts(url)}")
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
