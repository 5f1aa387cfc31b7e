"""Importing a roster: check the whole file, then write it, all or nothing.

Two passes, so that memory stays bounded however long the file is:

1. **Check.** Every row is read, parsed and checked (:class:`RosterCheck`), which keeps only the
   small keys the whole-file checks need (student numbers, ID numbers, buddies). The parsed
   values go to a *spool*: an anonymous temporary file (unlinked at once, never visible by
   name), pickled a chunk at a time, so that they are neither held in memory nor parsed twice.
2. **Write.** The spool is read back a chunk of :data:`CHUNK` rows at a time and the rows that
   passed are handed to :class:`RosterWriter`, all in the caller's transaction.

When any row has a problem nothing is written and :class:`RosterRejected` carries the report,
unless ``valid_only`` asks for the rows that passed to be written anyway. Either way the rows
with problems can be written to a rejects file (the only case that reads the file again).
"""

from __future__ import annotations

import pickle
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from guanai.core.activity_registry import ActivityRegistry
from guanai.core.config import LimitSettings
from guanai.core.errors import GuanaiError
from guanai.core.handover import hand_over_new_pairings
from guanai.core.i18n import Label
from guanai.core.records import RosterWriter
from guanai.core.roster.problem_groups import ProblemGroup, group_problems
from guanai.core.roster.reading import (
    RosterFile,
    RosterFileError,
    changed_error,
    file_stamp,
    open_roster,
)
from guanai.core.roster.rejects import rejects_file
from guanai.core.roster.setup_report import SetupReport
from guanai.core.roster.validation import Problem, RosterCheck, SchoolFacts

CHUNK = 5_000  # rows parsed and written per batch
CHECKING = Label("检查", "checking")
WRITING = Label("写入", "writing")

Progress = Callable[[Label, int, int | None], None]
"""Called after each chunk: the phase (checking, writing), rows done in it, its total if known."""


@dataclass
class ImportReport:
    file: str
    rows: int = 0  # data rows in the file (empty rows are not counted)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows left out because of their problems
    changes: int = 0  # fields changed, as kept in the history
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    warnings: list[Label] = field(default_factory=list)  # what was passed over (序号 ignored…)
    setup: SetupReport | None = None  # what the workbook's 学校, 教师 and 班级 sheets set up

    @property
    def problem_groups(self) -> list[ProblemGroup]:
        """The problems grouped by column and reason, one line each, for showing."""
        return group_problems(self.problems)


class RosterRejected(GuanaiError):
    """The file has problems and nothing was written; ``report`` says which."""

    def __init__(self, report: ImportReport) -> None:
        count = len(report.problems)
        super().__init__(
            Label(
                f"{report.file}：{report.rejected} 行有 {count} 个问题，未导入任何数据",
                f"{report.file}: {count} problem(s) in {report.rejected} row(s); nothing imported",
            )
        )
        self.report = report


def import_roster(
    session: Session,
    path: Path,
    *,
    school_id: int,
    actor: str,
    now: datetime,
    valid_only: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
    limits: LimitSettings | None = None,
    password: str | None = None,
) -> ImportReport:
    """Import the roster at ``path`` into the school ``school_id``; never commits. ``limits``
    bound what the file may cost to read (default: the defaults of ``[limits]``); ``password``
    opens an encrypted workbook.

    Raises :class:`RosterFileError` when the file cannot be read as a roster and
    :class:`RosterRejected` when a row has problems and ``valid_only`` is false.
    """
    path = Path(path)
    roster = open_roster(path, limits, password=password)
    facts = SchoolFacts.load(session, school_id)
    report = ImportReport(path.name, warnings=list(roster.warnings))
    with _Spool(roster, chunk_size) as spool:
        report.rows, report.problems, student_rows = _check(session, roster, facts, spool, progress)
        by_row: dict[int, list[Problem]] = defaultdict(list)
        for problem in report.problems:
            by_row[problem.row].append(problem)
        report.rejected = len(by_row)
        if by_row and rejects_path is not None:
            if file_stamp(path) != roster.stamp:
                raise changed_error(path)
            _write_rejects(roster, rejects_path, by_row)
        if by_row and not valid_only:
            raise RosterRejected(report)
        writer = RosterWriter(
            session,
            facts,
            roster.keys,
            actor=actor,
            source=f"import {path.name}",
            now=now,
            written_students={no for no, row in student_rows.items() if row not in by_row},
        )
        done, total = 0, report.rows - report.rejected
        for chunk in spool.chunks():
            valid = [values for number, values in chunk if number not in by_row]
            writer.write(valid)
            done += len(valid)
            if progress:
                progress(WRITING, done, total)
        summary = writer.finish()
    report.created, report.updated = summary.created, summary.updated
    report.unchanged, report.changes = summary.unchanged, summary.changes
    report.written = bool(summary.created or summary.updated)
    return report


class _Spool:
    """Parsed rows, pickled a chunk at a time to an anonymous temporary file."""

    def __init__(self, roster: RosterFile, chunk_size: int) -> None:
        self.keys = tuple(column.key for column in roster.columns.values())
        self.chunk_size = chunk_size
        self.buffer: list[tuple[int, tuple[Any, ...]]] = []
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def add(self, number: int, values: dict[str, Any]) -> None:
        self.buffer.append((number, tuple(values.get(key) for key in self.keys)))
        if len(self.buffer) >= self.chunk_size:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            pickle.dump(self.buffer, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.buffer = []

    def chunks(self) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        """The rows spooled, chunk by chunk, as (row number, {column key: value})."""
        self._flush()
        self.file.seek(0)
        while True:
            try:
                chunk = pickle.load(self.file)
            except EOFError:
                return
            yield [(number, dict(zip(self.keys, values, strict=True))) for number, values in chunk]


def _check(
    session: Session,
    roster: RosterFile,
    facts: SchoolFacts,
    spool: _Spool,
    progress: Progress | None,
) -> tuple[int, list[Problem], Mapping[str, int]]:
    """The first pass: how many rows, every problem of the file, and the row of each student
    no.; parsed rows to ``spool``."""
    check = RosterCheck(session, roster, facts)
    for row in roster.rows():
        spool.add(row.number, check.check(row))
        if progress and check.rows % spool.chunk_size == 0:
            progress(CHECKING, check.rows, None)
    problems = check.finish()
    if progress:
        progress(CHECKING, check.rows, check.rows)
    return check.rows, problems, check.student_rows


def _write_rejects(roster: RosterFile, path: Path, by_row: dict[int, list[Problem]]) -> None:
    try:
        with rejects_file(roster, path) as rejects:
            for row in roster.rows():
                if row.number in by_row:
                    rejects.add(row, by_row[row.number])
    except OSError as error:
        raise RosterFileError(
            Label(f"无法写入 {path}：{error.strerror}", f"cannot write {path}: {error.strerror}")
        ) from None


def import_and_hand_over(
    session: Session,
    path: Path,
    registry: ActivityRegistry,
    *,
    school_id: int,
    actor: str,
    now: datetime,
    daily_cap: int,
    **options: Any,
) -> ImportReport:
    """:func:`import_roster`, then the children whose pairing it changed get their open
    pairing-teacher tasks handed to the new teacher, in the caller's transaction."""
    report = import_roster(session, path, school_id=school_id, actor=actor, now=now, **options)
    if report.written:
        hand_over_new_pairings(
            session, registry, school_id, started_on=now.date(), now=now, daily_cap=daily_cap
        )
    return report
