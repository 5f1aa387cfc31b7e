"""The columns of the set-up sheets (学校, 班级, 教师) and the checks of a value typed for one.

One definition for the template, the workbook import and the commands that set a school up
one at a time (``guanai teacher add``): a phone typed on the command line is checked exactly as
the 电话 cell of the 教师 sheet is.
"""

from __future__ import annotations

import re
from typing import Any

from guanai.core.class_names import GRADES
from guanai.core.i18n import Label
from guanai.core.roster.checks import CellError
from guanai.core.roster.columns import Column, Kind
from guanai.core.roster.sheet_spec import SheetSpec
from guanai.core.roster.validation import parse_cell

SCHOOL_SHEET = "学校"
CLASS_SHEET = "班级"
TEACHER_SHEET = "教师"

SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column("school.code", Label("学校代码", "School code"), Kind.CODE, required=True, max_length=40, example="HNXX01"),
    Column("school.name", Label("学校名称", "School name"), required=True, max_length=200, example="某某县某某镇中心小学"),
)  # fmt: skip
CLASS_COLUMNS: tuple[Column, ...] = (
    Column("class.name", Label("班级名称", "Class name"), required=True, max_length=60, example="三年级1班"),
    Column("class.grade", Label("年级", "Grade"), Kind.INTEGER, example="3"),
    Column("class.head_teacher", Label("班主任工号", "Head teacher's code"), Kind.CODE, max_length=40, example="T001"),
)  # fmt: skip
TEACHER_COLUMNS: tuple[Column, ...] = (
    Column("teacher.code", Label("工号", "Teacher code"), Kind.CODE, required=True, max_length=40, example="T001"),
    Column("teacher.name", Label("姓名", "Name"), required=True, example="王芳"),
    Column("teacher.phone", Label("电话", "Phone"), Kind.PHONE, example="13700137000"),
    Column("teacher.email", Label("电子邮箱", "E-mail"), max_length=200, example="wangfang@example.edu.cn"),
    Column("teacher.subjects", Label("任教学科", "Subjects"), max_length=200, example="语文、数学"),
    Column("teacher.is_coordinator", Label("是否关爱办/协调员", "Coordinator"), Kind.BOOLEAN, example="否"),
    Column("teacher.is_counsellor", Label("是否心理辅导教师", "Counsellor"), Kind.BOOLEAN, example="否"),
)  # fmt: skip

SHEETS: dict[str, tuple[Column, ...]] = {
    SCHOOL_SHEET: SCHOOL_COLUMNS,
    CLASS_SHEET: CLASS_COLUMNS,
    TEACHER_SHEET: TEACHER_COLUMNS,
}
"""Each set-up sheet by name, in the template's order."""

SPECS: dict[str, SheetSpec] = {
    SCHOOL_SHEET: SheetSpec(
        Label("学校表", "school sheet"), SCHOOL_COLUMNS, "school.code", (SCHOOL_SHEET, "school")
    ),
    TEACHER_SHEET: SheetSpec(
        Label("教师表", "teacher sheet"),
        TEACHER_COLUMNS,
        "teacher.code",
        (TEACHER_SHEET, "teachers"),
    ),
    CLASS_SHEET: SheetSpec(
        Label("班级表", "class sheet"), CLASS_COLUMNS, "class.name", (CLASS_SHEET, "classes")
    ),
}
"""How each set-up sheet is read, in the order an import writes them: the school, then its
teachers, then its classes (a class names its head teacher)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SUBJECT_SEPARATORS = re.compile(r"[、,，;；/\s]+")

FORMATS: dict[str, Label] = {
    "school.code": Label(
        "本校的代码（如教育局的学校编号），导入时按它对应到同一所学校",
        "the school's code (e.g. the bureau's number); matches the school on every import",
    ),
    "class.grade": Label(
        f"整数 {GRADES[0]}–{GRADES[-1]}；空白时按班级名称（三年级1班 为 3）",
        f"a whole number {GRADES[0]}-{GRADES[-1]}; empty: read from the class name",
    ),
    "class.head_teacher": Label(
        "“教师”表或本校已有教师的工号", "the code of a teacher on the 教师 sheet or of the school"
    ),
    "teacher.code": Label(
        "本校内唯一；导入时按它对应到同一名教师",
        "unique in the school; matches the same teacher on every import",
    ),
    "teacher.email": Label("电子邮箱，如 name@example.edu.cn", "an e-mail address"),
    "teacher.subjects": Label(
        "可填多项，用、分隔，如 语文、数学", "any number, separated by 、 or commas"
    ),
}
"""What a cell of a set-up column holds, where the column's kind does not say it."""


def column_of(columns: tuple[Column, ...], key: str) -> Column:
    return next(column for column in columns if column.key == key)


def cell_value(column: Column, raw: Any) -> Any:
    """The stored value of a set-up cell (or of an option typed for it), or :class:`CellError`
    with the reason: the roster's checks (phones, one line of text, lengths), then the set-up
    columns' own (a grade in range, an e-mail address, subjects as a list)."""
    value = parse_cell(column, raw)
    if value is None:
        return {
            "teacher.subjects": [],
            "teacher.is_coordinator": False,
            "teacher.is_counsellor": False,
        }.get(column.key)
    if column.key == "class.grade" and value not in GRADES:
        raise CellError(
            Label(
                f"年级应为 {GRADES[0]}–{GRADES[-1]} 的整数",
                f"a grade is a whole number {GRADES[0]}-{GRADES[-1]}",
            )
        )
    if column.key == "teacher.email" and not _EMAIL.match(value):
        raise CellError(Label("电子邮箱格式不正确", "not an e-mail address"))
    if column.key == "teacher.subjects":
        return list(dict.fromkeys(part for part in _SUBJECT_SEPARATORS.split(value) if part))
    if isinstance(value, str) and not value:
        return None
    return value
