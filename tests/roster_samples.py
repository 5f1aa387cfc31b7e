"""Roster files for tests: invented children, valid ID numbers made with the check digit rule.

The ID numbers are built from a made-up region code and each child's birth date, with
:func:`id_check_digit`; they are not real people's. Phones are in the 13800000000 range used in
examples.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from guanai.core.db import transaction
from guanai.core.models import Base, School, SchoolClass, Teacher
from guanai.core.roster.checks import id_check_digit
from guanai.core.roster.columns import CHILD_COLUMNS
from guanai.core.roster.importer import ImportReport, import_roster

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CLASSES = ("一年级1班", "一年级2班", "三年级1班")
TEACHERS = ("T001", "T002", "T003")
_SURNAMES = "王李张刘陈杨黄赵吴周"
_GIVEN = ("小明", "小红", "梓涵", "子轩", "欣怡", "浩然", "思雨", "宇航", "佳琪", "俊杰")


def id_number(born: date, sequence: int = 1, region: str = "990101") -> str:
    """A well-formed resident ID number for an invented person (region 99xxxx does not exist)."""
    first17 = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_digit(first17)


def add_school(session: Session, code: str = "S1", name: str = "测试小学") -> int:
    """A school with the classes of :data:`CLASSES` and teachers of :data:`TEACHERS`."""
    school = School(code=code, name=name)
    session.add(school)
    session.flush()
    for number, teacher_code in enumerate(TEACHERS, start=1):
        session.add(
            Teacher(school_id=school.id, code=teacher_code, name=f"教师{number}", phone=None)
        )
    for class_name in CLASSES:
        grade = 3 if class_name.startswith("三") else 1
        session.add(SchoolClass(school_id=school.id, grade=grade, name=class_name))
    session.flush()
    return school.id


def child(n: int, **changes: Any) -> dict[str, Any]:
    """Child number ``n`` as a roster row (column key -> cell text), with ``changes``."""
    born = date(2019, 1, 1) + timedelta(days=n * 7)
    row: dict[str, Any] = {
        "child.student_no": f"2026{n:04d}",
        "child.name": _SURNAMES[n % 10] + _GIVEN[(n // 10) % 10],
        "child.gender": "男" if n % 2 else "女",
        "child.birth_date": born.isoformat(),
        "child.id_number": id_number(born, n),
        "child.class": CLASSES[n % 2],
        "child.enrolment_status": "在读",
        "child.left_behind_type": "父母均外出",
        "child.left_behind_since": "2022-02-01",
        "child.home_address": f"某县某镇某村{n}组",
        "father.name": _SURNAMES[n % 10] + "建国",
        "father.phone": f"138{n:08d}",
        "father.work_city": "广东省东莞市",
        "mother.name": "李秀英",
        "mother.phone": f"139{n:08d}",
        "guardian.name": _SURNAMES[n % 10] + "大山",
        "guardian.relation": "祖父",
        "guardian.phone": f"137{n:08d}",
        "guardian.age": "66",
        "child.care_categories": "学业困难、心理需求",
        "child.key_target": "否",
        "child.five_clears": "基本情况清楚",
    }
    row.update(changes)
    return row


def write_roster(
    path: Path,
    rows: Iterable[dict[str, Any]],
    *,
    keys: Sequence[str] | None = None,
    english: bool = False,
    encoding: str = "utf-8",
    sheet: str = "留守儿童",
    native: bool = False,
) -> Path:
    """Write ``rows`` as a roster file: .xlsx (with openpyxl), .xls (xlwt), .ods (odfpy) or
    .csv in ``encoding``.

    ``native``: in a workbook, dates as dates and digit strings as numbers, as a user typing
    into Excel would leave them (an 18-digit ID number stays text: Excel would lose its digits).
    """
    columns = [c for c in CHILD_COLUMNS if keys is None or c.key in keys]
    if keys is not None:
        columns.sort(key=lambda c: list(keys).index(c.key))
    headers = [c.header.en if english else c.header.zh for c in columns]
    table = [[row.get(c.key) for c in columns] for row in rows]
    if path.suffix in (".xlsx", ".xls", ".ods"):
        values = [[_native(v) for v in row] for row in table] if native else table
        return write_table(path, [headers, *values], sheet=sheet)
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file)
        writer.writerow(headers)
        writer.writerows([["" if v is None else v for v in values] for values in table])
    return path


def write_table(path: Path, table: Sequence[Sequence[Any]], *, sheet: str = "留守儿童") -> Path:
    """Write the rows of ``table`` as they are (a title row, two header rows…) to the workbook
    ``path`` (.xlsx, .xls or .ods, by its suffix), on ``sheet``, then a 说明 sheet."""
    if path.suffix == ".xls":
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        data = book.add_sheet(sheet)
        dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for r, values in enumerate(table):
            for c, value in enumerate(values):
                if isinstance(value, date):
                    data.write(r, c, value, dates)
                elif value is not None:
                    data.write(r, c, value)
        book.add_sheet("说明").write(0, 0, "a sheet the importer must not read")
        book.save(str(path))
    elif path.suffix == ".ods":
        _write_ods(path, table, sheet)
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        data = workbook.active
        data.title = sheet
        for values in table:
            data.append(list(values))
        workbook.create_sheet("说明").append(["a sheet the importer must not read"])
        workbook.save(path)
    return path


def _write_ods(path: Path, table: Sequence[Sequence[Any]], sheet: str) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in ((sheet, table), ("说明", [["a sheet the importer must not read"]])):
        data = Table(name=name)
        for values in rows:
            row = TableRow()
            for value in values:
                if value is None:
                    row.addElement(TableCell())
                elif isinstance(value, date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                    cell.addElement(P(text=value.isoformat()))
                    row.addElement(cell)
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                    row.addElement(cell)
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                    row.addElement(cell)
            data.addElement(row)
        document.spreadsheet.addElement(data)
    document.save(str(path))


FULL_WIDTH = str.maketrans("0123456789-/.X", "０１２３４５６７８９－／．Ｘ")


def full_width(text: str) -> str:
    """``text`` as a Chinese input method in full-width mode types it: ２０２６２２０３１."""
    return text.translate(FULL_WIDTH)


def _native(value: Any) -> Any:
    if isinstance(value, str) and value.isdigit() and len(value) <= 15 and value[0] != "0":
        return int(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def edit_roster_file(path: Path, fixes: dict[str, dict[str, Any]]) -> None:
    """Change cells of a roster file in place: ``fixes`` maps a row's student no. to
    {header: new value}. Keeps the file's format (a CSV stays UTF-8 with BOM)."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path)
        sheet = workbook["留守儿童"]
        headers = [cell.value for cell in sheet[1]]
        for cells in sheet.iter_rows(min_row=2):
            fix = fixes.get(str(cells[headers.index("学号")].value), {})
            for header, value in fix.items():
                cells[headers.index(header)].value = value
        workbook.save(path)
        return
    with path.open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    headers = table[0]
    for values in table[1:]:
        for header, value in fixes.get(values[headers.index("学号")], {}).items():
            values[headers.index(header)] = value
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows(table)


def snapshot(engine: Engine) -> tuple[bytes | None, dict[str, list[tuple[Any, ...]]]]:
    """The database as it is: every table's rows, and on SQLite the file's bytes too (after a
    checkpoint, so that the WAL holds nothing the file does not)."""
    with engine.connect() as connection:
        tables = {
            table.name: sorted(
                (tuple(map(repr, row)) for row in connection.execute(select(table))),
            )
            for table in Base.metadata.sorted_tables
        }
    data = None
    if engine.dialect.name == "sqlite":
        # on the driver's connection, which autocommits: a checkpoint cannot run in a transaction
        with engine.connect() as connection:
            connection.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = Path(engine.url.database or "").read_bytes()
    return data, tables


def import_file(engine: Engine, path: Path, school_id: int, **options: Any) -> ImportReport:
    """Import ``path`` in a transaction of its own, as the command does."""
    options.setdefault("actor", "关爱办")
    options.setdefault("now", NOW)
    with transaction(engine) as session:
        return import_roster(session, path, school_id=school_id, **options)
