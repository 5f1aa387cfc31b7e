"""Setting a school up from the 学校, 教师 and 班级 sheets of a workbook, in the caller's
transaction.

The sheets are read by the roster's machinery (:func:`~guanai.core.roster.reading.open_sheet`
with the set-up sheets' :data:`~guanai.core.roster.setup_columns.SPECS`), their cells checked
by the set-up columns, and their rows written by :mod:`guanai.core.school_setup` in order: the
school, its teachers, its classes (a class names its head teacher, who may be on the 教师 sheet
of the same workbook). Rows match what is stored by school code, teacher code and class name,
so the same workbook imported twice changes nothing the second time.

Every problem of every sheet is collected (sheet, row, column, reason); the caller refuses the
whole import when there is one, so nothing of the workbook is written (see
:func:`guanai.service.roster_actions`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanai.core.access import Viewer, require
from guanai.core.config import LimitSettings
from guanai.core.errors import GuanaiError, NotFoundError
from guanai.core.i18n import Label
from guanai.core.models import School
from guanai.core.roster.checks import CellError
from guanai.core.roster.file_errors import RosterFileError
from guanai.core.roster.importer import ImportReport, RosterRejected, import_roster
from guanai.core.roster.reading import RosterFile, open_sheet, workbook_sheets
from guanai.core.roster.setup_columns import (
    CLASS_SHEET,
    SCHOOL_SHEET,
    SPECS,
    TEACHER_SHEET,
    cell_value,
)
from guanai.core.roster.setup_report import SetupReport
from guanai.core.roster.sheet_spec import ROSTER_SHEET
from guanai.core.school_setup import put_class, put_school, put_teacher
from guanai.core.schools import chosen_school


@dataclass(frozen=True)
class _Row:
    sheet: str
    number: int
    values: dict[str, Any]  # column key -> parsed value, for the cells that parsed
    headers: dict[str, str]  # column key -> header as written
    parsed: bool  # every cell parsed


def setup_sheets(
    path: Path, *, limits: LimitSettings | None = None, password: str | None = None
) -> tuple[dict[str, RosterFile], bool, list[str]]:
    """The set-up sheets of ``path`` that hold a row (a CSV holds none), by name in writing
    order; whether it also holds a roster sheet; and the set-up sheets it holds without a row
    (the blank template's). A sheet that cannot be read is refused naming it."""
    names = {
        name.strip().casefold(): name
        for name in workbook_sheets(path, limits=limits, password=password)
    }
    found: dict[str, RosterFile] = {}
    blank: list[str] = []
    for name, spec in SPECS.items():
        sheet = next((names[n.casefold()] for n in spec.sheet_names if n.casefold() in names), None)
        if sheet is None:
            continue
        try:
            opened = open_sheet(path, spec, limits=limits, password=password, sheet=sheet)
        except RosterFileError as error:
            raise RosterFileError(
                Label(f"“{sheet}”表：{error.label.zh}", f"sheet {sheet}: {error.label.en}")
            ) from None
        if next(opened.rows(), None) is not None:
            found[name] = opened
        else:
            blank.append(name)
    has_roster = any(n.casefold() in names for n in ROSTER_SHEET.sheet_names)
    return found, has_roster, blank


def _rows(name: str, sheet: RosterFile, report: SetupReport) -> Iterator[_Row]:
    """The sheet's rows parsed, each cell's problem reported (sheet, row, column)."""
    for row in sheet.rows():
        values: dict[str, Any] = {}
        headers: dict[str, str] = {}
        parsed = True
        for header, column in sheet.columns.items():
            headers[column.key] = header
            try:
                values[column.key] = cell_value(column, row.cells.get(header))
            except CellError as error:
                report.problem(name, row.number, header, error.reason)
                parsed = False
        yield _Row(name, row.number, values, headers, parsed)


def _problem(report: SetupReport, row: _Row, key: str, reason: Label) -> None:
    report.problem(row.sheet, row.number, row.headers.get(key, ""), reason)


def set_up_from_sheets(
    session: Session,
    viewer: Viewer,
    sheets: dict[str, RosterFile],
    *,
    school_code: str | None,
    actor: str,
    now: datetime,
) -> SetupReport:
    """Write what ``sheets`` (from :func:`setup_sheets`) set up; every problem is in the
    report's ``problems``, and the caller must not commit when there is one."""
    report = SetupReport(sheets=tuple(sheets))
    report.warnings = [warning for sheet in sheets.values() for warning in sheet.warnings]
    report.school_id = _school(
        session, viewer, sheets.get(SCHOOL_SHEET), report, school_code, actor, now
    )
    teachers = (
        list(_rows(TEACHER_SHEET, sheets[TEACHER_SHEET], report)) if TEACHER_SHEET in sheets else []
    )
    classes = list(_rows(CLASS_SHEET, sheets[CLASS_SHEET], report)) if CLASS_SHEET in sheets else []
    if report.school_id is None:
        return report  # the rows' cells are checked; nothing can be matched to a school
    for row in _first_of_each(teachers, "teacher.code", report):
        values = {k.split(".", 1)[1]: v for k, v in row.values.items() if k != "teacher.code"}
        try:
            written = put_teacher(
                session, report.school_id, row.values["teacher.code"], values, actor=actor, now=now
            )
        except GuanaiError as error:
            _problem(report, row, "teacher.name", error.label)
            continue
        report.count(TEACHER_SHEET, written)
    unwritten = {row.values.get("teacher.code") for row in teachers if not row.parsed}
    for row in _first_of_each(classes, "class.name", report):
        head = row.values.get("class.head_teacher")
        # A head teacher whose own row has a problem (reported on the 教师 sheet): the class is
        # written without one, so that the roster is checked against it; nothing is committed.
        head = None if head in unwritten else head
        try:
            written = put_class(
                session,
                report.school_id,
                row.values["class.name"],
                grade=row.values.get("class.grade"),
                head_code=head,
                actor=actor,
                now=now,
            )
        except NotFoundError as error:
            _problem(report, row, "class.head_teacher", error.label)
            continue
        except GuanaiError as error:
            _problem(report, row, "class.grade", error.label)
            continue
        report.count(CLASS_SHEET, written)
    return report


def _school(
    session: Session,
    viewer: Viewer,
    sheet: RosterFile | None,
    report: SetupReport,
    school_code: str | None,
    actor: str,
    now: datetime,
) -> int | None:
    """The school the workbook sets up: its 学校 sheet's one row (created, or renamed), else
    ``school_code`` or the viewer's own or only school."""
    if sheet is None:
        return chosen_school(session, school_code, default=viewer.school_id)
    rows = list(_rows(SCHOOL_SHEET, sheet, report))
    if len(rows) > 1:
        report.problem(
            SCHOOL_SHEET,
            rows[1].number,
            "",
            Label(
                f"“学校”表应只有一行（本校），现有 {len(rows)} 行",
                f"the 学校 sheet must hold one row (the school); it holds {len(rows)}",
            ),
        )
        return None
    row = rows[0]
    code, name = row.values.get("school.code"), row.values.get("school.name")
    if code is None or name is None:
        return None  # its cells' problems are reported
    if school_code is not None and school_code != code:
        _problem(
            report,
            row,
            "school.code",
            Label(f"与 --school {school_code} 不符", f"does not match --school {school_code}"),
        )
        return None
    written = put_school(session, viewer, code, name, actor=actor, now=now)
    report.count(SCHOOL_SHEET, written)
    return written.id


def _first_of_each(rows: list[_Row], key: str, report: SetupReport) -> Iterator[_Row]:
    """The rows whose cells all parsed, the first of each ``key``; a later row with the same
    key is a problem (which of the two is meant cannot be known), whatever its other cells."""
    first: dict[Any, int] = {}
    for row in rows:
        value = row.values.get(key)
        if value is not None and value in first:
            _problem(
                report,
                row,
                key,
                Label(f"与第 {first[value]} 行重复", f"the same as row {first[value]}"),
            )
            continue
        if value is not None:
            first[value] = row.number
        if row.parsed:
            yield row


def set_up_from_workbook(
    session: Session,
    viewer: Viewer,
    path: Path,
    *,
    school_code: str | None,
    actor: str,
    now: datetime,
    limits: LimitSettings | None = None,
    password: str | None = None,
) -> SetupReport | None:
    """Set up the school from the set-up sheets of ``path``, in the caller's transaction; None
    when it has none with a row (a roster alone, a CSV). Raises :class:`RosterRejected` with
    every problem of every sheet when there is one: the caller's transaction must then be
    rolled back, so nothing of the workbook is written."""
    sheets, has_roster, blank = setup_sheets(path, limits=limits, password=password)
    if not sheets:
        if SCHOOL_SHEET in blank and session.scalar(select(School.id).limit(1)) is None:
            raise RosterFileError(
                Label(
                    f"{path.name}：“学校”表是空的，而数据库中还没有学校：请在“学校”表中填写本校的"
                    "学校代码和学校名称（“教师”“班级”表同样填写）后再导入",
                    f"{path.name}: the 学校 (school) sheet is empty and the database has no school"
                    " yet: fill in the school's code and name there (and the 教师 and 班级 sheets)"
                    " and import again",
                )
            )
        return None
    require(viewer, "set_up_school")
    report = set_up_from_sheets(
        session, viewer, sheets, school_code=school_code, actor=actor, now=now
    )
    report.has_roster = has_roster
    if report.problems:
        raise RosterRejected(
            ImportReport(path.name, problems=report.problems, rejected=report.rejected)
        )
    return report


def with_roster_problems(
    session: Session,
    viewer: Viewer,
    rejected: RosterRejected,
    path: Path,
    *,
    school_code: str | None,
    actor: str,
    now: datetime,
    limits: LimitSettings | None = None,
    password: str | None = None,
) -> RosterRejected:
    """``rejected`` (the set-up sheets' problems) with the roster sheet's problems too, so that
    the office fixes the whole workbook at once rather than sheet by sheet.

    The roster is checked against the school as the set-up sheets' good rows left it in this
    transaction, which the caller then rolls back: nothing of it is kept. A school that could
    not be set up (its 学校 row has a problem), or a roster sheet that cannot be read, leaves
    the set-up problems alone; the roster's are reported once those are fixed.
    """
    try:
        school = chosen_school(session, school_code, default=viewer.school_id)
    except NotFoundError:
        return rejected
    try:
        import_roster(
            session, path, school_id=school, actor=actor, now=now, limits=limits, password=password
        )
    except RosterRejected as roster:
        report = rejected.report
        report.problems = [*report.problems, *roster.report.problems]
        report.rejected += roster.report.rejected
        return RosterRejected(report)
    except RosterFileError:
        pass
    return rejected
