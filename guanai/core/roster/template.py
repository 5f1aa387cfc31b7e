"""The blank roster a school fills in: ``guanai template roster.xlsx``.

Sheet 留守儿童 has the Chinese headers in row 1 and nothing else, so the file imports exactly as
filled in: no example row to delete, no second header row to skip. Required headers are red;
the cells of number-like columns (student numbers, ID numbers, phones) are formatted as text so
Excel keeps every digit and the leading zero of a landline; coded columns get drop-down lists.
Sheets 学校, 班级 and 教师 set a new school up (its code and name, its classes and head
teachers, its teachers) in the same import, and update it by code or class name afterwards;
they are built the same way. Sheet 说明 (Guide) lists each sheet's columns: Chinese and English
header, required, format, example.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from guanai.core.i18n import Label
from guanai.core.roster.columns import CHILD_COLUMNS, Column, Kind
from guanai.core.roster.setup_columns import FORMATS, SHEETS

DATA_SHEET = "留守儿童"
GUIDE_SHEET = "说明"
TEMPLATE_ROWS = 2_000  # rows that get the drop-down lists
_TEXT_KEYS = {
    "child.student_no",
    "pairing.teacher",
    "pairing.buddy",
    "school.code",
    "class.head_teacher",
    "teacher.code",
}
_SPECIAL = {
    "child.class": Label(
        "本校已有的班级名称，如 三年级1班", "a class of the school, e.g. 三年级1班"
    ),
    "pairing.teacher": Label("本校教师的工号", "the code of a teacher of the school"),
    "pairing.buddy": Label(
        "名单上同班同学的学号（首次结对须同时填帮扶教师）",
        "a classmate's student no., if on the roster (with a pairing teacher the first time)",
    ),
    "pairing.buddy_name": Label(
        "不在名单上的同班同学的姓名（与学习帮手学号只填一项）",
        "the name of a classmate not on the roster (instead of the buddy's student no.)",
    ),
    "child.student_no": Label(
        "本校内唯一；用于再次导入时对应到同一名学生",
        "unique in the school; matches the same child when the roster is imported again",
    ),
}


def describe_format(column: Column) -> Label:
    """What a cell of ``column`` may hold, for the guide sheet and the docs."""
    if column.key in _SPECIAL:
        return _SPECIAL[column.key]
    if column.key in FORMATS:
        return FORMATS[column.key]
    kind = column.kind
    if kind is Kind.DATE:
        return Label("日期，如 2016-03-05、2016/3/5 或 2016年3月5日", "a date, e.g. 2016-03-05")
    if kind is Kind.ID_NUMBER:
        return Label(
            "18 位居民身份证号（末位可为 X），须与出生日期一致",
            "an 18-character resident ID number (the last may be X) matching the birth date",
        )
    if kind is Kind.MOBILE:
        return Label("11 位手机号", "an 11-digit mobile number")
    if kind is Kind.PHONE:
        return Label(
            "手机号，或带区号的座机号（如 0731-84561234）",
            "a mobile, or a landline with its area code (e.g. 0731-84561234)",
        )
    if kind is Kind.INTEGER:
        return Label("整数，0–150", "a whole number, 0-150")
    if kind is Kind.BOOLEAN:
        return Label("是 或 否（空白为否）", "yes or no (empty means no)")
    if kind in (Kind.CHOICE, Kind.CHOICES):
        assert column.vocabulary is not None
        choices = column.vocabulary.choices()
        if kind is Kind.CHOICES:
            return Label(
                f"可填多项，用、分隔：{choices.zh}", f"any of, separated by commas: {choices.en}"
            )
        return Label(f"以下之一：{choices.zh}", f"one of: {choices.en}")
    return Label(
        f"文字，最多 {column.max_length} 字", f"text, at most {column.max_length} characters"
    )


def write_template(path: Path) -> Path:
    """Write the blank roster workbook to ``path`` (.xlsx) and return the path."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    _data_sheet(sheet, CHILD_COLUMNS)
    for name, columns in SHEETS.items():
        _data_sheet(workbook.create_sheet(name), columns)
    _guide(workbook.create_sheet(GUIDE_SHEET))
    workbook.save(path)
    return Path(path)


def _data_sheet(sheet: Worksheet, columns: tuple[Column, ...]) -> None:
    """Headers in row 1 (required ones red, each with a comment saying its format), number-like
    columns formatted as text, dates as dates, coded columns with drop-down lists."""
    sheet.freeze_panes = "A2"
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header.zh)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = header_fill
        cell.comment = Comment(
            f"{column.header.en}{' (required / 必填)' if column.required else ''}\n"
            f"{describe_format(column).zh}",
            "guanai",
        )
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(10, min(30, 2 * len(column.header.zh) + 4))
        if column.kind in (Kind.ID_NUMBER, Kind.MOBILE, Kind.PHONE) or column.key in _TEXT_KEYS:
            dimension.number_format = "@"  # text: Excel keeps all 18 digits and leading zeros
            dimension.width = max(dimension.width, 20)
        elif column.kind is Kind.DATE:
            dimension.number_format = "yyyy-mm-dd"
        choices = _dropdown(column)
        if choices:
            validation = DataValidation(
                type="list",
                formula1=f'"{",".join(choices)}"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="请从列表中选择",
                error=f"{column.header.zh}：{describe_format(column).zh}",
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)


def _dropdown(column: Column) -> list[str]:
    if column.kind is Kind.CHOICE and column.vocabulary is not None:
        return [column.vocabulary.label(code).zh for code in column.vocabulary]
    if column.kind is Kind.BOOLEAN:
        return ["是", "否"]
    return []


def _guide(sheet: Worksheet) -> None:
    rows = [
        ["留守儿童名册填写说明 / How to fill in the roster"],
        [
            "在“留守儿童”表中每行填写一名儿童；标题可用中文或英文；红色标题为必填列。"
            "再次导入同一名册时按学号更新原有记录，不会重复建档。",
        ],
        [
            "One child per row on the 留守儿童 sheet; headers may be Chinese or English; red "
            "headers are required. Importing the roster again updates each child by student no.",
        ],
        [],
    ]
    rows.extend(_column_rows(CHILD_COLUMNS))
    titles = [["新学校：学校、班级、教师表 / A new school: the 学校, 班级 and 教师 sheets"]]
    rows += [
        [],
        titles[0],
        [
            "新学校第一次导入时，在“学校”表填一行（学校代码、学校名称），在“教师”表每行填一名"
            "教师，在“班级”表每行填一个班级及其班主任工号；同一次导入先建学校、教师、班级，再导入"
            "留守儿童，任何一表有误则全部不写入。再次导入时按学校代码、工号、班级名称更新。",
        ],
        [
            "A new school's first import: one row on 学校 (code, name), one teacher per row on "
            "教师, one class per row on 班级 with its head teacher's code. One import sets up the "
            "school, teachers and classes, then the children, and writes nothing if any sheet "
            "has a problem. Importing again updates them by school code, teacher code, class name.",
        ],
    ]
    for name, columns in SHEETS.items():
        titles.append([f"“{name}”表 / sheet {name}"])
        rows += [[], titles[-1], *_column_rows(columns)]
    for number, row in enumerate(rows, start=1):
        sheet.append(row)
        if row is _GUIDE_HEADER or any(row is title for title in titles):
            for cell in sheet[number]:
                cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    for letter, width in zip("ABCDEF", (18, 24, 14, 40, 48, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows(min_row=6):
        for cell in cells:
            cell.alignment = wrap


_GUIDE_HEADER = [
    "列名",
    "Header",
    "必填 / Required",
    "格式或可选值",
    "Format or allowed values",
    "示例 / Example",
]


def _column_rows(columns: tuple[Column, ...]) -> list[list[str]]:
    """The guide's table of ``columns``: its header row, then one row per column."""
    rows = [_GUIDE_HEADER]
    for column in columns:
        described = describe_format(column)
        rows.append(
            [
                column.header.zh,
                column.header.en,
                "是 / yes" if column.required else "",
                described.zh,
                described.en,
                column.example,
            ]
        )
    return rows
